"""A compiled emit_c function refuses arguments it would convert silently, and its
status codes are the exceptions Python raises (audit 32k).

ctypes converted with ``int()`` and ``np.asarray(dtype=...)``: 2.5 for an int
parameter ran as 2, a float array for an int array was truncated, a uint64 past
LONG_MAX wrapped, a complex array lost its imaginary part; and statuses 5 and 6
(ZERO_DIVISION, OVERFLOW) were reported as a recursion past max_iterations.
Expected values are worked by hand or by calling the Python function.
"""
import numpy as np
import pytest

from c_driver import CC
from pullback.emit_c import emit_c

pytestmark = pytest.mark.skipif(CC is None, reason="needs a C compiler (cc)")


def scaled_square(x, k):
    return x * x * k


def weighted(x, k):
    return np.sum(x ** 2 * k)


def count_up(x, n):
    s = 0.0
    for i in range(n):
        s = s + x * i
    return s


def gated(x, flag):
    return x * 2.0 if flag else x


def tenth(x, n):
    return x * (10 // n)


def squared_count(x, n):
    return x * (n * n)


def stepped(x, step):
    s = 0.0
    for i in range(0, 3, step):
        s = s + x * i
    return s


@pytest.fixture(scope="module")
def scalar_k():
    return emit_c(scaled_square, 1.0, 3, name="scaled_square").compile()


@pytest.fixture(scope="module")
def array_k():
    return emit_c(weighted, np.ones(2), np.array([1, 2])).compile()


@pytest.mark.parametrize("k", [2.5, 2.0, np.float64(2.0), np.array(2.0), 2 + 0j, "2"])
def test_an_int_parameter_refuses_what_is_not_an_int(scalar_k, k):
    with pytest.raises(TypeError, match=r"argument 1 \(k\) was compiled as int"):
        scalar_k(2.0, k)


def test_an_int_parameter_takes_integers(scalar_k):
    assert scalar_k(2.0, np.int32(2)) == (8.0, 8.0)       # x*x*k and 2*x*k at x=2, k=2
    assert scalar_k(2.0, 5) == (20.0, 20.0)
    with pytest.raises(OverflowError, match=r"argument 1 \(k\)"):
        scalar_k(2.0, 2 ** 70)                          # ctypes would pass it as 0


@pytest.mark.parametrize("x", [2 + 1j, np.complex128(2.0), "2.0", np.array([2.0])])
def test_a_float_parameter_refuses_complex_and_strings(scalar_k, x):
    with pytest.raises(TypeError, match=r"argument 0 \(x\) was compiled as float"):
        scalar_k(x, 2)


def test_range_of_a_float_is_refused_as_in_python():
    with pytest.raises(TypeError):
        count_up(1.0, 2.7)
    c = emit_c(count_up, 1.0, 3).compile()
    assert c(1.5, 3) == (4.5, 3.0)                      # x*(0+1+2), d/dx = 3
    with pytest.raises(TypeError, match=r"argument 1 \(n\) was compiled as int"):
        c(1.5, 2.7)


@pytest.mark.parametrize("k, error", [
    (np.array([0.5, 2.5]), TypeError),                  # was truncated to [0, 2]
    (np.array([2 ** 64 - 1, 1], np.uint64), TypeError),      # was wrapped to -1
    (np.array([1.0, 2.0]), TypeError),
    (np.array([20, 3], np.uint8), TypeError),   # NumPy's k * k wraps in uint8; C's long not
    (np.array([True, False]), TypeError),       # NumPy indexes with it as a mask
])
def test_an_int_array_parameter_refuses_lossy_conversions(array_k, k, error):
    with pytest.raises(error, match=r"argument 1 \(k\) was compiled as int64\[2\]"):
        array_k(np.ones(2), k)


def test_an_int_array_parameter_takes_integers_that_fit(array_k):
    x = np.array([1.0, -2.0])
    for k in (np.array([3, 1], np.int64), [3, 1]):
        value, g = array_k(x, k)
        assert value == weighted(x, np.array([3, 1]))
        assert np.array_equal(g, 2 * x * np.array([3, 1]))


def test_a_float_array_parameter_refuses_complex(array_k):
    with pytest.raises(TypeError, match=r"argument 0 \(x\) was compiled as float64\[2\]"):
        array_k(np.ones(2) + 1j, np.array([1, 2]))


def test_a_bool_parameter_takes_bools_only():
    c = emit_c(gated, 1.0, True).compile()
    assert c(3.0, np.bool_(True)) == (6.0, 2.0)
    with pytest.raises(TypeError, match=r"argument 1 \(flag\) was compiled as bool"):
        c(3.0, 5)


@pytest.mark.parametrize("f, example, bad, error", [
    (tenth, 2, 0, ZeroDivisionError),
    (stepped, 1, 0, ValueError),
])
def test_a_status_is_the_exception_python_raises(f, example, bad, error):
    with pytest.raises(error):
        f(1.0, bad)
    c = emit_c(f, 1.0, example).compile()
    with pytest.raises(error, match=rf"{f.__name__}_grad \(compiled from {f.__name__} "
                                    r"\(test_c_arguments\.py:\d+\)\)"):
        c(1.0, bad)


def test_an_int_past_long_is_an_overflow_error():
    c = emit_c(squared_count, 1.0, 2).compile()
    assert c(1.0, 3) == (9.0, 9.0)
    with pytest.raises(OverflowError, match="squared_count_grad .*does not fit a C long"):
        c(1.0, 2 ** 40)                                 # Python: 2**80, a big int


def test_a_name_too_long_for_a_file_is_a_value_error():
    with pytest.raises(ValueError, match="300 characters long"):
        emit_c(scaled_square, 1.0, 3, name="x" * 300)
    with pytest.raises(TypeError, match="name must be a str"):
        emit_c(scaled_square, 1.0, 3, name=123)
