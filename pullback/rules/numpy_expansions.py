"""NumPy functions that are Python in NumPy itself (``np.cross``, ``np.kron``, ...)
as expansions (``rules/expansions.py``) over primitives that have rules.

Invariants: the signatures are NumPy's, so keywords bind as in NumPy and a keyword
not written here is rejected at the user's line; a branch on ``np.ndim`` of an
argument folds once the argument is typed (the side not taken may not type, and is
dropped); values equal NumPy's for real arguments (``np.real``, ``np.conj`` of a
real array are the array; a complex one takes the complex primitive, rules/complex.py).
"""
import numpy as np

from . import complex_helpers as CR
from . import linalg_helpers as LH
from .numpy_arrangement import hstack_rows
from .expansions import expands


@expands(np.cross)
def cross(a, b, axisa=-1, axisb=-1, axisc=-1, axis=None):
    """Of 2- and 3-vectors along ``axisa``/``axisb`` (``axis`` sets all three),
    broadcast, as NumPy: a 2-vector's z is 0, and two 2-vectors give the z component
    alone (NumPy 2 deprecates that case but still computes it)."""
    if axis is not None:
        return cross(a, b, axis, axis, axis)
    u = np.moveaxis(a, axisa, -1)
    v = np.moveaxis(b, axisb, -1)
    if np.shape(u)[-1] != 2 and np.shape(u)[-1] != 3:
        raise ValueError("incompatible dimensions for cross product (dimension must be 2 or 3)")
    if np.shape(v)[-1] != 2 and np.shape(v)[-1] != 3:
        raise ValueError("incompatible dimensions for cross product (dimension must be 2 or 3)")
    if np.shape(u)[-1] == 2 and np.shape(v)[-1] == 2:
        return u[..., 0] * v[..., 1] - u[..., 1] * v[..., 0]
    if np.shape(u)[-1] == 2:
        c = np.stack([u[..., 1] * v[..., 2], -u[..., 0] * v[..., 2],
                      u[..., 0] * v[..., 1] - u[..., 1] * v[..., 0]], axis=-1)
        return np.moveaxis(c, -1, axisc)
    if np.shape(v)[-1] == 2:
        c = np.stack([-u[..., 2] * v[..., 1], u[..., 2] * v[..., 0],
                      u[..., 0] * v[..., 1] - u[..., 1] * v[..., 0]], axis=-1)
        return np.moveaxis(c, -1, axisc)
    c = np.stack([u[..., 1] * v[..., 2] - u[..., 2] * v[..., 1],
                  u[..., 2] * v[..., 0] - u[..., 0] * v[..., 2],
                  u[..., 0] * v[..., 1] - u[..., 1] * v[..., 0]], axis=-1)
    return np.moveaxis(c, -1, axisc)


@expands()
def _leading_ones(x, nd):
    """``x`` (of 1 to 3 axes) with axes of length 1 in front, to ``nd`` axes."""
    if np.ndim(x) == 1:
        if nd == 2:
            return x[None, :]
        if nd == 3:
            return x[None, None, :]
    if np.ndim(x) == 2:
        if nd == 3:
            return x[None, :, :]
    return x


@expands(np.kron)
def kron(a, b):
    """Of numbers and arrays of up to 3 axes: as NumPy, the one with fewer axes gets
    leading axes of length 1; block (i, j, ...) of the result is a[i, j, ...] * b."""
    if np.ndim(a) == 0:
        return a * b
    if np.ndim(b) == 0:
        return a * b
    if np.ndim(a) > 3:
        raise ValueError("pullback: np.kron of arrays of more than 3 axes")
    if np.ndim(b) > 3:
        raise ValueError("pullback: np.kron of arrays of more than 3 axes")
    u = _leading_ones(a, np.ndim(b))
    v = _leading_ones(b, np.ndim(a))
    if np.ndim(u) == 1:
        return np.ravel(u[:, None] * v[None, :])
    if np.ndim(u) == 2:
        m, n = np.shape(u)
        p, q = np.shape(v)
        return np.reshape(u[:, None, :, None] * v[None, :, None, :], (m * p, n * q))
    m, n, k = np.shape(u)
    p, q, r = np.shape(v)
    return np.reshape(u[:, None, :, None, :, None] * v[None, :, None, :, None, :],
                      (m * p, n * q, k * r))


@expands(np.atleast_1d)
def atleast_1d(x):
    if np.ndim(x) == 0:
        return np.reshape(x, (1,))
    return x


@expands(np.atleast_3d)
def atleast_3d(x):
    if np.ndim(x) == 0:
        return np.reshape(x, (1, 1, 1))
    if np.ndim(x) == 1:
        return x[None, :, None]
    if np.ndim(x) == 2:
        return x[:, :, None]
    return x


@expands(np.column_stack)
def column_stack(tup):
    if isinstance(tup, (tuple, list)):
        return np.concatenate([x[:, None] if np.ndim(x) == 1 else x for x in tup], axis=1)
    u = np.stack(tup)       # the rows of an array (or of a list made at run time)
    if np.ndim(u) == 1:
        return np.reshape(u, (1, -1))
    if np.ndim(u) == 2:
        return np.transpose(u)
    return hstack_rows(u)


@expands(np.rollaxis)
def rollaxis(a, axis, start=0):
    n = np.ndim(a)
    axis = axis % n
    start = start + n if start < 0 else start
    return np.moveaxis(a, axis, start - 1 if start > axis else start)


@expands(np.real)
def real(x):
    if np.iscomplexobj(x):
        return CR.creal(x)
    return x


@expands(np.conj)
def conj(x):
    if np.iscomplexobj(x):
        return CR.cconj(x)
    return x


@expands(np.imag)
def imag(x):
    if np.iscomplexobj(x):
        return CR.cimag(x)
    return np.zeros_like(x)


@expands(np.angle)
def angle(x, deg=False):
    if np.iscomplexobj(x):
        return CR.cangle(x) * (57.29577951308232 if deg else 1.0)
    return np.where(x < 0, 180.0 if deg else np.pi, 0.0)


@expands(np.trapezoid)
def trapezoid(y, x=None, dx=1.0, axis=-1):
    u = np.moveaxis(y, axis, -1)
    if x is None:
        return dx * np.sum(0.5 * (u[..., 1:] + u[..., :-1]), axis=-1)
    d = np.diff(np.moveaxis(x, axis, -1) if np.ndim(x) > 1 else x)
    return np.sum(d * 0.5 * (u[..., 1:] + u[..., :-1]), axis=-1)


@expands(np.average)
def average(a, axis=None, weights=None):
    if weights is None:
        return np.mean(a, axis)
    if axis is not None and np.ndim(weights) == 1 and np.ndim(a) > 1:
        return np.sum(np.moveaxis(a, axis, -1) * weights, -1) / np.sum(weights)
    return np.sum(a * weights, axis) / np.sum(weights * np.ones_like(a), axis)


@expands(np.ptp)
def ptp(a, axis=None, keepdims=False):
    return np.max(a, axis, keepdims=keepdims) - np.min(a, axis, keepdims=keepdims)


@expands(np.append)
def append(arr, values, axis=None):
    if axis is None:
        return np.concatenate([np.ravel(arr), np.ravel(values)])
    return np.concatenate([arr, values], axis=axis)


@expands(np.fliplr)
def fliplr(m):
    return np.flip(m, 1)


@expands(np.flipud)
def flipud(m):
    return np.flip(m, 0)


@expands(np.dstack)
def dstack(tup):
    return np.concatenate([atleast_3d(x) for x in tup], axis=2)


@expands(np.vsplit)
def vsplit(ary, indices_or_sections):
    return np.split(ary, indices_or_sections, 0)


@expands(np.dsplit)
def dsplit(ary, indices_or_sections):
    return np.split(ary, indices_or_sections, 2)


@expands(np.hsplit)
def hsplit(ary, indices_or_sections):
    if np.ndim(ary) > 1:
        return np.split(ary, indices_or_sections, 1)
    return np.split(ary, indices_or_sections, 0)


@expands(np.linalg.multi_dot)
def multi_dot(arrays):
    out = arrays[0]
    for m in arrays[1:]:
        out = out @ m
    return out


@expands(np.linalg.matrix_power)
def matrix_power(a, n):
    """``n`` a constant integer (negative: powers of the inverse)."""
    m = np.linalg.inv(a) if n < 0 else a
    out = np.eye(np.shape(a)[-1]) + 0.0 * a
    for _ in range(abs(n)):
        out = out @ m
    return out


@expands(np.linalg.lstsq)
def lstsq(a, b, rcond=None):
    """(x, residuals, rank, singular values), as NumPy: x = pinv(a) b (the minimum-norm
    solution); the residuals, rank and singular values are NumPy's own values."""
    return (np.linalg.pinv(a) @ b, LH.lstsq_residuals(a, b), np.linalg.matrix_rank(a),
            LH.svd_s(a))


@expands(np.partition)
def partition(a, kth, axis=-1):
    """The values np.partition gives: the gather argpartition picks (the same selection
    algorithm, so the same order everywhere, not only at ``kth``)."""
    if axis is None:
        return partition(np.ravel(a), kth, -1)
    return np.take_along_axis(a, np.argpartition(a, kth, axis), axis)


@expands()
def _gradient_last(u, h, edge_order):
    """np.gradient along the last axis: second-order central differences inside, one-sided
    ones of ``edge_order`` at the ends; ``h`` a constant spacing or the coordinates."""
    if np.ndim(h) == 0:
        inner = (u[..., 2:] - u[..., :-2]) / (2.0 * h)
        if edge_order == 1:
            first = (u[..., 1:2] - u[..., :1]) / h
            last = (u[..., -1:] - u[..., -2:-1]) / h
        else:
            first = (-1.5 * u[..., :1] + 2.0 * u[..., 1:2] - 0.5 * u[..., 2:3]) / h
            last = (0.5 * u[..., -3:-2] - 2.0 * u[..., -2:-1] + 1.5 * u[..., -1:]) / h
    else:       # coordinates: the three-point formula of uneven steps h1, h2
        d = np.diff(h)
        h1 = d[:-1]
        h2 = d[1:]
        inner = (-h2 / (h1 * (h1 + h2)) * u[..., :-2] + (h2 - h1) / (h1 * h2) * u[..., 1:-1]
                 + h1 / (h2 * (h1 + h2)) * u[..., 2:])
        if edge_order == 1:
            first = (u[..., 1:2] - u[..., :1]) / d[0]
            last = (u[..., -1:] - u[..., -2:-1]) / d[-1]
        else:   # the one-sided three-point formulas of NumPy's uneven edges
            a, b = d[0], d[1]
            first = (-(2.0 * a + b) / (a * (a + b)) * u[..., :1] + (a + b) / (a * b) * u[..., 1:2]
                     - a / (b * (a + b)) * u[..., 2:3])
            a, b = d[-2], d[-1]
            last = (b / (a * (a + b)) * u[..., -3:-2] - (a + b) / (a * b) * u[..., -2:-1]
                    + (2.0 * b + a) / (b * (a + b)) * u[..., -1:])
    return np.concatenate([first, inner, last], axis=-1)


@expands()
def _gradient_axis(f, h, axis, edge_order):
    return np.moveaxis(_gradient_last(np.moveaxis(f, axis, -1), h, edge_order), -1, axis)


@expands(np.gradient)
def gradient(f, *varargs, axis=None, edge_order=1):
    """Uniform spacings (scalars) or coordinates (1-d arrays), one per axis or one for
    all; over several axes a sequence of arrays, as NumPy returns."""
    if edge_order != 1 and edge_order != 2:
        raise ValueError("'edge_order' greater than 2 not supported")
    one = varargs[0] if len(varargs) == 1 else 1.0
    if isinstance(axis, tuple) and len(varargs) > 1:
        return [_gradient_axis(f, h, axis[k], edge_order) for k, h in enumerate(varargs)]
    if isinstance(axis, tuple):
        return [_gradient_axis(f, one, ax, edge_order) for ax in axis]
    if axis is not None:
        return _gradient_axis(f, one, axis, edge_order)
    if np.ndim(f) == 1:
        return _gradient_axis(f, one, 0, edge_order)
    if len(varargs) > 1:
        return [_gradient_axis(f, h, k, edge_order) for k, h in enumerate(varargs)]
    return [_gradient_axis(f, one, ax, edge_order) for ax in range(np.ndim(f))]


@expands(np.polyval)
def polyval(p, x):
    """Horner's scheme over the coefficients, highest power first, as NumPy."""
    p = np.asarray(p)
    y = np.zeros_like(x)
    for i in range(np.shape(p)[0]):
        y = y * x + p[i]
    return y


# np.float32(x), np.float16(x), np.float64(x): a cast, as x.astype; the value is NumPy's
# (rounded to the dtype) and so is its type, a strong NumPy number (NEP 50: x32 *
# np.float64(0.1) is float64, where x32 * 0.1 is float32); the derivative flows through
@expands(np.float32)
def float32(x):
    return x.astype(np.float32)


@expands(np.float16)
def float16(x):
    return x.astype(np.float16)


@expands(np.float64)
def float64(x):
    return x.astype(np.float64)
