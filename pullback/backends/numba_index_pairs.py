"""``x[I, J]`` with a tuple of integer arrays, one position per element, on Numba.

Nopython mode indexes with one integer array, so a cross-entropy's
``logp[np.arange(n), labels]`` did not compile.  When every part of a run-time index
tuple is a one-dimensional integer array of one static length ``n`` (pairs, triples of
positions on the first axes), the read is a gather and its derivative the scatter that
adds a repeated position's cotangents, each a generated loop::

    t3 = (np.arange(4), ys)     Z[t3]                ->  _gather_4x3_k2_n4(Z, t3)
                                getitem_vjp(g, Z, t3) ->  _scatter_4x3_k2_n4(g, t3)

A position out of range raises IndexError, as NumPy does (Numba does not check).

Invariant: only an index whose parts are all such arrays (a ``Var`` of ``IndexT``, or a
constant tuple of global arrays, whose values the Numba guards compare); a write through
it and any other mix (arrays with slices, arrays of two lengths) stay rejected.
"""
import numpy as np

from ..ir import Const, Extern, Var
from ..ir.types import Array, IndexT


def pair_length(idx):
    """``n`` when ``idx`` is a tuple of two or more integer arrays, each of static shape
    ``(n,)``: made at run time, or global arrays read by name; else None."""
    t = getattr(idx, "type", None)
    if isinstance(idx, Var) and isinstance(t, IndexT):
        parts = t.parts
    elif isinstance(idx, Const) and type(idx.value) is tuple and all(
            isinstance(q, Extern) and isinstance(q.obj, np.ndarray) for q in idx.value):
        parts = [Array(q.obj.dtype.name, q.obj.shape) for q in idx.value]
    else:
        return None
    if len(parts) < 2 or not all(
            isinstance(q, Array) and q.dtype.startswith(("int", "uint")) and q.shape is
            not None and len(q.shape) == 1 and q.shape[0] is not None for q in parts):
        return None
    lengths = {q.shape[0] for q in parts}
    return lengths.pop() if len(lengths) == 1 else None


def pair_parts(idx):
    """How many arrays the index ``pair_length`` accepted holds."""
    return len(idx.value) if isinstance(idx, Const) else len(idx.type.parts)


def pair_fn(p, op, shape, k, n, tag, tup):
    """The generated ``_gather`` (``op`` getitem) or ``_scatter`` (getitem_vjp) over an
    array of ``shape`` through ``k`` index arrays of length ``n``."""
    kind = "scatter" if op == "getitem_vjp" else "gather"
    name = f"_{kind}_{tag(shape)}_k{k}_n{n}"
    at = ", ".join(f"idx[{j}][q]" for j in range(k))
    checks = "\n".join(
        f"        if idx[{j}][q] < -{shape[j]} or idx[{j}][q] >= {shape[j]}:\n"
        f"            raise IndexError('index out of bounds')" for j in range(k))
    if kind == "gather":
        body = f'''
def {name}(x, idx):
    out = np.empty({tup((n,) + tuple(shape[k:]))})
    for q in range({n}):
{checks}
        out[q] = x[{at}]
    return out'''
    else:
        body = f'''
def {name}(g, idx):
    z = np.zeros({tup(tuple(shape))})
    for q in range({n}):
{checks}
        z[{at}] += g[q]
    return z'''
    p.generated.setdefault(name, body)
    return name
