"""Index arrays and masks on the first axis for the Numba backend: ``x[I]`` with ``I`` a
constant list (``x[[0, 2]]``, ``x[[True, False, True]]``) or a global/closure array
folded into the module (``Extern``), as the Python backend prints them.

Numba's nopython mode indexes with one integer array, but the derivative needs more
than that: ``getitem_vjp`` scatters with ``+=`` element by element, so an index that
repeats sums its cotangents (NumPy's ``np.add.at``, not ``z[I] = g``, which would keep
one), and a copying ``setitem`` writes row by row, so a repeated index keeps its last
write, as NumPy does.  A mask becomes its positions first (``np.nonzero``), so both
loops see integer positions only.

The forward sweep's own ``x[I]`` (``getitem_text``) and ``x[I] = v`` in place
(``inplace_line``) go through the same positions: Numba reads with one int64 array
but not with a list literal, and does not write an array through a mask.

Invariant: the index is the whole index (one part, axis 0) and one-dimensional (a
constant list of ints or bools, a global array with ``ndim == 1``, which the guards keep
so); anything else stays rejected by ``numba_arrays.index_fn`` at the user's line.
"""
from dataclasses import replace

import numpy as np

from ..errors import UnsupportedError
from ..ir import Const, Extern
from .escape import literal_of


def rows_index(idx):
    """The list or global array that ``idx`` (an index atom) is, when it is the whole
    index and one-dimensional; else None.  The loops here take item ``k`` of it as one
    position: an item that is itself a row of positions (``I = [[0, 0], [1, 2]]``) would
    be a fancy write that keeps one of two repeats (a wrong gradient, audit issue 11)."""
    if isinstance(idx, Const) and isinstance(idx.value, Extern):
        return idx.value if np.ndim(idx.value.obj) == 1 else None
    if isinstance(idx, Const) and isinstance(idx.value, list) and all(
            isinstance(q, (int, bool, np.integer, np.bool_)) for q in idx.value):
        return idx.value
    return None


def without_ellipsis(s):
    """A read ``x[...]`` (``getitem`` or ``getitem_copy``) with its Ellipsis spelled as the
    full slices it stands for (``x[:]``): Numba has no lowering for a bare ``x[...]`` read
    (audit 33, ``a[...] = f(a)``, whose adjoint reads ``a_bar[...]``).  Other statements,
    and an index whose array has no static rank or no axes, are returned as they are."""
    if s.op not in ("getitem", "getitem_copy") or len(s.args) != 2:
        return s
    idx, shape = s.args[1], getattr(getattr(s.args[0], "type", None), "shape", None)
    parts = idx.value if isinstance(idx, Const) and isinstance(idx.value, tuple) else (
        (idx.value,) if isinstance(idx, Const) else ())
    if shape is None or sum(q is Ellipsis for q in parts) != 1:
        return s
    axes = len(shape) - sum(q is not None and q is not Ellipsis for q in parts)
    k = parts.index(Ellipsis)
    spelled = parts[:k] + (slice(None),) * axes + parts[k + 1:]
    if not spelled:
        return s
    return replace(s, args=(s.args[0], Const(spelled if len(spelled) != 1 else spelled[0])))


def getitem_text(x_text, idx):
    """``x[I]`` read (a copy, as NumPy's advanced indexing makes), or None."""
    value = rows_index(idx)
    return None if value is None else f"{x_text}[{positions(value)[0]}]"


def inplace_line(p, s, x_shape, v_shape, a, tag, tup):
    """``x[I] = v`` written in place (``s``: the setitem whose target is its array), or
    None for another index."""
    value = rows_index(s.args[1])
    if value is None:
        return None
    text, n = positions(value)
    name = advanced_fn(p, "setitem_inplace", x_shape, v_shape, n, tag, tup)
    return f"{name}({a(s.args[0])}, {text}, {a(s.args[2])})"


def positions(value):
    """``(text, n)``: an int64 array of the ``n`` positions ``value`` (a constant list, or
    a global array of ints or bools) selects on axis 0.  A global's values are known
    here: Numba's guards compare them on each call (docs/edges.md)."""
    if isinstance(value, Extern):
        name, obj = literal_of(value), np.asarray(value.obj)
        if obj.dtype == bool:
            return f"np.nonzero({name})[0]", int(np.count_nonzero(obj))
        return f"np.asarray({name}).astype(np.int64)", len(obj)
    items = list(value)
    if items and all(isinstance(q, (bool, np.bool_)) for q in items):
        items = [k for k, q in enumerate(items) if q]
    if not items:
        return "np.zeros(0, np.int64)", 0
    return f"np.array({[int(q) for q in items]!r}, np.int64)", len(items)


def advanced_fn(p, op, shape, vshape, n, tag, tup):
    """The generated function for ``op`` (``getitem_vjp(g, idx)`` or ``setitem(x, idx,
    v)``) over an array of ``shape`` through ``n`` positions; ``vshape``: the written
    value's shape (a number, or exactly one row per position: no other broadcast)."""
    if op == "getitem_vjp":
        name = f"_getitem_vjp_{tag(shape)}_rows"
        p.generated.setdefault(name, f'''
def {name}(g, idx):
    z = np.zeros({tup(shape)})
    for k in range(idx.shape[0]):
        z[idx[k]] += g[k]
    return z''')
        return name
    if vshape and tuple(vshape) != (n,) + tuple(shape[1:]):
        raise UnsupportedError("the numba backend writes through an index array a number "
                               "or one row per index (use backend='python')")
    item = "v[k]" if vshape else "v"
    inplace = op == "setitem_inplace"          # else a copy: the IR's setitem value
    name = f"_setitem_{tag(shape)}_rows_{'a' if vshape else 's'}{'_i' if inplace else ''}"
    p.generated.setdefault(name, f'''
def {name}(x, idx, v):
    z = {"x" if inplace else "x.astype(np.float64)"}
    for k in range(idx.shape[0]):
        z[idx[k]] = {item}
    return z''')
    return name
