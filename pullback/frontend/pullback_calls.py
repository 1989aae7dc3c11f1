"""Calls of pullback's own API inside differentiated code: ``pullback.jvp(f, primals,
tangents)`` (a ``Call`` marked ``jvp``), ``pullback.grad(f, argnums)(args)`` and
``value_and_grad`` (a ``GradB`` binding, whose call is a ``Call`` marked ``grad``).

Invariants: pullback's objects are never lowered as user code; they are known by marker
attributes (``lowers_to_jvp_call``, ``lowers_to_grad``, ``lowers_to_grad_call``), so the
frontend imports none of the drivers.  Another library's operator may say which of
pullback's it stands for with an attribute ``pullback_lowers_as`` (an autograd shim's
``grad``): it is lowered as that one (``calls.call_python``).  Everything else of
pullback's is rejected at the user's line.  The derivative itself is made after typing (``transforms/grad_calls.py``,
``transforms/jvp_calls.py``).
"""
import types
from dataclasses import dataclass

from ..ir import Call, Const, GradCall, Return, Var
from .bindings import FuncB, PyObj, TupleB, flatten, n_atoms, unflatten
from .source import source_of


class PullbackCallLowerer:
    def call_pullback(self, obj, args, kwargs, node):
        """``pullback.jvp(f, primals, tangents)`` in differentiated code: a call of
        ``f``'s tangent function (``Call.jvp``); ``pullback.grad(f, argnums)`` and
        ``value_and_grad`` a ``GradB`` (its call a ``Call.grad``); other pullback objects
        are rejected.  They are known by marker attributes: ``lowers_to_jvp_call``,
        ``lowers_to_grad`` (grad, value_and_grad, jacobian), ``lowers_to_grad_call`` (a
        ``grad`` object made outside), ``_pullback_chain`` (a jacobian or hessian made
        outside, or a derivative of a derivative: forward layers over a base)."""
        if getattr(obj, "lowers_to_grad", None) is not None:
            return self.grad_binding(args, kwargs, obj.lowers_to_grad, node)
        chain = (obj, ()) if getattr(obj, "lowers_to_grad_call", False) else \
            getattr(obj, "_pullback_chain", None)   # grad(grad(f)), jacobian, hessian
        if chain is not None and all(layer.kind in ("grad", "jac") for layer in chain[1]):
            return self.call_value(self.made_outside(chain, node), args, kwargs, node)
        if not getattr(obj, "lowers_to_jvp_call", False):
            name = getattr(obj, "__name__", type(obj).__name__)
            raise self.error(node, f"a call to pullback's '{name}' inside differentiated code "
                                   "(compose derivatives instead: grad(grad(f)), "
                                   "jacobian(grad(f)), or call pullback.grad or jvp)")
        if kwargs or len(args) != 3 or not all(isinstance(a, TupleB) for a in args[1:]):
            raise self.error(node, "pullback.jvp other than jvp(f, (primals...), (tangents...))")
        f, primals, tangents = args
        if isinstance(f, PyObj) and isinstance(f.obj, types.FunctionType):
            f = FuncB(source_of(f.obj), f.obj)
        if not isinstance(f, FuncB):
            raise self.error(node, "pullback.jvp of something that is not a Python function")
        nparams = len(f.source.node.args.args) + len(f.source.node.args.kwonlyargs)
        if len(primals.items) != nparams or \
                [flatten(p)[0] for p in primals.items] != [flatten(t)[0] for t in tangents.items]:
            raise self.error(node, "pullback.jvp whose primals and tangents do not match the "
                                   "parameters of the function one to one")
        dots = [a for t in tangents.items for a in flatten(t)[1]]
        return self.call_user(f, list(primals.items), {}, node, dots)

    def made_outside(self, chain, node):
        """A derivative made outside (a ``grad`` object, ``grad(grad(f))``, ``jacobian(f)``,
        ``hessian(f)``; ``chain``: its base and forward layers) as the ``GradB`` the same
        derivative written inline makes."""
        base, layers = chain
        if getattr(base, "lowers_to_grad_call", False):
            if base.has_aux or base.checkpoint is not None:
                raise self.error(node, "a call of a grad object with has_aux or checkpoint "
                                       "inside differentiated code")
            g = self.grad_of(PyObj(base.f), base.argnums, base.with_value, node)
        else:               # a forward jacobian of a function: its first layer
            g = PyObj(base)
        for layer in layers:
            g = self.grad_of(g, layer.argnums, layer.with_value, node, layer.kind == "jac")
        return g

    def grad_binding(self, args, kwargs, kind, node):
        """``pullback.grad(f, argnums=0)`` / ``value_and_grad`` / ``jacobian`` (``kind``)
        written in the code (a jacobian's ``mode`` does not change its numbers)."""
        bound = dict(zip(("f", "argnums"), args))
        for k, v in kwargs.items():
            if kind == "jacobian" and k == "mode" and isinstance(v, Const):
                continue
            if k not in ("f", "argnums") or k in bound:
                raise self.error(node, f"pullback.grad with '{k}' inside differentiated code "
                                       "(f and argnums only)")
            bound[k] = v
        if len(args) > 2 or "f" not in bound:
            raise self.error(node, "pullback.grad other than grad(f, argnums) inside "
                                   "differentiated code")
        nums = bound.get("argnums", Const(0))
        if isinstance(nums, TupleB) and all(isinstance(n, Const) for n in nums.items):
            nums = tuple(n.value for n in nums.items)
        elif isinstance(nums, Const) and isinstance(nums.value, int):
            nums = nums.value
        else:
            raise self.error(node, "pullback.grad whose argnums are not known when compiling")
        return self.grad_of(bound["f"], nums, kind == "value_and_grad", node,
                            kind == "jacobian")

    def grad_of(self, f, argnums, with_value, node, jac=False):
        if isinstance(f, GradB):
            if f.with_value:
                raise self.error(node, "pullback.grad of value_and_grad inside differentiated "
                                       "code (it returns a pair)")
            return GradB(f, argnums, with_value, jac)
        if isinstance(f, PyObj) and isinstance(f.obj, types.FunctionType) and \
                not _is_pullback(f.obj):
            f = FuncB(source_of(f.obj), f.obj)
        if not isinstance(f, FuncB):
            raise self.error(node, "pullback.grad of something other than a Python function "
                                   "inside differentiated code")
        return GradB(f, argnums, with_value, jac)

    def call_grad_of_grad(self, gb, args, kwargs, node):
        """``grad(grad(f))(args)``: the inner derivative made a function of its own,
        ``h(args, captured) = grad(f)(args)`` (its statements lowered here, its captured
        values its parameters), whose call is the outer ``Call.grad``."""
        if kwargs or not all(isinstance(a, (Const, Var, TupleB)) for a in args):
            raise self.error(node, "a grad of a grad inside differentiated code called with "
                                   "keywords or non-array arguments")
        skels, atoms, starts = [], [], []
        for a in args:
            s, at = flatten(a)
            starts.append(len(atoms))
            skels.append(s)
            atoms += at
        cap_skel, cap_atoms = flatten(_innermost(gb).f)
        params = [self.temp() for _ in atoms + cap_atoms]
        it = iter(params)
        inner_args = [unflatten(s, it) for s in skels]
        inner = _recaptured(gb.f, it)
        result = []
        body = self.nested(lambda: result.append(self.call_value(inner, inner_args, {}, node)))
        ret, outs = flatten(result[0])
        name = self.program.made(_innermost(gb).f.source.name + "_grad", tuple(params),
                                 body + (Return(tuple(outs), self.loc(node)),), ret,
                                 self.loc(node))
        return self.grad_call(gb, name, ret, skels, starts, atoms + cap_atoms, len(atoms),
                              len(args), node)

    def grad_call(self, gb, name, ret, skels, starts, args, nprimal, npositional, node):
        """The ``Call.grad`` of ``name``: its targets as the value (``with_value``) and
        the gradients with the structure of the differentiated arguments."""
        nums = (gb.argnums,) if isinstance(gb.argnums, int) else tuple(gb.argnums)
        if any(not 0 <= k < npositional for k in nums):
            raise self.error(node, f"pullback.grad with argnums {gb.argnums} of a function of "
                                   f"{npositional} positional parameters")
        if n_atoms(ret) != 1:
            raise self.error(node, "pullback.grad or jacobian of a function that does not "
                                   "return one number or array inside differentiated code")
        wrt = tuple(i for k in nums for i in range(starts[k], starts[k] + n_atoms(skels[k])))
        nv = 1 if gb.with_value else 0
        targets = tuple(self.temp() for _ in range(nv + len(wrt)))
        self.emit(Call(targets, name, tuple(args), self.loc(node),
                       grad=GradCall(wrt, nprimal, gb.with_value, gb.jac)))
        it = iter(targets[nv:])
        grads = [unflatten(skels[k], it) for k in nums]
        g = grads[0] if isinstance(gb.argnums, int) else TupleB(tuple(grads))
        return TupleB((targets[0], g)) if gb.with_value else g


def _innermost(gb):
    while isinstance(gb.f, GradB):
        gb = gb.f
    return gb


def _recaptured(gb, params):
    """``gb`` with its function's captured values read from ``params`` (the made
    function's own parameters)."""
    if isinstance(gb.f, GradB):
        return GradB(_recaptured(gb.f, params), gb.argnums, gb.with_value, gb.jac)
    return GradB(unflatten(flatten(gb.f)[0], params), gb.argnums, gb.with_value, gb.jac)


def _is_pullback(obj):
    """pullback's own API (``pullback.jvp``, a ``grad`` object): never lowered as user code."""
    module = getattr(obj, "__module__", None) or ""
    if not isinstance(obj, (types.FunctionType, types.BuiltinFunctionType)):
        module = type(obj).__module__
    return module == "pullback" or module.startswith("pullback.")


@dataclass(frozen=True)
class GradB:
    """``pullback.grad(f, argnums)`` (``value_and_grad``: ``with_value``) in the code,
    awaiting its call."""
    f: FuncB
    argnums: object
    with_value: bool
    jac: bool = False         # pullback.jacobian


__all__ = ["PullbackCallLowerer", "GradB", "_is_pullback"]
