"""Aliasing of arrays written in place: make the IR's value semantics true.

The IR treats ``x = setitem(x, idx, v)`` as producing a new value; NumPy
mutates the object, which every alias of ``x`` sees.  This pass makes the two
agree or rejects the program:

1. views (``x[1:]``, ``x.T``, ``reshape``, ...) of an array that is written
   in place anywhere in the function become copies, so no view outlives a write;
2. a forward dataflow tracks which allocation each array variable may hold
   (parameters hold the caller's arrays); a write to an array that the caller
   passed in, or that another variable still in use shares, is rejected with
   an ``UnsupportedError`` naming the line.

    new = u.copy()          # fresh: writes are fine
    new[i] = ...
    r = new[1:3]            ->  r = np.array(new[1:3])     (a copy)
"""
from dataclasses import replace

from ..errors import UnsupportedError
from ..ir import Assign, For, If, Var, While
from ..ir.types import is_array, is_differentiable
from ..ir.walk import atoms_read, blocks, walk
from ..optimize.liveness import live_before_stmt, live_step

VIEWS = {"getitem", "reshape", "ravel", "transpose", "swapaxes", "moveaxis", "expand_dims",
         "squeeze", "broadcast_to", "atleast_2d", "asarray_view"}


def written_in_place(body):
    return {s.target.name for s in walk(body) if isinstance(s, Assign) and s.op == "setitem"
            and s.args[0] == s.target}


def copy_views(fn):
    """Step 1: views of arrays that are written in place become copies."""
    written = written_in_place(fn.body)
    if not written:
        return fn

    def block(stmts):
        out = []
        for s in stmts:
            if blocks(s):
                from ..ir.walk import map_blocks
                s = map_blocks(s, block)
            elif isinstance(s, Assign) and s.op in VIEWS and is_array(s.target.type) and \
                    isinstance(s.args[0], Var) and s.args[0].name in written:
                if s.op == "getitem":
                    s = replace(s, op="getitem_copy")
                else:
                    out.append(s)
                    s = Assign(s.target, "copy_array", (s.target,), s.loc)
            out.append(s)
        return tuple(out)
    return replace(fn, body=block(fn.body))


def check_writes(fn):
    """Step 2: reject writes to arguments and to arrays shared with live variables."""
    if not written_in_place(fn.body):
        return
    state = {p.name: {("param", p.name)} for p in fn.params if is_array(p.type)}
    # values the reverse sweep may read count as in use for the whole function
    reverse_reads = {v.name for s in walk(fn.body) if isinstance(s, Assign)
                     and is_differentiable(s.target.type) for v in atoms_read(s)}
    _block(fn, fn.body, state, reverse_reads)


def _block(fn, stmts, state, after):
    for s, live in zip(stmts, _live_after_each(stmts, after)):
        state = _stmt(fn, s, state, live)
    return state


def _live_after_each(stmts, after):
    """``live_before(stmts[i + 1:], after) | after`` for each i, in one backward pass."""
    out, live = [None] * len(stmts), set(after)
    for i in range(len(stmts) - 1, -1, -1):
        out[i] = live | after
        live = live_step(stmts[i], live)
    return out


def _stmt(fn, s, state, live):
    if isinstance(s, Assign):
        t = s.target.name
        if s.op == "setitem" and s.args[0] == s.target:
            objs = state.get(t, set())
            params = sorted(o[1] for o in objs if o[0] == "param")
            if params:
                raise UnsupportedError.at(s.loc, f"cannot differentiate an in-place write to "
                                          f"the argument '{params[0]}' (copy it first: "
                                          f"{t} = {t}.copy())", "mutation of an argument")
            for other, o in state.items():
                if other != t and o & objs and other in live:
                    raise UnsupportedError.at(s.loc, f"cannot differentiate an in-place write "
                                              f"to '{t}' while '{other}' shares its memory "
                                              "(copy one of them first)", "aliased write")
            return state
        if not is_array(s.target.type):
            return {k: v for k, v in state.items() if k != t}
        new = dict(state)
        if s.op == "copy" and isinstance(s.args[0], Var):
            new[t] = set(state.get(s.args[0].name, set()))
        else:
            site = ("site", id(s))
            new = {k: {("old", id(s)) if o == site else o for o in v} for k, v in new.items()}
            new[t] = {site}
        return new
    if isinstance(s, If):
        a = _block(fn, s.body, state, live)
        b = _block(fn, s.orelse, state, live)
        return {k: a.get(k, set()) | b.get(k, set()) for k in set(a) | set(b)}
    if isinstance(s, (For, While)):
        head = state
        for _ in range(4):
            end = _block(fn, s.body, head, live | live_before_stmt(s, live))
            new = {k: head.get(k, set()) | end.get(k, set()) for k in set(head) | set(end)}
            if new == head:
                break
            head = new
        return head
    return state


__all__ = ["copy_views", "check_writes", "atoms_read"]
