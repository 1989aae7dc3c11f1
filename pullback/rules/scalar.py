"""Scalar primitives: Python operators, the math module and builtins.

Each entry declares a primitive and its derivative in one line; ``x``, ``a``,
``b`` are the parameters and ``y`` the output.
"""
import math
import operator

import numpy as np

from . import helpers
from .registry import Syntax, alias, always, nondiff, numeric, register, scalar


def infix(op, prec, right=False):
    return Syntax("infix", op, prec, right)


BOOL = always("bool")
INT = always("int")

# -- arithmetic operators ---------------------------------------------------
scalar("add", operator.add, "1", "1", params="a b", result=numeric, syntax=infix("+", 10),
       python=(np.add,))
scalar("sub", operator.sub, "1", "-1", params="a b", result=numeric, syntax=infix("-", 10),
       python=(np.subtract,))
scalar("mul", operator.mul, "b", "a", params="a b", result=numeric, syntax=infix("*", 20),
       python=(np.multiply,))
scalar("truediv", operator.truediv, "1 / b", "-y / b", params="a b", syntax=infix("/", 20),
       python=(np.divide, np.true_divide))
# At a == 0 as in JAX: d/da is 0 for b == 0 (not 0 * 0.0 ** -1) and d/db is 0.  Only
# a == b == 0 is guarded: a guard on b == 0 alone froze a at 1 there, so d2/da db at
# b == 0 was 1, not 1 / a.
_POW_BASE = "select(b == 0, select(a == 0, 1.0, a), a)"     # (b first: a constant b folds)
scalar("pow", operator.pow, f"b * {_POW_BASE} ** (b - 1)",
       "y * log(select(a == 0, 1.0, a))", params="a b",
       result=numeric, syntax=infix("**", 40, right=True), python=(pow, np.power))
scalar("mod", operator.mod, "1", "-floor(a / b)", params="a b", result=numeric,
       syntax=infix("%", 20))
scalar("neg", operator.neg, "-1", result=numeric, syntax=Syntax("prefix", "-", 30),
       python=(np.negative,))
scalar("pos", operator.pos, "1", result=numeric, syntax=Syntax("prefix", "+", 30))
nondiff("floordiv", operator.floordiv, params="a b", result=numeric, syntax=infix("//", 20))
# the operator module's functions called by name (map(operator.add, ...), reduce)
for _name, _op in (("add", operator.add), ("sub", operator.sub), ("mul", operator.mul),
                   ("truediv", operator.truediv), ("pow", operator.pow), ("mod", operator.mod)):
    alias(_name, _op, nargs=2)

# -- comparisons and logic (no derivative) ---------------------------------
for _name, _op, _fn in [("lt", "<", operator.lt), ("le", "<=", operator.le),
                        ("gt", ">", operator.gt), ("ge", ">=", operator.ge),
                        ("eq", "==", operator.eq), ("ne", "!=", operator.ne)]:
    nondiff(_name, _fn, params="a b", result=BOOL, syntax=infix(_op, 5))
nondiff("not_", operator.not_, result=BOOL, syntax=Syntax("prefix", "not ", 4))
# ``y is None`` where ``y`` is a variable: ``y = None`` then a value on some paths
nondiff("is_", operator.is_, params="a b", result=BOOL, syntax=infix("is", 5))
nondiff("is_not", operator.is_not, params="a b", result=BOOL, syntax=infix("is not", 5))


# -- bitwise operators (no derivative): masks (bool arrays), flags and ints --------------
def _bits(a, b):
    if a not in ("bool", "int") or b not in ("bool", "int"):
        raise TypeError("a bitwise operator ('&', '|', '^') of a float")
    return "bool" if a == b == "bool" else "int"


def _inverted(x):
    if x == "bool":     # Python's ~True is -2, NumPy's ~np.True_ is False: either may run
        raise TypeError("'~' of a bool scalar (Python's ~True is -2): write 'not m', or "
                        "np.logical_not(m) for a mask")
    if x != "int":
        raise TypeError("'~' of a float")
    return "int"


for _name, _op, _fn, _prec, _np in [("bitor", "|", operator.or_, 6, np.bitwise_or),
                                    ("bitxor", "^", operator.xor, 7, np.bitwise_xor),
                                    ("bitand", "&", operator.and_, 8, np.bitwise_and)]:
    nondiff(_name, _fn, params="a b", result=_bits, syntax=infix(_op, _prec), python=(_np,))
nondiff("invert", operator.invert, result=_inverted, syntax=Syntax("prefix", "~", 30),
        python=(np.invert,))
nondiff("truth", bool, result=BOOL, syntax=Syntax("call", "bool"), python=(bool,))

# select(c, a, b) is `a if c else b`: it routes the adjoint to the chosen side, selected,
# not multiplied by a 0/1 mask (a NaN or inf adjoint times 0 would leak into the side
# not chosen: nansum(where(x > 0, x, nan)) has the derivative 0 where x <= 0, as in JAX).
register("select", lambda c, a, b: a if c else b, ("c", "a", "b"),
         (None, "select(c, 1.0, 0.0)", "select(c, 0.0, 1.0)"),
         lambda c, a, b: numeric(a, b), Syntax("ifexp", "", 1), python=(np.where,),
         numpy="np.where",
         vjps=(None, "unbroadcast(select(c, g, 0.0), a)", "unbroadcast(select(c, 0.0, g), b)"),
         jvps=(None, "select(c, t, 0.0)", "select(c, 0.0, t)"))

# -- builtins ---------------------------------------------------------------
# At 0 the derivative is 1, as in JAX.
scalar("abs", abs, "select(x >= 0, 1.0, -1.0)", result=numeric, syntax=Syntax("call", "abs"),
       python=(abs, np.abs), numpy="np.abs")
scalar("float", float, "1", syntax=Syntax("call", "float"), python=(float,),
       jvps=("float(t)",))     # float(x32)'s tangent is a float too (math.exp(x32) * 0.5)
nondiff("int", int, result=INT, syntax=Syntax("call", "int"), python=(int, np.int64))


def _table_index(t):
    """A run-time index into a tuple of numbers (frontend/tables.py) is read as Python's
    tuple reads it: an int, or a bool as its int (NumPy would take a bool as a mask)."""
    if t not in ("int", "bool"):
        raise TypeError(f"a tuple or list of numbers indexed by a {t} (Python takes an int "
                        "or a bool only)")
    return "int"


# int() is operator.index on what _table_index lets through
nondiff("table_index", operator.index, result=_table_index, shape=_table_index,
        syntax=Syntax("call", "int"))
nondiff("round", round, result=INT, syntax=Syntax("call", "round"), python=(round,))
nondiff("roundn", round, params="x n", syntax=Syntax("call", "round"), python=(round,))
# Python's builtins: min(a, b) is b only where b < a, max(a, b) b only where b > a (a NaN
# compares False, so max(1.0, nan) is 1.0 and max(nan, 1.0) nan); the derivative goes to
# the item returned, and at a tie of equal values both sides get half, as in JAX.
# (np.minimum / np.maximum propagate NaN: their own primitives, rules/numpy_core.py)
scalar("min", min, "select(b < a, 0.0, select(a == b, 0.5, 1.0))",
       "select(b < a, 1.0, select(a == b, 0.5, 0.0))", params="a b", result=numeric,
       syntax=Syntax("call", "min"), python=(min,), numpy="np.minimum")
scalar("max", max, "select(b > a, 0.0, select(a == b, 0.5, 1.0))",
       "select(b > a, 1.0, select(a == b, 0.5, 0.0))", params="a b", result=numeric,
       syntax=Syntax("call", "max"), python=(max,), numpy="np.maximum")
nondiff("stop_gradient", helpers.stop_gradient, result=numeric, helper="stop_gradient",
        syntax=Syntax("call", "stop_gradient"), python=(helpers.stop_gradient,),
        numpy="stop_gradient")
nondiff("sign", helpers.sign, syntax=Syntax("call", "sign"), helper="sign", python=(np.sign,),
        numpy="np.sign")

# -- the math module --------------------------------------------------------
scalar("sin", math.sin, "cos(x)", python=(math.sin, np.sin), numpy="np.sin")
scalar("cos", math.cos, "-sin(x)", python=(math.cos, np.cos), numpy="np.cos")
scalar("tan", math.tan, "1 + y * y", python=(math.tan, np.tan), numpy="np.tan")
scalar("asin", math.asin, "1 / sqrt(1 - x * x)", python=(math.asin, np.arcsin), numpy="np.arcsin")
scalar("acos", math.acos, "-1 / sqrt(1 - x * x)", python=(math.acos, np.arccos), numpy="np.arccos")
scalar("atan", math.atan, "1 / (1 + x * x)", python=(math.atan, np.arctan), numpy="np.arctan")
scalar("sinh", math.sinh, "cosh(x)", python=(math.sinh, np.sinh), numpy="np.sinh")
scalar("cosh", math.cosh, "sinh(x)", python=(math.cosh, np.cosh), numpy="np.cosh")
scalar("tanh", math.tanh, "1 - y * y", python=(math.tanh, np.tanh), numpy="np.tanh")
scalar("asinh", math.asinh, "1 / sqrt(x * x + 1)", python=(math.asinh, np.arcsinh), numpy="np.arcsinh")
scalar("acosh", math.acosh, "1 / sqrt(x * x - 1)", python=(math.acosh, np.arccosh), numpy="np.arccosh")
scalar("atanh", math.atanh, "1 / (1 - x * x)", python=(math.atanh, np.arctanh), numpy="np.arctanh")
scalar("exp", math.exp, "y", python=(math.exp, np.exp), numpy="np.exp")
scalar("expm1", math.expm1, "y + 1", python=(math.expm1, np.expm1), numpy="np.expm1")
scalar("log", math.log, "1 / x", python=(math.log, np.log), numpy="np.log")
scalar("logb", math.log, "1 / (x * log(b))", "-y / (b * log(b))", params="x b",
       syntax=Syntax("call", "math.log"), python=(math.log,))
scalar("log1p", math.log1p, "1 / (1 + x)", python=(math.log1p, np.log1p), numpy="np.log1p")
scalar("log2", math.log2, "1 / (x * 0.6931471805599453)", python=(math.log2, np.log2), numpy="np.log2")
scalar("log10", math.log10, "1 / (x * 2.302585092994046)", python=(math.log10, np.log10), numpy="np.log10")
scalar("sqrt", math.sqrt, "0.5 / y", python=(math.sqrt, np.sqrt), numpy="np.sqrt")
scalar("mpow", math.pow, f"b * mpow({_POW_BASE}, b - 1)",
       "y * log(select(a == 0, 1.0, a))", params="a b",
       syntax=Syntax("call", "math.pow"), python=(math.pow,))
scalar("hypot", math.hypot, "a / y", "b / y", params="a b", python=(math.hypot, np.hypot), numpy="np.hypot")
scalar("atan2", math.atan2, "b / (a * a + b * b)", "-a / (a * a + b * b)", params="a b",
       python=(math.atan2, np.arctan2), numpy="np.arctan2")
scalar("fabs", math.fabs, "select(x >= 0, 1.0, -1.0)", python=(math.fabs, np.fabs), numpy="np.fabs")
scalar("erf", math.erf, "1.1283791670955126 * exp(-x * x)", python=(math.erf,))
scalar("erfc", math.erfc, "-1.1283791670955126 * exp(-x * x)", python=(math.erfc,))
scalar("lgamma", math.lgamma, "polygamma(0, x)", python=(math.lgamma,))
scalar("gamma", math.gamma, "y * polygamma(0, x)", python=(math.gamma,))
scalar("polygamma", helpers.polygamma, None, "polygamma(n + 1, x)", params="n x",
       syntax=Syntax("call", "polygamma"), helper="polygamma")
scalar("degrees", math.degrees, "57.29577951308232", python=(math.degrees, np.degrees), numpy="np.degrees")
scalar("radians", math.radians, "0.017453292519943295", python=(math.radians, np.radians), numpy="np.radians")
scalar("copysign", math.copysign, "copysign(1.0, b) * select(a >= 0, 1.0, -1.0)", None,
       params="a b",
       python=(math.copysign,))
_py311 = hasattr(math, "cbrt")     # math.cbrt and math.exp2 are new in Python 3.11
scalar("cbrt", math.cbrt if _py311 else np.cbrt, "1 / (3 * y * y)", numpy="np.cbrt",
       python=(math.cbrt, np.cbrt) if _py311 else (np.cbrt,),
       syntax=None if _py311 else Syntax("call", "np.cbrt"))
scalar("exp2", math.exp2 if _py311 else np.exp2, "y * 0.6931471805599453", numpy="np.exp2",
       python=(math.exp2, np.exp2) if _py311 else (np.exp2,),
       syntax=None if _py311 else Syntax("call", "np.exp2"))
for _name in ("floor", "ceil", "trunc"):
    nondiff(_name, getattr(math, _name), result=INT, python=(getattr(math, _name),
                                                             getattr(np, _name)),
            numpy=f"np.{_name}")
# integer-valued functions of integers (Python refuses floats): no derivative, as in JAX
for _name, _params in (("factorial", "x"), ("isqrt", "x"), ("comb", "n k"), ("perm", "n k"),
                       ("gcd", "a b"), ("lcm", "a b")):
    nondiff(_name, getattr(math, _name), params=_params, result=INT,
            python=(getattr(math, _name),))

# The math module computes in Python floats whatever it is given: math.exp of an np.float32
# is a float (float64), and so is the rest of the expression.  The frontend passes these
# functions float() of each argument (calls.py), which typing drops where the argument is
# a float already (analysis/types.py), so the primitive they share with np.* (which keeps
# float32) is typed from a float.  The integer functions above take their ints as ints.
INT_ARGUMENTS = frozenset(getattr(math, n) for n in ("floor", "ceil", "trunc", "factorial",
                                                     "isqrt", "comb", "perm", "gcd", "lcm"))


def float_arguments(obj):
    """Whether Python converts ``obj``'s arguments to float (a math function's)."""
    return getattr(obj, "__module__", None) == "math" and obj not in INT_ARGUMENTS


CONSTANTS = {math.pi: "pi", math.e: "e", math.tau: "tau", math.inf: "inf"}

# -- residual packing for split reverse mode (generated code only) -----------
register("pack", lambda *xs: xs, (), None, always("residual"), Syntax("tuple", ""))
register("item", lambda r, k: r[k], ("r", "k"), None, lambda r, k: "any",
         Syntax("index", ""))
