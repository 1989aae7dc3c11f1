"""Reverse mode: forward sweep, then the adjoint statements in reverse order.

Input: a typed IR function and which parameters are differentiated.
Output: IR functions of the same module language:
- ``combined``: ``f_grad(params) -> (outputs..., params_bar...)`` for the
  entry point, with the output adjoint seeded with 1.0;
- ``split``: ``f_fwd(params) -> (outputs..., residual)`` and
  ``f_rev(residual, outputs_bar...) -> params_bar...``, used for callees
  (recursion included) and for ``vjp``.

Invariants of the output: values the reverse sweep reads are never recomputed
and never overwritten before it reads them (``analysis.tbr`` decides what to
push); adjoints start at zero and accumulate with ``+`` -- the optimisation
pipeline turns first contributions into assignments and drops dead zeros.
Values saved between two sweeps of generated code (a tape, a split pair's residual) never
carry an adjoint: where one is active (reverse mode over a custom_vjp's transposed
backward rule) the function is rejected at its line, never differentiated as a constant.
A loop is reversed by iterating its range backwards, or by its recorded trip
count when it can stop early; a branch by the same condition value.

    for i in range(n):            for i in reversed(range(n)):
        x_tape.append(x)              x = x_tape.pop()
        x = x * c                     c_bar += x * x_bar
                                      x_bar = c * x_bar
"""

from ..ir import (Assign, Call, Const, For, Function, If, NewTape, Pop, Push, Return, Var,
                  While)
from ..analysis.liveness import live_in
from ..ir.names import Namer
from ..ir.walk import all_written, blocks, map_blocks, walk
from ..analysis.activity import active_vars, diff_args
from ..analysis.alias import written_in_place
from ..analysis.tbr import Recording
from ..rules import PRIMITIVES
from ..rules.registry import partial_reads
from ..ir.types import adjoint_type, is_array, is_complex, is_list
from .emit_rule import RuleEmitter
from .checkpoint import plan_checkpoints
from ..errors import UnsupportedError


class ReverseFunction:
    def __init__(self, fn, mask, ask, checkpoint=None):
        """``mask``: which params are differentiated; ``ask(callee, mask, rule)`` ->
        (fwd name, rev name) of a callee's split derivative (from its custom rule, if
        the call has one); ``checkpoint``: snapshots per checkpointed top-level loop
        (``transforms/checkpoint.py``), passed on to callees called at the top level."""
        self.fn, self.mask = fn, mask
        self.ask = ask
        self.checkpoint = checkpoint
        self.names = Namer(fn)
        self.active = active_vars(fn, {p.name for p, m in zip(fn.params, mask) if m})
        self.reject_saved_flow()
        self.calls = {}       # id(rewritten Call) -> (rev name, arg mask)
        self.primal_calls = {}    # id(rewritten Call) -> the call of the primal
        self.counters = {}    # id(loop) -> counter name
        self.counter_stmts = {}   # id(loop) -> (init stmt, increment stmt)
        self.tapes = {}
        self.capacity = {}        # tape name -> most entries at once, where bounded
        self.writes = written_in_place(fn.body)
        self.push_source = {}     # pushed temporary -> (variable it saves, its type)
        self.slice_types = {}     # id(in-place write) -> type of the slice it saves
        self.body = self.prepare(fn.body)
        self.rec = Recording(self.body, self.active, lambda s: id(s) in self.calls,
                             self.counters)
        self.checkpoints = plan_checkpoints(self, checkpoint) if checkpoint else {}

    def reject_saved_flow(self):
        """An active tape or residual: its items' adjoints would be dropped (docstring)."""
        for s in walk(self.fn.body):
            read = s.args if isinstance(s, (Assign, Call)) else \
                (s.tape,) if isinstance(s, Pop) else ()
            if any(isinstance(a, Var) and a.type in ("tape", "residual") and
                   a.name in self.active for a in read):
                raise UnsupportedError.at(
                    s.loc or self.fn.loc, "reverse mode cannot differentiate values saved "
                    f"for a backward sweep (in {self.fn.name}: a custom_vjp function's "
                    "forward-mode derivative whose output has more than "
                    "256 float elements, inside pullback.jvp or grad there); use a "
                    "custom_jvp rule, or hessian / jacobian(grad(f)) (forward over reverse)",
                    "reverse over saved values")

    # -- preparation: active calls, loop counters, snapshots ------------------
    def prepare(self, body, top=True):
        out = []
        for s in body:
            if blocks(s):
                s = map_blocks(s, lambda b: self.prepare(b, top=False))
            if isinstance(s, Call):
                s = self.prepare_call(s, out, top)
            elif isinstance(s, If) and isinstance(s.cond, Var) and \
                    s.cond.name in (all_written(s.body) | all_written(s.orelse)):
                snap = self.names.fresh(s.cond.name + "_was", s.cond.type)
                out.append(Assign(snap, "copy", (s.cond,), s.loc))
                s = If(snap, s.body, s.orelse, s.loc)
            elif isinstance(s, (For, While)):
                s = self.prepare_loop(s, out)
            out.append(s)
        return tuple(out)

    def prepare_call(self, s, out, top):
        amask = tuple(isinstance(a, Var) and a.name in self.active for a in s.args)
        if not any(amask) or not any(t.name in self.active for t in s.targets):
            return s
        if s.rule:
            s.rule.require_defined(amask, s.loc, s.func)
        if top and self.checkpoint and not s.rule:
            fwd, rev = self.ask(s.func, amask, s.rule, checkpoint=self.checkpoint)
        else:
            fwd, rev = self.ask(s.func, amask, s.rule)
        res = self.names.fresh(f"{s.func}_res", "residual")
        args = []
        for a in s.args:     # the residual may keep an argument: not one written later
            if isinstance(a, Var) and is_array(a.type) and a.name in self.writes:
                c = self.names.fresh(a.name + "_arg", a.type)
                out.append(Assign(c, "copy_array", (a,), s.loc))
                if a.name in self.active:
                    self.active.add(c.name)
                a = c
            args.append(a)
        new = Call(s.targets + (res,), fwd, tuple(args), s.loc)
        self.calls[id(new)] = (rev, amask)
        self.primal_calls[id(new)] = Call(s.targets, s.func, tuple(args), s.loc)
        return new

    def prepare_loop(self, s, out):
        if isinstance(s, For):
            written = all_written(s.body)
            bounds = []
            for a in (s.start, s.stop, s.step):
                if isinstance(a, Var) and a.name in written:
                    snap = self.names.fresh(a.name + "_was", a.type)
                    out.append(Assign(snap, "copy", (a,), s.loc))
                    a = snap
                bounds.append(a)
            s = For(s.var, *bounds, s.body, s.exit, s.reverse, s.loc)
            if s.exit is None:
                return s
        n = self.names.fresh("n_iter", "int")
        init = Assign(n, "copy", (Const(0),), s.loc)
        inc = Assign(n, "add", (n, Const(1)), s.loc)
        s = (For(s.var, s.start, s.stop, s.step, (inc,) + s.body, s.exit, s.reverse, s.loc)
             if isinstance(s, For) else While((inc,) + s.body, s.exit, s.loc))
        out.append(init)
        self.counters[id(s)] = n.name
        self.counter_stmts[id(s)] = (init, inc)
        return s

    # -- forward sweep --------------------------------------------------------------
    def tape(self, name, type_, stmt=None):
        """The tape of ``name``; a write in place (``stmt``) has its own, since the
        slices different writes save have different shapes."""
        key = name if stmt is None or not _in_place(stmt) else (name, id(stmt))
        if key not in self.tapes:
            self.tapes[key] = self.names.fresh(name + "_tape", "tape")
        return self.tapes[key]

    def forward(self, body):
        out = []
        dropped = {id(c) for k, pair in self.counter_stmts.items()
                   if k not in self.rec.reversed for c in pair}
        for s in body:
            if id(s) in dropped:
                continue
            out += self.pushes(s)
            if id(s) in self.checkpoints:
                out += self.checkpoints[id(s)].forward()
                continue
            if blocks(s):
                s = map_blocks(s, self.forward)
                if isinstance(s, (For, While)) and s.body and id(s.body[0]) in dropped:
                    s = map_blocks(s, lambda b: b[1:])
            out.append(s)
        return tuple(out)

    def saved(self, s):
        names = self.rec.pushed(s)
        types = {v.name: v.type for v in
                 ([s.target] if isinstance(s, Assign) else list(getattr(s, "targets", ())) +
                  ([s.var] if isinstance(s, For) else []))}
        # a growing list is never restored: its adjoint always has its final length
        return [(n, types[n]) for n in names if not is_list(types[n])]

    # -- reverse sweep --------------------------------------------------------------
    def pushes(self, s):
        """Save what ``s`` overwrites: the written slice for an in-place write, a
        copy of an array that later writes could change, else the value."""
        out = []
        emit = RuleEmitter(out.append, lambda t: self.names.fresh("t", t))
        for name, type_ in self.saved(s):
            value = Var(name, type_)
            if _in_place(s):
                value = emit.apply("getitem_copy", (s.target, s.args[1]))
                self.push_source[value.name] = (s.target.name, s.target.type)
                self.slice_types[id(s)] = value.type
            elif is_array(type_) and name in self.writes:
                value = emit.apply("copy_array", (value,))
                self.push_source[value.name] = (name, type_)
            out.append(Push(self.tape(name, type_, s), value))
        return out

    def pops(self, s):
        out = []
        for n, t in self.saved(s):
            if _in_place(s):     # the pushed slice's type: Numba's tape rows need it
                part = self.names.fresh("t", self.slice_types.get(id(s), "any"))
                out += [Pop(part, self.tape(n, t, s)), Assign(s.target, "setitem",
                                                              (s.target, s.args[1], part))]
            else:
                out.append(Pop(Var(n, t), self.tape(n, t)))
        return out

    def reverse(self, body):
        out = []
        for s in reversed(body):
            out += self.reverse_stmt(s)
        return out

    def accumulate(self, out, v, contribution):
        """``v_bar += contribution``, summed down to v's shape where it broadcast."""
        if isinstance(contribution, Const) and contribution.value == 0:
            return          # a zero contribution (``0 * y`` in the user's code): nothing to add
        b = self.names.bar(v)
        ct = getattr(contribution, "type", None)
        if is_complex(ct) and not is_complex(v.type):
            # a real value's cotangent is the real part (JAX's convention, rules/complex.py)
            emit = RuleEmitter(out.append, lambda t: self.names.fresh("t", t))
            contribution = emit.apply("creal", (contribution,))
            ct = contribution.type
        if is_array(ct) or is_array(v.type):
            if not (is_array(v.type) and ct == v.type and v.type.static):
                emit = RuleEmitter(out.append, lambda t: self.names.fresh("t", t))
                contribution = emit.apply("unbroadcast", (contribution, v))
        out.append(Assign(b, "add", (b, contribution)))

    def reverse_stmt(self, s):
        if isinstance(s, Assign):
            if s.target.name not in self.active:
                return self.pops(s)
            origin = s.loc and s.loc.as_derived()   # run-time errors name it
            return [Assign(x.target, x.op, x.args, origin) if type(x) is Assign and
                    x.loc is None else x for x in self.adjoint(s)]
        if isinstance(s, Call):
            if id(s) not in self.calls:
                return self.pops(s)
            return self.adjoint_call(s) + self.pops(s)
        if id(s) not in self.rec.reversed:
            return []
        if isinstance(s, If):
            return [If(s.cond, tuple(self.reverse(s.body)), tuple(self.reverse(s.orelse)), s.loc)]
        if id(s) in self.checkpoints:
            return self.checkpoints[id(s)].reverse() + self.pops(s)
        if isinstance(s, For):
            return self.reverse_for(s) + self.pops(s)
        if isinstance(s, While):
            n = Var(self.counters[id(s)], "int")
            k = self.names.fresh("k", "int")
            return [For(k, Const(0), n, Const(1), tuple(self.reverse(s.body)), loc=s.loc)]
        return []

    def reverse_for(self, s):
        body = tuple(self.reverse(s.body))
        if s.exit is None:
            return [For(s.var, s.start, s.stop, s.step, body, None, not s.reverse, s.loc)]
        if s.reverse:
            raise UnsupportedError.at(s.loc, "cannot differentiate a 'break' or 'return' inside "
                                      "a loop over reversed(range(...))", "reversed loop exit")
        out = []
        emit = RuleEmitter(out.append, lambda t: self.names.fresh("t", t))
        n = Var(self.counters[id(s)], "int")
        stop = emit.apply("add", (s.start, emit.apply("mul", (n, s.step))))
        return out + [For(s.var, s.start, stop, s.step, body, None, True, s.loc)]

    def adjoint(self, s):
        out = []
        emit = RuleEmitter(out.append, lambda t: self.names.fresh("t", t))
        y = s.target
        g = self.names.bar(y)
        prim = PRIMITIVES.get(s.op)
        pos = [i for i in diff_args(s) if isinstance(s.args[i], Var) and s.args[i].name in self.active]
        own = [i for i, a in enumerate(s.args) if isinstance(a, Var) and a.name == y.name]
        out_atom = y
        if not own:
            contributions = self.contributions(emit, s, prim, pos, out_atom, g)
            for v, c in contributions:
                self.accumulate(out, v, c)
            out.append(Assign(g, "copy", (Const(0.0),)))
            return out + self.pops(s)
        # y = f(..., y, ...): read y's output value and adjoint before restoring y
        if prim is not None and partial_reads(prim, pos)[1]:
            out_atom = self.names.fresh(y.name + "_out", y.type)
            out.append(Assign(out_atom, "copy", (y,)))
        out += self.pops(s)
        increment = len(own) == 1 and prim is not None and prim.partials is not None \
            and prim.partials[own[0]] == "1"
        if increment:      # y = y + e: y's adjoint passes through unchanged
            pos = [i for i in pos if i not in own]
        else:
            g_out = self.names.fresh(g.name + "_out", g.type)
            out.append(Assign(g_out, "copy", (g,)))
            g = g_out
        contributions = self.contributions(emit, s, prim, pos, out_atom, g)
        if not increment:
            out.append(Assign(self.names.bar(y), "copy", (Const(0.0),)))
        for v, c in contributions:
            self.accumulate(out, v, c)
        return out

    def contributions(self, emit, s, prim, pos, out_atom, g):
        if s.op == "copy":
            return [(s.args[0], g)] if pos else []
        env = dict(zip(prim.params, s.args))
        env.update(y=out_atom, g=g)
        emit.loc = s.loc and s.loc.as_derived()   # named by errors, not printed
        for i in pos:      # a helper of forward-mode code with a tangent rule only
            if prim.vjp_ast(i) is None:
                raise UnsupportedError.at(s.loc, f"no reverse-mode rule for '{s.op}' (reverse "
                                                 "mode over forward-mode code that uses it)",
                                          f"reverse of {s.op}")
        return [(s.args[i], emit.expr(prim.vjp_ast(i), env)) for i in pos]

    def adjoint_call(self, s):
        rev, amask = self.calls[id(s)]
        outs, res = s.targets[:-1], s.targets[-1]
        seeds = tuple(self.names.bar(t) if t.name in self.active else Const(0.0) for t in outs)
        args = [a for a, m in zip(s.args, amask) if m]
        got = tuple(self.names.fresh("t", adjoint_type(a.type)) for a in args)
        out = [Call(got, rev, (res,) + seeds, s.loc)]
        for t in outs:
            if t.name in self.active:
                out.append(Assign(self.names.bar(t), "copy", (Const(0.0),)))
        for a, g in zip(args, got):
            self.accumulate(out, a, g)
        return out

    # -- assembly ---------------------------------------------------------------------
    def sweeps(self, seeds, split=False):
        """(forward statements without the return, returned atoms, reverse statements)."""
        ret = self.body[-1]
        assert isinstance(ret, Return)
        fwd = list(self.forward(self.body[:-1]))
        rev = []
        for v, seed in zip(ret.values, seeds):
            if isinstance(v, Var) and v.name in self.active:
                self.accumulate(rev, v, seed)
        rev += self.reverse(self.body[:-1])
        init = [Assign(self.names.bar(Var(n)), "copy", (Const(0.0),))
                for n in sorted(self.active)]
        tapes = [NewTape(t, self.capacity.get(t.name)) for t in self.tapes.values()]
        residual = self.residual_needs(init + rev, seeds) if split else {}
        fwd = tapes + self.defaults(fwd, residual) + fwd
        # an inactive array's adjoint: a name (zero_arrays.py gives it a shape a caller indexes)
        init += [Assign(self.names.bar(p), "copy", (Const(0.0),)) for p, m in
                 zip(self.fn.params, self.mask) if m and p.name not in self.active and
                 is_array(p.type)]
        grads = tuple(self.names.bar(p) if p.name in self.active or is_array(p.type)
                      else Const(0.0) for p, m in zip(self.fn.params, self.mask) if m)
        # the reverse sweep restores overwritten variables: return copies
        outs = []
        restored = all_written(rev)
        for i, v in enumerate(ret.values):
            if isinstance(v, Var) and v.name in restored:
                copy = self.names.fresh("value" if len(ret.values) == 1 else f"value{i}", v.type)
                fwd.append(Assign(copy, "copy", (v,)))
                v = copy
            outs.append(v)
        return fwd, tuple(outs), init + rev, grads

    def residual_needs(self, rev, seeds):
        """Variables the reverse sweep reads from the forward sweep (split mode)."""
        seed_names = {s.name for s in seeds if isinstance(s, Var)}
        return {v.name: v.type for v in live_in(rev)
                if v.name not in seed_names and v.type != "tape"}

    def defaults(self, fwd, residual):
        """Initial values for variables that may be unassigned when saved or packed."""
        assigned = {p.name for p in self.fn.params}
        need = {}
        for s in fwd:
            for inner in walk((s,)):
                if isinstance(inner, Push) and isinstance(inner.value, Var):
                    name, type_ = self.push_source.get(inner.value.name,
                                                       (inner.value.name, inner.value.type))
                    if name not in assigned:
                        need[name] = type_
            if isinstance(s, Assign):
                assigned.add(s.target.name)
            elif isinstance(s, Call):
                assigned |= {t.name for t in s.targets}
        for name, type_ in residual.items():
            if name not in assigned:
                need[name] = type_
        zero = {"float": 0.0, "int": 0, "bool": False}
        return [Assign(Var(n, t), "copy", (Const(zero.get(t, 0.0)),)) for n, t in need.items()]

    def combined(self, name, value=True, seeded=None):
        """``value=False``: return the gradients only, so the computations that only
        the value needs are dead code (``grad`` does not return the value).  ``seeded``:
        the first this many outputs get the seed 1.0, the others (``has_aux``) none."""
        values = self.body[-1].values
        seeded = len(values) if seeded is None else seeded
        seeds, ones = [], []
        for i, v in enumerate(values):
            t = getattr(v, "type", None)
            if i < seeded and isinstance(v, Var) and is_array(t) and t.shape != ():
                # an output of one element in an array (shape (1,), (1, 1)), taken as the
                # scalar it holds (autograd's grad): its seed is ones of its shape; the
                # caller rejects any other size (derivative.py)
                seed = self.names.fresh("out_seed", t)
                ones.append(Assign(seed, "ones_like", (v, Const(None))))
                seeds.append(seed)
            else:
                seeds.append(Const(1.0 if i < seeded else 0.0))
        fwd, outs, rev, grads = self.sweeps(seeds)
        ret = Return((tuple(outs) if value else ()) + grads)
        return Function(name, self.fn.params, tuple(fwd + ones + rev + [ret]), self.fn.loc,
                        self.fn.doc)

    def split(self, fwd_name, rev_name):
        outs = self.body[-1].values
        seeds = [self.names.fresh(f"out{i}_bar" if len(outs) > 1 else "out_bar",
                                  adjoint_type(getattr(v, "type", None)))
                 for i, v in enumerate(outs)]
        fwd, outs, rev, grads = self.sweeps(seeds, split=True)
        res = self.names.fresh("residual", "residual")
        seed_names = {s.name for s in seeds}     # live: what rev reads before writing it
        live = sorted((v for v in live_in(rev) if v.name not in seed_names), key=lambda v: v.name)
        fwd_fn = Function(fwd_name, self.fn.params,
                          tuple(fwd + [Assign(res, "pack", tuple(live)),
                                       Return(tuple(outs) + (res,))]), self.fn.loc)
        unpack = [Assign(v, "item", (res, Const(i))) for i, v in enumerate(live)]
        rev_fn = Function(rev_name, (res,) + tuple(seeds),
                          tuple(unpack + rev + [Return(grads)]), self.fn.loc)
        return fwd_fn, rev_fn


def _in_place(s):
    return isinstance(s, Assign) and s.op == "setitem" and s.args[0] == s.target
