"""scipy.linalg as expansions (``rules/expansions.py``) over NumPy's linear algebra,
whose rules are in ``numpy_linalg.py``.

Invariants: each function reads the triangle SciPy reads (``lower``), so a
non-symmetric argument gives SciPy's value and the unread triangle a zero
derivative; keywords that only concern SciPy's memory or input checks
(``overwrite_*``, ``check_finite``) are accepted and have no effect; keywords
that change the result and are not written here (``eigh(a, b)``, ``subset_by_*``,
``driver``) are not in the signatures, so they are rejected at the user's line.
``solve_triangular`` solves with NumPy's general solver on the triangle (the same
numbers to rounding, O(n^3) rather than O(n^2)).  ``cho_factor`` returns the factor
with zeros in the other triangle, where SciPy leaves arbitrary values that its
documentation says not to use.
"""
import numpy as np
import scipy.linalg as sl

from .expansions import expands


@expands()
def _transpose(a):
    return np.swapaxes(a, -1, -2)


@expands()
def _symmetric(a, lower):
    """The symmetric matrix that one triangle of ``a`` stands for."""
    if lower:
        return np.tril(a) + _transpose(np.tril(a, -1))
    return np.triu(a) + _transpose(np.triu(a, 1))


@expands(sl.cholesky)
def cholesky(a, lower=False, overwrite_a=False, check_finite=True):
    if lower:
        return np.linalg.cholesky(a)
    return _transpose(np.linalg.cholesky(_transpose(a)))    # upper: from a's upper triangle


@expands(sl.cho_factor)
def cho_factor(a, lower=False, overwrite_a=False, check_finite=True):
    return cholesky(a, lower), lower


@expands(sl.solve_triangular)
def solve_triangular(a, b, trans=0, lower=False, unit_diagonal=False, overwrite_b=False,
                     check_finite=True):
    if unit_diagonal:
        m = (np.tril(a, -1) if lower else np.triu(a, 1)) + np.eye(np.shape(a)[-1])
    else:
        m = np.tril(a) if lower else np.triu(a)
    if trans == 1 or trans == 2 or trans == "T" or trans == "C":
        m = _transpose(m)
    return np.linalg.solve(m, b)


@expands(sl.cho_solve)
def cho_solve(c_and_lower, b, overwrite_b=False, check_finite=True):
    c, lower = c_and_lower
    if lower:           # c c^T x = b
        return solve_triangular(c, solve_triangular(c, b, 0, True), 1, True)
    return solve_triangular(c, solve_triangular(c, b, 1, False), 0, False)     # c^T c x = b


@expands(sl.solve)
def solve(a, b, lower=False, overwrite_a=False, overwrite_b=False, check_finite=True,
          assume_a=None, transposed=False):
    m = a
    if assume_a == "sym" or assume_a == "her" or assume_a == "pos" or \
            assume_a == "symmetric" or assume_a == "hermitian" or \
            assume_a == "positive definite":
        m = _symmetric(a, lower)
    if assume_a == "lower triangular":
        m = np.tril(a)
    if assume_a == "upper triangular":
        m = np.triu(a)
    if assume_a == "diagonal":
        m = np.diag(np.diagonal(a))
    if assume_a == "tridiagonal":
        m = np.triu(np.tril(a, 1), -1)
    if transposed:
        m = _transpose(m)
    return np.linalg.solve(m, b)


@expands(sl.inv)
def inv(a, overwrite_a=False, check_finite=True):
    return np.linalg.inv(a)


@expands(sl.det)
def det(a, overwrite_a=False, check_finite=True):
    return np.linalg.det(a)


@expands(sl.eigh)
def eigh(a, *, lower=True, eigvals_only=False, overwrite_a=False, check_finite=True):
    w, v = np.linalg.eigh(a, "L" if lower else "U")
    if eigvals_only:
        return w
    return w, v


@expands(sl.eigvalsh)
def eigvalsh(a, *, lower=True, overwrite_a=False, check_finite=True):
    return np.linalg.eigvalsh(a, "L" if lower else "U")
