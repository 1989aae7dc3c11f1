"""Where Python raises on scalar float arithmetic and a backend would compute on: each
backend raises too, naming the user's line.

- ``a ** b`` of a negative Python float (or int) to a finite non-integer float power is a
  *complex* number in Python (``(-2.0) ** 0.5``), which pullback does not differentiate.
  The python backend prints it as ``real_pow(a, b)`` (``rules/helpers.py``), which raises
  ValueError at the generated line (its traceback note names the user's line); Numba's
  ``**`` gives NaN, so the Numba backend prints ``_ck_fpow(a, b, where)``, which raises the
  same ValueError with ``where`` (the user's ``file:line``) in the message.  ``0.0 ** b``
  for a negative finite ``b`` raises ZeroDivisionError in Python (the derivative of
  ``x ** 0.5`` at 0) where Numba gives inf: ``_ck_fpow`` raises it too.
- Numba compiles scalar code with Python's error model, so a float or int ``/``, ``//`` or
  ``%`` by zero raises ZeroDivisionError, but with no line (an infinite derivative:
  ``sqrt``, ``log``, ``asin`` at the edge of their domain; edges.md).  Such a division is
  printed ``_ck_div(a, b, where)`` (``_ck_mod``, ``_ck_floordiv0``): the same exception,
  located.  A NumPy float scalar (``np.float32``, a 0-d array to the types) divides by zero
  as NumPy does, to inf or nan (the python backend's value): ``np.divide(a, b)``.

Only scalars: NumPy arrays and ``np.power`` give NaN or inf with a warning, as NumPy does,
and keep doing so.  A constant operand that cannot trigger a check prints the operator
as it was (``x ** 2``, ``x / 2.0``), so the common forms cost nothing.
"""
import math

from ..ir import Const, Var
from ..ir.types import Array, is_array
from .numba_rounding import round_expr

_SCALARS = ("float", "int", "bool")

NUMBA_HELPERS = {
    "_complex_power": """
def _complex_power(where):
    raise ValueError(where + ": a negative number to a non-integer power is a complex number "
                     "in Python, which pullback does not differentiate")""",
    "_zero_division": """
def _zero_division(where, what):
    raise ZeroDivisionError(where + ": " + what)""",
    "_ck_fpow": """
def _ck_fpow(a, b, where):
    if a < 0.0 and a > -math.inf and b - b == 0.0 and b != math.floor(b):
        _complex_power(where)
    if a == 0.0 and b < 0.0 and b > -math.inf:
        _zero_division(where, "0.0 cannot be raised to a negative power")
    return a ** b""",
}
NUMBA_HELPERS["_np_floordiv"] = """
def _np_floordiv(a, b):
    if b == 0:
        return np.floor_divide(a, b)    # inf or nan, as NumPy (Numba's // raises)
    return a // b                       # NumPy's and Python's floor of the exact quotient"""
_DIV = {"truediv": ("_ck_div", "/", "division"), "floordiv": ("_ck_floordiv0", "//", "division"),
        "mod": ("_ck_mod", "%", "modulo")}
for _name, _sym, _what in _DIV.values():
    NUMBA_HELPERS[_name] = f"""
def {_name}(a, b, where):
    if b == 0:
        _zero_division(where, "{_what} by zero")
    return a {_sym} b"""


# a NumPy float scalar (a 0-d array's type) divides as NumPy does: Numba's scalar / raises
_UFUNC = {"truediv": "np.divide", "floordiv": "np.floor_divide", "mod": "np.remainder"}
_NUMPY_FLOATS = ("float64", "float32", "float16")


def _scalar(a):
    t = a.type if isinstance(a, Var) else type(a.value).__name__ if isinstance(a, Const) \
        else None
    return t in _SCALARS


def complex_power(s):
    """Can scalar ``s = a ** b`` be complex in Python (a float exponent, not a whole constant)?"""
    if s.op != "pow" or s.target.type != "float" or not all(map(_scalar, s.args)):
        return False
    a, b = s.args
    if isinstance(a, Const) and a.value >= 0:
        return False
    if isinstance(b, Const):        # (inf and nan are real powers in Python)
        return isinstance(b.value, float) and math.isfinite(b.value) and not b.value.is_integer()
    return b.type == "float"


def zero_power(s):
    """Can scalar ``s = a ** b`` raise ZeroDivisionError in Python (a float base, b < 0)?"""
    if s.op != "pow" or s.target.type != "float" or not all(map(_scalar, s.args)):
        return False
    a, b = s.args
    if isinstance(a, Const):
        return a.value == 0
    return not (isinstance(b, Const) and b.value >= 0)


def as_python(s, text, where):
    """``(text, helpers)`` of ``s`` on Numba where its own printing would not give what the
    user's Python gives (rounding: ``numba_rounding``; a raise: the checks here), or None.
    ``text(i)``: argument i's text; ``where``: the user's line as a string literal."""
    if s.op in ("roundn", "np_round"):
        return round_expr(s, text, where)
    t = s.target.type
    if s.op in _UFUNC and isinstance(t, Array) and t.shape == () and t.dtype in _NUMPY_FLOATS:
        if s.op == "floordiv":      # Numba's np.floor_divide is floor(a / b): 10 for 1 // 0.1
            return f"_np_floordiv({text(0)}, {text(1)})", ("_np_floordiv",)
        return f"{_UFUNC[s.op]}({text(0)}, {text(1)})", ()     # np.float32(1) / 0: inf
    check = None if is_array(s.target.type) else numba_check(s)
    if check is None:
        return None
    a = f"float({text(0)})" if check[0] == "_ck_fpow" else text(0)    # (2 ** -1: a float)
    return f"{check[0]}({a}, {text(1)}, {where})", check[1]


def numba_check(s):
    """``(helper, helpers)`` printing scalar ``s`` checked on Numba, or None."""
    if s.op in _DIV and s.target.type in ("float", "int") and all(map(_scalar, s.args)) \
            and not (isinstance(s.args[1], Const) and s.args[1].value != 0):
        if s.op == "floordiv" and s.target.type == "int":
            return None             # numba_checks' _ck_floordiv (it checks zero too)
        return _DIV[s.op][0], (_DIV[s.op][0], "_zero_division")
    if complex_power(s) or zero_power(s):
        return "_ck_fpow", ("_ck_fpow", "_complex_power", "_zero_division")
    return None
