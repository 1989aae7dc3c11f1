"""Scalar programs as users write them: arithmetic, ``math``, builtins, assignment.

Every module in this package defines plain module-level functions and a
``CASES`` table of :class:`Case` entries.  Argument values sit away from kinks
and discontinuities so central finite differences are a valid oracle.
"""
import math
from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class Case:
    func: Callable
    args: tuple
    argnums: int | tuple = 0
    jax: bool = True  # False: finite differences are the only oracle
    tag: str = ""  # distinguishes several cases of one function

    @property
    def id(self):
        return self.func.__name__ + (f"-{self.tag}" if self.tag else "")


# --- arithmetic -------------------------------------------------------------

def cubic(x):
    return 3 * x ** 3 - 2 * x ** 2 + x - 7


def rational(x, y):
    return (x * y - 1) / (x + y * y + 1) - x / y


def floordiv_mod(x, y):
    q = x // y
    r = x % y
    return q * y * y + r * r + x


def powers(x, y):
    return x ** y + y ** 2.5 + 2.0 ** x + x ** -1 + (-x) ** 2 + x ** 0.5


def unary_minus(x, y):
    return -x * -(-y + 2) + (+x) - (-(x * x * y))


def mixed_int_float(x, n):
    k = n * 2 + 1
    return x ** k / k + n * x - (n // 2) * x * x


def constants(x):
    c = math.pi * 2
    return math.sin(c * x) * math.e + math.tau * x


def ignores_second(x, y):
    return x * x - 3.0


# --- math module -----------------------------------------------------------

def trig(x):
    return math.sin(x) * math.cos(2 * x) + math.tan(x / 3)


def inverse_trig(x):
    return math.asin(x) + math.acos(x / 2) * math.atan(x) + math.atan(1 / x)


def hyperbolic(x):
    a = math.sinh(x) + math.cosh(x / 2) * math.tanh(x)
    return a + math.asinh(x) + math.acosh(1 + x * x) + math.atanh(x / 2)


def exps_and_logs(x):
    a = math.exp(-x) + math.expm1(x / 4) + math.log(x) + math.log1p(x * x)
    return a + math.log2(x + 1) + math.log10(3 * x) + math.log(x, 3.0)


def roots_and_pows(x, y):
    return math.sqrt(x * y) + math.pow(x, y) + pow(y, 3) + math.hypot(x, y)


def angle(x, y):
    return math.atan2(y, x) + math.atan2(x * y, 1.0 + x * x)


def special(x):
    return math.erf(x) + math.erfc(x / 2) + math.lgamma(x + 1) + math.lgamma(x)


def gaussian_cdf(x, mu, sigma):
    return 0.5 * (1 + math.erf((x - mu) / (sigma * math.sqrt(2))))


def gaussian_pdf(x, mu, sigma):
    z = (x - mu) / sigma
    return math.exp(-0.5 * z * z) / (sigma * math.sqrt(2 * math.pi))


def black_scholes_call(s, k, t, sigma):
    d1 = (math.log(s / k) + 0.5 * sigma ** 2 * t) / (sigma * math.sqrt(t))
    d2 = d1 - sigma * math.sqrt(t)
    cdf = lambda z: 0.5 * math.erfc(-z / math.sqrt(2))
    return s * cdf(d1) - k * cdf(d2)


# --- builtins ---------------------------------------------------------------

def absolutes(x, y):
    return math.fabs(x - y) * abs(x) + abs(-y) + abs(x * y)


def mins_maxes(x, y, z):
    return max(x, y) - min(y, z) + max(x, y, z) * min(x, 2.0)


def builtin_float(n, x):
    return float(n) * x + float(x) ** 2


def rounding(x):
    a = math.floor(x) * x + round(x) * x ** 2 + int(x)
    return a + math.ceil(x) * x + math.trunc(x) + round(x, 1) * x


def zero_grad_path(x, y):
    return x * x + math.floor(y) + round(y) * 2


# --- comparisons and boolean logic ----------------------------------------------

def chained_compare(x, y):
    if 0.0 < x < y <= 3.0:
        return x * y
    return x + y


def boolean_ops(x, y):
    s = 0.0
    if x > 1 and y < 2:
        s += x * y
    if x < 0 or y > 1:
        s += y * y
    if not x > 5:
        s -= x
    return s


def conditional_expr(x, y):
    big = x if x > y else y
    small = y if x > y else x
    return big * big - small * (2.0 if small > 0 else -1.0)


def value_or(x, y):
    scale = y or 1.0
    return (x and scale) * x


# --- assignment ---------------------------------------------------------------

def augmented(x):
    y = x
    y += 1.5
    y *= x
    y -= 0.5 * x
    y /= 1 + x * x
    y **= 2
    return y


def tuple_assign(x, y):
    a, b = x + y, x * y
    a, b = b, a
    (c, d) = (a - b, a / b)
    p, (q, r) = x, (y, c * d)
    return a * c + b * d + p * q * r


def rebind_in_chain(x):
    x = x * 2
    y = x = x + 1
    x = x * y
    return x


CASES = [
    Case(cubic, (1.3,)),
    Case(cubic, (-0.7,), tag="neg"),
    Case(rational, (1.2, 0.7), (0, 1)),
    Case(floordiv_mod, (3.7, 1.1), (0, 1)),
    Case(powers, (1.4, 0.8), (0, 1)),
    Case(unary_minus, (0.9, -1.7), (0, 1)),
    Case(mixed_int_float, (1.1, 3), 0),
    Case(constants, (0.3,)),
    Case(ignores_second, (1.5, 2.5), (0, 1)),
    Case(trig, (0.7,)),
    Case(inverse_trig, (0.3,)),
    Case(hyperbolic, (0.6,)),
    Case(exps_and_logs, (1.7,)),
    Case(roots_and_pows, (1.3, 2.1), (0, 1)),
    Case(angle, (-0.7, 0.4), (0, 1)),
    Case(special, (1.7,)),
    Case(gaussian_cdf, (0.4, 0.1, 1.3), (0, 1, 2)),
    Case(gaussian_pdf, (0.4, 0.1, 1.3), (0, 1, 2)),
    Case(black_scholes_call, (100.0, 95.0, 0.5, 0.25), (0, 1, 2, 3)),
    Case(absolutes, (-1.3, 0.4), (0, 1)),
    Case(mins_maxes, (0.5, 1.5, -0.2), (0, 1, 2)),
    Case(mins_maxes, (2.5, 1.5, 3.2), (0, 1, 2), tag="other-picks"),
    Case(builtin_float, (3, 1.2), 1),
    Case(rounding, (2.3,)),
    Case(zero_grad_path, (1.1, 2.7), (0, 1)),
    Case(chained_compare, (0.5, 1.5), (0, 1)),
    Case(chained_compare, (1.5, 0.5), (0, 1), tag="false"),
    Case(boolean_ops, (1.5, 1.2), (0, 1)),
    Case(boolean_ops, (-0.5, 2.5), (0, 1), tag="or"),
    Case(conditional_expr, (0.8, -1.3), (0, 1)),
    Case(conditional_expr, (-1.3, 0.8), (0, 1), tag="swapped"),
    Case(value_or, (1.3, 0.6), (0, 1)),
    Case(augmented, (0.7,)),
    Case(tuple_assign, (1.3, 0.4), (0, 1)),
    Case(rebind_in_chain, (0.9,)),
]
