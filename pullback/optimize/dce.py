"""Dead-code elimination: drop pure assignments whose values are never read.

    t = sin(x)          (t unused)      ->   (removed)
    y = x * 2.0                              y = x * 2.0
    return y                                 return y

Pops are kept while their tape is live (they keep the tape in step);
compound statements left empty disappear.
"""
from dataclasses import replace

from ..ir import Assign, Call, For, Function, If, NewTape, Pop, Push, While
from .liveness import live_before, live_before_stmt, live_step


def eliminate_dead_code(fn):
    body = fn.body
    while True:
        new = _block(body, set())
        if new == body:
            return replace(fn, body=new)
        body = new


def _block(stmts, after):
    out = []
    live = set(after)
    for s in reversed(stmts):
        kept = _stmt(s, live)
        if kept is not None:
            out.append(kept)
            live = live_step(kept, live)
    return tuple(reversed(out))


def _stmt(s, live):
    if isinstance(s, Assign):       # impure ones (random draws) stay: they advance a state
        return s if s.target.name in live or not _pure(s.op) else None
    if isinstance(s, Call):
        return s if any(t.name in live for t in s.targets) else None
    if isinstance(s, Pop):
        return s if s.tape.name in live or s.target.name in live else None
    if isinstance(s, (Push, NewTape)):
        return s if s.tape.name in live else None
    if isinstance(s, If):
        body, orelse = _block(s.body, live), _block(s.orelse, live)
        return replace(s, body=body, orelse=orelse) if body or orelse else None
    if isinstance(s, For):
        head = _loop_live(s, live)
        body = _block(s.body, head | ({s.exit.name} if s.exit else set()))
        return replace(s, body=body) if body else None
    if isinstance(s, While):
        head = _loop_live(s, live)
        return replace(s, body=_block(s.body, head | {s.exit.name}))
    return s


def _pure(op):
    from ..rules import PRIMITIVES
    return op not in PRIMITIVES or PRIMITIVES[op].pure


def _loop_live(s, after):
    head = set(after)
    extra = {s.exit.name} if getattr(s, "exit", None) is not None else set()
    while True:
        new = head | live_before(s.body, head | extra)
        if new == head:
            return head
        head = new
