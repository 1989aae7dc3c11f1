"""Backward liveness over structured IR (the basis of dead-code elimination).

``live_before(stmts, live_after)`` returns the variables (by name) that may be
read before being written; loops iterate to a fixpoint.  Tapes count as read
by ``Push`` and ``Pop`` (they mutate the list), so a live tape keeps both.
"""
from ..ir import Assign, Call, For, If, NewTape, Pop, Push, Return, While
from ..ir.walk import atoms_read


def live_before_stmt(s, after):
    if isinstance(s, If):
        live = live_before(s.body, after) | live_before(s.orelse, after)
        return live | _reads(s)
    if isinstance(s, For):
        head = set(after)
        while True:
            inner = live_before(s.body, head | ({s.exit.name} if s.exit else set()))
            new = head | inner
            if new == head:
                break
            head = new
        return (head - {s.var.name}) | _reads(s)
    if isinstance(s, While):
        head = set(after)
        while True:
            new = head | live_before(s.body, head | {s.exit.name})
            if new == head:
                break
            head = new
        return head
    if isinstance(s, (Assign, Call)):
        targets = {s.target.name} if isinstance(s, Assign) else {t.name for t in s.targets}
        return (set(after) - targets) | _reads(s)
    if isinstance(s, Pop):
        return (set(after) - {s.target.name}) | {s.tape.name}
    if isinstance(s, NewTape):
        return set(after) - {s.tape.name}
    if isinstance(s, (Push, Return)):
        return set(after) | _reads(s)
    return set(after)


def _reads(s):
    return {v.name for v in atoms_read(s)}


def live_step(s, live):
    """``live_before_stmt`` on a set the caller owns: a simple statement updates it in
    place (copying it at every statement made long functions quadratic)."""
    if isinstance(s, (Assign, Call, Pop, NewTape)):
        live.difference_update(t.name for t in ((s.target,) if isinstance(s, (Assign, Pop))
                                                else s.targets if isinstance(s, Call)
                                                else (s.tape,)))
    elif not isinstance(s, (Push, Return)):
        return live_before_stmt(s, live)
    live.update(v.name for v in atoms_read(s))
    if isinstance(s, Pop):
        live.add(s.tape.name)
    return live


def live_before(stmts, after):
    live = set(after)
    for s in reversed(stmts):
        live = live_step(s, live)
    return live


def live_in(stmts):
    """Variables (as ``Var`` nodes, with types) read before written by ``stmts``."""
    from ..ir.walk import walk
    names = live_before(stmts, set())
    found = {}
    for s in walk(stmts):
        for v in atoms_read(s):
            if v.name in names:
                found[v.name] = v
    return list(found.values())
