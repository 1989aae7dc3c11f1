"""Lowering of calls: user functions (specialised per static-argument shape),
Python and NumPy functions with rules, records, and pullback's own API.

Invariants: a call to a user function becomes one ``Call`` of the callee lowered
for the flattened skeleton of its arguments (static values specialise, atoms are
passed); a callable with a rule becomes one primitive; anything else is rejected
at the user's line.
"""
import ast
import types
from dataclasses import dataclass, replace
from dataclasses import MISSING
from dataclasses import fields as dc_fields
from dataclasses import is_dataclass

import numpy as np

from ..errors import UnsupportedError
from ..ir import Call, Const, Extern, Loc, literal
from ..rules import builtins as rules_builtins, expansions, registry
from ..rules.scalar import float_arguments
from .bindings import (BuilderB, ConstB, DictB, FuncB, PyObj, RecordB, TupleB, flatten,
                       is_atom, n_atoms, unflatten)
from .functional import PartialB, StarB
from .generators import is_generator
from .objects import MethodB, is_user_class
from .randomness import DrawB
from .guards import Ref
from .library import advice, is_library_function, library_call_message
from .pullback_calls import GradB, _is_pullback
from .scan import free_names
from .source import Source, source_of
from .closures import default_name
from .expressions import constant_binding, static


# NumPy functions of constants that make index arrays: called while compiling, as a
# JAX trace calls them (np.triu_indices(3, 1) is two constant int arrays)
INDEX_TABLES = (np.triu_indices, np.tril_indices, np.diag_indices, np.indices,
                np.unravel_index, np.ravel_multi_index)


class CallLowerer:
    def expr_Call(self, node):
        method_of = None
        if isinstance(node.func, ast.Attribute):
            base = self.expr(node.func.value)
            if is_atom(base):
                method_of = base
            else:
                callee = self.expr_Attribute(node.func)
        else:
            callee = self.expr(node.func)
        args, kwargs = self.call_arguments(node)
        if method_of is not None:
            return self.array_method(method_of, node.func.attr, args, kwargs, node)
        return self.call_value(callee, args, kwargs, node)

    def call_value(self, callee, args, kwargs, node):
        """Call the binding ``callee`` (a function, method, partial or Python object)."""
        callee = self.current(callee, node)        # closures read their names now
        args = [self.current(a, node) for a in args]
        kwargs = {k: self.current(v, node) for k, v in kwargs.items()}
        if isinstance(callee, BoundMethod) and callee.name == "_replace":
            return self.replaced(callee.owner, args, kwargs, node)
        if isinstance(callee, BoundMethod):
            return self.container_method(callee, args, node)
        if isinstance(callee, FuncB):
            return self.call_user(callee, args, kwargs, node)
        if isinstance(callee, PartialB):
            return self.call_partial(callee, args, kwargs, node)
        if isinstance(callee, DrawB):
            return self.call_draw(callee, args, kwargs, node)
        if isinstance(callee, GradB):
            if any(isinstance(a, StarB) for a in args):
                raise self.error(node, "a starred argument to a pullback.grad function")
            if isinstance(callee.f, GradB):
                return self.call_grad_of_grad(callee, args, kwargs, node)
            return self.call_user(callee.f, args, kwargs, node, grad=callee)
        for a in args:
            if isinstance(a, StarB):
                raise self.error(a.node, "a starred argument that is not a tuple or list known "
                                         "when compiling (a run-time list or an array)")
        if isinstance(callee, MethodB):
            return self.call_method(callee, args, kwargs, node)
        if isinstance(callee, RecordB) and callable(callee.cls):     # an object argument
            call = getattr(callee.cls, "__call__", None)
            if isinstance(call, types.FunctionType):
                return self.call_method(MethodB(call, callee), args, kwargs, node)
        if isinstance(callee, PyObj):
            return self.call_python(callee.obj, args, kwargs, node)
        raise self.error(node, "calling a value that is not a function")

    def call_python(self, obj, args, kwargs, node):
        name = getattr(obj, "__qualname__", repr(obj))
        stand_in = getattr(obj, "pullback_lowers_as", None)
        if stand_in is not None and _is_pullback(stand_in):
            # another library's operator that says which of pullback's it stands for
            # (an autograd shim's grad): lowered as that one, never as its own code
            return self.call_pullback(stand_in, args, kwargs, node)
        functional = self.call_functional(obj, args, kwargs, node)
        if functional is None:
            functional = self.call_object(obj, args, kwargs, node)
        if functional is not None:
            return functional
        if getattr(obj, "pullback_rule", None) in ("vjp", "jvp"):     # pullback.custom_vjp
            return self.call_custom(obj, args, kwargs, node)
        rule = registry.library_rule(obj)      # pullback.defvjp: before libraries are rejected
        if rule is not None:
            return self.call_custom(rule, args, kwargs, node)
        expanded = self.call_expansion(obj, args, kwargs, node)     # first: never the source
        if expanded is not None:
            return expanded
        if _is_pullback(obj) and not registry.has_python(obj):
            return self.call_pullback(obj, args, kwargs, node)
        if obj in (np.finfo, np.iinfo) and len(args) == 1 and not kwargs:
            kind = args[0].value if literal(args[0]) else getattr(args[0], "obj", None)
            if kind is not None:            # np.finfo(float).eps: constants of a dtype
                return PyObj(obj(kind))
        if obj in INDEX_TABLES and all(map(literal, args)) and all(map(literal, kwargs.values())):
            value = obj(*[a.value for a in args], **{k: v.value for k, v in kwargs.items()})
            return constant_binding(value, self, node)      # integer arrays: no derivative
        if isinstance(obj, types.FunctionType) and obj.__name__ == "__init__" and args and \
                isinstance(args[0], BuilderB):     # Base.__init__(self, ...): super()'s
            return self.call_method(MethodB(obj, args[0]), args[1:], kwargs, node)
        if isinstance(obj, types.FunctionType) and not registry.has_python(obj):
            if is_library_function(obj):
                raise UnsupportedError.at(self.loc(node), library_call_message(
                    obj, ast.unparse(node.func)), f"call to {name}")
            return self.call_user(FuncB(source_of(obj), obj), args, kwargs, node)
        if obj is len and len(args) == 1 and isinstance(args[0], (TupleB, DictB, RecordB)):
            return Const(len(args[0].items))
        if obj in (tuple, list) and len(args) == 1 and is_atom(args[0]) and \
                isinstance(node.args[0], (ast.GeneratorExp, ast.ListComp)):
            return args[0]      # the run-time list the comprehension just made
        if obj in (tuple, list) and len(args) == 1 and isinstance(args[0], (TupleB, DictB)):
            items = tuple(Const(k) for k in args[0].keys) if isinstance(args[0], DictB) \
                else args[0].items
            return TupleB(items, is_list=obj is list)
        if obj is dict and not args:
            return DictB(tuple(kwargs), tuple(kwargs.values()))
        if isinstance(obj, type) and (hasattr(obj, "_fields") or is_dataclass(obj)):
            return self.record(obj, args, kwargs, node)
        if isinstance(obj, type) and is_user_class(obj):
            return self.construct(obj, args, kwargs, node)
        if obj is super and not args and not kwargs:
            return self.super_binding(node)
        if obj in (min, max) and len(args) == 1 and isinstance(args[0], TupleB):
            args = list(args[0].items)
            if len(args) == 1:
                return args[0]            # min((a,)) is a
        if obj is sum and len(args) + len(kwargs) == 2 and set(kwargs) <= {"start"} and args:
            # sum(items, start) is start + sum(items): one way for literals, lists, genexps
            start = args[1] if len(args) == 2 else kwargs["start"]
            total = self.call_python(sum, args[:1], {}, node)
            return self.op("add", (self.atom_of(start, node), self.atom_of(total, node)), node)
        if obj is sum and len(args) == 1 and isinstance(args[0], TupleB):
            args = [Const(0)] + list(args[0].items)
            obj = "sum"
        if obj is float and not args:
            return Const(0.0)
        if obj is str and len(args) == 1 and not kwargs and literal(args[0]):
            return Const(str(args[0].value))            # "W" + str(i) of a constant i
        if obj in (divmod, np.divmod) and len(args) == 2 and not kwargs and all(map(is_atom, args)):
            a, b = args                     # (a // b, a % b), as Python and NumPy define it
            return TupleB((self.op("floordiv", (a, b), node), self.op("mod", (a, b), node)))
        if obj is isinstance and len(args) == 2:
            known = static_isinstance(*args)
            if known is not None:
                return known
            if isinstance(args[1], PyObj) and args[1].obj is np.ndarray and is_atom(args[0]):
                return self.op("is_ndarray", (args[0],), node)     # decided by its type
        if obj is slice and not kwargs and 1 <= len(args) <= 3 and all(map(is_atom, args)):
            # slice(stop) / slice(start, stop[, step]): the index x[start:stop:step] uses
            bounds = [Const(None), args[0], Const(None)] if len(args) == 1 else \
                list(args) + [Const(None)] * (3 - len(args))
            if all(isinstance(b, Const) for b in bounds):
                return Const(slice(*[b.value for b in bounds]))
            return self.op("slice", bounds, node)
        if obj is len and len(args) == 1 and is_atom(args[0]):
            return self.op("len", args, node)
        if obj is sum and len(args) == 1 and is_atom(args[0]):
            return self.op("sum", (args[0], Const(0), Const(False)), node)
        if obj in (max, min) and len(args) == 1 and not kwargs and is_atom(args[0]):
            return self.call_expansion(rules_builtins.extreme_of, [args[0], Const(obj is max)],
                                       {}, node)
        if obj in (max, min) and len(args) >= 2 and not kwargs:
            return self.builtin_extreme(obj, args, node)      # whole items (extremes.py)
        effect = self.effect_call(obj, args, kwargs, node)
        if effect is not None:
            return effect
        special = self.call_numpy(obj, args, kwargs, node)
        if special is not None:
            return special
        bound = registry.lookup_python(obj, None)
        if bound is not None and (kwargs or registry.lookup_python(obj, len(args)) is None):
            return self.call_bound(bound, args, kwargs, node)
        if kwargs:
            raise self.error(node, f"keyword arguments to '{name}'")
        if not all(is_atom(a) for a in args):
            args = [self.atom_of(a, node) for a in args]
        if obj == "sum" and len(args) > 2:
            acc = args[0]
            for a in args[1:]:
                acc = self.op("add", (acc, a), node)
            return acc
        if obj == "sum":
            return self.op("add", args, node) if len(args) == 2 else args[0]
        prim = registry.lookup_python(obj, len(args))
        if prim is not None and float_arguments(obj):   # math.exp(x32) is a float
            args = [self.op("float", (a,), node) if not isinstance(a, Const) else a for a in args]
        if prim is not None:
            return self.op(prim, args, node)
        rewrite = advice(obj)
        raise UnsupportedError.at(self.loc(node), f"cannot differentiate a call to '{name}' "
                                  f"with {len(args)} argument(s): it has no derivative rule "
                                  "and no Python source" + (f"; {rewrite}" if rewrite else ""),
                                  f"call to {name}")

    def call_user(self, fb, args, kwargs, node, dots=None, rule=None, grad=None,
                  building=False):
        """``rule(skels, ret)``: the call's ``CustomRule`` (``custom_calls.py``);
        ``grad``: a ``GradB`` whose derivative this call is (``Call.grad``);
        ``building``: an ``__init__`` given the object being made (``objects.py``), the
        only call that may receive one (its attributes come back as a record)."""
        if not building:
            self.no_builder(list(args) + list(kwargs.values()), node)
        fdef = fb.source.node
        generator = is_generator(fdef)
        if generator:                   # consumed whole, or rejected (generators.py)
            self.check_consumer(fdef, node)
        a = fdef.args
        names = [p.arg for p in a.args + a.kwonlyargs]
        if len(args) > len(a.args) and a.vararg is None:
            raise self.error(node, f"too many arguments to '{fb.source.name}'")
        bound = dict(zip(names, args[:len(a.args)]))
        extra = {}
        for k, v in kwargs.items():
            if k in bound or (k not in names and a.kwarg is None):
                raise self.error(node, f"an unexpected keyword argument '{k}'")
            (bound if k in names else extra)[k] = v
        defaults = self.defaults(fb)
        for n in names:
            if n not in bound:
                if n not in defaults:
                    raise self.error(node, f"a missing argument '{n}' to '{fb.source.name}'")
                bound[n] = defaults[n]
        made = _made_function(fdef)
        if made is not None and dots is None and rule is None and grad is None:
            return self.factory_result(fb, made, bound)
        ordered = [bound[n] for n in names]
        if a.vararg is not None:        # def f(*args): a static tuple of the extra arguments
            ordered.append(TupleB(tuple(args[len(a.args):])))
        if a.kwarg is not None:         # def f(**kw): a static dict of the extra keywords
            ordered.append(DictB(tuple(extra), tuple(extra.values())))
        skels, atoms, starts = [], [], []
        for b in ordered:
            starts.append(len(atoms))
            if isinstance(b, Const) and (b.value is None or type(b.value) in (bool, str)):
                # a flag known here (ax=None, render=False, mode="valid"): the callee is
                # specialised to it, so its branches on it fold (a plot never drawn is
                # never lowered, as Python never runs it)
                b = ConstB(b.value)
            b = _int_tuple(b) or b
            if isinstance(b, MethodB):      # obj.method passed on (odeint(model.rhs, ...)):
                b = PartialB(PyObj(b.func), (b.self_b,), ())    # its function with self bound
            s, at = flatten(b)
            skels.append(s)
            atoms += at
        site = None
        if expansions.is_body(fb.context):    # placed at the user's call (an outer one's)
            site = self.site or Loc(self.src.filename, node.lineno, node.col_offset)
        name, ret = self.program.function(fb, skels, node, site)
        _, cap_atoms = flatten(fb)
        if dots is not None:        # pullback.jvp: tangents in, tangents of the outputs out
            targets = tuple(self.temp() for _ in range(2 * n_atoms(ret)))
            self.emit(Call(targets, name, tuple(atoms + cap_atoms + dots), self.loc(node), True))
            it = iter(targets)
            return TupleB((unflatten(ret, it), unflatten(ret, it)))
        if grad is not None:
            return self.grad_call(grad, name, ret, skels, starts, atoms + cap_atoms,
                                  len(atoms), len(a.args), node)
        custom = rule(skels, ret) if rule is not None else None
        targets = tuple(self.temp() for _ in range(n_atoms(ret)))
        self.emit(Call(targets, name, tuple(atoms + cap_atoms), self.loc(node), rule=custom))
        result = unflatten(ret, iter(targets))
        if generator:
            self.note_generated(result)
            self.check_draws(self.blocks[-1][-1:], self.consumed_at_once(node), node,
                             f"the generator '{fb.source.name}'")
        return result

    def factory_result(self, fb, made, bound):
        """A call of a factory (``def make(a): return lambda x: ...``, as autograd's
        fixed_point examples write the step): the function it makes, capturing the
        factory's arguments, decided while compiling (no function value reaches the IR)."""
        inner = dict(fb.captured)
        inner.update(bound)
        captured = tuple((n, inner[n]) for n in sorted(free_names(made)) if n in inner)
        return FuncB(Source(made, fb.source.filename), fb.context, captured)

    def defaults(self, fb):
        a = fb.source.node.args
        pos = a.args[len(a.args) - len(a.defaults):]
        out = {}
        # the live function being called (factories share one Source per code object)
        py = fb.context if fb.source.pyfunc is not None else None
        if py is not None:      # the live values, guarded (a replaced __defaults__ recompiles)
            given = static(py.__defaults__, self, fb.source.node, Ref("attr", py, "__defaults__"))
            if isinstance(given, TupleB):
                out.update((p.arg, b) for p, b in
                           zip(pos[len(pos) - len(given.items):], given.items))
            kw = static(py.__kwdefaults__, self, fb.source.node, Ref("attr", py, "__kwdefaults__"))
            if isinstance(kw, DictB):
                out.update(zip(kw.keys, kw.items))
            return out
        # a def nested in the function being lowered: its defaults are constants in its
        # text or values computed where it was defined (``LocalDef.defaults``), captured
        captured = dict(fb.captured)
        for p, d in list(zip(pos, a.defaults)) + [
                (p, d) for p, d in zip(a.kwonlyargs, a.kw_defaults) if d is not None]:
            if default_name(p.arg) in captured:
                out[p.arg] = captured[default_name(p.arg)]
                continue
            try:
                out[p.arg] = static(ast.literal_eval(d), self, d)
            except ValueError:
                raise self.error(d, "a default value that is not a constant") from None
        return out


def _made_function(fdef):
    """The lambda or def a factory's body makes and returns (a docstring aside), or None;
    the made function has no defaults (they would be evaluated in the factory)."""
    body = list(fdef.body) if isinstance(fdef, ast.FunctionDef) else []
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]
    made = None
    if len(body) == 1 and isinstance(body[0], ast.Return) and \
            isinstance(body[0].value, ast.Lambda):
        made = body[0].value
    elif len(body) == 2 and isinstance(body[0], ast.FunctionDef) and \
            isinstance(body[1], ast.Return) and isinstance(body[1].value, ast.Name) and \
            body[1].value.id == body[0].name and not body[0].decorator_list:
        made = body[0]
    if made is None or made.args.defaults or any(made.args.kw_defaults):
        return None
    return made


@dataclass(frozen=True)
class BoundMethod:
    """``d.items`` and friends on a static container, awaiting their call."""
    owner: object
    name: str


class ContainerLowerer:
    def container_attribute(self, base, node):
        if isinstance(base, RecordB) and node.attr == "_replace":
            return BoundMethod(base, node.attr)
        if isinstance(base, DictB) and node.attr in ("items", "keys", "values", "get"):
            return BoundMethod(base, node.attr)
        raise self.error(node, f"the attribute '.{node.attr}'")

    def replaced(self, record, args, kwargs, node):
        """``nt._replace(f=v)`` of a NamedTuple: a new record, those fields replaced."""
        unknown = [k for k in kwargs if k not in record.fields]
        if args or unknown:
            what = "positional arguments" if args else f"the field {unknown[0]!r} it lacks"
            raise self.error(node, f"_replace with {what}")
        return replace(record, items=tuple(kwargs.get(f, v) for f, v in
                                           zip(record.fields, record.items)))

    def container_method(self, m, args, node):
        d = m.owner
        if m.name == "get":
            if not 1 <= len(args) <= 2 or not isinstance(args[0], Const):
                raise self.error(node, "dict.get with a key not known at compile time")
            if args[0].value in d.keys:
                return d.get(args[0].value)
            return args[1] if len(args) == 2 else Const(None)
        if m.name == "keys":
            return TupleB(tuple(Const(k) for k in d.keys))
        if m.name == "values":
            return TupleB(d.items)
        return TupleB(tuple(TupleB((Const(k), v)) for k, v in zip(d.keys, d.items)))

    def record(self, cls, args, kwargs, node):
        if hasattr(cls, "_fields"):
            names = init = tuple(cls._fields)
            defaults = getattr(cls, "_field_defaults", {})

            def default(n):
                return static(defaults[n], self, node,
                              Ref("attr", cls, "_field_defaults").item(n))
        else:
            if hasattr(cls, "__post_init__"):
                raise self.error(node, f"constructing the dataclass {cls.__name__}, whose "
                                 "__post_init__ would not run (make it a plain class)")
            fs = dc_fields(cls)
            names, init = tuple(f.name for f in fs), tuple(f.name for f in fs if f.init)
            # the generated __init__ holds each default as it was when the class was made
            # (hashable: numbers, strings, tuples); a default_factory is missing here
            defaults = {f.name: f.default for f in fs if f.default is not MISSING}

            def default(n):
                return static(defaults[n], self, node, None)
        bound = dict(zip(init, args))
        bound.update(kwargs)
        missing = [n for n in names if n not in bound and n not in defaults]
        if missing or len(args) > len(init) or any(k not in init for k in kwargs):
            raise self.error(node, f"constructing {cls.__name__} with these arguments")
        items = tuple(bound[n] if n in bound else default(n) for n in names)
        return RecordB(cls, names, items)


_NUMERIC = (float, int, bool, complex, np.ndarray, np.generic)


def static_isinstance(value, classes):
    """``isinstance(value, classes)`` decided when compiling, or None.  ``classes`` is a
    class or a tuple of classes (a literal tuple in the source too).  A static tuple,
    dict, record or constant has its Python type; a run-time number or array is none of
    the classes that no number or array type derives from (list, tuple, dict, a user
    class), whichever its dtype and shape."""
    if isinstance(classes, TupleB) and all(isinstance(c, PyObj) for c in classes.items):
        classes = tuple(c.obj for c in classes.items)
    elif isinstance(classes, PyObj):
        classes = classes.obj
    else:
        return None
    if not all(isinstance(c, type) for c in (classes if isinstance(classes, tuple) else
                                             (classes,))):
        return None
    if isinstance(value, TupleB):
        return Const(issubclass(list if value.is_list else tuple, classes))
    if isinstance(value, DictB):
        return Const(issubclass(dict, classes))
    if isinstance(value, RecordB) and isinstance(value.cls, type):
        return Const(issubclass(value.cls, classes))
    if isinstance(value, Const):        # a global array (an Extern): its object's class
        v = value.value.obj if isinstance(value.value, Extern) else value.value
        return Const(isinstance(v, classes))
    if is_atom(value) and not any(issubclass(t, classes) for t in _NUMERIC):
        return Const(False)
    return None


def _int_tuple(b):
    """A tuple of int constants (a shape, axes; nested too) with its ints as ``ConstB``,
    else None: the callee is specialised to it as to a flag, so ``np.reshape(v, shape)``
    there has a static shape, as the same tuple written in the callee would."""
    if not isinstance(b, TupleB) or b.is_list or not b.items:
        return None
    items = [ConstB(x.value) if isinstance(x, Const) and type(x.value) is int else _int_tuple(x)
             for x in b.items]
    return None if None in items else TupleB(tuple(items))
