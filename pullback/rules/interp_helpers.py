"""Run-time helpers of np.interp's rules (``rules/interp.py``).

``np.interp(x, xp, fp)`` is linear in ``fp``: each value is ``w_lo * fp[lo] + w_hi *
fp[hi]`` for the segment ``[xp[lo], xp[hi]]`` that holds ``x``, and piecewise linear in
``x`` with slope ``(fp[hi] - fp[lo]) / (xp[hi] - xp[lo])``.  ``interp_segments`` finds
that table once, as JAX's ``jnp.interp`` chooses it: the segment to the right of a knot
(so the slope at an interior knot is the right-hand one, and at ``xp[-1]`` the last
segment's), a slope of 0 outside ``[xp[0], xp[-1]]`` where the value is ``fp[0]`` /
``fp[-1]`` (weight 1 on it) or the constant ``left`` / ``right`` (weight 0), and
weight 1 on ``fp[hi]`` with slope 0 across a repeated knot.  With ``period`` the table
is NumPy's: ``xp`` and ``x`` reduced modulo it, ``xp`` sorted and wrapped one knot at
each end, its indices mapped back to ``fp``'s.
"""
import numpy as np


def interp_segments(x, xp, left, right, period):
    """(lo, hi, w_lo, w_hi, inv_dx), each shaped like ``x``: np.interp(x, xp, fp) is
    ``w_lo * fp[lo] + w_hi * fp[hi]`` and its slope in x ``(fp[hi] - fp[lo]) * inv_dx``."""
    x = np.asarray(x, dtype=float)
    xp = np.asarray(xp, dtype=float)
    origin = np.arange(xp.shape[0])
    if period is not None:
        period = abs(period)
        x = x % period
        order = np.argsort(xp % period)
        xp = (xp % period)[order]
        xp = np.concatenate((xp[-1:] - period, xp, xp[0:1] + period))
        origin = np.concatenate((order[-1:], order, order[0:1]))
        left, right = None, None
    n = xp.shape[0]
    if n == 1:
        lo = np.zeros(x.shape, dtype=np.intp)
        below, above = x < xp[0], x > xp[0]
        w_lo = np.where(below, float(left is None), np.where(above, float(right is None), 1.0))
        return lo, lo, w_lo, np.zeros(x.shape), np.zeros(x.shape)
    hi = np.clip(np.searchsorted(xp, x, side="right"), 1, n - 1)
    lo = hi - 1
    dx = xp[hi] - xp[lo]
    flat = dx == 0
    safe = np.where(flat, 1.0, dx)
    w_hi = np.where(flat, 1.0, (x - xp[lo]) / safe)
    below, above = x < xp[0], x > xp[-1]
    inv_dx = np.where(below | above | flat, 0.0, 1.0 / safe)
    w_hi = np.where(below, 0.0, np.where(above, float(right is None), w_hi))
    w_lo = np.where(below, float(left is None), np.where(above, 0.0, 1.0 - w_hi))
    lo = np.where(below, 0, lo)
    return origin[lo], origin[hi], w_lo, w_hi, inv_dx


def interp_slope(x, xp, fp, left, right, period):
    """d np.interp(x, xp, fp) / dx, shaped like ``x``."""
    lo, hi, _, _, inv_dx = interp_segments(x, xp, left, right, period)
    fp = np.asarray(fp)
    out = (fp[hi] - fp[lo]) * inv_dx
    return out if np.ndim(x) else float(out)


def interp_fp_jvp(t, x, xp, left, right, period):
    """The tangent of np.interp(x, xp, fp) for a tangent ``t`` of ``fp``."""
    lo, hi, w_lo, w_hi, _ = interp_segments(x, xp, left, right, period)
    t = np.asarray(t)
    out = w_lo * t[lo] + w_hi * t[hi]
    return out if np.ndim(x) else float(out)


def interp_fp_vjp(g, x, xp, fp, left, right, period):
    """The cotangent of ``fp`` for a cotangent ``g`` of np.interp(x, xp, fp): the
    transpose of ``interp_fp_jvp``, each value's weights added into its two knots."""
    lo, hi, w_lo, w_hi, _ = interp_segments(x, xp, left, right, period)
    g = np.broadcast_to(g, np.shape(lo))
    out = np.zeros(np.shape(fp))
    np.add.at(out, lo.ravel(), (g * w_lo).ravel())
    np.add.at(out, hi.ravel(), (g * w_hi).ravel())
    return out
