"""How each scalar IR primitive reads in C99, and the runtime helpers C lacks.

Invariants
- An expression is a ``(text, precedence)`` pair with C's precedences, so the
  printer adds exactly the parentheses C needs; comparisons never nest
  unparenthesised (``-Wparentheses``).
- Results follow Python's semantics for the IR's types: ``//`` and ``%``
  floor (``py_floordiv``, ``py_mod``), ``round`` halves to even, ``min`` and
  ``max`` keep the first argument on ties, ``int()`` truncates.  Where Python
  raises and C follows IEEE 754 (``1.0 / 0.0``, ``log(-1.0)``) C gives inf or
  NaN; that is the one documented difference.
- A primitive without an exact C rendering raises ``NoCForm`` (the printer
  reports it as ``UnsupportedError`` at the user's line): ``round(x, n)``,
  ``int ** int`` with a non-constant exponent.  Array primitives print as loops
  in ``c_arrays``, which renders elementwise ones through ``render`` per element.
- ``float32`` uses the ``f``-suffixed libm functions, ``f`` literals and
  helpers, so no float expression silently computes in double.  A constant (the user's,
  or one the optimiser folded in double) prints as the float it rounds to, as a float32
  program reads it: 1e-60 is ``0.0f``, 1e60 ``HUGE_VALF``, never a literal the compiler
  refuses.
"""
import math
import re

import numpy as np

from .c_checkpoint import DEPS as CHECKPOINT_DEPS, HELPERS as CHECKPOINT_HELPERS

ATOM, UNARY, MUL, ADD, REL, EQ, COND = 16, 14, 13, 12, 10, 9, 3
INT_MAX = 2 ** 31 - 1          # ``long`` is 32 bits on Cortex-M
FLT_MAX = 3.4028234663852886e38


class NoCForm(Exception):
    """The operation has no exact C99 rendering."""


def paren(expr, min_prec):
    text, prec = expr
    return f"({text})" if prec < min_prec else text


class Dialect:
    """Scalar types, literals and libm names for one floating-point dtype."""

    def __init__(self, dtype):
        if dtype not in ("float64", "float32"):
            raise ValueError(f"dtype must be 'float64' or 'float32', not {dtype!r}")
        self.dtype = dtype
        self.real = "double" if dtype == "float64" else "float"
        self.suffix = "" if dtype == "float64" else "f"

    def scalar(self, t):
        """The C type of an IR scalar type; ``NoCForm`` for anything else."""
        if t == "float":
            return self.real
        if t == "int":
            return "long"
        if t == "bool":
            return "int"
        raise NoCForm(f"values of type {t} (only float, int and bool scalars reach C so far)")

    def math(self, name):
        return name + self.suffix

    def literal(self, value):
        if isinstance(value, bool):
            return ("1" if value else "0"), ATOM
        if isinstance(value, int):
            if abs(value) > INT_MAX:
                raise NoCForm(f"the integer {value} does not fit a 32-bit C long")
            return str(value), (UNARY if value < 0 else ATOM)
        if not isinstance(value, float):
            raise NoCForm(f"the constant {value!r}")
        if math.isnan(value):
            return "NAN", ATOM
        if math.isinf(value) or (self.real == "float" and abs(value) > FLT_MAX):
            huge = "HUGE_VAL" + ("F" if self.real == "float" else "")
            return (huge, ATOM) if value > 0 else ("-" + huge, UNARY)
        # float32: the shortest text of the float the constant rounds to (a tiny one is
        # 0.0f: ``1e-60f`` is -Werror=overflow), as a float32 program reads it
        text = (str(np.float32(value)) if self.real == "float" else repr(value)) + self.suffix
        return text, (UNARY if text.startswith("-") else ATOM)

    def cast(self, t, expr):
        return f"({self.scalar(t)}){paren(expr, UNARY)}", UNARY


_BITS = {"bitand": "&", "bitor": "|", "bitxor": "^"}


def _is_int(t):
    return t in ("int", "bool")


def render(op, args, types, d, helpers, result):
    """C text of ``op(*args)``; ``args`` are expressions, ``types`` their IR types,
    ``result`` the IR type of the value; helpers used are added to ``helpers``."""
    def call(fn, *xs):
        return f"{fn}({', '.join(x[0] for x in xs)})", ATOM

    def helper(name, *xs):
        helpers.add(name)
        return call(name, *xs)

    def infix(sym, prec, a, b, tight=False):
        lo = REL + 1 if tight else prec
        return f"{paren(a, lo)} {sym} {paren(b, (REL + 1) if tight else prec + 1)}", prec

    a = args[0] if args else None
    b = args[1] if len(args) > 1 else None
    ints = all(_is_int(t) for t in types)
    if op in ("add", "sub", "mul"):
        return infix({"add": "+", "sub": "-", "mul": "*"}[op], ADD if op != "mul" else MUL, a, b)
    if op == "truediv":
        if ints:       # 1 / n is 1.0 / n; (double)i / n otherwise
            a = d.literal(float(a[0])) if a[0].lstrip("-").isdigit() else d.cast("float", a)
        return infix("/", MUL, a, b)
    if op == "floordiv":
        return helper("py_ifloordiv", a, b) if ints else helper("py_floordiv", a, b)
    if op == "mod":
        return helper("py_imod", a, b) if ints else helper("py_mod", a, b)
    if op in ("pow", "mpow"):
        if result in ("int", "bool"):
            raise NoCForm("int ** int (Python's result type depends on the sign of the "
                          "exponent); write a float base, e.g. 2.0 ** n")
        return call(d.math("pow"), a, b)
    if op == "neg":
        inner = paren(a, UNARY)
        return f"-({inner})" if inner[0] in "-+" else f"-{inner}", UNARY   # never ``--x``
    if op == "pos":
        return a
    if op in _COMPARE:
        return infix(_COMPARE[op], EQ if op in ("eq", "ne") else REL, a, b, tight=True)
    if op == "not_":
        return f"!{paren(a, UNARY)}", UNARY
    if op in _BITS and ints:        # bracketed whole: C's '&' binds looser than '=='
        return f"({paren(a, UNARY)} {_BITS[op]} {paren(b, UNARY)})", ATOM
    if op == "invert" and types[0] == "int":
        return f"(~{paren(a, UNARY)})", ATOM
    if op == "truth":
        return a if types[0] == "bool" else (f"{paren(a, REL + 1)} != 0", EQ)
    if op == "select":
        c, x, y = (paren(e, COND + 1) for e in args)
        return f"{c} ? {x} : {y}", COND
    if op == "abs":
        return helper("py_iabs", a) if ints else call(d.math("fabs"), a)
    if op == "float":
        return d.cast("float", a) if _is_int(types[0]) else a
    if op == "int":
        return a if types[0] == "int" else d.cast("int", a)
    if op in ("floor", "ceil", "trunc"):
        return a if types[0] == "int" else d.cast("int", call(d.math(op), a))
    if op == "round":
        return a if types[0] == "int" else helper("py_round", a)
    if op in ("min", "max"):
        return helper(f"py_i{op}", a, b) if ints else helper(f"py_{op}", a, b)
    if op in ("minimum", "maximum"):        # of ints NumPy's value is Python's
        return helper(f"py_i{op[:3]}", a, b) if ints else helper(f"np_{op}", a, b)
    if op == "stop_gradient":       # a value like any other: only the transforms tell it apart
        return a
    if op == "sign":
        return helper("sign", a)
    if op == "square":
        return infix("*", MUL, a, a)
    if op == "clip" and len(args) == 3:      # np.clip: minimum(maximum(x, lo), hi)
        if ints:
            return helper("py_imin", helper("py_imax", a, b), args[2])
        return helper("np_clip", a, b, args[2])
    if op == "polygamma":
        return helper("polygamma", a, b)
    if op == "logb":
        return infix("/", MUL, call(d.math("log"), a), call(d.math("log"), b))
    if op in _SCALE:
        lit = d.literal(_SCALE[op])
        return infix("*", MUL, a, lit)
    if op in _LIBM:     # an int argument is converted as Python's math module does
        return call(d.math(_LIBM[op]), *(d.cast("float", x) if _is_int(t) else x
                                         for x, t in zip(args, types)))
    if op == "roundn":
        raise NoCForm("round(x, ndigits) (Python rounds the exact decimal value; C has no "
                      "equivalent)")
    raise NoCForm(f"the primitive '{op}'")


_COMPARE = {"lt": "<", "le": "<=", "gt": ">", "ge": ">=", "eq": "==", "ne": "!="}
_SCALE = {"degrees": 180.0 / math.pi, "radians": math.pi / 180.0}
_LIBM = {n: n for n in """sin cos tan asin acos atan sinh cosh tanh asinh acosh atanh exp
         expm1 log log1p log2 log10 sqrt hypot atan2 fabs erf erfc lgamma copysign cbrt
         exp2""".split()}
_LIBM["gamma"] = "tgamma"

# -- runtime helpers: written for double; float32 rewrites types, calls, literals --------

HELPERS = {
    "py_floordiv": """\
/* Python's a // b for floats: the floor of the quotient, computed as CPython does. */
static double py_floordiv(double a, double b)
{
    double mod = fmod(a, b);
    double div = (a - mod) / b;
    double q;
    if (mod != 0.0 && (b < 0.0) != (mod < 0.0)) {
        div -= 1.0;
    }
    if (div == 0.0) {
        return copysign(0.0, a / b);
    }
    q = floor(div);
    if (div - q > 0.5) {
        q += 1.0;
    }
    return q;
}""",
    "py_mod": """\
/* Python's a % b for floats: the remainder has the sign of b. */
static double py_mod(double a, double b)
{
    double mod = fmod(a, b);
    if (mod == 0.0) {
        return copysign(0.0, b);
    }
    if ((b < 0.0) != (mod < 0.0)) {
        mod += b;
    }
    return mod;
}""",
    "py_ifloordiv": """\
/* Python's a // b for integers: rounds toward minus infinity. */
static long py_ifloordiv(long a, long b)
{
    long q = a / b;
    if (a % b != 0 && (a < 0) != (b < 0)) {
        q -= 1;
    }
    return q;
}""",
    "py_imod": """\
/* Python's a % b for integers: the remainder has the sign of b. */
static long py_imod(long a, long b)
{
    long r;
    if (b == -1) {
        return 0;       /* LONG_MIN % -1 is undefined in C */
    }
    r = a % b;
    if (r != 0 && (r < 0) != (b < 0)) {
        r += b;
    }
    return r;
}""",
    "py_round": """\
/* Python's round(x): the nearest integer, halves to even. */
static long py_round(double x)
{
    double r = round(x);
    if (fabs(x - trunc(x)) == 0.5) {
        r = 2.0 * round(0.5 * x);
    }
    return (long)r;
}""",
    "py_min": """\
/* Python's min(a, b): a unless b is smaller. */
static double py_min(double a, double b)
{
    return b < a ? b : a;
}""",
    "py_max": """\
/* Python's max(a, b): a unless b is larger. */
static double py_max(double a, double b)
{
    return b > a ? b : a;
}""",
    "np_maximum": """\
/* np.maximum(a, b): NaN propagates; at a tie (of zeros too) b, as NumPy's loop. */
static double np_maximum(double a, double b)
{
    return (a > b || a != a) ? a : b;
}""",
    "np_minimum": """\
static double np_minimum(double a, double b)
{
    return (a < b || a != a) ? a : b;
}""",
    "np_clip": """\
/* np.clip(x, lo, hi) of numbers: NaN anywhere propagates; at a tie x (helpers.clip). */
static double np_clip(double x, double lo, double hi)
{
    double t;
    if (x != x) {
        return x;
    }
    t = (lo > x || lo != lo) ? lo : x;
    return (hi < t || hi != hi) ? hi : t;
}""",
    "py_iabs": """\
static long py_iabs(long a)
{
    return a < 0 ? -a : a;
}""",
    "py_imin": """\
static long py_imin(long a, long b)
{
    return b < a ? b : a;
}""",
    "py_imax": """\
static long py_imax(long a, long b)
{
    return b > a ? b : a;
}""",
    "sign": """\
/* The sign of x: -1, 0 or 1 (0 for NaN). */
static double sign(double x)
{
    return (double)((x > 0.0) - (x < 0.0));
}""",
    "factorial": """\
/* n! as a float. */
static double factorial(long n)
{
    double f = 1.0;
    while (n > 1) {
        f *= (double)n--;
    }
    return f;
}""",
    "polygamma": """\
/* The n-th derivative of digamma for integer n >= 0 and x > 0: the recurrence
   up to x >= 10, then the asymptotic series (pullback.rules.helpers.polygamma). */
static double polygamma(long n, double x)
{
    static const double bern[8] = {
        1.0 / 6, -1.0 / 30, 1.0 / 42, -1.0 / 30, 5.0 / 66, -691.0 / 2730, 7.0 / 6, -3617.0 / 510
    };
    double parity = n % 2 == 0 ? 1.0 : -1.0;
    double acc = 0.0;
    double s;
    long k;
    while (x < 10.0) {
        acc -= parity * factorial(n) / pow(x, (double)(n + 1));
        x += 1.0;
    }
    if (n == 0) {
        s = log(x) - 0.5 / x;
        for (k = 1; k <= 8; k++) {
            s -= bern[k - 1] / ((double)(2 * k) * pow(x, (double)(2 * k)));
        }
        return acc + s;
    }
    s = factorial(n - 1) / pow(x, (double)n) + factorial(n) / (2.0 * pow(x, (double)(n + 1)));
    for (k = 1; k <= 8; k++) {
        s += bern[k - 1] * factorial(2 * k + n - 1) /
             (factorial(2 * k) * pow(x, (double)(2 * k + n)));
    }
    return acc - parity * s;
}""",
    "py_range_next": """\
/* The value after i in range(..., stop, step), i not past stop; stop itself when i is
   the last value, so the loop ends without stepping past LONG_MAX or LONG_MIN. */
static long py_range_next(long i, long step, long stop)
{
    unsigned long left = step > 0 ? (unsigned long)stop - (unsigned long)i
                                   : (unsigned long)i - (unsigned long)stop;
    unsigned long by = step > 0 ? (unsigned long)step : 0UL - (unsigned long)step;
    return left > by ? i + step : stop;
}""",
    "py_range_len": """\
/* len(range(start, stop, step)), in unsigned arithmetic: no overflow at any bounds. */
static unsigned long py_range_len(long start, long stop, long step)
{
    unsigned long span, by;
    if (step > 0 && start < stop) {
        span = (unsigned long)stop - (unsigned long)start;
        by = (unsigned long)step;
    } else if (step < 0 && start > stop) {
        span = (unsigned long)start - (unsigned long)stop;
        by = 0UL - (unsigned long)step;
    } else {
        return 0;
    }
    return (span - 1) / by + 1;
}""",
    "py_range_at": """\
/* The k-th value of range(start, ..., step), k below its length: a long, computed
   without signed overflow. */
static long py_range_at(long start, long step, unsigned long k)
{
    unsigned long v = (unsigned long)start + (unsigned long)step * k;
    return v <= (unsigned long)LONG_MAX ? (long)v : -(long)~v - 1;
}""",
}
HELPER_DEPS = {"polygamma": ("factorial",)}
HELPERS.update(CHECKPOINT_HELPERS)          # checkpointed loops' schedule (c_checkpoint.py)
HELPER_DEPS.update(CHECKPOINT_DEPS)


def helper_sources(names, d):
    """Source of the helpers ``names`` (and what they call), in a stable order."""
    todo, seen = sorted(names), set()
    while todo:
        n = todo.pop()
        if n not in seen:
            seen.add(n)
            todo += HELPER_DEPS.get(n, ())
    order = [n for n in HELPERS if n in seen]
    return [_for_dtype(HELPERS[n], d) for n in order]


def _for_dtype(src, d):
    if d.real == "double":
        return src
    src = re.sub(r"\bdouble\b", "float", src)
    src = re.sub(r"\b(fmod|floor|copysign|round|fabs|trunc|pow|log)\(", r"\1f(", src)
    return re.sub(r"(?<![\w.])(\d+\.\d+)(?![\df])", r"\1f", src)


def wrapped(head, expr, tail, pad, width=96):
    """``head + expr + tail``, broken after top-level ``+``/``-`` when too long."""
    if len(head) + len(expr) + len(tail) <= width:
        return head + expr + tail
    depth, cuts = 0, []
    for i, ch in enumerate(expr):
        depth += ch in "([" and 1 or ch in ")]" and -1 or 0
        if depth == 0 and expr[i:i + 3] in (" + ", " - "):
            cuts.append(i)
    if not cuts:
        return head + expr + tail
    lines, line, start = [], head, 0
    for cut in cuts + [len(expr)]:
        piece = expr[start:cut]
        if len(line) + len(piece) > width - 2 and line.strip() and start:
            lines.append(line.rstrip())
            line = pad + "        "
        line += piece.lstrip() if line.endswith("        ") else piece
        if cut < len(expr):
            line += " " + expr[cut + 1]
        start = cut + 2
    lines.append(line + tail)
    return "\n".join(lines)
