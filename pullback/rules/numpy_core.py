"""NumPy: broadcasting helper, elementwise extras, reductions, shapes, indexing,
constructors.  One entry per function; ``g`` is the output cotangent.

Broadcasting is never undone here: the reverse transform sums every
contribution down to its argument's shape (``unbroadcast``) once, centrally.
"""
import math

import numpy as np

from . import helpers, np_helpers as H
from ..ir.types import Array, IndexT, ListT, join, of_value
from .registry import (IN_TRANSFORM, NO_RULE, Syntax, alias, always, array_op, nondiff, numeric,
                       register, scalar)
from .shapes import sized_by

# -- helpers the rules call (themselves primitives) ---------------------------
array_op("unbroadcast", H.unbroadcast, "g x", "expand_like(g, x)", helper="unbroadcast",
         linear=0, zero_in_zero_out=True)
array_op("expand_like", lambda g, x: np.broadcast_to(g, np.shape(x)), "g x",
         "unbroadcast(g, x)", helper="np.broadcast_to",
         linear=0, zero_in_zero_out=True)
array_op("expand_to", H.expand_to, "t x axis keepdims", "sum(g, axis, keepdims)",
         helper="expand_to",
         linear=0, zero_in_zero_out=True)
nondiff("count", H.count, params="x axis", result=always("int"),
        syntax=Syntax("call", "count"), helper="count", numpy="count")
nondiff("extremum_mask", H.extremum_mask, params="x y axis keepdims",
        syntax=Syntax("call", "extremum_mask"), helper="extremum_mask", numpy="extremum_mask")
array_op("getitem_vjp", H.getitem_vjp, "t x idx", "getitem(g, idx)", helper="getitem_vjp",
         linear=0, zero_in_zero_out=True)
# x[idx] = v's cotangent for v: g[idx] less the writes a repeated index overwrote
# (rules/algebra.py folds it to getitem for a basic index); linear, its transpose a write
array_op("last_write_vjp", H.last_write_vjp, "x idx", "setitem(zeros_like(x), idx, g)",
         helper="last_write_vjp", linear=0, zero_in_zero_out=True)
array_op("like", H.like, "t x", "like(g, t)", helper="like",
         linear=0, zero_in_zero_out=True)
# a piece of np.r_[...] (frontend/arrays.py): scalars become vectors, arrays stay
array_op("atleast_1d_piece", np.atleast_1d, "x", "like(g, x)", helper="np.atleast_1d",
         jvps=("atleast_1d_piece(t)",))
array_op("transpose_vjp", H.transpose_vjp, "t axes", "transpose(g, axes)",
         helper="transpose_vjp",
         linear=0, zero_in_zero_out=True)
array_op("cumsum_vjp", H.cumsum_vjp, "t x axis", helper="cumsum_vjp",
         linear=0, zero_in_zero_out=True)
array_op("cumprod_vjp", H.cumprod_vjp, "t x axis", "cumprod_jvp(g, x, axis)", NO_RULE,
         helper="cumprod_vjp", jvps=("cumprod_vjp(t, x, axis)", NO_RULE))
array_op("cumprod_jvp", H.cumprod_jvp, "t x axis", "cumprod_vjp(g, x, axis)", NO_RULE,
         helper="cumprod_jvp", jvps=("cumprod_jvp(t, x, axis)", NO_RULE))
array_op("split_part_vjp", H.split_part_vjp, "t x sections k axis",
         "split_part(g, sections, k, axis)", helper="split_part_vjp",
         linear=0, zero_in_zero_out=True)
array_op("concat_first", H.concat_first, "t a axis", helper="concat_first",
         linear=0, zero_in_zero_out=True)
array_op("concat_second", H.concat_second, "t a axis", helper="concat_second",
         linear=0, zero_in_zero_out=True)
array_op("tile_vjp", H.tile_vjp, "t x reps", "tile(g, reps)", helper="tile_vjp",
         linear=0, zero_in_zero_out=True)
array_op("repeat_vjp", H.repeat_vjp, "t x repeats axis", "repeat(g, repeats, axis)",
         helper="repeat_vjp",
         linear=0, zero_in_zero_out=True)
array_op("pad_vjp", H.pad_vjp, "t x pad_width", helper="pad_vjp",
         linear=0, zero_in_zero_out=True)
array_op("take_vjp", H.take_vjp, "t x indices axis", "take(g, indices, axis)",
         helper="take_vjp",
         linear=0, zero_in_zero_out=True)
array_op("take_along_axis_vjp", H.take_along_axis_vjp, "t x indices axis",
         "take_along_axis(g, indices, axis)", helper="take_along_axis_vjp",
         linear=0, zero_in_zero_out=True)
array_op("sort_vjp", H.sort_vjp, "t x axis", helper="sort_vjp",
         linear=0, zero_in_zero_out=True)
array_op("astype_like", H.astype_like, "t x", "astype_like(g, t)", helper="astype_like",
         linear=0)
array_op("diag_vjp", H.diag_vjp, "t x k", "diag(g, k)", helper="diag_vjp",
         linear=0, zero_in_zero_out=True)
array_op("trace_vjp", H.trace_vjp, "t x", "trace(g)", helper="trace_vjp",
         linear=0, zero_in_zero_out=True)
# prod_others' Jacobian M[i, k] = prod of x over the group of i and k but x_i, x_k is
# symmetric, so its transpose is its tangent map (grad of a jvp of np.prod)
array_op("prod_others", H.prod_others, "x axis", "prod_others_jvp(g, x, axis)",
         helper="prod_others", jvps=("prod_others_jvp(t, x, axis)",))
array_op("prod_others_jvp", H.prod_others_jvp, "t x axis", "prod_others_jvp(g, x, axis)",
         NO_RULE, helper="prod_others_jvp",
         jvps=("prod_others_jvp(t, x, axis)", NO_RULE))  # linear in t; x: a third derivative
# norm_vjp's own tangents (Hessians through a norm): vector p-norms (the 1 and inf norms
# piecewise linear) and the Frobenius norm; other matrix norms have none here
def _second_order(t, g, x, n, ord, axis, keepdims):
    matrix = isinstance(axis, tuple) or axis is None and isinstance(x, Array) and \
        x.shape is not None and len(x.shape) == 2 and ord is not None
    if isinstance(ord, str) and ord != "fro" or matrix and ord not in ("fro", None):
        raise TypeError(f"no second derivative of np.linalg.norm with ord={ord!r} over a "
                        "matrix is known: take it by finite differences of the gradient")
    return x if isinstance(x, Array) else of_value(x)


for _name in ("norm_vjp_dx", "norm_vjp_dy"):
    array_op(_name, getattr(H, _name), "t g x n ord axis keepdims", helper=_name,
             shape=_second_order, jvps=(NO_RULE, NO_RULE, NO_RULE, NO_RULE))
array_op("norm_vjp", H.norm_vjp, "g x n ord axis keepdims", helper="norm_vjp",   # n: the norm
         jvps=("norm_vjp(t, x, n, ord, axis, keepdims)",     # (y in a rule is the output)
               "norm_vjp_dx(t, g, x, n, ord, axis, keepdims)",
               "norm_vjp_dy(t, g, x, n, ord, axis, keepdims)"))

# -- elementwise functions beyond the scalar ones ------------------------------
scalar("square", np.square, "2 * x", python=(np.square,), numpy="np.square",
       syntax=Syntax("call", "np.square"))
scalar("reciprocal", np.reciprocal, "-y * y", python=(np.reciprocal,), numpy="np.reciprocal",
       syntax=Syntax("call", "np.reciprocal"))
scalar("logaddexp", np.logaddexp, "exp(a - y)", "exp(b - y)", params="a b",
       python=(np.logaddexp,), numpy="np.logaddexp", syntax=Syntax("call", "np.logaddexp"))
scalar("logaddexp2", np.logaddexp2, "exp2(a - y)", "exp2(b - y)", params="a b",
       python=(np.logaddexp2,), numpy="np.logaddexp2", syntax=Syntax("call", "np.logaddexp2"))
# fmod keeps the dividend's sign (C's fmod); a % b and np.mod the divisor's
scalar("fmod", math.fmod, "1", "-trunc(a / b)", params="a b", python=(math.fmod, np.fmod),
       numpy="np.fmod")
alias("mod", np.mod, nargs=2)
alias("degrees", np.rad2deg, nargs=1)
alias("radians", np.deg2rad, nargs=1)
nondiff("heaviside", np.heaviside, params="x h", python=(np.heaviside,), numpy="np.heaviside",
        syntax=Syntax("call", "np.heaviside"))
# fmax/fmin take the operand that is not NaN (b != b: b is NaN), where every comparison
# with the NaN is False; both NaN: the result is a's.
scalar("fmax", np.fmax, "select(b != b, 1.0, select(a > b, 1.0, select(a == b, 0.5, 0.0)))",
       "select(b != b, 0.0, select(a != a, 1.0, select(b > a, 1.0, select(a == b, 0.5, 0.0))))",
       params="a b", python=(np.fmax,), numpy="np.fmax", syntax=Syntax("call", "np.fmax"))
scalar("fmin", np.fmin, "select(b != b, 1.0, select(a < b, 1.0, select(a == b, 0.5, 0.0)))",
       "select(b != b, 0.0, select(a != a, 1.0, select(b < a, 1.0, select(a == b, 0.5, 0.0))))",
       params="a b", python=(np.fmin,), numpy="np.fmin", syntax=Syntax("call", "np.fmin"))
# np.maximum / np.minimum: NaN in either argument propagates and a tie returns b (NumPy's
# loop, helpers.np_maximum); the derivative is JAX's: 0 to both at NaN, half each at a tie
scalar("maximum", helpers.np_maximum, "select(a > b, 1.0, select(a == b, 0.5, 0.0))",
       "select(b > a, 1.0, select(a == b, 0.5, 0.0))", params="a b", result=numeric,
       helper="np_maximum", syntax=Syntax("call", "np_maximum"), python=(np.maximum,),
       numpy="np.maximum")
scalar("minimum", helpers.np_minimum, "select(a < b, 1.0, select(a == b, 0.5, 0.0))",
       "select(b < a, 1.0, select(a == b, 0.5, 0.0))", params="a b", result=numeric,
       helper="np_minimum", syntax=Syntax("call", "np_minimum"), python=(np.minimum,),
       numpy="np.minimum")
# clip is minimum(maximum(x, lo), hi): NaN anywhere propagates; at a bound the tie splits
# the adjoint, as in JAX
_HI = "select(maximum(x, lo) < hi, 1.0, select(maximum(x, lo) == hi, 0.5, 0.0))"
scalar("clip", helpers.np_clip, f"select(x > lo, 1.0, select(x == lo, 0.5, 0.0)) * {_HI}",
       f"select(lo > x, 1.0, select(x == lo, 0.5, 0.0)) * {_HI}",
       "select(hi < maximum(x, lo), 1.0, select(maximum(x, lo) == hi, 0.5, 0.0))",
       params="x lo hi", helper="np_clip", python=(np.clip,), numpy="np.clip",
       syntax=Syntax("call", "np_clip"), method="clip")
# sinc'(x) = (cos(pi x) - sinc(x)) / x cancels near 0 (an absolute error eps / x, and eps / x^2
# in the second derivative a Hessian takes from this rule), so below |x| = 0.1 the rule is
# its Taylor series, sum_k (-1)^k 2k pi^2k x^(2k-1) / (2k+1)!, to k = 7 (the next term is
# below 1e-18 of the first there): first and second derivative to rounding, -pi^2/3 at 0
_SINC_SERIES = "x * (-3.289868133696453 + x * x * (3.246969701133414 + x * x * (-1.144510944732505 + x * x * (0.20918278254123832 + x * x * (-0.023460810354558225 + x * x * (0.001781145516372851 + x * x * (-9.766223126318928e-05)))))))"
scalar("sinc", np.sinc, f"select(abs(x) < 0.1, {_SINC_SERIES}, (cos(3.141592653589793 * x) - y) / "
       "select(abs(x) < 0.1, 1.0, x))", python=(np.sinc,), numpy="np.sinc",
       syntax=Syntax("call", "np.sinc"))
nondiff("np_rint", np.rint, python=(np.rint,), numpy="np.rint", syntax=Syntax("call", "np.rint"))
# decimals static (bound by signature, so x.round(1) and np.round(x, decimals=1) too)
nondiff("np_round", np.round, params="x decimals", python=(np.round,), numpy="np.round",
        syntax=Syntax("call", "np.round"), method="round", defaults=(0,), bind=True)

# -- reductions ----------------------------------------------------------------
array_op("sum", np.sum, "x axis=None keepdims=False", "expand_to(g, x, axis, keepdims)",
         python=(np.sum,),
         linear=0, method="sum")
array_op("mean", np.mean, "x axis=None keepdims=False",
         "expand_to(g, x, axis, keepdims) / count(x, axis)", python=(np.mean,),
         linear=0, method="mean")
# d prod / dx is the product of the other factors, not y / x (nan where x has a zero)
array_op("prod", np.prod, "x axis=None keepdims=False",
         "expand_to(g, x, axis, keepdims) * prod_others(x, axis)", python=(np.prod,),
         jvps=("sum(t * prod_others(x, axis), axis, keepdims)",), method="prod")
array_op("amax", np.max, "x axis=None keepdims=False",
         "expand_to(g, x, axis, keepdims) * extremum_mask(x, y, axis, keepdims)",
         python=(np.max, np.amax), helper="np.max",
         jvps=("sum(t * extremum_mask(x, y, axis, keepdims), axis, keepdims)",), method="max")
array_op("amin", np.min, "x axis=None keepdims=False",
         "expand_to(g, x, axis, keepdims) * extremum_mask(x, y, axis, keepdims)",
         python=(np.min, np.amin), helper="np.min",
         jvps=("sum(t * extremum_mask(x, y, axis, keepdims), axis, keepdims)",), method="min")
array_op("var", np.var, "x axis=None ddof=0 keepdims=False",
         "expand_to(g, x, axis, keepdims) * 2.0 * (x - mean(x, axis, True)) / "
         "(count(x, axis) - ddof)", python=(np.var,),
         jvps=("sum(t * 2.0 * (x - mean(x, axis, True)), axis, keepdims) / (count(x, axis) - ddof)",), method="var")
# std is 0 exactly where x - mean(x) is 0 (always, over a length-1 axis): there the
# numerator is 0 and dividing by 1 instead of y gives 0, not 0 / 0 (the derivative over a
# length-1 axis, where std is identically 0; elsewhere the minimum-norm subgradient)
_STD_Y = "select(y == 0, 1.0, y)"
array_op("std", np.std, "x axis=None ddof=0 keepdims=False",
         f"expand_to(g / {_STD_Y}, x, axis, keepdims) * (x - mean(x, axis, True)) / "
         "(count(x, axis) - ddof)", python=(np.std,),
         jvps=("sum(t * (x - mean(x, axis, True)), axis, keepdims) / "
               f"((count(x, axis) - ddof) * {_STD_Y})",), method="std")
array_op("cumsum", np.cumsum, "x axis=None", "cumsum_vjp(g, x, axis)", python=(np.cumsum,),
         linear=0, method="cumsum")
# the rules run a recurrence, not ``cumsum(g * y) / x`` (nan where x has a zero)
array_op("cumprod", np.cumprod, "x axis=None", "cumprod_vjp(g, x, axis)", python=(np.cumprod,),
         jvps=("cumprod_jvp(t, x, axis)",), method="cumprod")
array_op("norm", np.linalg.norm, "x ord=None axis=None keepdims=False",
         "norm_vjp(g, x, y, ord, axis, keepdims)", python=(np.linalg.norm,),
         helper="np.linalg.norm",
         jvps=("sum(norm_vjp(ones_like(y), x, y, ord, axis, keepdims) * t, axis, keepdims)",))
array_op("trace", np.trace, "x", "trace_vjp(g, x)",     # (np.trace: numpy_arrangement)
         linear=0, method="trace")

# -- shapes (linear: the rule is the inverse rearrangement) ---------------------
array_op("reshape", np.reshape, "x shape", "like(g, x)", python=(np.reshape,),
         linear=0, method="reshape")
array_op("ravel", np.ravel, "x", "like(g, x)", python=(np.ravel,),
         linear=0, method="ravel")
array_op("flatten", H.flatten, "x", "like(g, x)", helper="flatten",
         linear=0, method="flatten")
array_op("transpose", np.transpose, "x axes=None", "transpose_vjp(g, axes)",
         python=(np.transpose,),
         linear=0, method="transpose")
array_op("swapaxes", np.swapaxes, "x axis1 axis2", "swapaxes(g, axis1, axis2)",
         python=(np.swapaxes,),
         linear=0, method="swapaxes")
array_op("moveaxis", np.moveaxis, "x source destination",
         "moveaxis(g, destination, source)", python=(np.moveaxis,),
         linear=0)
array_op("expand_dims", np.expand_dims, "x axis", "like(g, x)", python=(np.expand_dims,),
         linear=0)
array_op("squeeze", np.squeeze, "x axis=None", "like(g, x)", python=(np.squeeze,),
         linear=0, method="squeeze")
array_op("broadcast_to", np.broadcast_to, "x shape", "unbroadcast(g, x)",
         python=(np.broadcast_to,),
         linear=0)
array_op("concat2", H.concat2, "a b axis", "concat_first(g, a, axis)",
         "concat_second(g, a, axis)", helper="concat2",
         jvps=("concat2(t, zeros_like(b), axis)", "concat2(zeros_like(a), t, axis)"))
array_op("atleast_2d", np.atleast_2d, "x", "like(g, x)", python=(np.atleast_2d,),
         linear=0)
array_op("hstack2", H.hstack2, "a b", "hstack_first(g, a)", "hstack_second(g, a)",
         helper="hstack2",
         jvps=("hstack2(t, zeros_like(b))", "hstack2(zeros_like(a), t)"))
array_op("hstack_first", H.hstack_first, "t a", helper="hstack_first",
         linear=0)
array_op("hstack_second", H.hstack_second, "t a", helper="hstack_second",
         linear=0)
nondiff("hstack_axis", H.hstack_axis, result=always("int"),
        syntax=Syntax("call", "hstack_axis"), helper="hstack_axis", numpy="hstack_axis")
array_op("split_part", H.split_part, "x sections k axis",
         "split_part_vjp(g, x, sections, k, axis)", helper="split_part",
         linear=0)
array_op("array_split_part_vjp", H.array_split_part_vjp, "t x sections k axis",
         "array_split_part(g, sections, k, axis)", helper="array_split_part_vjp",
         linear=0)
array_op("array_split_part", H.array_split_part, "x sections k axis",
         "array_split_part_vjp(g, x, sections, k, axis)", helper="array_split_part",
         linear=0)
array_op("tile", np.tile, "x reps", "tile_vjp(g, x, reps)", python=(np.tile,),
         linear=0)
array_op("repeat", np.repeat, "x repeats axis=None", "repeat_vjp(g, x, repeats, axis)",
         python=(np.repeat,),
         linear=0, method="repeat")
array_op("flip", np.flip, "x axis=None", "flip(g, axis)", python=(np.flip,),
         linear=0)
array_op("roll", np.roll, "x shift axis=None", "roll(g, -shift, axis)", python=(np.roll,),
         linear=0)
def pad_zeros(x, pad_width):
    """np.pad with zeros: what the primitive is (np.pad itself is an expansion over it)."""
    return np.pad(x, pad_width)


array_op("pad", np.pad, "x pad_width", "pad_vjp(g, x, pad_width)", python=(pad_zeros,),
         linear=0)
array_op("diag", np.diag, "x k=0", "diag_vjp(g, x, k)", python=(np.diag,),
         linear=0)
array_op("copy_array", np.copy, "x", "g", python=(np.copy,), helper="np.copy",
         linear=0, method="copy")
array_op("astype", lambda x, dtype: np.asarray(x).astype(dtype), "x dtype",
         "astype_like(g, x)", helper="np.asarray",
         linear=0, method="astype")

# -- indexing --------------------------------------------------------------------
register("getitem", lambda x, idx: x[idx], ("x", "idx"), None, always("float"),
         Syntax("index", ""), vjps=("getitem_vjp(g, x, idx)", None), numpy="getitem",
         shape=sized_by("getitem", 1, masks=True),
         linear=0)
register("getitem_copy", lambda x, idx: np.array(x[idx]), ("x", "idx"), None,
         always("float"), Syntax("call", "np.array"), vjps=("getitem_vjp(g, x, idx)", None),
         numpy="getitem_copy", shape=sized_by("getitem_copy", 1, masks=True),
         linear=0)
def _setitem_type(x, idx, v):
    """A write into a list keeps it a list; into an array, NumPy says."""
    if isinstance(x, ListT):
        return ListT(join(x.elem, of_value(v) if isinstance(v, (int, float)) else v))
    if isinstance(x, Array) and np.dtype(x.dtype).kind in "biu" and \
            (v == "float" or isinstance(v, float) or
             isinstance(v, Array) and np.dtype(v.dtype).kind in "fc"):
        # NumPy keeps the array's dtype and truncates v: a derivative through it would be
        # a wrong number (and the functional helper would make a float array)
        raise TypeError(f"a float written into an array of {x.dtype} (NumPy truncates it "
                        "to an integer, and no derivative flows through that): make the "
                        "array float, e.g. np.array([...], dtype=float)")
    if isinstance(x, Array) and x.shape is not None and np.dtype(x.dtype).kind == "f" and \
            isinstance(idx, Array) and idx.dtype == "bool" and isinstance(v, Array) and \
            np.dtype(v.dtype).kind != "c":
        # y[mask] = v[:k]: the mask's count is known when it runs (its stand-in's is not),
        # and NumPy checks v against it then; a real float array keeps its dtype
        return Array(x.dtype, x.shape)
    t = sized_by("setitem", masks=True)(x, idx, v)
    if isinstance(x, Array) and x.shape is not None and isinstance(t, Array):
        return Array(t.dtype, x.shape)      # a write never resizes (y[mask] *= s is static)
    return t


register("setitem", H.setitem, ("x", "idx", "v"), None, always("float"),
         Syntax("call", "setitem"), helper="setitem", numpy="setitem",
         vjps=("setitem(g, idx, 0.0)", None, "unbroadcast(last_write_vjp(g, idx), v)"),
         shape=_setitem_type,
         jvps=(IN_TRANSFORM, None, IN_TRANSFORM))
register("index", lambda *parts: parts if len(parts) != 1 else parts[0], (), None,
         lambda *parts: IndexT.of(parts), Syntax("tuple", ""), numpy="index",  # x[i, j] too
         shape=lambda *parts: IndexT.of(parts))
register("index_list", H.index_list, (), None, always("index"), Syntax("call", "index_list"),
         helper="index_list", numpy="index_list", shape=always("index"))
register("slice", slice, ("start", "stop", "step"), None, always("index"),
         Syntax("call", "slice"), numpy="slice", shape=always("index"))
array_op("take", np.take, "x indices axis=None", "take_vjp(g, x, indices, axis)",
         python=(np.take,),
         linear=0, method="take")
array_op("take_along_axis", np.take_along_axis, "x indices axis",
         "take_along_axis_vjp(g, x, indices, axis)", python=(np.take_along_axis,),
         shape=sized_by("take_along_axis", indices=(1,)), linear=0)
array_op("sort", np.sort, "x axis=-1", "sort_vjp(g, x, axis)", python=(np.sort,),
         jvps=("take_along_axis(t, argsort(x, axis), axis)",))
array_op("argpartition", np.argpartition, "x kth axis=-1", python=(np.argpartition,),
         result=always("int"))
array_op("flatnonzero", np.flatnonzero, "x", python=(np.flatnonzero,), result=always("int"),
         shape=lambda x: Array("int64", (None,)))    # its length is the values'
for _name in ("argsort", "argmax", "argmin"):
    array_op(_name, getattr(np, _name), "x axis=None" if _name != "argsort" else "x axis=-1",
             python=(getattr(np, _name),), result=always("int"), method=_name)

# -- lists grown by append (the adjoint of a list is an array of its final length) ---
register("list_new", list, (), None, lambda: ListT(), Syntax("call", "list"), numpy="list",
         zero_derivative=True)
register("list_append", H.list_append, ("xs", "v", "k"), None, always("float"),
         Syntax("call", "list_append"), helper="list_append", numpy="list_append",
         vjps=("g", "getitem(g, k)", None),
         shape=lambda xs, v, k: ListT(join(xs.elem if isinstance(xs, ListT) else None,
                                           of_value(v) if isinstance(v, (int, float)) else v)),
         jvps=(IN_TRANSFORM, IN_TRANSFORM))

array_op("stack", np.stack, "xs axis=0", "moveaxis(g, axis, 0)", python=(np.stack,),
         jvps=("stack(t, axis)",))

# -- shape queries (no derivative) --------------------------------------------------
nondiff("shape_of", np.shape, result=always("shape"), syntax=Syntax("call", "np.shape"),
        python=(np.shape,), numpy="np.shape")
nondiff("dim", H.dim, params="x k", result=always("int"), syntax=Syntax("call", "dim"),
        helper="dim", numpy="dim")
nondiff("ndim", np.ndim, result=always("int"), syntax=Syntax("call", "np.ndim"),
        python=(np.ndim,), numpy="np.ndim")
nondiff("size", np.size, result=always("int"), syntax=Syntax("call", "np.size"),
        python=(np.size,), numpy="np.size")
nondiff("len", len, result=always("int"), syntax=Syntax("call", "len"), numpy="len")

# -- constructors --------------------------------------------------------------------
for _name in ("zeros", "ones", "empty"):     # the result does not depend on values
    array_op(_name, getattr(np, _name), "shape dtype=None", python=(getattr(np, _name),),
             shape=sized_by(_name, 0), zero_derivative=True)
    array_op(_name + "_like", getattr(np, _name + "_like"), "x dtype=None",
             python=(getattr(np, _name + "_like"),), zero_derivative=True)
array_op("full", np.full, "shape fill_value dtype=None", None, "g", python=(np.full,),
         shape=sized_by("full", 0),
         linear=1)
array_op("full_like", np.full_like, "x fill_value dtype=None", None, "g",
         python=(np.full_like,),
         linear=1)
array_op("arange", np.arange, "start stop=None step=None dtype=None",
         "arange_start_vjp(g, stop)", None, "arange_step_vjp(g, step)", python=(np.arange,),
         shape=sized_by("arange", 0, 1, 2),
         jvps=(NO_RULE, None, NO_RULE))
array_op("linspace", np.linspace, "start stop num=50 endpoint=True",
         "sum(g * (1.0 - linspace_weights(g, num, endpoint)), 0, False)",
         "sum(g * linspace_weights(g, num, endpoint), 0, False)", python=(np.linspace,),
         shape=sized_by("linspace", 2),
         jvps=("(1.0 - linspace_weights(y, num, endpoint)) * t",
              "linspace_weights(y, num, endpoint) * t"))
array_op("eye", np.eye, "N M=None k=0 dtype=None", python=(np.eye,), shape=sized_by("eye", 0, 1),
         zero_derivative=True)
array_op("identity", np.identity, "n dtype=None", python=(np.identity,),
         shape=sized_by("identity", 0), zero_derivative=True)
array_op("tri", np.tri, "N M=None k=0 dtype=None", python=(np.tri,), shape=sized_by("tri", 0, 1),
         zero_derivative=True)
array_op("zeros_for", H.zeros_for, "shape leaf", helper="zeros_for",
         zero_derivative=True)
# the same room for a Python tuple kept as one value (a list's item): its items are the
# leaves themselves, not copies, which the alias analysis knows by this name
array_op("tuple_for", H.tuple_room, "shape leaf", helper="tuple_room",
         zero_derivative=True)
nondiff("linspace_weights", H.linspace_weights, params="g num endpoint", helper="linspace_weights",
        syntax=Syntax("call", "linspace_weights"), numpy="linspace_weights")
nondiff("arange_start_vjp", H.arange_start_vjp, params="g stop", helper="arange_start_vjp",
        syntax=Syntax("call", "arange_start_vjp"), numpy="arange_start_vjp")
nondiff("arange_step_vjp", H.arange_step_vjp, params="g step", helper="arange_step_vjp",
        syntax=Syntax("call", "arange_step_vjp"), numpy="arange_step_vjp")
array_op("asarray", np.array, "x dtype=None", "astype_like(g, x)",
         python=(np.array, np.asarray), helper="np.array",
         linear=0)
