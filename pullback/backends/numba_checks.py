"""Run-time checks where Numba's int64 is not Python's int, each naming the user's line.

Python's int grows and Numba's wraps, so the generated code calls a checked helper
for ``+ - * ** //`` (``//`` by zero: ZeroDivisionError), unary minus and ``abs`` of ints (``_ck_add(a, b, where)``) and for a float
made an int (``int``, ``math.floor``/``ceil``/``trunc``, ``round``:
``int(_ck_int(x, where))``): past int64 it raises OverflowError, and int() of NaN
raises ValueError, as Python does, instead of returning a wrapped number.

``where`` is the user's ``file:line`` as a string constant (``located``), so the
message names the line; Numba raises it from nopython code as it is.

Invariants: a check compares the operands with the int64 limits before the
operation (a check reading the wrapped result could be folded away by LLVM, which
assumes signed ops never wrap); the operation's value is unchanged where no check
fires.
"""
from ..ir import Const, Var
from .escape import py_string

CHECKED_INT = {"add": "_ck_add", "sub": "_ck_sub", "mul": "_ck_mul", "pow": "_ck_pow",
               "neg": "_ck_neg", "abs": "_ck_abs", "floordiv": "_ck_floordiv"}
TO_INT = ("int", "floor", "ceil", "trunc", "round")
CHECK_HELPERS = {       # the raises out of line: a helper that builds a message is not inlined
    "_overflow": """
def _overflow(where):
    raise OverflowError(where + ": integer overflow: Numba's int64 wraps where Python's int "
                        "grows; use backend='python'")""",
    "_beyond_int64": """
def _beyond_int64(where, x):
    if x != x:
        raise ValueError(where + ": cannot convert float NaN to integer")
    raise OverflowError(where + ": a float beyond int64 made an int (Numba's int64 wraps "
                        "where Python's int grows); use backend='python'")""",
    "_negative_power": """
def _negative_power(where):
    raise ValueError(where + ": an int to a negative int power at run time (Python's result "
                     "is a float, Numba's an int): write float(a) ** b")""",
    "_ck_add": """
def _ck_add(a, b, where):
    if (b > 0 and a > 9223372036854775807 - b) or (b < 0 and a < -9223372036854775808 - b):
        _overflow(where)
    return a + b""",
    "_ck_sub": """
def _ck_sub(a, b, where):
    if (b < 0 and a > 9223372036854775807 + b) or (b > 0 and a < -9223372036854775808 + b):
        _overflow(where)
    return a - b""",
    "_ck_neg": """
def _ck_neg(a, where):
    if a == -9223372036854775808:
        _overflow(where)
    return -a""",
    "_ck_abs": """
def _ck_abs(a, where):
    if a == -9223372036854775808:
        _overflow(where)
    return abs(a)""",
    "_ck_floordiv": """
def _ck_floordiv(a, b, where):
    if b == 0:
        _zero_division(where, "integer division or modulo by zero")
    if b == -1 and a == -9223372036854775808:
        _overflow(where)
    return a // b""",
    "_ck_mul": """
def _ck_mul(a, b, where):
    if abs(float(a) * float(b)) < 4.0e18:       # the common case: far from the limits
        return a * b
    if a == -9223372036854775808 or b == -9223372036854775808:
        if a == 1 or b == 1:
            return a * b
        _overflow(where)
    if (a if a > 0 else -a) > 9223372036854775807 // (b if b > 0 else -b):
        _overflow(where)
    return a * b""",
    "_ck_pow": '''
def _ck_pow(a, b, where):
    """a ** b for int b >= 0 by squaring, each product checked (b < 0 is a float in Python)."""
    if b < 0:
        _negative_power(where)
    r, base = 1, a
    while b:
        if b & 1:
            r = _ck_mul(r, base, where)
        b >>= 1
        if b:
            base = _ck_mul(base, base, where)
    return r''',
    "_ck_int": '''
def _ck_int(x, where):
    """x, to be made an int64: NaN is Python's ValueError, beyond int64 its big int."""
    if not (-9223372036854775808.0 <= x < 9223372036854775808.0):     # NaN too
        _beyond_int64(where, x)
    return x''',
}


def checked_int(s):
    """Is ``s`` int arithmetic that Numba's int64 may wrap?"""
    return s.op in CHECKED_INT and s.target.type == "int" and all(map(_is_int, s.args))


def to_int(s):
    """Is ``s`` a float made an int (wrapped by Numba past int64, 0 for NaN)?"""
    return s.op in TO_INT and s.target.type == "int" and len(s.args) == 1 and \
        isinstance(s.args[0], Var) and s.args[0].type in ("float", "float32")


def helpers_of(s):
    """The helpers the checked form of ``s`` calls."""
    if s.op == "pow":
        return ("_ck_pow", "_ck_mul", "_overflow", "_negative_power")
    if s.op == "floordiv":
        return ("_ck_floordiv", "_overflow", "_zero_division")      # (float_checks.py)
    return (CHECKED_INT[s.op], "_overflow") if checked_int(s) else ("_ck_int", "_beyond_int64")


def located(s, fn):
    """The user's ``file:line`` of ``s`` (else of its function) as a string literal."""
    loc = getattr(s, "loc", None) or fn.loc
    where = f"{loc.file}:{loc.line}" if loc is not None else f"in '{fn.name}'"
    return py_string(where)


def _is_int(a):
    return a.type == "int" if isinstance(a, Var) else \
        isinstance(a, Const) and type(a.value) is int
