"""NumPy functions that arrange arrays (``np.meshgrid``, joins of an array's rows or of a
list made at run time, ``np.pad``, ``np.trace`` with an offset, ``np.fft.fftshift``,
``np.median``, ``np.nan_to_num``) as
expansions (``rules/expansions.py``) over primitives that have rules.

Invariants: as in ``numpy_expansions``, the signatures are NumPy's (a keyword not written
here is rejected at the user's line), and an argument value an expansion does not support
(``np.pad(mode="mean")``) is refused while typing (``numpy_nondiff.rejected``), naming the
user's line, never computed some other way.  Flags an expansion branches on are its
parameters, never locals: a local is a run-time value, and its branches would not fold.
"""
import numpy as np

from . import numpy_nondiff as ND
from .expansions import expands
from .numpy_core import pad_zeros


@expands(np.meshgrid)
def meshgrid(*xi, copy=True, sparse=False, indexing="xy"):
    """Coordinate arrays, one per input (raveled, as NumPy does); with ``indexing="xy"``
    the first two axes of the grid are swapped.  Each is its input broadcast and copied
    (``copy=True``; ``copy=False`` promises less, so a copy is right there too)."""
    return _grid(indexing == "xy" and len(xi) > 1, sparse, *xi)


@expands()
def _grid(swap, sparse, *xi):
    sizes = tuple(np.size(x) for x in xi)
    sizes = (sizes[1], sizes[0]) + sizes[2:] if swap else sizes
    vs = tuple(np.reshape(x, tuple(-1 if j == (1 - k if swap and k < 2 else k) else 1
                                   for j, _ in enumerate(xi)))
               for k, x in enumerate(xi))
    if sparse:
        return vs
    return tuple(np.copy(np.broadcast_to(v, sizes)) for v in vs)


# -- joining the rows of one array or run-time list (``np.vstack(x)``, ``np.hstack([f(r)
# for r in X])``): NumPy iterates the first axis; ``np.stack`` makes that axis, then the
# joins are reshapes of it.  (A tuple or list literal is joined item by item, frontend/arrays.py.)
@expands()
def _merge_next(w, a):
    """``w`` (of 2 to 4 axes) with axes ``a`` and ``a + 1`` made one, ``a`` counted as an
    index (negative: from the end)."""
    k = a % np.ndim(w)
    if np.ndim(w) == 2:
        return np.ravel(w)
    if np.ndim(w) == 3:
        p, q, r = np.shape(w)
        if k == 0:
            return np.reshape(w, (p * q, r))
        return np.reshape(w, (p, q * r))
    if np.ndim(w) == 4:
        p, q, r, s = np.shape(w)
        if k == 0:
            return np.reshape(w, (p * q, r, s))
        if k == 1:
            return np.reshape(w, (p, q * r, s))
        return np.reshape(w, (p, q, r * s))
    raise ValueError("pullback: joining the rows of an array of more than 4 axes")


@expands()
def concatenate_rows(x, axis=0):
    u = np.stack(x)
    if axis is None:
        return np.ravel(u)
    return _merge_next(np.moveaxis(u, 0, axis if axis >= 0 else axis - 1),
                       axis if axis >= 0 else axis - 1)


@expands()
def vstack_rows(tup):
    u = np.stack(tup)
    if np.ndim(u) == 1:
        return np.reshape(u, (-1, 1))
    if np.ndim(u) == 2:
        return u
    return _merge_next(u, 0)


@expands()
def hstack_rows(tup):
    u = np.stack(tup)
    if np.ndim(u) == 1:
        return u
    if np.ndim(u) == 2:
        return np.ravel(u)
    return _merge_next(np.moveaxis(u, 0, 1), 1)


@expands(np.row_stack)
def row_stack(tup):
    return np.vstack(tup)


@expands(np.trace)
def trace(a, offset=0, axis1=0, axis2=1):
    """The sum of a diagonal (a matrix's main one: the trace primitive, as ``a.trace()``)."""
    if offset == 0 and axis1 == 0 and axis2 == 1 and np.ndim(a) == 2:
        return a.trace()
    return np.sum(np.diagonal(a, offset, axis1, axis2), axis=-1)


@expands(np.pad)
def pad(array, pad_width, mode="constant", constant_values=None, reflect_type="even"):
    """``mode="constant"`` with one constant value (which may be differentiated): the pad
    primitive fills zeros, so the array less the value is padded and the value added.
    'edge', 'reflect', 'symmetric' and 'wrap' gather the array's own elements (np.take
    of indices known when compiling), one axis after another, as NumPy pads."""
    if mode == "edge" or mode == "reflect" or mode == "symmetric" or mode == "wrap":
        if constant_values is not None:
            return ND.rejected("np.pad with constant_values in a mode other than 'constant'")
        if reflect_type != "even":
            return ND.rejected("np.pad with reflect_type='odd'")
        return _pad_gathered(array, pad_width, mode)
    if mode != "constant":
        return ND.rejected("np.pad in a mode other than constant, edge, reflect, symmetric "
                           "or wrap")
    if reflect_type != "even":
        return ND.rejected("np.pad with reflect_type in mode 'constant'")
    if isinstance(constant_values, tuple):
        return ND.rejected("np.pad with constant_values per axis (one value only)")
    if constant_values is None:         # (NumPy's default, 0)
        return pad_zeros(array, pad_width)
    return pad_zeros(array - constant_values, pad_width) + constant_values


@expands()
def _width(w, ax):
    """(before, after) of axis ``ax`` from NumPy's forms of ``pad_width``."""
    if isinstance(w, int):
        return (w, w)
    if len(w) == 1:
        return _width(w[0], ax)         # (w,) or ((before, after),): every axis
    if isinstance(w[0], int):
        return (w[0], w[1])
    if ax < len(w):         # (lowered for every axis count _pad_gathered has, taken or not)
        return _width(w[ax], ax)
    return ND.rejected("np.pad with fewer pairs of widths than the array has axes")


@expands()
def _source_index(i, n, mode):
    """The element of an axis of length ``n`` that position ``i`` (-before .. n + after)
    of the padded axis copies: reflections are periodic, as NumPy's repeated ones."""
    if mode == "edge" or (mode == "reflect" and n == 1):
        return np.clip(i, 0, n - 1)
    if mode == "wrap":
        return i % n
    if mode == "reflect":
        k = i % (2 * n - 2)
        return np.where(k < n, k, 2 * n - 2 - k)
    k = i % (2 * n)
    return np.where(k < n, k, 2 * n - 1 - k)


@expands()
def _pad_axis(x, pad_width, mode, ax):
    n = np.shape(x)[ax]
    before, after = _width(pad_width, ax)
    return np.take(x, _source_index(np.arange(-before, n + after), n, mode), axis=ax)


@expands()
def _pad_gathered(x, pad_width, mode):
    if np.ndim(x) == 1:
        return _pad_axis(x, pad_width, mode, 0)
    if np.ndim(x) == 2:
        return _pad_axis(_pad_axis(x, pad_width, mode, 0), pad_width, mode, 1)
    if np.ndim(x) == 3:
        return _pad_axis(_pad_axis(_pad_axis(x, pad_width, mode, 0), pad_width, mode, 1),
                         pad_width, mode, 2)
    return ND.rejected("np.pad in mode edge, reflect, symmetric or wrap of an array of more "
                       "than 3 axes")


@expands()
def _shifted(x, axes, half):
    """``x`` rolled by ``half(n)`` along each axis of ``axes`` (None: every axis, of up to
    3; an int: one)."""
    if axes is None:
        if np.ndim(x) == 1:
            return np.roll(x, half(np.shape(x)[0]), 0)
        if np.ndim(x) == 2:
            p, q = np.shape(x)
            return np.roll(np.roll(x, half(p), 0), half(q), 1)
        if np.ndim(x) == 3:
            p, q, r = np.shape(x)
            return np.roll(np.roll(np.roll(x, half(p), 0), half(q), 1), half(r), 2)
        return ND.rejected("np.fft.fftshift of an array of more than 3 axes (give axes=)")
    if isinstance(axes, int):
        return np.roll(x, half(np.shape(x)[axes]), axes)
    return ND.rejected("np.fft.fftshift with a tuple of axes (shift one axis at a time)")


@expands()
def _half_up(n):
    return n // 2


@expands()
def _half_down(n):
    return -(n // 2)


@expands(np.fft.fftshift)
def fftshift(x, axes=None):
    return _shifted(x, axes, _half_up)


@expands(np.fft.ifftshift)
def ifftshift(x, axes=None):
    return _shifted(x, axes, _half_down)


@expands(np.real_if_close)
def real_if_close(a, tol=100):
    """Of a real array: the array.  Of a complex one the type of the result would depend
    on its values, so it is refused."""
    if np.iscomplexobj(a):
        return ND.rejected("np.real_if_close of a complex array (its result's type depends "
                           "on the values: write np.real)")
    return a


@expands(np.median)
def median(a, axis=None):
    """The middle of the sorted values (the mean of the two middle ones of an even count);
    the derivative goes to those elements, as through np.sort.  A slice holding NaN gives
    NaN, as NumPy (np.sort puts NaN last; np.quantile's check)."""
    if axis is None:
        return median(np.ravel(a), -1)
    u = np.sort(np.moveaxis(a, axis, -1), axis=-1)
    n = np.shape(u)[-1]
    if n % 2 == 1:
        middle = u[..., n // 2]
    else:
        middle = 0.5 * (u[..., n // 2 - 1] + u[..., n // 2])
    return np.where(np.isnan(u[..., -1]), u[..., -1], middle)


@expands(np.nan_to_num)
def nan_to_num(x, copy=True, nan=0.0, posinf=None, neginf=None):
    """NaN and infinities replaced (by the largest finite values of x's dtype unless
    given: float32's for float32); the derivative is 1 at the finite values, 0 at the
    replaced ones."""
    hi = ND.largest_finite(x) if posinf is None else posinf
    lo = -ND.largest_finite(x) if neginf is None else neginf
    return np.where(np.isnan(x), nan, np.where(np.logical_and(np.isinf(x), x > 0), hi,
                                              np.where(np.isinf(x), lo, x)))
