"""Control flow, helper calls, closures, lambdas and recursion."""
import math

from .programs import Case


# --- branches and early return ---------------------------------------------------

def piecewise(x):
    if x < -1:
        return -x * x
    elif x < 0:
        y = x ** 3
    elif x < 1:
        y = math.sin(x)
    else:
        y = math.log(x) + math.sin(1.0)
    return y * 2


def nested_if(x, y):
    if x > 0:
        if y > x:
            z = x * y
        else:
            z = x - y
    else:
        z = math.exp(x) if y > 0 else math.exp(-y)
    return z * z


def early_return(x):
    if x > 2:
        return x * x
    y = math.sin(x)
    if y > 0.5:
        return y / x
    return -y


# --- for loops ------------------------------------------------------------------

def sum_range(x, n):
    s = 0.0
    for i in range(n):
        s += x ** i / (i + 1)
    return s


def range_bounds(x):
    s = 0.0
    for i in range(1, 6):
        s += i * x
    for i in range(10, 0, -3):
        s *= 1 + x / i
    for i in range(4, -2, -1):
        s -= x / (i + 3)
    for i in range(2, 2):
        s = 0.0
    return s


def range_int_arg(x, lo, hi, step):
    p = 1.0
    for k in range(lo, hi, step):
        p *= 1 + x / k
    return p


def range_from_float(x):
    s = 0.0
    for i in range(int(3 * x) + 1):
        s += x / (i + 1)
    return s


def range_from_floor(x):
    s = x
    for i in range(1, math.floor(x) + 2):
        s = s * x / i
    return s


def loop_literal_tuple(x):
    s = 0.0
    for w in (0.5, 1.0, 2.0):
        s += w * math.sin(w * x)
    return s


def loop_literal_list(x, y):
    s = 0.0
    for w in [x, y, x * y]:
        s += w * w - w
    return s


def loop_tuple_pairs(x):
    s = 0.0
    for a, b in ((1.0, 0.5), (2.0, -0.25), (3.0, 0.125)):
        s += a * math.cos(b * x)
    return s


def fib_swap(x, y):
    a, b = x, y
    for _ in range(8):
        a, b = b, a + 0.5 * b
    return b / a


def nested_loops(x):
    s = 0.0
    for i in range(4):
        for j in range(i, 4):
            s += math.cos(x * i - j) / (1 + i + j)
    return s


def loop_continue(x):
    s = 0.0
    for i in range(12):
        if i % 3 == 0:
            continue
        s += math.sin(i * x)
    return s


def loop_break(x):
    y = 0.5
    for i in range(100):
        y = 0.9 * y + 0.1 * x * x
        if y > 1.5:
            break
    return y * x


def break_inner(x):
    s = 0.0
    for i in range(5):
        for j in range(5):
            if j > i:
                break
            s += x ** j / (i + 1)
    return s


def return_from_nested(x, limit):
    t = x
    for i in range(6):
        for j in range(6):
            t = t * 1.1 + 0.01 * j
            if t > limit:
                return t * x
    return -t


def loop_else(x):
    y = x
    for i in range(10):
        y = y * y
        if y > 50.0:
            break
    else:
        y = -y
    return y


# --- while loops --------------------------------------------------------------

def count_up(x):
    y = 0.0
    k = 0
    while y < x:
        y += 0.37
        k += 1
    return y * x + k * x


def halve_until_small(x):
    y = x
    k = 0
    while abs(y) > 0.5:
        y /= 2
        k += 1
    e = 1 + y + y * y / 2 + y ** 3 / 6 + y ** 4 / 24 + y ** 5 / 120 + y ** 6 / 720
    for _ in range(k):
        e = e * e
    return e


def reduce_angle(x):
    y = x
    while y > math.pi:
        y -= 2 * math.pi
    while y < -math.pi:
        y += 2 * math.pi
    return math.sin(y) + y * y


# --- helper functions -----------------------------------------------------------

def square(t):
    return t * t


def scaled(x, k=2.0, shift=0.0):
    return k * x + shift


def affine(x, *, a=1.0, b=0.0):
    return a * x + b


def polar(x, y):
    return math.hypot(x, y), math.atan2(y, x)


def norm_via_helpers(x, y):
    return math.sqrt(square(x) + square(y))


def call_styles(x, y):
    a = scaled(x)
    b = scaled(x, y)
    c = scaled(x, shift=y)
    d = scaled(shift=x * y, x=y, k=0.5)
    return a * b + c * d + affine(x, b=y) + affine(y, a=x, b=1.0)


def helper_tuple_return(x, y):
    r, th = polar(x, y)
    return r * math.cos(2 * th) + square(r)


def helper_in_loop(x):
    s = 0.0
    for i in range(1, 5):
        s += scaled(square(x), k=1.0 / i, shift=i)
    return s


# --- closures and lambdas -------------------------------------------------------

def closure_reads(x, y):
    k = x * y

    def inner(t):
        return k * t + y

    return inner(x) + inner(2.0) * inner(y)


def closure_twice_nested(x):
    a = math.exp(x)

    def outer(t):
        def inner(u):
            return a * u + t

        return inner(t) * inner(1.0)

    return outer(x) - outer(0.5)


def lambda_local(x, y):
    sq = lambda t: t * t + x
    lin = lambda t, c=2.0: c * t
    return sq(y) + sq(x) * lin(y) + lin(x, c=y)


cube = lambda t: t ** 3


def module_lambda(x):
    return cube(x) - cube(2 * x) / 3


# --- recursion ------------------------------------------------------------------

def rpow(x, n):
    if n == 0:
        return 1.0
    half = rpow(x, n // 2)
    if n % 2 == 0:
        return half * half
    return half * half * x


def rpoly(x, n):
    if n == 0:
        return 1.0
    return 1.0 + x * rpoly(x, n - 1) / n


def rfib(x, n):
    if n < 2:
        return x if n == 1 else 1.0
    return rfib(x, n - 1) + 0.5 * rfib(x, n - 2)


def cos_doubling(x, n):
    if n == 0:
        return 1 - x * x / 2 + x ** 4 / 24 - x ** 6 / 720
    c = cos_doubling(x / 2, n - 1)
    return 2 * c * c - 1


CASES = [
    Case(piecewise, (-1.5,), tag="lt-1"),
    Case(piecewise, (-0.5,), tag="neg"),
    Case(piecewise, (0.5,), tag="mid"),
    Case(piecewise, (2.5,), tag="big"),
    Case(nested_if, (0.5, 1.5), (0, 1)),
    Case(nested_if, (1.5, 0.5), (0, 1), tag="x-gt-y"),
    Case(nested_if, (-0.5, -0.7), (0, 1), tag="neg"),
    Case(early_return, (2.5,)),
    Case(early_return, (1.0,), tag="mid"),
    Case(early_return, (-0.3,), tag="fallthrough"),
    Case(sum_range, (0.7, 6)),
    Case(sum_range, (0.7, 0), tag="empty"),
    Case(range_bounds, (0.8,)),
    Case(range_int_arg, (0.3, 1, 9, 2)),
    Case(range_int_arg, (0.3, 8, 1, -3), tag="neg-step"),
    Case(range_from_float, (1.7,)),
    # under the JAX shim math.floor returns an array, which range() rejects
    Case(range_from_floor, (3.4,), jax=False),
    Case(loop_literal_tuple, (0.9,)),
    Case(loop_literal_list, (1.2, -0.6), (0, 1)),
    Case(loop_tuple_pairs, (1.7,)),
    Case(fib_swap, (0.6, 1.3), (0, 1)),
    Case(nested_loops, (0.4,)),
    Case(loop_continue, (0.3,)),
    Case(loop_break, (1.6,)),
    Case(loop_break, (1.0,), tag="no-break"),
    Case(break_inner, (1.3,)),
    Case(return_from_nested, (0.9, 2.0), 0),
    Case(return_from_nested, (0.1, 50.0), 0, tag="no-return"),
    Case(loop_else, (1.3,), tag="break"),
    Case(loop_else, (0.995,), tag="else"),
    Case(count_up, (1.3,)),
    Case(halve_until_small, (3.3,)),
    Case(reduce_angle, (7.5,)),
    Case(reduce_angle, (-9.1,), tag="neg"),
    Case(norm_via_helpers, (0.6, -1.1), (0, 1)),
    Case(call_styles, (0.8, 1.4), (0, 1)),
    Case(helper_tuple_return, (0.6, 1.1), (0, 1)),
    Case(helper_in_loop, (0.9,)),
    Case(closure_reads, (0.7, 1.2), (0, 1)),
    Case(closure_twice_nested, (0.4,)),
    Case(lambda_local, (0.5, 1.5), (0, 1)),
    Case(module_lambda, (0.8,)),
    Case(rpow, (1.1, 13)),
    Case(rpoly, (0.6, 7)),
    Case(rfib, (0.8, 8)),
    Case(cos_doubling, (2.2, 5)),
]
