"""To-be-recorded analysis: which assignments must save the value they overwrite.

The reverse sweep reads forward values (a rule's inputs and output, branch
conditions, loop bounds and trip counts).  In the forward sweep an assignment
to ``v`` must push the old value of ``v`` exactly when that old value has
been read by the reverse sweep since it was assigned.  We track, as a
forward dataflow over the structured IR, the set of variables whose current
value has such a reader ("dirty"); an assignment to a dirty variable pushes.
Loops iterate to a fixpoint; a ``for`` loop's own index is re-established by
the reversed loop, so only its value before the loop may need a push.

    x = 1.0 * a          # nothing pushed: straight-line code, versioned names
    for i in range(n):
        y = sin(x)       # reverse reads x
        x = x + y        # x dirty -> push x
"""
from ..ir import Assign, Call, For, If, While
from ..ir.types import is_array
from ..ir.walk import blocks
from ..rules import PRIMITIVES
from ..rules.registry import partial_reads
from .activity import diff_args


def reverse_reads(stmt, active):
    """(vars read at entry, vars read at exit) by the adjoint of an active Assign."""
    if not isinstance(stmt, Assign) or stmt.target.name not in active or stmt.op == "copy":
        return set(), set()
    pos = [i for i in diff_args(stmt) if getattr(stmt.args[i], "name", None) in active]
    idx, out = partial_reads(PRIMITIVES[stmt.op], pos)
    entry = {stmt.args[i].name for i in idx if hasattr(stmt.args[i], "name")}
    return entry | shape_reads(stmt.args[i] for i in pos), ({stmt.target.name} if out else set())


def shape_reads(args):
    """The operands whose adjoints the reverse sweep sums down to their shape by reading
    them (``unbroadcast(g, v)``), where that shape is known only at run time (``x[i:]`` in a
    loop: the value of another iteration has another shape)."""
    return {a.name for a in args if hasattr(a, "name") and is_array(a.type) and
            not a.type.static}


class Recording:
    """Result of the analysis: ``pushes`` maps id(stmt) to the names it saves; ``reversed``
    the ids of compound statements the reverse sweep must visit."""

    def __init__(self, body, active, is_active_call, counters):
        self.active = active
        self.is_active_call = is_active_call
        self.counters = counters      # id(loop) -> counter var name
        self.reads = {}               # id(stmt) -> reverse_reads: the same on every round
        self.reversed = set()
        while True:
            self.pushes = {}
            self.block(body, frozenset())
            rev = {id(s) for s in _compounds(body) if self._needs(s)}
            if rev == self.reversed:
                break
            self.reversed = rev

    def _needs(self, s):
        for b in blocks(s):
            for x in b:
                if self.pushed(x) or self.is_active(x) or id(x) in self.reversed \
                        or self._needs(x):
                    return True
        return False

    def is_active(self, s):
        if isinstance(s, Assign):
            return s.target.name in self.active
        if isinstance(s, Call):
            return self.is_active_call(s)
        return False

    def block(self, stmts, st):
        st = set(st)      # ours: simple statements update it in place (no copy per statement)
        for s in stmts:
            st = self.stmt(s, st)
        return st

    def define(self, s, names, st):
        """Record that ``s`` pushes those of ``names`` that are dirty in ``st``."""
        for n in names:
            if n in st and n not in self.pushes.setdefault(id(s), []):
                self.pushes[id(s)].append(n)

    def pushed(self, s):
        """Names whose old values ``s`` pushes before assigning them."""
        return self.pushes.get(id(s), [])

    def stmt(self, s, st):
        """The dirty set after ``s``; updates ``st`` itself for assignments and calls."""
        if isinstance(s, Assign):
            found = self.reads.get(id(s))
            if found is None:
                found = self.reads[id(s)] = reverse_reads(s, self.active)
            entry, exit_ = found
            st |= entry
            self.define(s, [s.target.name], st)
            if not (s.op == "setitem" and s.args[0] == s.target):
                # (a write in place saves only the slice it overwrites: the rest of the old
                # value, which the reverse sweep may still read, stays in the array)
                st.discard(s.target.name)
            st |= exit_
            return st
        if isinstance(s, Call):
            # an active call's last target is its residual, read by the reverse call, which
            # sums each argument's adjoint down to the argument's shape
            if self.is_active_call(s):
                st |= shape_reads(a for a in s.args if getattr(a, "name", None) in self.active)
            self.define(s, [t.name for t in s.targets], st)
            st.difference_update(t.name for t in s.targets)
            if self.is_active_call(s):
                st.add(s.targets[-1].name)
            return st
        if isinstance(s, If):
            if id(s) in self.reversed and hasattr(s.cond, "name"):
                st = st | {s.cond.name}
            return self.block(s.body, st) | self.block(s.orelse, st)
        if isinstance(s, (For, While)):
            rev = id(s) in self.reversed
            var = {s.var.name} if isinstance(s, For) else set()
            if isinstance(s, For) and rev:
                st = st | {a.name for a in (s.start, s.stop, s.step) if hasattr(a, "name")}
            if var:
                self.define(s, var, st)
                st = st - var
            head = st
            while True:
                end = self.block(s.body, head - var)
                new = st | end
                if new == head:
                    break
                head = new
            out = head - var
            if rev and id(s) in self.counters:
                out = out | {self.counters[id(s)]}
            return out
        return st


def _compounds(body):
    for s in body:
        if blocks(s):
            yield s
            for b in blocks(s):
                yield from _compounds(b)
