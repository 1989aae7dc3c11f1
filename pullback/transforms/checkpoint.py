"""Checkpointed loops: reverse a long ``for`` loop in bounded memory (revolve).

``grad(f, checkpoint=s)`` (or ``checkpoint="auto"``: s from a budget of bytes and
the state's size) reverses each top-level loop (``for`` with a constant step,
``while``) of ``f`` and of the functions ``f`` calls at its top level (recursively;
``transforms/gradient.py`` passes ``checkpoint`` on, the split pair's residual carries
the schedule and the snapshots) with at most ``s`` snapshots of the loop's state
instead of a tape entry per iteration.  A loop whose trip count is known at entry runs
revolve's schedule from its first forward sweep; one that can stop early
(``while``, ``break``) runs plainly from one snapshot, and the reverse sweep runs
the whole schedule for the count it recorded (``Checkpoint.online``).  The loop body is split three ways, all from the reverse transform's
own pieces, so an iteration's adjoint is the very code a taped loop runs:

- the primal body (ADVANCE: no recording),
- the body with its pushes (RECORD one step: ``ReverseFunction.forward``),
- the adjoint of the body (REVERSE that step: ``ReverseFunction.reverse``),

driven by the online binomial schedule of ``rules/schedule.py`` (its module
docstring states revolve's formula).  The forward sweep runs the actions up to
RECORD of the last step; the reverse sweep the rest:

    ck_plan = checkpoint_start(ck_n, 40)         # O(s) ints, never O(n)
    while True:
        ck_code = checkpoint_next(ck_plan)
        ... ADVANCE: for ck_k in range(ck_pos, ck_at): i = ...; <primal body>
            TAKESHOT: x_snaps.append(x)  RECORD: i = ...; <body with pushes>
        if ck_code % 8 >= RECORD: break

Invariants
- The state is every variable the body writes that is defined at loop entry or
  read before written in the body, plus every variable the body reads that code
  after the loop writes: restoring it reproduces any step exactly.  So recomputed
  steps are bitwise the forward steps, and the gradient bitwise the taped one.
- Snapshots are tapes used last-in first-out (RESTORE pops and pushes back a
  copy); arrays written in place are copied when saved.  The schedule ends by
  popping the snapshot of step 0, so the state after the loop's reversal is its
  value at loop entry, which the reverse sweep before the loop may read.
- Loops the scheme cannot take (appends to lists, a step computed at run time, a
  ``break`` in a reversed range) stay taped.  Nested loops inside a checkpointed one are taped per step.
"""
from ..ir import Assign, Call, Comment, Const, For, If, Pop, Push, Var, While, literal, replace
from ..ir.types import INT, Array, is_array, is_list
from ..ir.walk import all_written, blocks, map_blocks, vars_written, walk
from ..analysis.liveness import live_in
from ..rules.schedule import (ADVANCE, FREE, RECORD, RESTORE, REVERSE, TAKESHOT,
                              describe, snapshots_for, state_size)


def plan_checkpoints(rf, snaps):
    """{id(loop): Checkpoint} for the top-level loops of ``rf.body`` to checkpoint."""
    out = {}
    for k, s in enumerate(rf.body):
        if not isinstance(s, (For, While)) or id(s) not in rf.rec.reversed:
            continue
        if isinstance(s, For) and (not isinstance(s.step, Const) or s.step.value == 0 or
                                   s.exit is not None and s.reverse):
            continue
        state = loop_state(rf, k)
        if state is None:
            continue
        if isinstance(snaps, tuple):          # ("auto", bytes): as many as the budget holds
            out[id(s)] = Checkpoint(rf, s, state, snapshots_for(snaps[1], state_bytes(state)),
                                    f"; chosen by checkpoint='auto' for {snaps[1]} bytes")
        else:
            out[id(s)] = Checkpoint(rf, s, state, snaps)
    return out


def loop_state(rf, k):
    """The variables a snapshot of loop ``rf.body[k]`` holds, or None if the loop
    cannot be checkpointed."""
    loop = rf.body[k]
    types = {}
    for x in walk(loop.body):
        for v in vars_written(x):
            types[v.name] = v.type
    if any(is_list(t) for t in types.values()):
        return None                       # a list grows: recomputing would append again
    carried = {v.name for v in live_in(loop.body)}
    reads = {v.name: v for v in live_in(loop.body)}
    before = {p.name for p in rf.fn.params} | all_written(rf.body[:k])
    after = all_written(rf.body[k + 1:])
    names = {n for n in types if n in carried or n in before}
    names |= {n for n in reads if n in after and n not in types}
    types.update({n: v.type for n, v in reads.items() if n not in types})
    if isinstance(loop, For):
        names.discard(loop.var.name)
    return [Var(n, types[n]) for n in sorted(names)
            if types[n] not in ("tape", "residual")]


def state_bytes(state):
    """Bytes one snapshot of ``state`` takes (8 per scalar; arrays by static shape)."""
    total = 0
    for v in state:
        if is_array(v.type) and v.type.static:
            size = 1
            for d in v.type.shape:
                size *= d
            total += size * 8
        else:
            total += 8
    return total


class Checkpoint:
    """The statements of one checkpointed loop in each sweep."""

    def __init__(self, rf, loop, state, snaps, why=""):
        self.rf, self.loop, self.state, self.snaps, self.why = rf, loop, state, snaps, why
        fresh = rf.names.fresh
        self.plan = fresh("ck_plan", Array("int64", (state_size(snaps),)))
        self.n, self.first, self.pos = fresh("ck_n", INT), fresh("ck_first", INT), \
            fresh("ck_pos", INT)
        self.tapes = {}
        for v in state:
            self.tapes[v.name] = rf.names.fresh(v.name + "_snaps", "tape")
            rf.tapes[("checkpoint", id(loop), v.name)] = self.tapes[v.name]   # (one per loop)
            rf.capacity[self.tapes[v.name].name] = snaps

    # -- the two sweeps ------------------------------------------------------------------
    @property
    def online(self):
        """A loop that can stop early (``while``, ``break``): its trip count is known only
        at its end, so the forward sweep runs it plainly from one snapshot and the reverse
        sweep runs the whole schedule for the count it recorded (n more steps than revolve
        with the count known in advance)."""
        return isinstance(self.loop, While) or self.loop.exit is not None

    def forward(self):
        s = self.loop
        names = ", ".join(v.name for v in self.state)
        each = state_bytes(self.state)
        out = [Comment(f"checkpointed loop (line {getattr(s.loc, 'line', '?')}): at most "
                       f"{self.snaps} snapshots of {names} ({each} bytes each{self.why}), "
                       f"{self.snaps * each} bytes in all; binomial schedule (revolve): "
                       f"t(n, s) = r n - beta(s + 1, r - 1) steps recomputed for n steps; " +
                       describe(self.snaps, None if self.online else self.known_count()) +
                       ("; its trip count is known at its end: one plain forward run "
                        "first" if self.online else ""))]
        if self.online:
            if isinstance(s, For):
                out.append(Assign(self.first, "copy", (s.start,)))
            out += self.takeshot()
            return out + [replace(s, body=self.primal(s.body))]
        out += self.trip_count()
        out += self.start(self.n)
        out.append(self.drive(reverse=False))
        return out

    def reverse(self):
        if not self.online:
            return [self.drive(reverse=True)]
        out = self.start(Var(self.rf.counters[id(self.loop)], INT))   # before the counter
        for v in self.state:                  # is restored with the state at loop entry
            self.popped(v, out)
        return out + [self.drive(reverse=True)]

    def known_count(self):
        """The trip count when the range's bounds are constants, else None."""
        s = self.loop
        if all(map(literal, (s.start, s.stop, s.step))):
            return len(range(s.start.value, s.stop.value, s.step.value))
        return None

    def start(self, n):
        return [Assign(self.plan, "checkpoint_start", (n, Const(self.snaps)), self.loop.loc),
                Assign(self.pos, "copy", (Const(0),))]

    def trip_count(self):
        """``ck_n = len(range(start, stop, step))`` and ``ck_first``, the index of step 0."""
        s, c = self.loop, self.loop.step.value
        fresh = self.rf.names.fresh
        span, num, q = fresh("ck_span", INT), fresh("ck_num", INT), fresh("ck_q", INT)
        lo, hi = (s.start, s.stop) if c > 0 else (s.stop, s.start)
        out = [Assign(span, "sub", (hi, lo)),
               Assign(num, "add", (span, Const(abs(c) - 1))),
               Assign(q, "floordiv", (num, Const(abs(c)))),
               Assign(self.n, "max", (q, Const(0)))]
        if not s.reverse:
            return out + [Assign(self.first, "copy", (s.start,))]
        last, off = fresh("ck_last", INT), fresh("ck_off", INT)
        return out + [Assign(last, "sub", (self.n, Const(1))),
                      Assign(off, "mul", (last, s.step)),
                      Assign(self.first, "add", (s.start, off))]

    def drive(self, reverse):
        """The action loop of one sweep: until RECORD (forward) or END (reverse)."""
        fresh = self.rf.names.fresh
        code, kind, at, done = (fresh("ck_code", INT), fresh("ck_kind", INT),
                                fresh("ck_at", INT), fresh("ck_done", "bool"))
        body = [Assign(code, "checkpoint_next", (self.plan,), self.loop.loc),
                Assign(kind, "mod", (code, Const(8))),
                Assign(at, "floordiv", (code, Const(8)))]
        cases = [(ADVANCE, self.advance(at)), (TAKESHOT, self.takeshot()),
                 (RECORD, self.step(at) + list(self.rf.forward(self.loop.body)))]
        if reverse:
            cases += [(RESTORE, self.restore(at)), (FREE, self.free(at)),
                      (REVERSE, self.step(at) + list(self.rf.reverse(self.loop.body)))]
        body += self.dispatch(kind, cases)
        stop = RECORD if not reverse else REVERSE + 1      # END is the kind after REVERSE
        body.append(Assign(done, "ge", (kind, Const(stop))))
        return While(tuple(body), done, self.loop.loc)

    def dispatch(self, kind, cases):
        """``if kind == k0: ... else: if kind == k1: ...`` (no case: nothing)."""
        if not cases:
            return []
        k, stmts = cases[0]
        test = self.rf.names.fresh("ck_is", "bool")
        return [Assign(test, "eq", (kind, Const(k))),
                If(test, tuple(stmts), tuple(self.dispatch(kind, cases[1:])))]

    # -- actions -----------------------------------------------------------------------------
    def step(self, k):
        """The loop variable of step ``k``."""
        s = self.loop
        if isinstance(s, While):
            return []
        off = self.rf.names.fresh("ck_off", INT)
        delta = -s.step.value if s.reverse else s.step.value
        return [Assign(off, "mul", (k, Const(delta))), Assign(s.var, "add", (self.first, off))]

    def advance(self, at):
        k = self.rf.names.fresh("ck_k", INT)
        body = self.step(k) + list(self.primal(self.loop.body))
        return [For(k, self.pos, at, Const(1), tuple(body), loc=self.loop.loc),
                Assign(self.pos, "copy", (at,))]

    def takeshot(self):
        out = []
        for v in self.state:
            out.append(Push(self.tapes[v.name], self.saved(v, out)))
        return out

    def restore(self, at):
        """The top snapshot into the state; it stays on the tape."""
        out = []
        for v in self.state:
            got = self.popped(v, out)
            out.append(Push(self.tapes[v.name], got))
        return out + [Assign(self.pos, "copy", (at,))]

    def free(self, at):
        out = []
        for v in self.state:
            self.popped(v, out)
        return out + [Assign(self.pos, "copy", (at,))]

    def popped(self, v, out):
        """Pop ``v``'s snapshot into ``v``; what was popped.  An array the body writes
        in place gets a copy: the snapshot must not change, and Numba pops a view of
        its tape's row, which later pushes overwrite."""
        if not self.written_in_place(v):
            out.append(Pop(v, self.tapes[v.name]))
            return v
        got = self.rf.names.fresh(v.name + "_snap", v.type)
        out += [Pop(got, self.tapes[v.name]), Assign(v, "copy_array", (got,))]
        return got

    def saved(self, v, out):
        """What a snapshot keeps of ``v``: a copy if the body writes it in place."""
        if self.written_in_place(v):
            c = self.rf.names.fresh(v.name + "_snap", v.type)
            out.append(Assign(c, "copy_array", (v,)))
            return c
        return v

    def written_in_place(self, v):
        return is_array(v.type) and v.name in self.rf.writes

    def primal(self, body):
        """The loop body without recording: calls of user functions call the primal."""
        out = []
        for s in body:
            if isinstance(s, Call) and id(s) in self.rf.primal_calls:
                s = self.rf.primal_calls[id(s)]
            elif blocks(s):
                s = map_blocks(s, self.primal)
            out.append(s)
        return tuple(out)
