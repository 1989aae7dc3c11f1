"""Runtime helpers for scipy.special's rules (``numpy_special.py``), re-exported by
``np_helpers`` so the Python backend copies the ones a module uses.

Invariant: each is a derivative written in closed form or as a truncated series
accurate to double precision where the function is defined; a helper's own
derivative, when not declared in ``numpy_special.py``, is rejected (NO_RULE).
``logsumexp_shifted`` is no derivative: it is what the Python backend prints for
scipy.special.logsumexp itself where the static arguments allow
(``backends/python_static.py``).
"""
import numpy as np


def logsumexp_shifted(a, axis, keepdims):
    """SciPy's ``logsumexp(a, axis, keepdims=keepdims)`` of a real array without
    weights, in a few NumPy calls: the largest element shifted out (by 0 where it is
    infinite or nan, so a row of -inf gives -inf and one holding inf gives inf, as SciPy)."""
    m = np.max(a, axis=axis, keepdims=True)
    m = np.where(np.isfinite(m), m, 0.0)
    with np.errstate(divide="ignore"):      # log(0) of a row of -inf is -inf, silently
        out = np.log(np.sum(np.exp(a - m), axis=axis, keepdims=True)) + m
    if keepdims:
        return out
    return np.squeeze(out, axis=axis)[()]


def logsumexp_weight(b):
    """scipy.special.logsumexp's weights, 1 where none are given."""
    return 1.0 if b is None else b


def zeta_dx(x, q):
    """d/dx of Hurwitz's zeta(x, q), from its Euler-Maclaurin sum with N = M = 16 (as
    Johansson 2015, eq. 5), each term differentiated in x: sum of -log(q+k) (q+k)^-x,
    then the integral term and the Bernoulli terms c_j (x)_(2j-1) (q+N)^(1-x-2j)."""
    x, q = np.asarray(x, dtype=float), np.asarray(q, dtype=float)
    n = 16
    k = np.arange(n).reshape((n,) + (1,) * np.ndim(q + x))
    out = -np.sum(np.log(q + k) * (q + k) ** -x, axis=0)
    big = q + n
    log_big = np.log(big)
    integral = big ** (1.0 - x) / (x - 1.0)
    out = out - log_big * integral - integral / (x - 1.0) - 0.5 * log_big * big ** -x
    bernoulli = (1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6, -3617 / 510,
                 43867 / 798, -174611 / 330, 854513 / 138, -236364091 / 2730, 8553103 / 6,
                 -23749461029 / 870, 8615841276005 / 14322, -7709321041217 / 510)
    rising, inverse_sum, factorial = 1.0, 0.0, 1.0
    for j, b in enumerate(bernoulli, 1):
        for i in (2 * j - 3, 2 * j - 2):    # (x)_(2j-1) grows by two factors a term
            if i >= 0:
                rising = rising * (x + i)
                inverse_sum = inverse_sum + 1.0 / (x + i)
        factorial = factorial * (2 * j - 1) * (2 * j)
        term = b / factorial * rising * big ** (1.0 - x - 2 * j)
        out = out + term * (inverse_sum - log_big)
    return out[()] if np.ndim(out) == 0 else out
