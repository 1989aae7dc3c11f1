"""Complex values where the loss is real: JAX's convention.

A cotangent ``c`` pairs with a tangent ``t`` by ``Re(c * t)`` (no conjugate), so
``jax.grad`` of a real function of ``z = x + iy`` is ``df/dx - i df/dy`` and a
holomorphic function's reverse rule is ``g * f'(z)``, the real rule unchanged.  The
transforms take the real part, centrally, where a complex cotangent reaches a real
value (reverse) or a complex tangent a real result (forward); real inputs only ever
get real derivatives.

Invariant: an active complex value reaches only primitives in ``COMPLEX_RULES``
(``analysis.activity`` rejects any other at the user's line): the holomorphic ones
and the linear ones whose rules are transposes without conjugation, which hold for
complex values as written, and the entries below, whose rules are complex-aware.
Only the Python backend differentiates complex values (``activity.COMPLEX``).
"""
import numpy as np

from . import complex_helpers as C
from .registry import COMPLEX_RULES, NO_RULE, Syntax, always, array_op, nondiff

# np.real / np.imag / np.conj / np.angle / np.abs of a complex array (numpy_expansions.py
# and the type analysis pick these for complex arguments; real ones keep their real forms)
array_op("creal", C.creal, "x", "g", helper="np.real", linear=0, python=(C.creal,))
array_op("cimag", C.cimag, "x", "imag_vjp(g)", helper="np.imag", linear=0, python=(C.cimag,))
array_op("imag_vjp", C.imag_vjp, "g", "imag_vjp(g)", helper="imag_vjp", linear=0)
array_op("cconj", C.cconj, "x", "cconj(g)", helper="np.conj", linear=0, python=(C.cconj,),
         method=("conj", "conjugate"))
array_op("cabs", np.abs, "x", "cabs_vjp(g, x, y)", helper="np.abs", jvps=("cabs_jvp(t, x, y)",))
# second derivatives through z are not declared: rejected at the line, never a zero
array_op("cabs_vjp", C.abs_vjp, "g x y", "cabs_jvp(g, x, y)", NO_RULE, NO_RULE,
         helper="abs_vjp", jvps=("cabs_vjp(t, x, y)", NO_RULE, NO_RULE))
array_op("cabs_jvp", C.abs_jvp, "t x y", "cabs_vjp(g, x, y)", NO_RULE, NO_RULE, helper="abs_jvp",
         jvps=("cabs_jvp(t, x, y)", NO_RULE, NO_RULE))
array_op("cangle", C.cangle, "x", "cangle_vjp(g, x)", helper="np.angle", python=(C.cangle,),
         jvps=("cangle_jvp(t, x)",))
array_op("cangle_vjp", C.angle_vjp, "g x", "cangle_jvp(g, x)", NO_RULE, helper="angle_vjp",
         jvps=("cangle_vjp(t, x)", NO_RULE))
array_op("cangle_jvp", C.angle_jvp, "t x", "cangle_vjp(g, x)", NO_RULE, helper="angle_jvp",
         jvps=("cangle_jvp(t, x)", NO_RULE))

# a branch on it folds once its argument is typed (analysis/types.py): expansions pick
# the complex form
# ``isinstance(x, np.ndarray)`` of a run-time value: decided by its type (analysis/types.py)
nondiff("is_ndarray", lambda x: isinstance(x, np.ndarray), result=always("bool"),
        syntax=Syntax("call", "is_ndarray"))
nondiff("iscomplexobj", np.iscomplexobj, result=always("bool"), python=(np.iscomplexobj,),
        numpy="np.iscomplexobj", syntax=Syntax("call", "np.iscomplexobj"))

# np.fft: linear, so the forward rule is the transform of the tangent; the reverse rule
# is its transpose (complex_helpers.py), never the inverse transform
for _name, _params in (("fft", "a n=None axis=-1 norm=None"), ("ifft", "a n=None axis=-1 norm=None"),
                       ("fft2", "a s=None axes=(-2,-1) norm=None"),
                       ("ifft2", "a s=None axes=(-2,-1) norm=None")):
    _ax = "axes" if _name.endswith("2") else "axis"
    array_op(_name, getattr(np.fft, _name), _params, f"{_name}_vjp(g, a, {_ax}, norm)",
             helper=f"np.fft.{_name}", linear=0, python=(getattr(np.fft, _name),))
    array_op(f"{_name}_vjp", getattr(C, f"{_name}_vjp"), f"g x {_ax} norm",
             helper=f"{_name}_vjp", linear=0)
array_op("rfft", np.fft.rfft, "a n=None axis=-1 norm=None", "rfft_vjp(g, a, n, axis, norm)",
         helper="np.fft.rfft", linear=0, python=(np.fft.rfft,))
array_op("rfft_vjp", C.rfft_vjp, "g x n axis norm", helper="rfft_vjp", linear=0)
array_op("irfft", np.fft.irfft, "a n=None axis=-1 norm=None", "irfft_vjp(g, a, n, axis, norm)",
         helper="np.fft.irfft", linear=0, python=(np.fft.irfft,))
array_op("irfft_vjp", C.irfft_vjp, "g x n axis norm", helper="irfft_vjp", linear=0)

# primitives whose rules hold for complex values as declared: holomorphic (g * f'(z)) or
# linear with conjugation-free transposes
COMPLEX_RULES.update({
    "copy", "pack", "item", "add", "sub", "mul", "truediv", "neg", "pos", "pow", "exp", "log", "sqrt",
    "sin", "cos", "tan", "sinh", "cosh", "tanh", "expm1", "log1p",
    "sum", "mean", "getitem", "reshape", "transpose", "ravel", "like", "transpose_vjp", "unbroadcast", "expand_like",
    "expand_to", "getitem_vjp", "zeros_like", "astype_like", "asarray", "astype", "copy_array",
    "expand_dims", "squeeze", "swapaxes", "moveaxis", "broadcast_to", "concat2", "concat_first",
    "concat_second", "stack", "flip", "roll", "cumsum", "cumsum_vjp", "diff", "diff_vjp",
    "matmul", "matmul_vjp_a", "matmul_vjp_b", "dot", "dot_vjp_a", "dot_vjp_b", "outer",
    "trace", "trace_vjp",
    "creal", "cimag", "imag_vjp", "cconj", "cabs", "cabs_vjp", "cabs_jvp", "cangle",
    "cangle_vjp", "cangle_jvp", "fft", "ifft", "fft2", "ifft2", "rfft", "irfft",
    "fft_vjp", "ifft_vjp", "fft2_vjp", "ifft2_vjp", "rfft_vjp", "irfft_vjp"})
