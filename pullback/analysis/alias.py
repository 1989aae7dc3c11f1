"""Aliasing of arrays written in place: make the IR's value semantics true.

The IR treats ``x = setitem(x, idx, v)`` as producing a new value; NumPy
mutates the object, which every alias of ``x`` sees.  This pass makes the two
agree or rejects the program:

1. views (``x[1:]``, ``x.T``, ``reshape``, ...) of an array that is written
   in place anywhere in the function become copies, so no view outlives a write;
2. a forward dataflow tracks which allocation each array variable may hold
   (parameters hold the caller's arrays; a view holds its base's); a write to
   an array that the caller passed in, or that another variable still in use
   shares, is rejected with an ``UnsupportedError`` naming the line.  A view
   that step 1 turns into a copy shares its base only as far as the forward
   computation sees: a write to either while the other is still read later
   is rejected (NumPy would show the write through the view), while reads of
   the reverse sweep, which get the copy, do not count.  The check runs on
   the views as written, before step 1.

    new = u.copy()          # fresh: writes are fine
    new[i] = ...
    r = new[1:3]            ->  r = np.array(new[1:3])     (a copy)
"""
from dataclasses import replace

from ..errors import UnsupportedError
from ..ir import Assign, For, If, Var, While
from ..ir.types import is_array, is_differentiable
from ..ir.walk import atoms_read, blocks, walk
from .liveness import live_before_stmt, live_step
from ..ir.walk import map_blocks

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
    written = written_in_place(fn.body)
    if not written:
        return
    state = {p.name: {("param", p.name)} for p in fn.params if is_array(p.type)}
    # values the reverse sweep may read count as in use for the whole function
    reverse_reads = {v.name for s in walk(fn.body) if isinstance(s, Assign)
                     and is_differentiable(s.target.type) for v in atoms_read(s)}
    _block((written, reverse_reads), fn.body, state, set())


def _block(ctx, stmts, state, after):
    for s, live in zip(stmts, _live_after_each(stmts, after)):
        state = _stmt(ctx, s, state, live)
    return state


def _real(objs):
    """Allocations without the marks of views that step 1 turns into copies."""
    return {o[1] if o[0] == "copied view" else o for o in objs}


def _shared(objs):
    """Allocations shared in the generated code too (copied views own theirs)."""
    return {o for o in objs if o[0] != "copied view"}


def _shared_in_use(t, objs, state, live, reverse_reads):
    """Another variable sharing ``t``'s memory that is still read: by the forward
    computation, or, when it really shares (not a view to be copied), by the reverse."""
    for other, o in state.items():
        if other == t:
            continue
        if _shared(o) & _shared(objs) and (other in live or other in reverse_reads):
            return other
        if _real(o) & _real(objs) and other in live:
            return other
    return None


def _live_after_each(stmts, after):
    """``live_before(stmts[i + 1:], after) | after`` for each i, in one backward pass."""
    out, live = [None] * len(stmts), set(after)
    for i in range(len(stmts) - 1, -1, -1):
        out[i] = live | after
        live = live_step(stmts[i], live)
    return out


def _stmt(ctx, s, state, live):
    written, reverse_reads = ctx
    if isinstance(s, Assign):
        t = s.target.name
        if s.op == "setitem" and s.args[0] == s.target:
            objs = state.get(t, set())
            params = sorted(o[1] for o in objs if o[0] == "param")
            if params:
                raise UnsupportedError.at(s.loc, f"cannot differentiate an in-place write to "
                                          f"the argument '{params[0]}' (copy it first: "
                                          f"{t} = {t}.copy())", "mutation of an argument")
            other = _shared_in_use(t, objs, state, live, reverse_reads)
            if other is not None:
                raise UnsupportedError.at(s.loc, f"cannot differentiate an in-place write "
                                          f"to '{t}' while '{other}' shares its memory "
                                          "(a view or the same array; copy one of them "
                                          "first)", "aliased write")
            return state
        if not is_array(s.target.type):
            return {k: v for k, v in state.items() if k != t}
        new = dict(state)
        base = s.args[0] if s.args and isinstance(s.args[0], Var) else None
        if s.op == "copy" and base is not None:
            new[t] = set(state.get(base.name, set()))
        elif s.op in VIEWS and base is not None and is_array(base.type):
            objs = state.get(base.name, set())
            new[t] = {("copied view", o) for o in _real(objs)} if base.name in written \
                else set(objs)
        else:
            site = ("site", id(s))
            old = ("old", id(s))
            new = {k: {old if o == site else ("copied view", old) if o == ("copied view", site)
                       else o for o in v} for k, v in new.items()}
            new[t] = {site}
        return new
    if isinstance(s, If):
        a = _block(ctx, s.body, state, live)
        b = _block(ctx, s.orelse, state, live)
        return {k: a.get(k, set()) | b.get(k, set()) for k in set(a) | set(b)}
    if isinstance(s, (For, While)):
        head = state
        for _ in range(4):
            end = _block(ctx, s.body, head, live | live_before_stmt(s, live))
            new = {k: head.get(k, set()) | end.get(k, set()) for k in set(head) | set(end)}
            if new == head:
                break
            head = new
        return head
    return state


__all__ = ["copy_views", "check_writes", "atoms_read"]
