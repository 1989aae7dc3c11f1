"""Runtime helpers for the rules of the SVD's singular vectors and of the LU
factorisation (``numpy_linalg.py``, ``scipy_linalg.py``), re-exported by
``np_helpers`` so the Python backend copies the ones a module uses.

Invariants: a derivative that does not exist at the point (repeated singular
values, the arbitrary extra columns of ``svd(full_matrices=True)`` of a
non-square matrix) raises ``ArithmeticError`` when it is asked for, never a
silent number; each reverse helper takes every cotangent of the factorisation
(0.0 for the ones the program does not use), so the contributions add up.

References: Townsend, "Differentiating the singular value decomposition" (2016);
de Hoog, Anderssen and Lukas, "Differentiation of matrix functionals using
triangular factorization" (2011) for LU.
"""
import numpy as np


def mT(a):
    """The matrix transpose of the last two axes."""
    return np.swapaxes(a, -1, -2)


def svd_parts(x, gu, gv):
    """Reduced u, s, v of ``x``, the pair matrix F_ij = 1 / (s_j^2 - s_i^2) (0 on the
    diagonal) and ``gu``, ``gv`` cut to the reduced columns; raises where the
    singular vectors are not differentiable."""
    u, s, vh = np.linalg.svd(x, full_matrices=False)
    m, n = np.shape(x)[-2:]
    k = min(m, n)
    gu = np.zeros(np.shape(u)) + gu if np.ndim(gu) == 0 else np.asarray(gu)
    gv = np.zeros(np.shape(vh)) + gv if np.ndim(gv) == 0 else np.asarray(gv)
    if np.any(gu[..., :, k:]) or np.any(gv[..., k:, :]):
        raise ArithmeticError("the extra singular vectors of np.linalg.svd(x, full_matrices="
                              "True) of a non-square x are arbitrary and have no derivative; "
                              "pass full_matrices=False")
    gu, gv = gu[..., :, :k], mT(gv[..., :k, :])
    d = s[..., None, :] ** 2 - s[..., :, None] ** 2
    off = ~np.eye(k, dtype=bool)
    if (np.any(gu) or np.any(gv)) and np.any(
            np.abs(d[..., off]) <= 1e-12 * np.max(s, axis=-1, keepdims=True) ** 2):
        raise ArithmeticError("np.linalg.svd: repeated singular values; the singular vectors "
                              "have no derivative there")
    f = np.where(off, 1.0 / np.where(off, d, 1.0), 0.0)
    return u, s, mT(vh), f, gu, gv


def svd_inv_s(s, needed):
    if needed and np.any(s <= 1e-12 * np.max(s, axis=-1, keepdims=True)):
        raise ArithmeticError("np.linalg.svd of a rank-deficient non-square matrix: the "
                              "singular vectors have no derivative there")
    return 1.0 / s


def svd_vectors_vjp(gu, gs, gv, x):
    """x = u diag(s) v^T: x_bar = u [(F o (u^T gu - gu^T u)) S + diag(gs) +
    S (F o (v^T gv - gv^T v))] v^T + (I - u u^T) gu S^-1 v^T + u S^-1 gv^T (I - v v^T),
    with ``gv`` the cotangent of v (that of vh, transposed)."""
    u, s, v, f, gu, gv = svd_parts(x, gu, gv)
    m, n = np.shape(x)[-2:]
    ut, vt = mT(u), mT(v)
    j = f * (np.matmul(ut, gu) - np.matmul(mT(gu), u))
    k = f * (np.matmul(vt, gv) - np.matmul(mT(gv), v))
    inner = j * s[..., None, :] + s[..., :, None] * k
    inner = inner + np.asarray(gs)[..., None] * np.eye(min(m, n))
    out = np.matmul(np.matmul(u, inner), vt)
    inv = svd_inv_s(s, m != n)
    if m > n:
        out = out + np.matmul((gu - np.matmul(u, np.matmul(ut, gu))) * inv[..., None, :], vt)
    if n > m:
        out = out + np.matmul(u * inv[..., None, :], mT(gv - np.matmul(v, np.matmul(vt, gv))))
    return out


def svd_vectors_jvp(t, x, full_matrices, which):
    """Tangent of u (``which`` 0) or vh (2) at x in direction t:
    du = u (F o (P S + S P^T)) + (I - u u^T) t v S^-1 with P = u^T t v, and the same
    for v with t^T; full_matrices=True's extra vectors of a non-square x are rejected
    (vh of a tall x, u of a wide one, have none: they are the thin ones)."""
    m, n = np.shape(x)[-2:]
    if full_matrices and (m > n if which == 0 else n > m):     # (typing rejects it first)
        raise ArithmeticError("the extra singular vectors of np.linalg.svd(x, full_matrices="
                              "True) of a non-square x are arbitrary and have no derivative; "
                              "pass full_matrices=False")
    u, s, v, f, _, _ = svd_parts(x, 0.0, 0.0)
    if np.any(np.abs(f) >= 1e12 / np.max(s) ** 2):
        raise ArithmeticError("np.linalg.svd: repeated singular values; the singular vectors "
                              "have no derivative there")
    p = np.matmul(np.matmul(mT(u), t), v)
    sc, sr = s[..., None, :], s[..., :, None]
    inv = svd_inv_s(s, m != n)
    if which == 0:
        du = np.matmul(u, f * (p * sc + sr * mT(p)))
        if m > n:
            du = du + (np.matmul(t, v) - np.matmul(u, p)) * inv[..., None, :]
        return du
    dv = np.matmul(v, f * (mT(p) * sc + sr * p))
    if n > m:
        dv = dv + (np.matmul(mT(t), u) - np.matmul(v, mT(p))) * inv[..., None, :]
    return mT(dv)


# -- LU with partial pivoting, as scipy.linalg.lu_factor packs it -----------------------------
def lu_factorize(a):
    """(lu, piv) as ``scipy.linalg.lu_factor`` returns them: L - I + U packed in one
    matrix, and LAPACK's pivots (row i was interchanged with row piv[i], in order;
    the pivot is the first largest magnitude, as LAPACK's idamax picks it)."""
    lu = np.array(a, dtype=float)
    n = np.shape(lu)[-1]
    piv = np.zeros(n, dtype=np.int32)
    for i in range(n):
        p = i + int(np.argmax(np.abs(lu[i:, i])))
        piv[i] = p
        if p != i:
            lu[[i, p]] = lu[[p, i]]
        if lu[i, i] != 0.0:
            lu[i + 1:, i] /= lu[i, i]
        lu[i + 1:, i + 1:] -= np.outer(lu[i + 1:, i], lu[i, i + 1:])
    return lu, piv


def lu_packed(a):
    return lu_factorize(a)[0]


def lu_piv(a):
    return lu_factorize(a)[1]


def lu_perm(piv):
    """The rows of a, in the order the pivots put them: a[perm] = L U."""
    perm = np.arange(len(piv))
    for i, p in enumerate(piv):
        perm[i], perm[p] = perm[p], perm[i]
    return perm


def lu_unpack(lu):
    n = np.shape(lu)[-1]
    return np.tril(lu, -1) + np.eye(n), np.triu(lu)


def lu_packed_vjp(g, lu, piv):
    """a[perm] = L U: with X = L^-1 da[perm] U^-1, dL = L tril(X, -1), dU = triu(X) U, so
    a_bar[perm] = L^-T (tril(L^T g, -1) + triu(g U^T)) U^-T (g packed like lu)."""
    low, up = lu_unpack(lu)
    f = np.tril(np.matmul(mT(low), np.tril(g, -1)), -1) + np.triu(np.matmul(np.triu(g), mT(up)))
    inner = np.linalg.solve(mT(low), mT(np.linalg.solve(up, mT(f))))
    out = np.zeros(np.shape(lu))
    out[lu_perm(piv)] = inner
    return out


def lu_packed_jvp(t, lu, piv):
    """The tangent of the packed factors: X = L^-1 t[perm] U^-1, L tril(X, -1) + triu(X) U."""
    low, up = lu_unpack(lu)
    x = mT(np.linalg.solve(mT(up), mT(np.linalg.solve(low, np.asarray(t)[lu_perm(piv)]))))
    return np.matmul(low, np.tril(x, -1)) + np.matmul(np.triu(x), up)
