"""NumPy linear algebra.  Reverse rules over the cotangent ``g``, as in
Giles, "Collected matrix derivative results for forward and reverse mode AD";
the longer ones call helpers in ``linalg_helpers``.  Matrices may carry
leading batch axes, so rules transpose with ``swapaxes(x, -1, -2)``.

Functions returning tuples (``slogdet``, ``eigh``, ``qr``) are one primitive
per element (``tuple_result``): each element's rule is linear in its own
cotangent, so the contributions of the elements a program uses add up.
``eigh`` and ``cholesky`` read one triangle of their argument, and so do
their rules (the other triangle gets a zero derivative), as in NumPy itself.

Type inference evaluates these on well-conditioned stand-ins (``_shape``):
the all-ones stand-in of a square matrix is singular.
"""
import numpy as np

from ..ir.types import Array, Named, dummy, of_value
from . import np_helpers as H
from .registry import NO_RULE, Syntax, alias, always, array_op, nondiff, tuple_result
from .shapes import is_type


def _stand_in(t):
    v = dummy(t)
    if isinstance(v, np.ndarray) and v.ndim >= 2:     # of full rank (lstsq's residuals)
        v = np.broadcast_to(2.0 * np.eye(v.shape[-2], v.shape[-1]), v.shape).astype(t.dtype)
    return v


def _shape(impl):
    """``shape=`` evaluating ``impl`` on identity-like stand-ins."""
    def shape(*args):
        values = []
        for a in args:
            v = _stand_in(a) if is_type(a) else a
            if is_type(a) and v is None:
                return Array("float64", None)
            values.append(v)
        try:
            return of_value(impl(*values))
        except Exception as e:     # noqa: BLE001 -- reported at the user's line
            raise TypeError(str(e)) from None
    return shape


def _type_of(i):
    """``shape=`` for a helper returning a cotangent shaped like its argument ``i``."""
    return lambda *args: args[i] if isinstance(args[i], (Array, Named)) else of_value(args[i])


def helper(name, params, *vjps, **kw):
    """A runtime helper (``linalg_helpers``) as a primitive that prints as a call."""
    return array_op(name, getattr(H, name), params, *vjps, helper=name, **kw)


# -- products ---------------------------------------------------------------------------
helper("matmul_vjp_a", "g a b",
         linear=(0, 2), zero_in_zero_out=True)
helper("matmul_vjp_b", "g a b",
         linear=(0, 1), zero_in_zero_out=True)
array_op("matmul", np.matmul, "a b", "matmul_vjp_a(g, a, b)", "matmul_vjp_b(g, a, b)",
         python=(np.matmul,), syntax=Syntax("infix", "@", 20),
         linear=(0, 1))
helper("tensordot_vjp_a", "g a b axes",
         linear=(0, 2))
helper("tensordot_vjp_b", "g a b axes",
         linear=(0, 1))
array_op("tensordot", np.tensordot, "a b axes=2", "tensordot_vjp_a(g, a, b, axes)",
         "tensordot_vjp_b(g, a, b, axes)", python=(np.tensordot,),
         linear=(0, 1))
helper("dot_vjp_a", "g a b",
         linear=(0, 2))
helper("dot_vjp_b", "g a b",
         linear=(0, 1))
array_op("dot", np.dot, "a b", "dot_vjp_a(g, a, b)", "dot_vjp_b(g, a, b)", python=(np.dot,),
         linear=(0, 1), method="dot")
helper("inner_vjp_a", "g a b",
         linear=(0, 2))
helper("inner_vjp_b", "g a b",
         linear=(0, 1))
array_op("inner", np.inner, "a b", "inner_vjp_a(g, a, b)", "inner_vjp_b(g, a, b)",
         python=(np.inner,),
         linear=(0, 1))
array_op("vdot", np.vdot, "a b", "like(g * b, a)", "like(g * a, b)", python=(np.vdot,),
         linear=(0, 1))
array_op("outer", np.outer, "a b", "like(matmul(g, ravel(b)), a)",
         "like(matmul(ravel(a), g), b)", python=(np.outer,),
         linear=(0, 1))

# np.einsum(subscripts, *operands): one primitive per operand count, chosen by the
# frontend from the number of arguments.
for _n in range(1, 5):
    _ops = "a b c d"[:2 * _n - 1]
    array_op(f"einsum_vjp{_n}", H.einsum_vjp, f"t subscripts k {_ops}", helper="einsum_vjp",
             zero_in_zero_out=True)
    array_op(f"einsum{_n}", np.einsum, f"subscripts {_ops}", None,
             *[f"einsum_vjp{_n}(g, subscripts, {k}, {', '.join(_ops.split())})"
               for k in range(_n)], helper="np.einsum", linear=range(1, _n + 1))
    alias(f"einsum{_n}", np.einsum, nargs=_n + 1)

# -- inverses, determinants, solves -------------------------------------------------------
_T = "swapaxes({}, -1, -2)"
_TR = "sum(sum(swapaxes(inv(x), -1, -2) * t, -1, False), -1, False)"    # trace(inv(x) @ t)
# cholesky and eigh read one triangle of x: the tangent they see is that triangle,
# mirrored (Giles; Murray, "Differentiation of the Cholesky decomposition")
_LOW = "(tril(t, 0) + swapaxes(tril(t, -1), -1, -2))"
_UP = "(triu(t, 0) + swapaxes(triu(t, 1), -1, -2))"
_X = f"solve(y, swapaxes(solve(y, {_LOW}), -1, -2))"          # L^-1 S L^-T
_CHOLESKY_JVP = f"matmul(y, tril({_X}, -1) + 0.5 * triu(tril({_X}, 0), 0))"
_EIGH_W_JVP = f"sum(eigh_v(x, UPLO) * matmul(select(UPLO == 'L', {_LOW}, {_UP}), " \
    "eigh_v(x, UPLO)), -2, False)"
_PINV_JVP = "-matmul(matmul(y, t), y) + matmul(matmul(y, swapaxes(y, -1, -2)), " \
    "swapaxes(t, -1, -2) - matmul(swapaxes(t, -1, -2), matmul(x, y))) + " \
    "matmul(swapaxes(t, -1, -2) - matmul(matmul(y, x), swapaxes(t, -1, -2)), " \
    "matmul(swapaxes(y, -1, -2), y))"
array_op("inv", np.linalg.inv, "x", f"-matmul(matmul({_T.format('y')}, g), {_T.format('y')})",
         python=(np.linalg.inv,), helper="np.linalg.inv", shape=_shape(np.linalg.inv),
         jvps=("-matmul(matmul(y, t), y)",))
# det's derivative is the cofactor matrix (det(x) inv(x).T where x is invertible): defined
# at a singular x too, as JAX's; its own derivative (Hessians) needs x invertible
_SUMS = "expand_dims(expand_dims({}, -1), -1)"
helper("cofactor", "x",
       _SUMS.format("sum(sum(g * y, -1, False), -1, False)") + f" * {_T.format('inv(x)')}"
       f" - matmul(matmul({_T.format('inv(x)')}, {_T.format('g')}), y)",
       shape=_shape(H.cofactor),
       jvps=(f"y * {_SUMS.format(_TR)} - {_T.format('matmul(matmul(inv(x), t), ' + _T.format('y') + ')')}",))
array_op("det", np.linalg.det, "x", "expand_dims(expand_dims(g, -1), -1) * cofactor(x)",
         python=(np.linalg.det,), helper="np.linalg.det", shape=_shape(np.linalg.det),
         jvps=("sum(sum(cofactor(x) * t, -1, False), -1, False)",))
helper("slogdet_sign", "x", shape=_shape(H.slogdet_sign),
         zero_derivative=True)
helper("slogdet_logabs", "x", f"expand_dims(expand_dims(g, -1), -1) * {_T.format('inv(x)')}",
       shape=_shape(H.slogdet_logabs),
         jvps=(_TR,))
tuple_result(np.linalg.slogdet, "slogdet_sign", "slogdet_logabs")
# solve's reverse rule's helpers (Hessians): gb = a^-T g is linear in g, and
# d(gb) = a^-T (-t^T gb) in a; solve_vjp_a = -gb x^T is linear in g and in x
_DGB = "-matmul(swapaxes(t, -1, -2), solve_vjp_b(g, a, b))"
helper("solve_vjp_a", "g a b x", shape=_shape(H.solve_vjp_a), linear=(0, 3),
       jvps=(None, f"solve_vjp_a({_DGB}, a, b, x)"))
helper("solve_vjp_b", "g a b", shape=_shape(H.solve_vjp_b), linear=0,
       jvps=(None, "solve_vjp_b(-matmul(swapaxes(t, -1, -2), y), a, b)"))
array_op("solve", np.linalg.solve, "a b", "solve_vjp_a(g, a, b, y)", "solve_vjp_b(g, a, b)",
         python=(np.linalg.solve,), helper="np.linalg.solve", shape=_shape(np.linalg.solve),
         jvps=("-solve(a, matmul(t, y))", "solve(a, t)"))

# -- decompositions ----------------------------------------------------------------------------
helper("cholesky_vjp", "g y", shape=_type_of(1))
array_op("cholesky", np.linalg.cholesky, "x", "cholesky_vjp(g, y)",
         python=(np.linalg.cholesky,), helper="np.linalg.cholesky",
         shape=_shape(np.linalg.cholesky),
         jvps=(_CHOLESKY_JVP,))
helper("eigh_vjp", "gw gv x UPLO", shape=_type_of(2))
helper("eigh_w", "x UPLO='L'", "eigh_vjp(g, 0.0, x, UPLO)", shape=_shape(H.eigh_w),
         jvps=(_EIGH_W_JVP,))
helper("eigh_v", "x UPLO='L'", "eigh_vjp(0.0, g, x, UPLO)", shape=_shape(H.eigh_v),
         jvps=(NO_RULE,))
tuple_result(np.linalg.eigh, "eigh_w", "eigh_v")
helper("qr_vjp", "gq gr x", shape=_type_of(2))
helper("qr_q", "x", "qr_vjp(g, 0.0, x)", shape=_shape(H.qr_q),
         jvps=(NO_RULE,))
helper("qr_r", "x", "qr_vjp(0.0, g, x)", shape=_shape(H.qr_r),
         jvps=(NO_RULE,))
tuple_result(np.linalg.qr, "qr_q", "qr_r")
alias("eigh_w", np.linalg.eigvalsh)
# svd: u and vh by Townsend's rule (factor_helpers), which raises at repeated singular
# values and at the arbitrary extra columns of full_matrices=True
helper("svd_s_vjp", "g x", shape=_type_of(1))
# NO_RULE: their own derivatives are not written, and a helper without rules would
# otherwise pass for a constant in forward over reverse (a silent zero Hessian term)
helper("svd_vectors_vjp", "gu gs gv x", *[NO_RULE] * 4, shape=_type_of(3))


def _svd_vectors_jvp_shape(t, x, fm, which):
    """The tangent's type; full_matrices=True's extra vectors (u's last m - n columns,
    vh's last n - m rows) are an arbitrary basis of a complement with no derivative, so
    their tangent is rejected here, where forward mode names the user's line."""
    shape = x.shape if is_type(x) else np.shape(x)
    if fm and shape is not None and (shape[-2] > shape[-1] if which == 0
                                     else shape[-1] > shape[-2]):
        raise TypeError(f"the extra singular vectors of np.linalg.svd(x, full_matrices=True)"
                        f" of a {shape[-2]}x{shape[-1]} x are arbitrary and have no "
                        f"derivative in forward mode; pass full_matrices=False")
    return _shape(H.svd_u if which == 0 else H.svd_vh)(x, fm)


helper("svd_vectors_jvp", "t x full_matrices which", NO_RULE, NO_RULE,
       shape=_svd_vectors_jvp_shape)
_SVD = "x full_matrices=True compute_uv=True hermitian=False"


def _general_svd(impl):
    """The shape of an SVD whose rules are the general SVD's: ``hermitian=True`` (NumPy
    reads the lower triangle only, through eigh) is refused, where a derivative of the
    general SVD would be another function's."""
    shape = _shape(impl)

    def checked(x, full_matrices=True, compute_uv=True, hermitian=False):
        if hermitian is True or getattr(hermitian, "value", False) is True:
            raise TypeError("np.linalg.svd(..., hermitian=True) reads the lower triangle only; "
                            "its derivative is not the general SVD's: write "
                            "np.linalg.svd(np.tril(x) + np.tril(x, -1).T) instead")
        return shape(x, full_matrices, compute_uv, hermitian)
    return checked


helper("svd_s_jvp", "t x", NO_RULE, NO_RULE, shape=lambda t, x: _shape(H.svd_s)(x))
helper("svd_s", _SVD, "svd_s_vjp(g, x)", shape=_general_svd(H.svd_s), python=(H.svd_s,),
       jvps=("svd_s_jvp(t, x)",))
helper("svd_u", _SVD, "svd_vectors_vjp(g, 0.0, 0.0, x)", shape=_general_svd(H.svd_u),
       jvps=("svd_vectors_jvp(t, x, full_matrices, 0)",))
helper("svd_vh", _SVD, "svd_vectors_vjp(0.0, 0.0, g, x)", shape=_general_svd(H.svd_vh),
       jvps=("svd_vectors_jvp(t, x, full_matrices, 2)",))
tuple_result(np.linalg.svd, "svd_u", "svd_s", "svd_vh", single=("compute_uv", 2, False, "svd_s"))
# LU with partial pivoting as scipy.linalg.lu_factor packs it (its expansion is in
# scipy_linalg.py): the packed factors differentiate, the pivots are integers
helper("lu_packed_vjp", "g lu piv", NO_RULE, NO_RULE, shape=_type_of(1))
helper("lu_packed_jvp", "t lu piv", NO_RULE, NO_RULE, shape=_type_of(1))
helper("lu_packed", "a", "lu_packed_vjp(g, y, lu_piv(a))", shape=_shape(H.lu_packed), python=(H.lu_packed,),
       jvps=("lu_packed_jvp(t, y, lu_piv(a))",))
for _name in ("lu_piv", "lu_perm"):
    array_op(_name, getattr(H, _name), "a" if _name == "lu_piv" else "piv", helper=_name,
             result=always("int"), shape=_shape(getattr(H, _name)), python=(getattr(H, _name),))
nondiff("matrix_rank", np.linalg.matrix_rank, result=always("int"),
        syntax=Syntax("call", "np.linalg.matrix_rank"), python=(np.linalg.matrix_rank,))
# pinv of constant rank (Golub and Pereyra 1973), y = pinv(x), written without I - x y:
#   dy = -y dx y + y y^T dx^T (I - x y) + (I - y x) dx^T y^T y
_GT = _T.format("g")
array_op("pinv", np.linalg.pinv, "x",
         f"-matmul(matmul({_T.format('y')}, g), {_T.format('y')})"
         f" + matmul({_GT} - matmul(matmul(x, y), {_GT}), matmul(y, {_T.format('y')}))"
         f" + matmul(matmul({_T.format('y')}, y), {_GT} - matmul(matmul({_GT}, y), x))",
         python=(np.linalg.pinv,), helper="np.linalg.pinv", shape=_shape(np.linalg.pinv),
         jvps=(_PINV_JVP,))
helper("lstsq_residuals_vjp", "g a b wrt_a")
# shaped as the residuals are (typed on the same full-rank stand-ins; evaluated on the
# generic ones, a rank-deficient a, it would have no residuals and shape (0,))
helper("lstsq_residuals_jvp", "t a b wrt_a",
       shape=lambda t, a, b, wrt_a: _shape(H.lstsq_residuals)(a, b))
helper("lstsq_residuals", "a b", "lstsq_residuals_vjp(g, a, b, True)",
       "lstsq_residuals_vjp(g, a, b, False)", shape=_shape(H.lstsq_residuals),
       python=(H.lstsq_residuals,),
       jvps=("lstsq_residuals_jvp(t, a, b, True)", "lstsq_residuals_jvp(t, a, b, False)"))

# -- matrix structure (linear: the rule is the same selection, or its scatter) -------------------
array_op("tril", np.tril, "x k=0", "tril(g, k)", python=(np.tril,),
         linear=0)
array_op("triu", np.triu, "x k=0", "triu(g, k)", python=(np.triu,),
         linear=0)
helper("diagonal_vjp", "g x offset axis1 axis2", "diagonal(g, offset, axis1, axis2)",
         linear=0)
array_op("diagonal", np.diagonal, "x offset=0 axis1=0 axis2=1",
         "diagonal_vjp(g, x, offset, axis1, axis2)", python=(np.diagonal,),
         linear=0, method="diagonal")
helper("diff_vjp", "g x n axis",
         linear=0)
array_op("diff", np.diff, "x n=1 axis=-1", "diff_vjp(g, x, n, axis)", python=(np.diff,),
         linear=0)
