"""A split pair's residual keeps only what its optimised reverse half reads.

``f_fwd`` packs every value ``f_rev`` might need into one residual tuple; once the
passes have run on ``f_rev``, some items are read no more (an adjoint folded to a
constant, a value recomputed).  Those leave the ``pack`` and the indices of the
``item`` reads that remain are renumbered; the pipeline then optimises ``f_fwd``,
which drops whatever only the dropped items needed:

    def f_rev(res, y_bar):                 def f_rev(res, y_bar):
      b = item(res, 1)                         b = item(res, 0)
      ...                             ->       ...
    def f_fwd(x):                          def f_fwd(x):
      res = pack(a, b)                         res = pack(b)

Executed:

    >>> from pullback.ir import Assign, Const, Function, Return, Var
    >>> from pullback.ir.printer import format_function
    >>> x, a, b, res = Var("x", "float"), Var("a", "float"), Var("b", "float"), Var("res", "residual")
    >>> fwd = Function("f_fwd", (x,), (Assign(a, "sin", (x,)), Assign(b, "cos", (x,)),
    ...     Assign(res, "pack", (a, b)), Return((a, res))))
    >>> y_bar, g = Var("y_bar", "float"), Var("x_bar", "float")
    >>> rev = Function("f_rev", (res, y_bar), (Assign(b, "item", (res, Const(1))),
    ...     Assign(g, "mul", (y_bar, b)), Return((g,))))
    >>> fwd, rev = prune_residual(fwd, rev)
    >>> print(format_function(fwd))
    def f_fwd(x):
      a = sin(x)
      b = cos(x)
      res = pack(b)
      return a, res
    >>> print(format_function(rev).split("\\n")[1])
      b = item(res, 0)

Invariant: ``rev`` is optimised already (what it reads is final); only top-level
``item`` reads of its residual parameter (its first) exist, as the reverse transform
writes them.
"""
from dataclasses import replace

from ..ir import Assign, Const


def prune_residual(fwd, rev):
    """``(fwd, rev)`` with the residual items ``rev`` no longer reads dropped."""
    res = rev.params[0]
    kept = [s for s in rev.body if isinstance(s, Assign) and s.op == "item" and s.args[0] == res]
    index = {s.args[1].value: k for k, s in enumerate(kept)}
    body = tuple(replace(s, args=(res, Const(index[s.args[1].value])))
                 if s in kept else s for s in rev.body)
    rev = replace(rev, body=body)
    fbody = list(fwd.body)
    pack = next(i for i, s in enumerate(fbody) if isinstance(s, Assign) and s.op == "pack")
    old = fbody[pack]
    fbody[pack] = replace(old, args=tuple(old.args[k] for k in sorted(index)))
    return replace(fwd, body=tuple(fbody)), rev


__all__ = ["prune_residual"]
