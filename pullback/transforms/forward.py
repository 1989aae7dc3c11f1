"""Forward mode (tangent-linear code): each active assignment is followed by its tangent.

Input: a typed IR function, which parameters carry tangents (``mask``) and the
number of tangent directions ``K``.  Output: one IR function

    f_jvp(params..., p_dot...) -> (outputs..., output tangents...)

with one tangent per masked parameter and direction (``x_dot`` when K == 1,
``x_dot0 .. x_dot{K-1}`` otherwise; parameter-major), and one per output and
direction (output-major).  Every output gets tangents (0.0 where inactive), so
a caller's signature never depends on the callee's activity.

Invariants of the output:
- only active variables (``analysis.activity``) have tangents; the tangent of
  anything else is the constant 0.0, which the optimiser folds away;
- ``y = op(a, b)`` gets ``y_dot = d op/da * a_dot + d op/db * b_dot``: the
  partials come from the same rule entry reverse mode uses
  (``Primitive.partial_ast`` through ``emit_rule.RuleEmitter``) and are
  computed once for all K directions;
- tangents read the values the primal statement read: when the target is also
  an operand (``x = x * c`` in a loop) the tangent is assigned first, or, if
  the partials read the output, the primal goes through ``x_out``;
- array functions declared with reverse rules take their forward rules
  (``Primitive.jvps``, declared with the rule: ``linear=`` or ``jvps=``) instead of
  partials; an array function with an active argument and no rule (``NO_RULE``) is
  rejected at its line;
- an active array's tangent is an array of its shape (``zeros_like`` where it has
  no derivative), so in-place writes ``x[idx] = v`` become ``x_dot[idx] = v_dot``
  and ``xs.append(v)`` becomes ``xs_dot.append(v_dot)``; a tangent of an array
  written in place never shares memory with another (``copy_array``);
- control flow is unchanged: tangents run in the same branches and iterations;
- a call with active arguments calls the callee's tangent function (asked
  from the module driver, ``tangent_module.py``, per activity pattern, so recursion
  works);
- generated code has tangent semantics too, so the transform applies to
  reverse-mode output (forward over reverse): an active tape gets a tangent
  tape pushed and popped in step, a residual ``pack`` gets a tangent residual of
  the same layout.  Residuals passed between functions always carry a tangent
  (all zeros if need be), so ``g_fwd``/``g_rev`` callers and callees agree on
  signatures (``tangent_activity``).

    for i in range(n):                 for i in range(n):
        x = x * c                          x_dot = c * x_dot + x * c_dot
                                           x = x * c
"""
import ast
import re

from ..errors import UnsupportedError
from ..ir import Assign, Call, Comment, Const, For, Function, If, NewTape, Pop, Push, \
    Return, Var, While
from ..analysis.activity import active_vars, diff_args
from ..ir.names import Namer
from ..ir.types import ListT, is_array, is_complex, is_differentiable
from ..ir.walk import walk
from ..rules import PRIMITIVES
from .emit_rule import RuleEmitter
from .residual_items import ResidualFlow, flagged_params

CONTAINERS = ("residual", "tape")     # generated-code values that hold other values


class ForwardFunction:
    def __init__(self, fn, mask, directions, ask, suffix="dot", items_of=None, check_rules=True):
        """``ask(callee, amask)`` -> name of the callee's tangent function with the
        same number of directions; ``items_of(callee, amask, rule)`` -> the flags of the
        residuals it returns (``residual_items``)."""
        self.fn = fn
        self.check_rules = check_rules     # refuse a custom rule's missing arguments here
        self.mask = tuple(mask)
        self.K = directions
        self.ask = ask
        self.suffix = suffix
        self.names = Namer(fn)
        self.active = tangent_activity(fn, {p.name for p, m in zip(fn.params, mask) if m},
                                       flagged_params(fn, mask))
        self.residuals = ResidualFlow(fn, mask, self.is_active, items_of)
        self.reached = _reached(fn, self.active)
        self.dots = {}
        # arrays written in place: their tangents are written in place too, so they
        # must never share memory with another tangent
        self.inplace = {s.target.name for s in walk(fn.body)
                        if isinstance(s, Assign) and s.op == "setitem"}
        # arrays assigned more than once (a loop-carried adjoint): a zero tangent given
        # to one is an array of its shape, as a later assignment may read it as an array
        # (``out_bar_dot @ m.T``), where the scalar 0.0 has no axes
        seen = set()
        self.rebound = {s.target.name for s in walk(fn.body) if isinstance(s, Assign)
                        and (s.target.name in seen or seen.add(s.target.name))}

    # -- names ----------------------------------------------------------------
    def dot(self, v):
        """The K tangent variables of ``v``."""
        if v.name not in self.dots:
            base = f"{v.name}_{self.suffix}"
            if self.K == 1:
                self.dots[v.name] = (self.names.fresh(base, v.type),)
            else:
                sep = "_" if base[-1].isdigit() else ""
                self.dots[v.name] = tuple(self.names.fresh(f"{base}{sep}{k}", v.type)
                                          for k in range(self.K))
        return self.dots[v.name]

    def tangent(self, a, k):
        """Direction ``k`` of atom ``a``'s tangent: its tangent variable or 0.0."""
        if isinstance(a, Var) and a.name in self.active:
            return self.dot(a)[k]
        return Const(0.0)

    def is_active(self, a):
        return isinstance(a, Var) and a.name in self.active

    # -- statements -------------------------------------------------------------
    def block(self, body):
        out = []
        i = 0
        while i < len(body):
            s = body[i]
            if isinstance(s, Assign) and s.op == "item":
                j = i
                while j < len(body) and isinstance(body[j], Assign) and body[j].op == "item" \
                        and body[j].args[0] == s.args[0]:
                    j += 1
                out += self.unpack(body[i:j])
                i = j
                continue
            out += self.stmt(s)
            i += 1
        return tuple(out)

    def stmt(self, s):
        if isinstance(s, Assign):
            return self.assign(s)
        if isinstance(s, Call):
            return self.call(s)
        if isinstance(s, If):
            return [If(s.cond, self.block(s.body), self.block(s.orelse), s.loc)]
        if isinstance(s, For):
            return [For(s.var, s.start, s.stop, s.step, self.block(s.body), s.exit, s.reverse,
                        s.loc)]
        if isinstance(s, While):
            return [While(self.block(s.body), s.exit, s.loc)]
        if isinstance(s, NewTape):
            return [s] + ([NewTape(t) for t in self.dot(s.tape)] if self.is_active(s.tape) else [])
        if isinstance(s, Push):
            if not self.is_active(s.tape):
                return [s]
            out = [s]
            for k, t in enumerate(self.dot(s.tape)):
                d = self.tangent(s.value, k)
                if not self.is_active(s.value) and is_array(getattr(s.value, "type", None)):
                    # the popped tangent of an array is read as one (X_dot.T), as in pack
                    d = self.names.fresh(f"{s.value.name}_{self.suffix}", s.value.type)
                    out.append(Assign(d, "zeros_like", (s.value, Const(None))))
                out.append(Push(t, d))
            return out
        if isinstance(s, Pop):
            if self.is_active(s.tape):
                return [s] + [Pop(d, t) for d, t in zip(self.dot(s.target), self.dot(s.tape))]
            return [s] + self.zero(s.target)
        if isinstance(s, Comment):
            return [s]
        raise TypeError(f"forward mode: unexpected statement {s!r}")

    def zero(self, v):
        """Tangent assignments for an active ``v`` whose new value has no derivative."""
        if not self.is_active(v):
            return []
        if v.type in CONTAINERS:
            raise UnsupportedError(f"forward mode: {v.name} ({v.type}) has no tangent")
        if isinstance(v.type, ListT):     # a list's tangent is a list (``[]`` here)
            return [Assign(d, "list_new", ()) for d in self.dot(v)]
        if is_array(v.type):      # a real array: it may be written in place or returned
            return [Assign(d, "zeros_like", (v, Const(None))) for d in self.dot(v)]
        return [Assign(d, "copy", (Const(0.0),)) for d in self.dot(v)]

    def fresh_copy(self, y, src):
        """``y_dot = src``: a copy when ``y`` is written in place and ``src`` an array;
        zeros of y's shape when ``src`` is a zero (a scalar 0.0 cannot be written into)."""
        if y.name in self.inplace and isinstance(src, Var) and is_array(src.type):
            return "copy_array", (src,)
        if (y.name in self.inplace or y.name in self.rebound) and not isinstance(src, Var) \
                and is_array(y.type):
            return "zeros_like", (y, Const(None))
        return "copy", (src,)

    def assign(self, s):
        y = s.target
        if s.op not in ("pack", "copy", "item") and s.op in PRIMITIVES and _ruleless(s.op) \
                and is_differentiable(y.type) and any(getattr(a, "name", None) in self.reached
                                                for a in s.args):
            raise _no_forward_rule(s)
        if y.name not in self.active:
            return [s]
        if s.op == "pack":
            return [s] + [z for k, d in enumerate(self.dot(y)) for z in self.pack(s, d, k)]
        if s.op == "copy":
            return [s] + [Assign(d, *self.fresh_copy(y, self.tangent(s.args[0], k)))
                          for k, d in enumerate(self.dot(y))]
        if s.op == "setitem":
            return self.setitem(s)
        if s.op == "list_append":
            return self.list_append(s)
        prim = PRIMITIVES[s.op]
        pos = [i for i in diff_args(s) if self.is_active(s.args[i])]
        if not pos:
            return [s] + self.zero(y)
        if any(prim.jvp_ast(i) is None and prim.partial_ast(i) is None for i in pos):
            raise _no_forward_rule(s)
        out = []
        own = any(isinstance(a, Var) and a.name == y.name for a in s.args)
        if not own:                 # y = f(a, b): primal first, partials may read y
            out.append(s)
            self.tangents(out, s, prim, pos, y, self.dot(y))
            return out
        if not _reads_output(prim, pos):   # x = x * c: tangent first, from the old x
            self.tangents(out, s, prim, pos, y, self.dot(y))
            return out + [s]
        # x = exp(x): the partial reads the new and the old x
        new = self.names.fresh(y.name + "_out", y.type)
        out.append(Assign(new, s.op, s.args, s.loc))
        temps = [self.names.fresh("t", d.type) for d in self.dot(y)]
        self.tangents(out, s, prim, pos, new, temps)
        out.append(Assign(y, "copy", (new,), s.loc))
        return out + [Assign(d, "copy", (t,)) for d, t in zip(self.dot(y), temps)]

    def setitem(self, s):
        """``x = setitem(x, idx, v)`` (``x[idx] = v``): ``x_dot[idx] = v_dot``, in place
        when the primal is; an inactive ``x`` starts from zeros."""
        y, (x, idx, v) = s.target, s.args
        out = [s] if y != x else []
        for k, d in enumerate(self.dot(y)):
            if self.is_active(x):
                base = self.tangent(x, k)
            else:
                base = self.names.fresh("t", x.type)
                out.append(Assign(base, "zeros_like", (x, Const(None))))
            out.append(Assign(d, "setitem", (base, idx, self.tangent(v, k)), s.loc))
        return out + ([s] if y == x else [])

    def list_append(self, s):
        """``xs.append(v)``: ``xs_dot.append(v_dot)``; the tangent list holds one tangent
        per element (zeros for an inactive list or element)."""
        y, (xs, v, k) = s.target, s.args
        out = [s] if y != xs else []
        for j, d in enumerate(self.dot(y)):
            base = self.tangent(xs, j)
            if not self.is_active(xs):
                base = self.names.fresh("t", xs.type)
                out.append(Assign(base, "zeros_like", (xs, Const(None))))
            tv = self.tangent(v, j)
            if not self.is_active(v) and isinstance(v, Var) and is_array(v.type):
                tv = self.names.fresh("t", v.type)
                out.append(Assign(tv, "zeros_like", (v, Const(None))))
            out.append(Assign(d, "list_append", (base, tv, k), s.loc))
        return out + ([s] if y == xs else [])

    def tangents(self, out, s, prim, pos, out_atom, targets):
        """``targets[k] = sum_i partial_i * arg_i_dot[k]``; partials computed once.
        Array functions with forward rules (``jvps``) instead add up their rules
        instantiated at each active argument's tangent."""
        made = []

        def temp(type_):
            made.append(self.names.fresh("t", type_))
            return made[-1]
        emit = RuleEmitter(out.append, temp)
        emit.loc = s.loc and s.loc.as_derived()   # named by errors, not printed
        jpos = [i for i in pos if prim.jvp_ast(i) is not None]
        pos = [i for i in pos if i not in jpos]
        by_arg = {}            # x * x: one partial per distinct operand, (x + x) * x_dot
        for i in pos:
            p = emit.partial(prim, i, s.args, out_atom)
            a = s.args[i]
            by_arg[a.name] = (a, p if a.name not in by_arg else
                              emit.apply("add", (by_arg[a.name][1], p)))
        for k, target in enumerate(targets):
            total = None
            for a, p in by_arg.values():
                d = self.tangent(a, k)
                if total is not None and isinstance(p, Const) and p.value == -1:
                    total = emit.apply("sub", (total, d))       # a_dot - b_dot
                    continue
                term = emit.apply("mul", (p, d))
                total = term if total is None else emit.apply("add", (total, term))
            for i in jpos:
                env = dict(zip(prim.params, s.args))
                env["y"] = out_atom
                env["t"] = self.tangent(s.args[i], k)
                try:
                    term = emit.expr(prim.jvp_ast(i), env)
                except TypeError as e:      # a rule's helper that does not take these
                    raise UnsupportedError.at(s.loc, str(e), s.op) from None
                total = term if total is None else emit.apply("add", (total, term))
            y = s.target
            if is_complex(getattr(total, "type", None)) and not is_complex(y.type):
                total = emit.apply("creal", (total,))   # a real result's tangent is real
            if is_array(y.type) and not (
                    isinstance(total, Var) and is_array(total.type)
                    and total.type.shape == y.type.shape and y.type.shape is not None):
                # a scalar's tangent broadcast into an array: the tangent has y's shape,
                # also where that shape is known only at run time (an array a solve reads)
                total = emit.apply("add", (total, emit.apply("zeros_like", (out_atom,))))
            last = out[-1] if out else None
            if isinstance(last, Assign) and last.target == total and total in made:
                # the sum's last step, retargeted (its line kept: backends' errors name it)
                out[-1] = Assign(target, last.op, last.args, last.loc)
            else:
                out.append(Assign(target, *self.fresh_copy(y, total), emit.loc))

    def pack(self, s, d, k):
        """``d = pack(tangents)`` of residual ``s``: an inactive array's tangent is zeros of
        its shape, not 0.0, since the function unpacking it (a split pair's rev, made for
        every caller) treats each item as active and reads ``X_dot.T`` or ``X_dot @ g``."""
        out, items = [], []
        for a in s.args:
            if not self.is_active(a) and is_array(getattr(a, "type", None)):
                z = self.names.fresh(f"{getattr(a, 'name', 'array')}_dot", a.type)
                out.append(Assign(z, "zeros_like", (a, Const(None)), s.loc))
                items.append(z)
            else:
                items.append(self.tangent(a, k))
        return out + [Assign(d, "pack", tuple(items))]

    def unpack(self, items):
        """A run of ``v = item(residual, i)``: the primal unpacking, then the tangent one."""
        res = items[0].args[0]
        out = list(items)
        if not self.is_active(res):
            return out + [z for s in items for z in self.zero(s.target)]
        for k, d in enumerate(self.dot(res)):
            out += [Assign(self.dot(s.target)[k], "item", (d, s.args[1]), s.loc)
                    for s in items if self.is_active(s.target)]
        return out

    def call(self, s):
        amask = tuple(self.residuals.mask_of(a) for a in s.args)
        residual = any(t.type == "residual" for t in s.targets)
        if not residual and (not any(amask) or not any(self.is_active(t) for t in s.targets)):
            return [s] + [z for t in s.targets for z in self.zero(t)]
        if s.rule and self.check_rules:
            s.rule.require_defined(amask, s.loc, s.func)
        name = self.ask(s.func, amask, s.rule)
        dots = tuple(d for a, m in zip(s.args, amask) if m for d in self.dot(a))
        outs = tuple(d for t in s.targets for d in self.dot(t))
        return [Call(s.targets + outs, name, s.args + dots, s.loc)]

    # -- assembly ---------------------------------------------------------------
    def function(self, name):
        ret = self.fn.body[-1]
        assert isinstance(ret, Return)
        params = [p for p in self.fn.params]
        seeds = tuple(d for p, m in zip(self.fn.params, self.mask) if m for d in self.dot(p))
        init = []
        for p, m in zip(self.fn.params, self.mask):
            if not m and self.is_active(p):
                if p.type in CONTAINERS:
                    raise UnsupportedError(f"forward mode: parameter {p.name} needs a tangent")
                init += self.zero(p)
        body = self.block(self.fn.body[:-1])
        outs = []
        for v in ret.values:
            if v.type == "residual" and not self.is_active(v):
                raise UnsupportedError(f"forward mode: residual {v.name} has no tangent")
            if isinstance(v, Var) and is_array(v.type) and not self.is_active(v):
                # the caller may index or write the tangent of an array: real zero arrays
                zeros = [self.names.fresh("t", v.type) for _ in range(self.K)]
                body += tuple(Assign(z, "zeros_like", (v, Const(None))) for z in zeros)
                outs += zeros
                continue
            outs += [self.tangent(v, k) for k in range(self.K)]
        doc = f"Tangent of {self.fn.name} ({self.K} direction{'s' * (self.K > 1)})."
        return Function(name, tuple(params) + seeds,
                        tuple(init) + body + (Return(ret.values + tuple(outs), ret.loc),),
                        self.fn.loc, doc)


def _reads_output(prim, positions):
    return any("y" in {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
               for i in positions
               for node in (prim.partial_ast(i), prim.jvp_ast(i)) if node is not None)


def _no_forward_rule(s):
    """The rejection of a statement forward mode cannot differentiate.  A reverse rule's
    helper (``cholesky_vjp``) only appears in a derivative being differentiated again
    (hessian, jvp of a grad): the message names the user's function whose rule it is."""
    owners = [p.numpy or p.name for p in PRIMITIVES.values()
              if p.vjps and any(re.search(rf"\b{s.op}\(", v or "") for v in p.vjps)]
    if not owners:
        return UnsupportedError.at(s.loc, f"forward mode has no rule for '{s.op}'", s.op)
    return UnsupportedError.at(
        s.loc, f"a second derivative (hessian, jvp of a grad) through {owners[0]} needs a "
        f"forward rule for its reverse rule's helper '{s.op}', which pullback does not "
        f"have; take the second derivative by finite differences of the gradient, or "
        f"wrap the function that calls {owners[0]} in pullback.custom_vjp "
        f"(docs/api.md)", owners[0])


def _ruleless(op):
    prim = PRIMITIVES[op]
    return prim.partials is None and prim.vjps is None and prim.jvps is None and \
        not prim.zero_derivative


def _reached(fn, active):
    """Variables a tangent reaches, passed on by primitives without rules too (reverse
    rules' helpers: ``cholesky_vjp``), which activity treats as constants: reading one,
    such a primitive is rejected (in a ``_rev`` callee its inputs come from a residual)."""
    reached, changed = set(active), True
    stmts = [s for s in walk(fn.body) if isinstance(s, (Assign, Call, Push, Pop))]
    while changed:
        changed = False
        for s in stmts:
            ins = s.args if isinstance(s, (Assign, Call)) else \
                (s.value,) if isinstance(s, Push) else (s.tape,)
            outs = (s.target,) if isinstance(s, (Assign, Pop)) else \
                s.targets if isinstance(s, Call) else (s.tape,)
            if isinstance(s, Assign) and s.op in PRIMITIVES and s.op != "item" and \
                    not _ruleless(s.op):
                ins = [s.args[i] for i in diff_args(s)]
            if any(isinstance(a, Var) and a.name in reached for a in ins):
                new = {o.name for o in outs if isinstance(o, Var)} - reached
                reached |= new
                changed = changed or bool(new)
    return reached


def tangent_activity(fn, seeds, known_items=None):
    """Active variables for forward mode: ``analysis.activity``, plus every residual
    that crosses a function boundary (parameters, call arguments and results,
    returned values), which always carries a tangent; then, so that tangent tapes
    and records stay in step with their primals, a tape is active when it receives
    an active value or fills an active variable, and a residual when an active
    variable is unpacked from it.  A tape of derivative carriers packed into a residual
    is active even where every value pushed on it is a constant (a step-size factor under
    ``stop_gradient``): the split pair's rev is made for every caller, and pops a tangent
    wherever the popped value is active there, so the tape's tangent must be a tape of
    the same length (zeros), not the scalar 0.0."""
    residual = {p.name for p in fn.params if p.type == "residual"}
    stmts = list(walk(fn.body))
    for s in stmts:
        atoms = (list(s.args) + list(s.targets) if isinstance(s, Call) else
                 list(s.values) if isinstance(s, Return) else [])
        residual |= {a.name for a in atoms if isinstance(a, Var) and a.type == "residual"}
    active = active_vars(fn, set(seeds) | residual, known_items) | residual
    carriers = {s.tape.name for s in stmts if isinstance(s, Push) and isinstance(s.value, Var)
                and (is_differentiable(s.value.type) or is_complex(s.value.type)
                     or s.value.type in CONTAINERS)}
    for s in stmts:
        if isinstance(s, Assign) and s.op == "pack" and s.target.name in active:
            active |= {a.name for a in s.args if isinstance(a, Var) and a.name in carriers}
    changed = True
    while changed:
        changed = False
        for s in stmts:
            if isinstance(s, Push) and isinstance(s.value, Var) and s.value.name in active:
                need = s.tape
            elif isinstance(s, Pop) and s.target.name in active:
                need = s.tape
            elif isinstance(s, Assign) and s.op == "item" and s.target.name in active:
                need = s.args[0]
            else:
                continue
            if need.name not in active:
                active.add(need.name)
                changed = True
    return active
