"""Rounding to decimals on the Numba backend, with the value the user's Python gives.

Two functions round to ``n`` decimals and they differ:

- Python's ``round(x, n)`` of a float rounds the exact binary value of ``x`` half to even
  and returns the double nearest that decimal (CPython goes through an exact decimal
  conversion): ``round(0.35, 1) == 0.3``, ``round(2.675, 2) == 2.67``.  Numba's builtin
  ``round(x, n)`` scales and rounds in floating point (0.4, 2.68), so it is never printed;
  ``_py_round_n`` decides the rounding exactly: the scaled value ``|x| * 10**n`` is split
  into ``hi + lo`` with no error (Dekker's product; ``10**n`` is exact up to ``n = 22``) and
  compared with the midpoint ``k + 1/2``, so no rounding in between can move a tie.  The
  result ``k / 10**n`` (``k * 10**-n``) is one correctly rounded IEEE operation, as CPython's
  decimal-to-double is.  Outside that exact range (``|n| > 22`` with a value in play, or
  ``|x| * 10**n`` past 2**52 where ``x`` is not already whole) it raises OverflowError
  naming the user's line, with "use backend='python'": never a nearby number.
- ``np.round(x, n)`` (``x.round(n)``, and Python's ``round`` of an ``np.float32``) is
  NumPy's: ``rint(x * f) / f`` with ``f = 10.0**n`` in x's dtype (``rint(x / f) * f`` for
  ``n < 0``).  Numba's ``np.round`` computes a float32 array in float64 and returns x
  where ``x * f`` overflows (NumPy: inf), so that formula is printed instead.

Invariants: the printed value is the one the python backend computes (which calls the
user's own function); the derivative of both is zero (``rules/scalar.py``, ``numpy_core``).
"""
from ..errors import UnsupportedError
from ..ir import Const
from ..ir.types import Array

_NARROW = {"float32": "np.float32", "float16": "np.float16"}

HELPERS = {
    "_round_beyond": """
def _round_beyond(where):
    raise OverflowError(where + ": round(x, ndigits) outside the range Numba rounds exactly "
                        "as Python (|ndigits| <= 22, |x| * 10**ndigits < 2**52); use "
                        "backend='python'")""",
    "_two_prod": '''
def _two_prod(a, b):
    """(p, e) with p + e == a * b exactly (Dekker; no fma): for the magnitudes used here."""
    p = a * b
    c = 134217729.0 * a
    ah = c - (c - a)
    al = a - ah
    c = 134217729.0 * b
    bh = c - (c - b)
    bl = b - bh
    return p, ((ah * bh - p) + ah * bl + al * bh) + al * bl''',
    "_py_round_n": '''
def _py_round_n(x, n, where):
    """Python's round(x, n) for a float x (module docstring of numba_rounding.py)."""
    if x - x != 0.0 or x == 0.0 or n > 323:     # inf, nan, zero; CPython returns x
        return x
    if n < -308:
        return 0.0 * x
    if n > 22 or n < -22:
        _round_beyond(where)
    ax = abs(x)
    p = 1.0
    for _ in range(abs(n)):         # 10**|n|, exact: every power up to 1e22 is a double
        p *= 10.0
    if n >= 0:
        hi, lo = _two_prod(ax, p)
        if hi < 0.25:                       # below 1/2 for sure: zero, with x's sign
            return math.copysign(0.0, x)
        if hi >= 4503599627370496.0:        # 2**52: whole already, or beyond exactness
            if ax >= 4503599627370496.0:
                return x
            _round_beyond(where)
        k = math.floor(hi)
        if hi == k and lo < 0.0:
            k -= 1.0
        d = ((hi - k) - 0.5) + lo           # (hi - k) - 0.5 is exact; the sign is right
    else:
        if ax / p >= 4503599627370496.0:
            _round_beyond(where)
        k = math.floor(ax / p)
        if k > 0.0 and k == ax / p:         # the quotient rounded up onto an integer?
            hi, lo = _two_prod(k, p)
            if (ax - hi) - lo < 0.0:
                k -= 1.0
        hi, lo = _two_prod(k + 0.5, p)
        d = (ax - hi) - lo                  # ax - hi exact (within a factor 2), or k == 0
    if d > 0.0 or (d == 0.0 and k % 2.0 == 1.0):
        k += 1.0
    return math.copysign(k / p if n >= 0 else k * p, x)''',
}


def round_expr(s, text, where):
    """``(text, helpers)`` for ``s`` (``roundn``, ``np_round``) as the user's Python computes
    it, or None where Numba's own printing is right (ints).  ``text(i)`` is argument i's
    text; ``where`` the user's line as a string literal."""
    x, n = s.args
    dtype = x.type.dtype if isinstance(x.type, Array) else getattr(x, "type", None)
    if isinstance(x, Const):
        dtype = "float" if isinstance(x.value, float) else None
    if s.op == "roundn" and dtype == "float":
        return f"_py_round_n({text(0)}, {text(1)}, {where})", \
            ("_py_round_n", "_two_prod", "_round_beyond")
    if dtype not in ("float", "float64", "float32", "float16"):
        return None
    if not isinstance(n, Const) or not -300 <= n.value <= 300:     # NumPy's f: a static power
        raise UnsupportedError("NumPy's rounding to a run-time or huge number of decimals "
                               "(of an array or np.float32) on Numba; use backend='python'")
    cast = _NARROW.get("float32" if dtype == "float32" else dtype, "")
    f = f"{cast}({float(10 ** abs(n.value))!r})" if cast else repr(float(10 ** abs(n.value)))
    if n.value == 0:
        return f"np.rint({text(0)})", ()
    if n.value > 0:
        return f"(np.rint({text(0)} * {f}) / {f})", ()
    return f"(np.rint({text(0)} / {f}) * {f})", ()
