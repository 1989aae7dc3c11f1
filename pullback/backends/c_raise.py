"""Where Python raises, the generated C returns an error code, never undefined behaviour.

C leaves undefined what Python turns into an exception or a big int: ``n // 0``,
``LONG_MIN // -1``, signed overflow of ``+ - *`` and unary minus, ``(long)`` of
NaN, infinity or a float out of range, ``range(a, b, 0)``, and a stack that
recursion overflows.  ``raising_checks(fn, layout_kind)`` finds, before any
text is printed, every scalar statement that can do one of these on some
input; ``c_layout`` makes its function fallible, and ``RaisePrinting.raise_guards``
prints the tests just before the statement:

    if (n == 0) return F_ZERO_DIVISION;
    if (py_imul_overflows(n, n)) return F_OVERFLOW;
    if (!isfinite(x)) return F_VALUE_ERROR;

Codes (``CODES``, documented in the header): ``NAME_VALUE_ERROR`` 4 (a zero
``range`` step, int() of NaN or infinity, a negative float to a non-integer power), ``NAME_ZERO_DIVISION`` 5,
``NAME_OVERFLOW`` 6 (where Python's result is an int ``long`` cannot hold).
The value function ``NAME`` returns NaN instead, as for index errors.

Invariants
- A check is left out only where ``c_bounds.int_intervals`` proves it cannot
  fire with ``long`` of 32 bits (so of any width): operands bounded within
  ``+-(2**31 - 1)``.  Intervals assume no earlier overflow, which holds
  because every earlier operation was proven or checked.
- A statement with checks is never folded into a later expression
  (``c_decls``), so its test runs before it, once.
- Loop counters and ``range`` stepping are overflow-free by construction in
  ``c_loops`` (helpers ``py_range_next``, ``py_range_len``, ``py_range_at``);
  only a run-time step of zero needs a check here.
- A recursive function of the value side counts its depth in a static
  counter and returns ``NAME_TOO_MANY_CALLS`` past ``MAX_ITERATIONS``.
"""
import re

from ..ir import Assign, Const, For
from ..ir.walk import walk
from .c_bounds import TOP, atom_interval, int_intervals
from .c_ops import HELPERS, REL, paren
from .float_checks import complex_power

SAFE = 2 ** 31 - 1
CODES = {"value": ("VALUE_ERROR", 4), "zero": ("ZERO_DIVISION", 5), "overflow": ("OVERFLOW", 6)}
_TO_INT = {"int": "trunc", "trunc": "trunc", "floor": "floor", "ceil": "ceil",
           "round": "round"}


def raising_checks(fn):
    """id(statement) -> [check]; a check is ``(kind, code)``, kinds below."""
    env = int_intervals(fn)
    out = {}
    for s in walk(fn.body):
        found = _checks(s, env)
        if found:
            out[id(s)] = found
    return out


def codes_of(checks):
    return {code for found in checks.values() for _, code in found}


def _checks(s, env):
    if isinstance(s, For):
        return [("step0", "value")] if not isinstance(s.step, Const) else []
    if not isinstance(s, Assign) or s.target.type not in ("int", "bool", "float"):
        return []
    if any(getattr(a, "type", None) not in ("int", "bool", "float") for a in s.args):
        return []
    ints = all(a.type in ("int", "bool") for a in s.args)
    iv = [atom_interval(a, env) for a in s.args]
    op = s.op
    if ints and op in ("floordiv", "mod"):
        found = [] if _excludes(iv[1], 0) else [("div0", "zero")]
        if op == "floordiv" and not _excludes(iv[1], -1) and iv[0][0] <= -SAFE:
            found.append(("divovf", "overflow"))
        return found
    if ints and op in ("add", "sub", "mul") and s.target.type == "int":
        lo, hi = _result(op, iv)
        return [] if -SAFE <= lo and hi <= SAFE else [(op, "overflow")]
    if ints and op in ("neg", "abs") and s.target.type == "int":
        return [] if iv[0][0] > -SAFE else [("neg", "overflow")]
    if complex_power(s):        # (-2.0) ** 0.5: complex in Python, NaN in C
        return [("cpow", "value")]
    if op in _TO_INT and s.args[0].type == "float" and s.target.type == "int":
        return [("finite", "value"), ("range", "overflow")]
    return []


def _excludes(iv, v):
    return not (iv[0] <= v <= iv[1])


def _result(op, iv):
    (a, b), (c, d) = iv
    if TOP in iv:
        return TOP
    if op == "add":
        return a + c, b + d
    if op == "sub":
        return a - d, b - c
    ps = [x * y for x in (a, b) for y in (c, d)]
    return min(ps), max(ps)


class RaisePrinting:
    """Mixin of ``c_function.FunctionPrinter``: the tests before a raising statement."""

    def raise_guards(self, s, env, pad, lines):
        found = self.ctx.layout.raising.get(self.fn.name, {}).get(id(s))
        for kind, code in found or ():
            cond = self._condition(kind, s, env)
            status = getattr(self.ctx, "status_" + code)
            lines.append(f"{pad}if ({cond}) return {self.error_value(status)};")

    def depth_bounded(self, body, pad):
        """The lines of a recursive function's body, counting its depth: past
        ``MAX_ITERATIONS`` nested calls it returns ``NAME_TOO_MANY_CALLS``."""
        depth = self.names.fresh("depth")
        body = [re.sub(r"\breturn ([^;]*);", rf"return ({depth}--, \1);", ln) for ln in body]
        stop = self.error_value(self.ctx.status_calls)
        return [f"{pad}static long {depth} = 0;",
                f"{pad}if ({depth} == {self.ctx.max_macro}) return {stop};",
                f"{pad}{depth}++;"] + body

    def _condition(self, kind, s, env):
        if kind == "step0":
            return f"{paren(self.atom(s.step, env), REL + 1)} == 0"
        args = [self.atom(a, env) for a in s.args]
        if kind == "div0":
            return f"{paren(args[1], REL + 1)} == 0"
        if kind == "divovf":
            return f"{paren(args[1], REL + 1)} == -1 && {paren(args[0], REL + 1)} == LONG_MIN"
        if kind == "neg":
            return f"{paren(args[0], REL + 1)} == LONG_MIN"
        if kind in ("add", "sub", "mul"):
            name = f"py_i{kind}_overflows"
            self.ctx.helpers.add(name)
            return f"{name}({args[0][0]}, {args[1][0]})"
        x = args[0][0]
        if kind == "cpow":
            b = paren(args[1], REL + 1)
            return f"{paren(args[0], REL + 1)} < 0 && isfinite({x}) && isfinite({args[1][0]}) " \
                f"&& {b} != {self.ctx.dialect.math('floor')}({args[1][0]})"
        if kind == "finite":
            return f"!isfinite({x})"
        self.ctx.helpers.add("py_fits_long")         # the integer C's cast would convert:
        return f"!py_fits_long({self.ctx.dialect.math(_TO_INT[s.op])}({x}))"


HELPERS.update({
    "py_iadd_overflows": """\
/* Whether a + b leaves the range of long (Python's result would be a big int). */
static int py_iadd_overflows(long a, long b)
{
    return b > 0 ? a > LONG_MAX - b : a < LONG_MIN - b;
}""",
    "py_isub_overflows": """\
/* Whether a - b leaves the range of long. */
static int py_isub_overflows(long a, long b)
{
    return b < 0 ? a > LONG_MAX + b : a < LONG_MIN + b;
}""",
    "py_fits_long": """\
/* Whether an integral value v converts to long ((long)v is undefined otherwise). */
static int py_fits_long(double v)
{
    return v >= (double)LONG_MIN && v < -(double)LONG_MIN;
}""",
    "py_imul_overflows": """\
/* Whether a * b leaves the range of long (each test divides without overflow). */
static int py_imul_overflows(long a, long b)
{
    if (a > 0) {
        return b > 0 ? a > LONG_MAX / b : b < LONG_MIN / a;
    }
    if (b > 0) {
        return a < LONG_MIN / b;
    }
    return a != 0 && b < LONG_MAX / a;
}""",
})
