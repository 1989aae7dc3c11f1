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

Executed:

    >>> from pullback.ir import Call, Const, For, Function, NewTape, Pop, Push, Return, Var
    >>> from pullback.ir.printer import format_function
    >>> x, y, x_bar, y_bar = (Var(v, "float") for v in ("x", "y", "x_bar", "y_bar"))
    >>> i, n = Var("i", "int"), Var("n", "int")
    >>> res, tape = Var("g_res", "residual"), Var("g_res_tape", "tape")
    >>> fn = Function("f_grad", (x, y_bar, n), (NewTape(tape),
    ...     For(i, Const(0), n, Const(1), (Push(tape, res), Call((y, res), "g_fwd", (x,)))),
    ...     For(i, Const(0), n, Const(1), (Call((x_bar,), "g_rev", (res, y_bar)),
    ...                                    Pop(res, tape)), reverse=True),
    ...     Return((x_bar,))))
    >>> print(format_function(push_residuals_late(fn)))
    def f_grad(x, y_bar, n):
      g_res_tape = tape
      for i in range(0, n, 1):
        y, g_res = call g_fwd(x)
        push g_res_tape g_res
      for i in reversed range(0, n, 1):
        g_res = pop g_res_tape
        x_bar = call g_rev(g_res, y_bar)
      return x_bar
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
