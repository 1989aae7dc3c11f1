"""NumPy functions whose results carry no derivative: comparisons and logic
on arrays, and random draws.

Random draws are constants of the program, except through their location and
scale: ``np.random.normal(mu, s)`` is ``mu + s * z`` for the draw ``z``, and
the rules give that path's derivative (what finite differences with a fixed
seed measure); draws that take only a shape have none.  Integer draws and
resampling (``randint``, ``choice``, ``permutation``, ``shuffle``) are not
declared, so they are rejected by name.
"""
import numpy as np

from .registry import NO_RULE, Syntax, alias, always, array_op, nondiff, numpy_result
from .shapes import sized_by

BOOL = always("bool")

# -- comparisons and logic on arrays (no derivative) --------------------------------------------
for _prim, _np in [("lt", np.less), ("le", np.less_equal), ("gt", np.greater),
                   ("ge", np.greater_equal), ("eq", np.equal), ("ne", np.not_equal)]:
    alias(_prim, _np, nargs=2)
for _name in ("logical_and", "logical_or", "logical_xor"):
    nondiff(_name, getattr(np, _name), params="a b", result=BOOL,
            syntax=Syntax("call", f"np.{_name}"), python=(getattr(np, _name),))
for _name in ("logical_not", "isfinite", "isnan", "isinf", "signbit"):
    nondiff(_name, getattr(np, _name), result=BOOL, syntax=Syntax("call", f"np.{_name}"),
            python=(getattr(np, _name),))
nondiff("isclose", np.isclose, params="a b", result=BOOL, syntax=Syntax("call", "np.isclose"),
        python=(np.isclose,))
nondiff("np_any", np.any, result=BOOL, syntax=Syntax("call", "np.any"), python=(np.any,))
nondiff("np_all", np.all, result=BOOL, syntax=Syntax("call", "np.all"), python=(np.all,))
nondiff("count_nonzero", np.count_nonzero, result=always("int"),
        syntax=Syntax("call", "np.count_nonzero"), python=(np.count_nonzero,))

# -- the largest finite value of an operand's float dtype (np.nan_to_num's stand-in for inf) --
def largest_finite(x):
    """float32's 3.4e38 for a float32 ``x`` (float64's 1.8e308 is inf there), float64's for
    a float or an int; typing folds it to that constant (analysis/types.py)."""
    return float(np.finfo(np.result_type(x, 0.0)).max)


nondiff("largest_finite", largest_finite, python=(largest_finite,),
        syntax=Syntax("call", "largest_finite"))


# -- np.random (the global generator): impure, never run at compile time ----------------------
def _zeros(size):
    return 0.0 if size is None else np.zeros(size)


def _zeros_like_params(*params, size=None):
    return np.zeros(size) if size is not None else np.zeros(np.broadcast_shapes(
        *[np.shape(p) for p in params]))[()]


for _name, _fn in [("rand", np.random.rand), ("randn", np.random.randn)]:
    for _k in range(4):        # rand(d0, d1, ...): one primitive per number of dims
        nondiff(f"random_{_name}{_k}", _fn, params=" ".join(f"d{i}" for i in range(_k)),
                syntax=Syntax("call", f"np.random.{_name}"), python=(_fn,), pure=False,
                result=numpy_result,
                shape=sized_by(f"random_{_name}{_k}", *range(_k),
                               like=lambda *d: _zeros(d or None)))
for _name in ("random", "random_sample", "standard_normal"):
    array_op(f"random_{_name}", getattr(np.random, _name), "size=None",
             python=(getattr(np.random, _name),), helper=f"np.random.{_name}", pure=False,
             shape=sized_by(f"random_{_name}", 0, like=_zeros))
array_op("random_normal", np.random.normal, "loc=0.0 scale=1.0 size=None",
         "g", "g * (y - loc) / scale", python=(np.random.normal,), helper="np.random.normal",
         shape=sized_by("random_normal", 2, like=lambda a, b, size: _zeros_like_params(
             a, b, size=size)), pure=False,
         jvps=(NO_RULE, NO_RULE))
array_op("random_uniform", np.random.uniform, "low=0.0 high=1.0 size=None",
         "g * (high - y) / (high - low)", "g * (y - low) / (high - low)",
         python=(np.random.uniform,), helper="np.random.uniform", pure=False,
         shape=sized_by("random_uniform", 2, like=lambda a, b, size: _zeros_like_params(
             a, b, size=size)),
         jvps=(NO_RULE, NO_RULE))


# -- an expansion's refusal of an argument it does not support ---------------------------------
def rejected(what):
    """Typing it fails, so the error names the user's line and ``what`` (the construct)."""
    raise TypeError(f"{what} is not supported")


nondiff("rejected", rejected, params="what", shape=rejected, python=(rejected,),
        syntax=Syntax("call", "rejected"))
