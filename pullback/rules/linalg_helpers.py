"""Runtime helpers for the linear-algebra rules (``rules.numpy_linalg``).

Plain NumPy functions, re-exported by ``np_helpers`` so the Python backend
copies the ones a generated module calls into it: each must be public,
self-contained and use only ``np``, ``math`` and other helpers.  ``g`` is
an output cotangent; matrices may carry leading batch axes (``...ij``).
References: Giles, "Collected matrix derivative results" (2008); Murray,
"Differentiation of the Cholesky decomposition" (2016); Seeger et al.,
"Auto-differentiating linear algebra" (2017).
"""
import numpy as np


# -- contractions -----------------------------------------------------------------
def tensordot_axes(nda, ndb, axes):
    """``np.tensordot``'s ``axes`` as two lists of non-negative axes."""
    if isinstance(axes, (int, np.integer)):
        return list(range(nda - axes, nda)), list(range(axes))
    aa, ba = axes
    aa = [aa] if isinstance(aa, (int, np.integer)) else list(aa)
    ba = [ba] if isinstance(ba, (int, np.integer)) else list(ba)
    return [a % nda for a in aa], [b % ndb for b in ba]


def tensordot_vjp_a(g, a, b, axes):
    aa, ba = tensordot_axes(np.ndim(a), np.ndim(b), axes)
    fa = [i for i in range(np.ndim(a)) if i not in aa]
    fb = [j for j in range(np.ndim(b)) if j not in ba]
    r = np.tensordot(g, b, (list(range(len(fa), len(fa) + len(fb))), fb))
    # r's axes: a's free axes, then the partners of b's contracted axes in b's order
    return np.transpose(r, np.argsort(fa + [aa[ba.index(j)] for j in sorted(ba)]))


def tensordot_vjp_b(g, a, b, axes):
    aa, ba = tensordot_axes(np.ndim(a), np.ndim(b), axes)
    fa = [i for i in range(np.ndim(a)) if i not in aa]
    r = np.tensordot(a, g, (fa, list(range(len(fa)))))
    fb = [j for j in range(np.ndim(b)) if j not in ba]
    return np.transpose(r, np.argsort([ba[aa.index(i)] for i in sorted(aa)] + fb))


def dot_vjp_a(g, a, b):
    """``np.dot``: a product with a scalar, else a contraction of a's last axis
    with b's second-to-last (its only one when b is a vector)."""
    if np.ndim(a) == 0 or np.ndim(b) == 0:
        return g * b
    return tensordot_vjp_a(g, a, b, ([-1], [max(np.ndim(b) - 2, 0)]))


def dot_vjp_b(g, a, b):
    if np.ndim(a) == 0 or np.ndim(b) == 0:
        return g * a
    return tensordot_vjp_b(g, a, b, ([-1], [max(np.ndim(b) - 2, 0)]))


def inner_vjp_a(g, a, b):
    if np.ndim(a) == 0 or np.ndim(b) == 0:
        return g * b
    return tensordot_vjp_a(g, a, b, ([-1], [-1]))


def inner_vjp_b(g, a, b):
    if np.ndim(a) == 0 or np.ndim(b) == 0:
        return g * a
    return tensordot_vjp_b(g, a, b, ([-1], [-1]))


def einsum_spec(subscripts, shapes):
    """Explicit subscripts, one string per operand and the output, with
    ``...`` spelled out in unused letters; implicit output as NumPy makes it."""
    spec = subscripts.replace(" ", "")
    ins, arrow, out = spec.partition("->")
    ins = ins.split(",")
    if len(ins) != len(shapes):
        raise ValueError(f"einsum: {len(ins)} operand subscripts for {len(shapes)} operands")
    used = set(spec)
    free = [c for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz" if c not in used]
    nell = max([len(s) - len(s.replace("...", "")) and len(shape) - (len(s) - 3)
                for s, shape in zip(ins, shapes)] + [0])
    ell = "".join(free[:nell])
    full = []
    for s, shape in zip(ins, shapes):
        if "..." in s:
            k = len(shape) - (len(s) - 3)
            s = s.replace("...", ell[nell - k:])
        full.append(s)
    if not arrow:
        letters = "".join(s.replace("...", "") for s in ins)
        out = ell + "".join(sorted(c for c in set(letters) if letters.count(c) == 1))
    else:
        out = out.replace("...", ell)
    return full, out, free[nell:]


def einsum_vjp(g, subscripts, k, *ops):
    """The cotangent of operand ``k`` of ``np.einsum(subscripts, *ops)``: an einsum
    of ``g`` with the other operands, broadcast over letters only operand k has,
    and placed on the diagonal where operand k repeats a letter (``ii``)."""
    ins, out, free = einsum_spec(subscripts, [np.shape(o) for o in ops])
    target = ins[k]
    own = dict(zip(target, np.shape(ops[k])))
    others = [(s, o) for i, (s, o) in enumerate(zip(ins, ops)) if i != k]
    present = set(out).union(*[set(s) for s, _ in others])
    uniq = "".join(c for i, c in enumerate(target) if c not in target[:i])
    keep = "".join(c for c in uniq if c in present)
    r = np.einsum(",".join([out] + [s for s, _ in others]) + "->" + keep, g,
                  *[o for _, o in others])
    for i, c in enumerate(uniq):
        if c not in present:
            r = np.expand_dims(r, i)
    r = np.broadcast_to(r, tuple(r.shape[i] if c in present else own[c]
                                 for i, c in enumerate(uniq)))
    if len(uniq) == len(target):
        return r
    spell, eyes, seen = "", [], set()
    for c in target:
        if c in seen:
            new = free.pop(0)
            spell += new
            eyes.append((c + new, np.eye(own[c])))
        else:
            spell += c
            seen.add(c)
    return np.einsum(",".join([uniq] + [s for s, _ in eyes]) + "->" + spell, r,
                     *[e for _, e in eyes])


def diagonal_vjp(g, x, offset, axis1, axis2):
    """Scatter ``g`` onto the diagonal ``np.diagonal(x, offset, axis1, axis2)`` read."""
    z = np.zeros_like(x, dtype=np.result_type(g, float))
    zm = np.moveaxis(z, (axis1, axis2), (-2, -1))
    i = np.arange(np.shape(g)[-1])
    zm[..., i + max(-offset, 0), i + max(offset, 0)] = g
    # moved back, not read through z: a Dask array's moveaxis is a new array, not a view
    return np.moveaxis(zm, (-2, -1), (axis1, axis2))


def diff_vjp(g, x, n, axis):
    """``np.diff`` n times: each is minus the difference of the zero-padded cotangent."""
    for _ in range(n):
        pad = [(0, 0)] * np.ndim(g)
        pad[axis] = (1, 1)
        g = -np.diff(np.pad(g, pad), axis=axis)
    return g


# -- solves and decompositions -----------------------------------------------------------
def solve_vjp_b(g, a, b):
    """``x = solve(a, b)``: b's cotangent solves the transposed system."""
    at = np.swapaxes(a, -1, -2)
    if np.ndim(b) == 1:
        return np.linalg.solve(at, np.asarray(g)[..., None])[..., 0]
    return np.linalg.solve(at, g)


def solve_vjp_a(g, a, b, x):
    gb = solve_vjp_b(g, a, b)
    if np.ndim(b) == 1:
        return -gb[..., :, None] * np.asarray(x)[..., None, :]
    return -np.matmul(gb, np.swapaxes(x, -1, -2))


def cofactor(x):
    """The cofactor matrix ``adj(x).T``, the derivative of ``det(x)``: ``det(x) inv(x).T``
    where x is invertible, and still defined where it is not (a robot arm at a singular
    pose): by the SVD x = U S Vh, ``det(U) det(Vh) U diag(prod_{j != i} s_j) Vh``."""
    if np.iscomplexobj(x):
        return np.linalg.det(x)[..., None, None] * np.swapaxes(np.linalg.inv(x), -1, -2)
    u, s, vh = np.linalg.svd(x)
    n = s.shape[-1]
    others = np.broadcast_to(s[..., None, :], s.shape + (n,)).copy()
    others[..., np.arange(n), np.arange(n)] = 1.0
    sign = np.linalg.det(u) * np.linalg.det(vh)
    return sign[..., None, None] * ((u * np.prod(others, -1)[..., None, :]) @ vh)


def slogdet_sign(x):
    return np.linalg.slogdet(x)[0]


def slogdet_logabs(x):
    return np.linalg.slogdet(x)[1]


def fold_symmetric(s, lower):
    """The cotangent of a matrix function that reads one triangle of its
    argument (as ``eigh``/``cholesky`` do), from the cotangent ``s`` it would
    have as a function of the whole symmetric matrix."""
    n = np.shape(s)[-1]
    both = s + np.swapaxes(s, -1, -2)
    tri = np.tril(both, -1) if lower else np.triu(both, 1)
    return tri + s * np.eye(n)


def cholesky_vjp(g, y):
    """``y = cholesky(x)`` (lower): S = L^-T Phi(L^T g) L^-1, Phi = lower triangle
    with half the diagonal (Murray 2016)."""
    n = np.shape(y)[-1]
    p = np.matmul(np.swapaxes(y, -1, -2), g)
    p = np.tril(p, -1) + 0.5 * p * np.eye(n)
    linv = np.linalg.inv(y)
    s = np.matmul(np.matmul(np.swapaxes(linv, -1, -2), p), linv)
    return fold_symmetric(0.5 * (s + np.swapaxes(s, -1, -2)), True)


def eigh_w(x, UPLO):
    return np.linalg.eigh(x, UPLO)[0]


def eigh_v(x, UPLO):
    return np.linalg.eigh(x, UPLO)[1]


def eigh_vjp(gw, gv, x, UPLO):
    """Eigenvalues ``w`` and vectors ``v`` of a symmetric matrix:
    v (diag(gw) + F * (v^T gv)) v^T with F_ij = 1 / (w_j - w_i), i != j."""
    w, v = np.linalg.eigh(x, UPLO)
    n = np.shape(w)[-1]
    vt = np.swapaxes(v, -1, -2)
    inner = np.zeros(np.shape(x)) + np.asarray(gw)[..., None] * np.eye(n)
    if np.any(gv):
        diff = w[..., None, :] - w[..., :, None]
        f = np.where(np.eye(n) == 1, 0.0, 1.0 / np.where(np.eye(n) == 1, 1.0, diff))
        inner = inner + f * np.matmul(vt, gv)
    s = np.matmul(np.matmul(v, inner), vt)
    return fold_symmetric(0.5 * (s + np.swapaxes(s, -1, -2)), UPLO.upper() == "L")


def qr_q(x):
    return np.linalg.qr(x)[0]


def qr_r(x):
    return np.linalg.qr(x)[1]


def qr_vjp(gq, gr, x):
    """Reduced QR of an m x n matrix, m >= n (the rule of TensorFlow's QrGrad)."""
    m, n = np.shape(x)[-2:]
    if m < n:
        raise NotImplementedError("derivative of np.linalg.qr of a wide matrix (m < n)")
    q, r = np.linalg.qr(x)
    gq = np.zeros(np.shape(q)) + gq
    gr = np.zeros(np.shape(r)) + gr
    qdq = np.matmul(np.swapaxes(q, -1, -2), gq)
    rdr = np.matmul(r, np.swapaxes(gr, -1, -2))
    tril = np.tril(qdq - np.swapaxes(qdq, -1, -2) + rdr - np.swapaxes(rdr, -1, -2))

    def right_solve(b):   # b r^-T
        return np.swapaxes(np.linalg.solve(r, np.swapaxes(b, -1, -2)), -1, -2)
    return np.matmul(q, gr + right_solve(tril)) + right_solve(gq - np.matmul(q, qdq))


# -- norms ----------------------------------------------------------------------------------
def norm_vjp(g, x, y, ord, axis, keepdims):
    """``np.linalg.norm``: vector norms (any ord) along one axis, matrix norms
    (``fro``, ``nuc``, +-1, +-2, +-inf) over two, all entries when axis is None
    and ord is None."""
    x = x if hasattr(x, "ndim") else np.asarray(x)
    if hasattr(x, "__array_function__") and not isinstance(x, np.ndarray) and np.ndim(g) == 0:
        g = np.full_like(y, g)      # a constant cotangent in x's library (Dask, CuPy)
    y, g, axes = norm_axes(x, y, g, axis, keepdims, ord)
    if ord is None or (ord == "fro" and len(axes) == 2) or (ord == 2 and len(axes) == 1):
        return g * x / np.where(y == 0, 1.0, y)
    if len(axes) == 1:
        return g * vector_norm_grad(x, y, ord, axes[0])
    return g * matrix_norm_grad(x, ord, axes)


def norm_axes(x, y, g, axis, keepdims, ord):
    """``y`` and ``g`` (shaped like the norm) broadcast to ``x`` over the norm's axes, and
    those axes."""
    nd = np.ndim(x)
    if axis is None:
        axes = tuple(range(nd)) if ord is None or nd == 1 else (0, 1)
    else:
        axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    axes = tuple(a % nd for a in axes) if nd else ()
    if not keepdims:
        y, g = np.expand_dims(y, axes), np.expand_dims(g, axes)
    return np.broadcast_to(y, np.shape(x)), np.broadcast_to(g, np.shape(x)), axes


def norm_vjp_dx(t, g, x, y, ord, axis, keepdims):
    """The tangent of ``norm_vjp(g, x, y, ...)`` along ``t`` in x, y held (the Euclidean and
    Frobenius norms: g x / y; a vector p-norm: g sign(x) (|x| / y)^(p-1); the 1 and inf
    norms: piecewise constant in x)."""
    y, g, _ = norm_axes(x, y, g, axis, keepdims, ord)
    if ord in (1, np.inf, -np.inf, 0):
        return np.zeros(np.shape(x))
    safe = np.where(y == 0, 1.0, y)
    if ord in (None, 2, "fro"):
        return norm_singular(g * t / safe, y)
    return norm_singular(g * (ord - 1) * (np.abs(x) / safe) ** (ord - 2) * t / safe, y)  # p-norm


def norm_vjp_dy(t, g, x, y, ord, axis, keepdims):
    """The tangent of ``norm_vjp(g, x, y, ...)`` along ``t`` (shaped like y) in y."""
    y, g, _ = norm_axes(x, y, g, axis, keepdims, ord)
    t = norm_axes(x, t, t, axis, keepdims, ord)[0]
    if ord in (1, np.inf, -np.inf, 0):
        return np.zeros(np.shape(x))
    safe = np.where(y == 0, 1.0, y)
    if ord in (None, 2, "fro"):
        return norm_singular(-g * x * t / (safe * safe), y)
    return norm_singular(-g * (ord - 1) * np.sign(x) * (np.abs(x) / safe) ** (ord - 1) * t / safe, y)


def norm_singular(d, y):
    """``d`` with NaN where the norm is 0: the second derivative does not exist there (the
    first is a convention, 0), and a made-up number would reach a Hessian silently; NaN,
    as in JAX, also spreads through ``norm(x) ** 2`` at 0 (``2 y`` times NaN)."""
    return np.where(y == 0, np.nan, d)


def vector_norm_grad(x, y, ord, axis):
    """d ||x||_ord / dx along ``axis`` (y broadcast to x); ties share equally."""
    ax = np.abs(x)
    if ord == 0:
        return np.zeros(x.shape)
    if ord in (np.inf, -np.inf):
        hit = ax == y
        return np.sign(x) * hit / np.sum(hit, axis=axis, keepdims=True)
    if ord == 1:
        return np.sign(x)
    safe = np.where(y == 0, 1.0, y)
    return np.sign(x) * (ax / safe) ** (ord - 1)


def matrix_norm_grad(x, ord, axes):
    """d ||x||_ord / dx for a matrix norm over the two ``axes``."""
    m = np.moveaxis(x, axes, (-2, -1))
    if ord in ("nuc", 2, -2):
        u, s, vt = np.linalg.svd(m, full_matrices=False)
        if ord == "nuc":
            d = np.matmul(u, vt)
        else:
            k = 0 if ord == 2 else -1
            d = u[..., :, k, None] * vt[..., k, None, :]
    elif ord in (1, -1, np.inf, -np.inf):
        sums_over = -2 if ord in (1, -1) else -1
        sums = np.sum(np.abs(m), axis=sums_over, keepdims=True)
        pick = np.max(sums, axis=-1 - (sums_over == -1), keepdims=True) if ord in (1, np.inf) \
            else np.min(sums, axis=-1 - (sums_over == -1), keepdims=True)
        hit = sums == pick
        d = np.sign(m) * hit / np.sum(hit, axis=(-2, -1), keepdims=True)
    else:
        raise ValueError(f"invalid norm order {ord!r} for matrices")
    return np.moveaxis(d, (-2, -1), axes)



# -- singular values, least squares -------------------------------------------------------------
def svd_s(x, full_matrices=True, compute_uv=True, hermitian=False):
    return np.linalg.svd(x, compute_uv=False, hermitian=hermitian)


def svd_u(x, full_matrices=True, compute_uv=True, hermitian=False):
    return np.linalg.svd(x, full_matrices, hermitian=hermitian)[0]


def svd_vh(x, full_matrices=True, compute_uv=True, hermitian=False):
    return np.linalg.svd(x, full_matrices, hermitian=hermitian)[2]


def svd_s_vjp(g, x):
    """Singular values s of x = u diag(s) vh: ds = diag(u^T dx v), so x_bar = u diag(g) vh."""
    u, _, vh = np.linalg.svd(x, full_matrices=False)
    return np.matmul(u * np.asarray(g)[..., None, :], vh)


def svd_s_jvp(t, x):
    """ds_i = u_i^T dx v_i."""
    u, _, vh = np.linalg.svd(x, full_matrices=False)
    return np.sum(u * np.matmul(t, np.swapaxes(vh, -1, -2)), -2)


def lstsq_residuals(a, b):
    return np.linalg.lstsq(a, b)[1]


def lstsq_residuals_jvp(t, a, b, wrt_a):
    """dr_j = 2 e_j . (db_j - da x_j) at the minimiser (Danskin), shaped as the residuals."""
    x, res = np.linalg.lstsq(a, b)[:2]
    if res.size == 0:
        return np.zeros(0, dtype=np.result_type(a, b, float))
    e = b - np.matmul(a, x)
    d = -np.matmul(t, x) if wrt_a else t
    return np.reshape(2.0 * np.sum(e * d, axis=0), res.shape)


def lstsq_residuals_vjp(g, a, b, wrt_a):
    """r_j = |b_j - a x_j|^2 at the minimiser x (so dr/dx = 0, Danskin): dr/db = 2 e,
    dr/da = -2 e x^T with e = b - a x; a 1-D b has one residual."""
    if np.size(g) == 0 or not np.any(g):    # no residuals (rank < n or m <= n), or unread
        return np.zeros(np.shape(a if wrt_a else b), dtype=np.result_type(a, b, float))
    x = np.linalg.lstsq(a, b)[0]
    e = b - np.matmul(a, x)
    ge = 2.0 * e * (np.asarray(g)[0] if np.ndim(b) == 1 else np.asarray(g))
    if not wrt_a:
        return ge
    return -(np.outer(ge, x) if np.ndim(b) == 1 else np.matmul(ge, x.T))
