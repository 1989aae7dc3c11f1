"""Dead-code elimination: drop pure assignments whose values are never read.

    t = sin(x)          (t unused)      ->   (removed)
    y = x * 2.0                              y = x * 2.0
    return y                                 return y

Executed:

    >>> from pullback.ir import Assign, Const, For, Function, If, Return, Var
    >>> from pullback.ir.printer import format_function
    >>> x, t, y = (Var(n, "float") for n in ("x", "t", "y"))
    >>> fn = Function("f", (x,), (Assign(t, "sin", (x,)), Assign(y, "mul", (x, Const(2.0))),
    ...                            Return((y,))))
    >>> print(format_function(eliminate_dead_code(fn)))
    def f(x):
      y = mul(x, 2.0)
      return y

Pops are kept while their tape is live (they keep the tape in step);
compound statements left empty disappear.

A loop's faint values go too: names (tapes included) that nothing after the loop
reads and that, inside it, only feed their own kind -- the reverse sweep's
restoration of a primal the adjoint never reads, ``u = setitem(u, i, pop
u_tape)``, keeps ``u`` and ``u_tape`` live at the head through itself alone.
Once those pops are gone the forward loop's pushes are faint the same way:

    for ...:  push u_tape t              for ...:  (gone)
    for ...:  t_5 = pop u_tape     ->    for ...:  (gone)
              u = setitem(u, i, t_5)               (gone)

Invariant: the result is the largest part of the function in which every
statement is live (liveness computed on that part itself) and no loop has a
faint set (``_faint``: the greatest such set, so none is left).  One backward pass
reaches it: straight-line code sees the liveness of what it keeps; a loop's
head liveness counts its whole current body, so a loop whose body lost
statements is pruned again with the smaller head until nothing changes (a
loop-carried ``x = x + 1`` whose ``x`` is read nowhere else stays, as it did
when whole passes were repeated).
"""
from dataclasses import replace

from ..ir import Assign, Call, For, If, NewTape, Pop, Push, Var, While
from ..ir.walk import atoms_read, blocks, map_blocks, vars_written, walk
from ..analysis.liveness import live_step, loop_head
from ..rules import PRIMITIVES


def eliminate_dead_code(fn):
    body, _, _ = _block(fn.body, set())
    return replace(fn, body=body)


def _block(stmts, after):
    """``(kept statements, names live before them, whether anything changed)``."""
    out = []
    live = set(after)
    changed = False
    for s in reversed(stmts):
        kept, live, diff = _stmt(s, live)
        if kept is not None:
            out.append(kept)
        changed = changed or diff
    out.reverse()
    return tuple(out), live, changed


def _stmt(s, live):
    """``(kept or None, names live before it, changed)``; ``live`` may be updated in place."""
    t = type(s)
    if t is Assign:        # impure ones (random draws) stay: they advance a state
        if s.target.name not in live and _pure(s.op):
            return None, live, True
        live.discard(s.target.name)
        live.update([a.name for a in s.args if type(a) is Var])
        return s, live, False
    if t is Call:
        keep = any(v.name in live for v in s.targets)
    elif t is Pop:
        keep = s.tape.name in live or s.target.name in live
    elif t is Push or t is NewTape:
        keep = s.tape.name in live
    elif t is If:
        body, lb, c1 = _block(s.body, live)
        orelse, lo, c2 = _block(s.orelse, live)
        if not (body or orelse):
            return None, live, True
        kept = replace(s, body=body, orelse=orelse) if c1 or c2 else s
        return kept, lb | lo | {v.name for v in atoms_read(s)}, c1 or c2
    elif t is For or t is While:
        return _loop(s, live)
    else:
        return s, live_step(s, live), False
    if not keep:
        return None, live, True
    return s, live_step(s, live), False


def _loop(s, after):
    extra = {s.exit.name} if s.exit is not None else set()
    faint = _faint(s.body, set(after) | extra)
    body = _drop(s.body, faint) if faint else s.body
    changed = body != s.body      # (a faint set whose names nothing defines drops nothing)
    while True:       # prune until the body is live on its own head liveness
        head = loop_head(s, after, body)
        body, _, diff = _block(body, head | extra)
        if not diff:
            break
        changed = True
    if isinstance(s, For) and not body:
        return None, after, True
    kept = replace(s, body=body) if changed else s
    if isinstance(s, For):
        return kept, (head - {s.var.name}) | {v.name for v in atoms_read(s)}, changed
    return kept, head, changed


def _defines(s, names):
    """Does simple statement ``s`` only compute names in ``names`` (nothing else sees it)?"""
    t = type(s)
    if t is Assign:
        return s.target.name in names and _pure(s.op)
    if t is Call:
        return all(v.name in names for v in s.targets)
    if t is Pop:
        return s.target.name in names and s.tape.name in names
    if t is Push or t is NewTape:
        return s.tape.name in names
    return False


def _faint(body, after):
    """The greatest set of names the loop ``body`` writes, none in ``after``, that only
    statements defining names of the set read (so no other value depends on them)."""
    stmts = list(walk(body))
    faint = {v.name for s in stmts if type(s) in (Assign, Call, Pop, Push, NewTape)
             for v in vars_written(s) + ([s.tape] if type(s) in (Push, Pop) else [])} - after
    faint -= {s.var.name for s in stmts if type(s) is For}
    while faint:
        reads = set()
        for s in stmts:
            if not _defines(s, faint):
                reads.update(v.name for v in atoms_read(s))
                if type(s) in (For, While) and s.exit is not None:
                    reads.add(s.exit.name)
        if not reads & faint:
            return faint
        faint -= reads
    return faint


def _drop(stmts, faint):
    """``stmts`` without the statements that only define ``faint`` names."""
    out = []
    for s in stmts:
        if blocks(s):
            out.append(map_blocks(s, lambda b: tuple(_drop(b, faint))))
        elif not _defines(s, faint):
            out.append(s)
    return tuple(out)


def _pure(op):
    prim = PRIMITIVES.get(op)
    return prim is None or prim.pure

