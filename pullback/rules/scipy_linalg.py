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

from . import np_helpers as LH
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


@expands(sl.lu_factor)
def lu_factor(a, overwrite_a=False, check_finite=True):
    return LH.lu_packed(a), LH.lu_piv(a)


@expands(sl.lu_solve)
def lu_solve(lu_and_piv, b, trans=0, overwrite_b=False, check_finite=True):
    """a[perm] = L U, so a x = b is L U x = b[perm]; a^T x = b is x[perm] = L^-T U^-T b."""
    lu, piv = lu_and_piv
    perm = LH.lu_perm(piv)
    n = np.shape(lu)[-1]
    low = np.tril(lu, -1) + np.eye(n)
    if trans == 0 or trans == "N":
        return np.linalg.solve(np.triu(lu), np.linalg.solve(low, b[perm]))
    y = np.linalg.solve(_transpose(low), np.linalg.solve(_transpose(np.triu(lu)), b))
    return y[np.argsort(perm)]


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


_PADE13 = (64764752532480000.0, 32382376266240000.0, 7771770303897600.0, 1187353796428800.0,
           129060195264000.0, 10559470521600.0, 670442572800.0, 33522128640.0, 1323241920.0,
           40840800.0, 960960.0, 16380.0, 182.0, 1.0)


@expands(sl.expm)
def expm(A):
    """Scaling and squaring with the [13/13] Pade approximant (Higham 2005, theta_13 =
    5.37): the exponential to rounding, and the derivative of that approximant."""
    b = _PADE13
    norm1 = np.max(np.sum(np.abs(A), axis=-2))
    s = max(0, int(np.ceil(np.log2(max(norm1, 1e-300) / 5.371920351148152))))
    a = A / 2.0 ** s
    eye = np.eye(np.shape(A)[-1])
    a2 = a @ a
    a4 = a2 @ a2
    a6 = a4 @ a2
    u = a @ (a6 @ (b[13] * a6 + b[11] * a4 + b[9] * a2) + b[7] * a6 + b[5] * a4 + b[3] * a2
             + b[1] * eye)
    v = a6 @ (b[12] * a6 + b[10] * a4 + b[8] * a2) + b[6] * a6 + b[4] * a4 + b[2] * a2 \
        + b[0] * eye
    r = np.linalg.solve(v - u, v + u)
    for _ in range(s):
        r = r @ r
    return r
