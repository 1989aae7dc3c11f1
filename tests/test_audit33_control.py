"""Audit 33's wrong numbers in control flow and Python scalar numerics, each now Python's
value with central differences' gradient (never pullback's own output) on every backend,
or a rejection at the user's line:

- builtin min/max of tuples, lists or generators of tuples: Python's lexicographic
  order selects one whole item (was elementwise); of arrays of several elements,
  Python's ValueError (was NumPy's elementwise extreme);
- C: `if a:` / `x if a else y` of a NumPy array printed a pointer test (always true):
  a one-element array's truth is its element's, a larger one is rejected at the line;
- Numba: int(), math.floor/ceil/trunc and round of a float beyond int64 wrapped and of
  NaN gave 0 (now Python's OverflowError / ValueError), and every such error, int
  overflow too, names the user's file:line (was no location).
"""
import math

import numpy as np
import pytest

import pullback
from c_driver import CC
from jax_fd import fd_grad
from pullback.errors import TransformError, UnsupportedError

BACKENDS = ["python", "numba", "c"]


def value_and_grad(f, args, backend):
    argnums = tuple(range(len(args)))
    if backend == "c":
        return pullback.emit_c(f, *args, argnums=argnums).compile()(*args)
    return pullback.value_and_grad(f, argnums=argnums, backend=backend)(*args)


def check(f, args, backend):
    if backend == "c" and CC is None:
        pytest.skip("needs a C compiler (cc)")
    value, grad = value_and_grad(f, args, backend)
    assert math.isclose(value, f(*args), rel_tol=1e-12, abs_tol=1e-12)
    fd = [float(fd_grad(f, args, i)) for i in range(len(args))]
    assert np.allclose(grad, fd, rtol=1e-6, atol=1e-7)


# -- 1. min/max of sequences compare them as wholes ------------------------------------
def min_tuples(x, y):
    m = min((x * x, 1.0), (y, 2.0))         # (y, 2.0): y < x * x
    return m[0] * m[1]


def max_list_of_pairs(x, y):
    err, w = max([(x, 1.0), (y, 3.0)])
    return err * w


def argmin_idiom(x, y):
    best = min((abs(x - 1.0), 5.0 * x), (abs(y - 1.0), 7.0 * y))
    return best[1]


def max_lists(x, y):
    m = max([x, 1.0], [y, 2.0])
    return m[0] * m[1]


def argmax_generator(x, y):
    m = max((v * v, i) for i, v in enumerate((x, y)))
    return m[0] * (m[1] + 1)


def longer_wins_ties(x, y):
    m = max((x,), (x, y))                   # an equal prefix: the longer is larger
    return sum(m)


def tie_on_first(x, y):
    m = min((x, y * y), (x, 2.0 * y), (x, y + 1.0))     # decided by the second items
    return m[0] * m[1]


def nested_items(x, y):
    m = max(((x, 1.0), y), ((y, 2.0), x))
    return m[0][0] * m[0][1] + m[1]


SEQUENCE_CASES = [(min_tuples, (1.5, 0.3)), (min_tuples, (0.5, 0.3)),
                  (max_list_of_pairs, (1.5, 0.3)), (max_list_of_pairs, (0.2, 0.3)),
                  (argmin_idiom, (1.5, 0.1)), (argmin_idiom, (1.05, 0.1)),
                  (max_lists, (1.5, 0.3)), (argmax_generator, (1.5, 0.3)),
                  (argmax_generator, (0.5, -0.9)), (longer_wins_ties, (1.4, 0.3)),
                  (tie_on_first, (0.7, 0.4)), (tie_on_first, (0.7, 3.0)),
                  (nested_items, (1.5, 0.3)), (nested_items, (0.3, 1.5))]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("f, args", SEQUENCE_CASES,
                         ids=[f"{f.__name__}-{args}" for f, args in SEQUENCE_CASES])
def test_min_max_of_sequences_select_whole_items(f, args, backend):
    check(f, args, backend)


def max_of_arrays(x, y):
    m = max(np.array([x, y]), np.array([y, x]))     # Python: ValueError (ambiguous)
    return float(np.sum(m))


def choice_of_lengths(x, y):
    m = max((x, 1.0), (y,))                  # the length known only at run time
    return sum(m)


def tuple_against_number(x, y):
    return max((x, 1.0), y)[0]


@pytest.mark.parametrize("backend", ["python", "numba"])
@pytest.mark.parametrize("f, what", [(max_of_arrays, "more than one element"),
                                     (choice_of_lengths, "different lengths"),
                                     (tuple_against_number, "another kind")])
def test_min_max_rejections_name_the_line(f, what, backend):
    with pytest.raises(TransformError, match=f"test_audit33_control.py:[0-9]+:.*{what}"):
        pullback.value_and_grad(f, argnums=(0, 1), backend=backend)(1.5, 0.3)


def max_of_one_element_arrays(x, y):
    return float(max(np.array([x * x]), np.array([y]))[0])


@pytest.mark.parametrize("backend", ["python", "numba"])
def test_max_of_one_element_arrays(backend):
    check(max_of_one_element_arrays, (1.5, 0.3), backend)


# -- 2. C: the truth of a one-element array is its element's, not a pointer test --------
def truthy_array(x):
    a = np.array([x])
    if a:
        return x * 3.0
    return x


def truthy_array_ifexp(x):
    a = np.array([x - 1.0])
    return x * 3.0 if a else x


def truthy_pair(x):
    a = np.array([x, x])
    if a:
        return x * 3.0
    return x


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("f, x, slope", [(truthy_array, 0.0, 1.0), (truthy_array, 2.0, 3.0),
                                         (truthy_array_ifexp, 1.0, 1.0),
                                         (truthy_array_ifexp, 0.5, 3.0)])
def test_truth_of_a_one_element_array(f, x, slope, backend):
    """At the zero the branch Python takes is `return x` (slope 1; differences straddle
    the jump there), elsewhere the other (slope 3)."""
    if backend == "c" and CC is None:
        pytest.skip("needs a C compiler (cc)")
    value, grad = value_and_grad(f, (x,), backend)
    assert value == f(x) and np.allclose(grad, slope)
    if x not in (0.0, 1.0):
        check(f, (x,), backend)


@pytest.mark.skipif(CC is None, reason="needs a C compiler (cc)")
def test_c_truth_of_an_array_of_several_elements_names_the_line():
    line = truthy_pair.__code__.co_firstlineno + 2
    with pytest.raises(UnsupportedError, match=f"test_audit33_control.py:{line}:.*truth value"):
        pullback.emit_c(truthy_pair, 1.5)


# -- 3, 4. Numba's int64: a float made an int, and int overflow, name the user's line -----
def int_of_big_float(x):
    n = int(x * 1e19)                       # 1.3e19 > 2**63: Python's int is exact
    return x * (n % 11)


def floor_of_big_float(x):
    return x * (math.floor(x * 1e19) % 11)


def round_of_big_float(x):
    return x * (round(x * 1e19) % 11)


def int_of_nan(x):
    return x * (int(x * math.nan) % 11)


def factorial_loop(x, n):
    k = 1
    for i in range(n):
        k = k * (i + 1)                     # 21! > 2**63
    return x * k


@pytest.mark.parametrize("f", [int_of_big_float, floor_of_big_float, round_of_big_float])
def test_float_beyond_int64_made_an_int(f):
    value, grad = pullback.value_and_grad(f, backend="python")(1.3)
    assert math.isclose(value, f(1.3)) and math.isclose(grad, f(1.3) / 1.3)
    with pytest.raises(OverflowError, match=r"test_audit33_control.py:\d+: a float beyond int64"):
        pullback.value_and_grad(f, backend="numba")(1.3)
    if CC is not None:
        with pytest.raises(OverflowError, match="does not fit a C long"):
            pullback.emit_c(f, 1.3).compile()(1.3)


def test_int_of_nan_is_python_value_error():
    with pytest.raises(ValueError, match=r"test_audit33_control.py:\d+: cannot convert float NaN"):
        pullback.value_and_grad(int_of_nan, backend="numba")(1.3)


def test_numba_int_overflow_names_the_line():
    line = factorial_loop.__code__.co_firstlineno + 3
    with pytest.raises(OverflowError, match=f"test_audit33_control.py:{line}: integer overflow"):
        pullback.value_and_grad(factorial_loop, backend="numba")(1.0, 30)
    value, grad = pullback.value_and_grad(factorial_loop, backend="numba")(1.0, 20)
    assert value == grad == math.factorial(20)
