"""Residual tapes store the value a call returns, not the one it overwrites.

The reverse transform saves a variable's *old* value before an assignment
overwrites it.  For the residual of a callee's ``g_fwd`` inside a loop that
means saving a stale residual first (a placeholder ``0.0`` on the first
iteration), which a typed backend cannot store in a tape of tuples.  Saving
the *new* value right after the call, and restoring it right before the
``g_rev`` call that reads it, reads exactly the same residuals and needs no
placeholder:

    g_res = 0.0                               (removed: nothing reads it)
    for i in range(n):                        for i in range(n):
        g_res_tape.append(g_res)                  y, g_res = g_fwd(x)
        y, g_res = g_fwd(x)                       g_res_tape.append(g_res)
    ...                                       ...
    for i in reversed(range(n)):              for i in reversed(range(n)):
        x_bar += g_rev(g_res, y_bar)              g_res = g_res_tape.pop()
        g_res = g_res_tape.pop()                  x_bar += g_rev(g_res, y_bar)

The rule is local (a push moves after the next statement of its block that
assigns the residual; a pop moves before the previous one that reads it), so
a split ``f_fwd``/``f_rev`` pair, optimised one function at a time, still
agrees on the tape's contents.
"""
from dataclasses import replace

from ..ir import Pop, Push, Var
from ..ir.walk import atoms_read, map_blocks, vars_written


def push_residuals_late(fn):
    return replace(fn, body=_block(fn.body))


def _residual(v):
    return isinstance(v, Var) and v.type == "residual"


def _block(stmts):
    out = [map_blocks(s, _block) for s in stmts]
    i = 0
    while i < len(out):          # pushes: after the statement that assigns the residual
        s = out[i]
        if isinstance(s, Push) and _residual(s.value):
            j = next((k for k in range(i + 1, len(out))
                      if any(v.name == s.value.name for v in vars_written(out[k]))), None)
            if j is not None:
                out.insert(j, out.pop(i))
                i = j
        i += 1
    i = len(out) - 1
    while i >= 0:                # pops: before the statement that reads the residual
        s = out[i]
        if isinstance(s, Pop) and _residual(s.target):
            j = next((k for k in range(i - 1, -1, -1)
                      if any(v.name == s.target.name for v in atoms_read(out[k]))), None)
            if j is not None:
                out.insert(j, out.pop(i))
                i = j
        i -= 1
    return tuple(out)
