"""Which updates of a list's adjoint may write in place (Numba backend).

A list's adjoint (``numba_lists.py``) is updated once per element read in the
forward sweep: ``hs_bar = hs_bar + scatter(x_bar, k)`` and ``hs_bar[i] = 0.0``
in the IR, each a new array in value semantics.  Printed as copies they cost an
allocation and a pass over every row per update; in place they cost one row:

    hs_bar = _list_add_row(hs_bar, x_bar, k)      # a copy, then a row added
    hs_bar = _list_add_into(hs_bar, x_bar, k)     # in place: the old value is dead

The reverse of ``hs[i] = v`` zeroes row ``i`` of the adjoint and reads it, in that
order (``t = setitem(hs_bar, i, 0.0); v_bar = getitem(hs_bar, i)``), both of the old
value; ``sink_zeroing`` moves the zeroing down to where its result gets the name back
(``hs_bar = copy(unbroadcast(t, hs))``), below the read, so it may be in place.

Invariant: an update writes in place only where no name that may share the
adjoint's memory, other than the update's own target, is read after it before
being rebound (liveness over the structured IR).  Names share memory through
copies, ``unbroadcast`` (printed as the array itself) and updates (in place, as
if every one were); a row read from such an adjoint is printed as a copy, so it
shares nothing; any other reader (a call, a slice, ...) makes the whole class
copy, as before.
"""
from ..analysis.liveness import live_before_stmt, loop_head
from dataclasses import replace

from ..ir import Assign, Const, For, If, Return, Var, While
from ..ir.types import is_list
from ..ir.walk import atoms_read, blocks, map_blocks, walk
from ..optimize.inplace_adjoints import read_counts
from .numba_lists import ListAdjoint, classes, is_row

ALIASING = {"copy", "unbroadcast"}          # printed as the array itself
UPDATES = {"add", "sub", "setitem"}          # in place when owned
FRESH = {"mul", "neg", "sum", "getitem_vjp"}  # read into a new array


def in_place_updates(fn, lists):
    """(ids of the update statements that may write in place, names whose row reads
    are printed as copies); ``lists``: ``numba_lists.list_shapes(fn)``."""
    adjoints = _adjoints(lists)
    parent, find = classes()
    stmts = list(walk(fn.body))
    for s in stmts:
        if isinstance(s, Assign) and s.op in ALIASING | UPDATES:
            for a in s.args[:2 if s.op in ("add", "sub") else 1]:
                if isinstance(a, Var) and (a.name in adjoints or s.target.name in adjoints):
                    parent[find(a.name)] = find(s.target.name)
    members = {}
    for n in parent:
        members.setdefault(find(n), set()).add(n)
    shared = {find(a.name) for s in stmts for a in atoms_read(s)
              if a.name in parent and not _harmless(s, a, lists)}
    done = set()

    def visit(body, after):
        live = set(after)
        for s in reversed(body):
            if isinstance(s, If):
                visit(s.body, live)
                visit(s.orelse, live)
            elif isinstance(s, (For, While)):
                visit(s.body, loop_head(s, live))
            elif isinstance(s, Assign) and s.op in UPDATES and isinstance(s.args[0], Var) and \
                    s.args[0].name in parent and find(s.args[0].name) not in shared and \
                    not (members[find(s.args[0].name)] - {s.target.name}) & live:
                done.add(id(s))
            live = live_before_stmt(s, live)
    visit(fn.body, set())
    rows = set().union(*(members[find(s.args[0].name)] for s in stmts if id(s) in done))
    return done, rows


def _harmless(s, a, lists):
    """Whether statement ``s``'s read of ``a`` leaves no other name sharing its memory
    (beyond the sharing ``in_place_updates`` joins): a row of a list adjoint is printed
    as a copy (``numba_lists.list_expr``), a number is one."""
    if isinstance(s, Return) or not isinstance(s, Assign):
        return isinstance(s, Return)
    if s.op in ALIASING | UPDATES | FRESH:
        return True
    return s.op == "getitem" and s.args[0] == a and is_row(s.args[1]) and \
        isinstance(lists.get(a.name), ListAdjoint)


def _adjoints(lists):
    return {n for n, v in lists.items() if isinstance(v, ListAdjoint)}


def sink_zeroing(fn, lists):
    """``fn`` with each ``t = setitem(X, idx, c)`` of a list adjoint ``X`` (``c`` a
    constant) moved to ``X = copy(t2)``, ``t2 = unbroadcast(t, xs)`` of the list ``xs``
    (the value itself) between: only where ``t`` and ``t2`` are read there alone and
    nothing between writes ``X`` or the index, so every statement between reads the
    same ``X`` as before (value semantics: the move changes no value)."""
    adjoints = _adjoints(lists)
    if not adjoints:
        return fn
    reads = read_counts(fn)

    def block(stmts):
        out = [map_blocks(s, block) if blocks(s) else s for s in stmts]
        i = 0
        while i < len(out):
            chain = _zeroing_chain(out, i, reads, adjoints)
            if chain is None:
                i += 1
                continue
            j, drop = chain
            s = out[i]
            out[j] = Assign(out[j].target, "setitem", (s.args[0],) + s.args[1:], out[j].loc)
            for k in sorted(drop + [i], reverse=True):
                del out[k]
        return tuple(out)
    return replace(fn, body=block(fn.body))


def _zeroing_chain(out, i, reads, adjoints):
    s = out[i]
    if not (isinstance(s, Assign) and s.op == "setitem" and isinstance(s.args[0], Var) and
            s.args[0].name in adjoints and s.target.name != s.args[0].name and
            isinstance(s.args[2], Const) and reads.get(s.target.name) == 1):
        return None
    x_name, t = s.args[0].name, s.target
    fixed = {x_name, t.name} | {v.name for v in atoms_read(s)}
    drop = []
    for j in range(i + 1, len(out)):
        x = out[j]
        if not isinstance(x, Assign):
            return None
        if t in x.args:
            if x.op == "unbroadcast" and x.args[0] == t and is_list(
                    getattr(x.args[1], "type", None)) and reads.get(x.target.name) == 1 and \
                    x.target.name not in fixed:
                drop.append(j)
                t = x.target
                fixed.add(t.name)
                continue
            ok = x.op == "copy" and x.args == (t,) and x.target.name == x_name
            return (j, drop) if ok else None
        if x.target.name in fixed or (x.op == "setitem" and x.args[0].name == x_name):
            return None
    return None
