"""NumPy's statistics that are Python in NumPy itself (``np.cov``, ``np.corrcoef``,
``np.quantile`` and ``np.percentile``, the NaN-ignoring reductions, ``np.select``,
``np.vander``) as expansions (``rules/expansions.py``) over primitives that have rules.

Invariants: as in ``numpy_expansions``, the signatures are NumPy's, less the keywords not
supported (``dtype``, ``weights``, ``where``, ``fweights``): those are not parameters here,
so passing one is rejected at the user's line, and a value refused (a ``method`` other
than 'linear', an ``out``) is refused while typing (``numpy_nondiff.rejected``).  Values follow NumPy's own
arithmetic (its order of operations, to rounding).  Derivatives are JAX's: a quantile's
goes to the sorted elements it interpolates (as through ``np.sort``) and, at a ``q`` that
falls on an element, is 0 in ``q`` (the bracket is ``floor``/``ceil`` of the virtual index,
so it closes there); the NaN-ignoring reductions give NaN elements a derivative of 0.
"""
import numpy as np

from . import numpy_nondiff as ND
from .expansions import expands


# -- covariance and correlation ---------------------------------------------------------
@expands()
def _variables(x, rowvar):
    """``x`` as NumPy's cov reads it: rows are variables (a 1-d ``x`` is one variable)."""
    if np.ndim(x) == 1:
        return x[None, :]
    if not rowvar and np.shape(x)[0] != 1:
        return np.transpose(x)
    return x


@expands()
def _centred_cov(x, fact):
    xc = x - np.mean(x, axis=1, keepdims=True)
    c = np.matmul(xc, np.transpose(np.conj(xc))) * (1.0 / fact)
    if np.shape(c)[0] == 1:          # NumPy squeezes: one variable gives a number
        return c[0, 0]
    return c


@expands(np.cov)
def cov(m, y=None, rowvar=True, bias=False, ddof=None):
    """Of one or two arrays of up to 2 axes (``fweights``/``aweights`` are not taken)."""
    x = _variables(m, rowvar)
    n = np.shape(x)[1]
    fact = n - ((0 if bias else 1) if ddof is None else ddof)
    if y is None:
        return _centred_cov(x, fact)
    return _centred_cov(np.concatenate([x, _variables(y, rowvar)], axis=0), fact)


@expands(np.corrcoef)
def corrcoef(x, y=None, rowvar=True):
    c = cov(x, y, rowvar)
    if np.ndim(c) == 0:
        return c / c
    s = np.sqrt(np.diagonal(c))
    return np.clip(c / s[:, None] / s[None, :], -1.0, 1.0)


# -- quantiles (method 'linear') ------------------------------------------------------------
@expands()
def _interpolated(u, q, count):
    """Quantiles ``q`` of ``u`` sorted along axis 0, of ``count`` (a number, or one per
    slice) values each: NumPy's virtual index ``(count - 1) q``, its neighbours and its
    ``_lerp``; the result has ``q``'s axes in front."""
    qs = np.expand_dims(np.ravel(q), tuple(j + 1 for j in range(np.ndim(u) - 1)))  # (Q, 1..)
    vi = (count - 1) * qs
    lo = np.floor(vi)
    cells = np.zeros_like(u[:1], dtype=np.intp)         # (1, ...): the indices' shape
    below = np.take_along_axis(u, lo.astype(np.intp) + cells, axis=0)
    above = np.take_along_axis(u, np.ceil(vi).astype(np.intp) + cells, axis=0)
    t = vi - lo
    d = above - below
    r = np.where(t >= 0.5, above - d * (1.0 - t), below + d * t)
    if np.ndim(q) == 0:
        return r[0]
    if np.ndim(q) == 1:
        return r
    return ND.rejected("np.quantile with q of more than one axis")


@expands()
def _kept(r, a, q, axis, keepdims):
    """``r`` (``q``'s axes, then ``a``'s less ``axis``) with the reduced axes kept as 1s."""
    if not keepdims:
        return r
    if axis is None:
        return np.expand_dims(r, tuple(np.ndim(q) + j for j in range(np.ndim(a))))
    return np.expand_dims(r, np.ndim(q) + axis % np.ndim(a))


@expands()
def _sorted_values(a, axis):
    if isinstance(axis, tuple):
        return ND.rejected("np.quantile with a tuple of axes (one axis or None)")
    if axis is None:
        return np.sort(np.ravel(a))
    return np.sort(np.moveaxis(a, axis, 0), axis=0)


@expands()
def _linear_only(out, overwrite_input, method):
    if out is not None:
        return ND.rejected("np.quantile with out=")
    if method != "linear":
        return ND.rejected("np.quantile with a method other than 'linear'")
    if overwrite_input:
        return ND.rejected("np.quantile with overwrite_input=True")
    return 0


@expands(np.quantile)
def quantile(a, q, axis=None, out=None, overwrite_input=False, method="linear", keepdims=False):
    """As NumPy: a slice holding NaN gives NaN (its sort puts NaN last)."""
    _linear_only(out, overwrite_input, method)
    u = _sorted_values(a, axis)
    r = _interpolated(u, np.asarray(q), np.shape(u)[0])
    return _kept(np.where(np.isnan(u[-1]), u[-1], r), a, q, axis, keepdims)


@expands(np.percentile)
def percentile(a, q, axis=None, out=None, overwrite_input=False, method="linear", keepdims=False):
    return quantile(a, np.asarray(q) / 100, axis, out, overwrite_input, method, keepdims)


@expands(np.nanquantile)
def nanquantile(a, q, axis=None, out=None, overwrite_input=False, method="linear", keepdims=False):
    """NaN ignored: each slice's quantile of its other values (NaN where there are none)."""
    _linear_only(out, overwrite_input, method)
    u = _sorted_values(a, axis)
    r = _interpolated(u, np.asarray(q), np.sum(np.logical_not(np.isnan(u)), axis=0))
    return _kept(r, a, q, axis, keepdims)


@expands(np.nanpercentile)
def nanpercentile(a, q, axis=None, out=None, overwrite_input=False, method="linear", keepdims=False):
    return nanquantile(a, np.asarray(q) / 100, axis, out, overwrite_input, method, keepdims)


# -- reductions that ignore NaN (NaN elements get a derivative of 0) ------------------------
@expands(np.nansum)
def nansum(a, axis=None, *, keepdims=False):
    return np.sum(np.where(np.isnan(a), 0.0, a), axis, keepdims=keepdims)


@expands(np.nanprod)
def nanprod(a, axis=None, *, keepdims=False):
    return np.prod(np.where(np.isnan(a), 1.0, a), axis, keepdims=keepdims)


@expands()
def _count(a, axis, keepdims):
    return np.sum(np.where(np.isnan(a), 0.0, 1.0), axis, keepdims=keepdims)


@expands(np.nanmean)
def nanmean(a, axis=None, *, keepdims=False):
    return nansum(a, axis, keepdims=keepdims) / _count(a, axis, keepdims)


@expands(np.nanvar)
def nanvar(a, axis=None, *, ddof=0, keepdims=False):
    # zeroed before it is squared: 0 * (the square's derivative at NaN) would be NaN
    d = np.where(np.isnan(a), 0.0, a - nanmean(a, axis, keepdims=True))
    dof = _count(a, axis, keepdims) - ddof
    # NaN where ddof leaves no degrees of freedom, as NumPy; the divisor is made safe there
    # first, else the branch not taken would carry 0 / 0 into the derivative
    s = np.sum(d * d, axis, keepdims=keepdims)
    return np.where(dof > 0, s / np.where(dof > 0, dof, 1.0), np.nan)


@expands(np.nanstd)
def nanstd(a, axis=None, *, ddof=0, keepdims=False):
    return np.sqrt(nanvar(a, axis, ddof=ddof, keepdims=keepdims))


@expands(np.nanmax)
def nanmax(a, axis=None, *, keepdims=False):
    """NaN where a slice is all NaN, as NumPy (which also warns)."""
    r = np.max(np.where(np.isnan(a), -np.inf, a), axis, keepdims=keepdims)
    return np.where(_count(a, axis, keepdims) == 0, np.nan, r)


@expands(np.nanmin)
def nanmin(a, axis=None, *, keepdims=False):
    r = np.min(np.where(np.isnan(a), np.inf, a), axis, keepdims=keepdims)
    return np.where(_count(a, axis, keepdims) == 0, np.nan, r)


# -- choices and powers -------------------------------------------------------------------
@expands(np.select)
def select(condlist, choicelist, default=0):
    """The first choice whose condition holds (``default`` where none does)."""
    if len(condlist) != len(choicelist):
        return ND.rejected("np.select with lists of different lengths")
    out = default
    for c, x in zip(condlist[::-1], choicelist[::-1]):
        out = np.where(c, x, out)
    return out


@expands(np.vander)
def vander(x, N=None, increasing=False):
    """Columns ``x ** k`` made as NumPy makes them, by running products (cumprod is
    NumPy's multiply.accumulate), k = 0 first if ``increasing``, else last."""
    n = np.shape(x)[0] if N is None else N
    if n < 2:
        return np.ones((np.shape(x)[0], n)) + 0.0 * x[:, None]
    p = np.cumprod(np.broadcast_to(x[:, None], (np.shape(x)[0], n - 1)), axis=1)
    v = np.concatenate([np.ones_like(x)[:, None], p], axis=1)
    if increasing:
        return v
    return v[:, ::-1]
