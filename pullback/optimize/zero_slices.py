"""Zero slices in place: the adjoint of an in-place write clears the slice of its buffer.

The reverse of ``u[1:-1] = v`` reads ``u_bar[1:-1]`` (v's adjoint) and makes a new
``u_bar`` with that slice zeroed: a copy by ``setitem``, then another where the new value
is given back its name (``copy_array``: the loop's ``u_bar`` is written in place below):

    t6 = setitem(u_bar, 1:-1, 0.0)              t7 = getitem_copy(u_bar, 1:-1)
    t7 = getitem(u_bar, 1:-1)          ->       u_bar = setitem(u_bar, 1:-1, 0.0)
    u_bar = copy_array(t6)

which the Python backend prints as ``t7 = np.array(u_bar[1:-1])`` and ``u_bar[1:-1] = 0.0``
(one copy of the slice instead of two of the whole array).

Executed:

    >>> from pullback.ir import Assign, Const, Function, Return, Var
    >>> from pullback.ir.printer import format_function
    >>> from pullback.ir.types import Array
    >>> A, S = Array("float64", (4,)), Array("float64", (2,))
    >>> b, x, t6, t7, t8 = Var("b", A), Var("x", A), Var("t6", A), Var("t7", S), Var("t8", S)
    >>> idx = Const(slice(1, -1))
    >>> fn = Function("f", (x,), (Assign(b, "exp", (x,)),
    ...     Assign(t6, "setitem", (b, idx, Const(0.0))), Assign(t7, "getitem", (b, idx)),
    ...     Assign(b, "copy_array", (t6,)), Assign(t8, "mul", (t7, t7)), Return((b, t8))))
    >>> print(format_function(zero_slices_in_place(fn)))
    def f(x):
      b = exp(x)
      t7 = getitem_copy(b, slice(1, -1, None))
      b = setitem(b, slice(1, -1, None), 0.0)
      t8 = mul(t7, t7)
      return b, t8

Invariants
- ``t = setitem(b, idx, c)`` (``c`` a constant) and a later ``b = copy_array(t)`` (or
  ``copy``) of the same block become one in-place ``b = setitem(b, idx, c)`` where the
  copy was, only when ``t`` is read there alone, ``b`` owns its buffer before the write
  (``inplace_adjoints.owned_before``: made by an operation returning a new array, no
  share of it taken since), and every statement between is an assignment that neither
  writes ``b``, ``t`` nor the index, and reads ``b`` only by copying it: an operation with
  a new result (``inplace_adjoints._COPYING_READS``) or a slice, which becomes a copy
  (``getitem_copy``), so it keeps the values from before the write.  The Python backend
  prints such a copy as a view where every read of it precedes the write
  (``backends/python_views.py``).
- Only generated statements (no source position) change; it runs before
  ``accumulate_in_place``, which then sees ``b`` keep its buffer through the write.
"""
from dataclasses import replace

from ..ir import Assign, Const, Var, derived
from ..ir.walk import atoms_read, blocks, map_blocks, walk
from .inplace_adjoints import COPYING_READS, owned_before


def zero_slices_in_place(fn):
    if not any(type(s) is Assign and s.op == "setitem" and s.target != s.args[0]
               for s in walk(fn.body)):
        return fn
    reads = {}
    for s in walk(fn.body):
        for v in atoms_read(s):
            reads[v.name] = reads.get(v.name, 0) + 1
    owned = owned_before(fn)
    return replace(fn, body=_block(fn.body, reads, owned))


def _block(stmts, reads, owned):
    out = list(map_blocks(s, lambda b: _block(b, reads, owned)) if blocks(s) else s
               for s in stmts)
    i = 0
    while i < len(out):
        j = _copy_back(out, i, reads, owned)
        if j is not None:
            s = out[i]
            for k in range(i + 1, j):
                x = out[k]
                if x.op == "getitem" and x.args[0] == s.args[0]:
                    out[k] = replace(x, op="getitem_copy")
            b = s.args[0]
            out[j] = Assign(b, "setitem", (b,) + s.args[1:], out[j].loc)
            del out[i]
            continue
        i += 1
    return tuple(out)


def _copy_back(out, i, reads, owned):
    """The position of ``b = copy_array(t)`` that ``out[i]`` (``t = setitem(b, idx, c)``)
    may become, or None."""
    s = out[i]
    if not (isinstance(s, Assign) and s.op == "setitem" and derived(s) and
            isinstance(s.args[0], Var) and s.args[0] != s.target and
            isinstance(s.args[2], Const) and reads.get(s.target.name) == 1 and
            s.args[0].name in owned.get(id(s), ())):
        return None
    b, t = s.args[0], s.target
    changing = {b.name, t.name} | {v.name for v in atoms_read(s)}
    for j in range(i + 1, len(out)):
        x = out[j]
        if not (isinstance(x, Assign) and derived(x)) or x.target.name in changing:
            return j if _is_copy_back(x, b, t) else None
        if b in x.args and not (x.op in COPYING_READS or
                                (x.op == "getitem" and x.args[0] == b and b not in x.args[1:])):
            return None
        if x.op in ("setitem", "inplace") or t in x.args:
            return None
    return None


def _is_copy_back(x, b, t):
    return isinstance(x, Assign) and x.target == b and x.op in ("copy_array", "copy") and \
        x.args == (t,)
