"""Audit 34's numerics findings: Numba's round(x, ndigits) (not Python's), np.round with
decimals (rejected), np.sinc's derivatives near 0 (cancellation), Hessians through
np.linalg.norm at 0 (made-up numbers), cauchy.logpdf's far tail (-inf), a negative float to
a non-integer power (complex in Python: NaN or an unlocated TypeError), Numba's
ZeroDivisionError without the user's line."""
import math
import shutil

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import scipy.stats as st
from mpmath import diff, mp, mpf, pi, sin

import pullback

jax.config.update("jax_enable_x64", True)
BACKENDS = ["python", "numba"]
needs_cc = pytest.mark.skipif(shutil.which("cc") is None, reason="needs a C compiler (cc)")
HERE = "test_audit34_misc.py"


def _names_this_file(e):
    """The error names this file: in its message (Numba) or a traceback note (python)."""
    return HERE in str(e) or any(HERE in n for n in getattr(e.value, "__notes__", ()))


# -- round(x, ndigits): Python rounds the exact binary value, half to even -----------------
def rounded(x, n):
    return round(x, n) * x


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("x,n", [(0.35, 1), (-0.05, 1), (2.675, 2), (0.125, 2), (-2.5, 0),
                                 (25.0, -1), (35.0, -1), (-1e-300, 2), (1234.5678, 3),
                                 (5e15, 1), (math.inf, 2)])
def test_round_ndigits_is_pythons(backend, x, n):
    value, grad = pullback.value_and_grad(rounded, backend=backend)(x, n)
    assert value == rounded(x, n) or (math.isinf(x) and math.isinf(value))
    assert grad == round(x, n) and math.copysign(1, grad) == math.copysign(1, round(x, n))
    primal, tangent = pullback.jvp(rounded, (x, n), (1.0, 0.0), backend=backend)
    assert primal == value and tangent == grad or math.isinf(x)


def test_round_ndigits_beyond_numbas_exact_range_is_refused_at_the_line():
    pytest.importorskip("numba")
    with pytest.raises(OverflowError, match=HERE + ".*backend='python'"):
        pullback.value_and_grad(rounded, backend="numba")(123456.7891, 12)


def np_rounded(x):
    return np.sum(np.round(x, 1) * x)


def method_rounded(x):
    return np.sum(x.round(1) * x + np.round(x, decimals=-1))


def rounded_f32(x):
    return np.sum(np.round(x, 1) * 2.0)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("f", [np_rounded, method_rounded])
def test_np_round_with_decimals_is_numpys_with_a_zero_derivative(backend, f):
    x = np.array([0.35, -0.05, 2.675, 14.96, 0.25])
    value, grad = pullback.value_and_grad(f, backend=backend)(x)
    assert value == f(x)
    np.testing.assert_array_equal(grad, np.round(x, 1))
    primal, tangent = pullback.jvp(f, (x,), (np.ones(5),), backend=backend)
    assert primal == f(x) and tangent == pytest.approx(np.sum(np.round(x, 1)))


@pytest.mark.parametrize("backend", BACKENDS)
def test_np_round_of_float32_rounds_in_float32_and_overflows_as_numpy(backend):
    with np.errstate(over="ignore"):
        for x in (np.array([0.35, 1.25], dtype=np.float32), np.array([1e308])):
            value = pullback.value_and_grad(rounded_f32, backend=backend)(x)[0]
            assert value == rounded_f32(x) and np.asarray(value).dtype == x.dtype


# -- np.sinc near 0: the rule's series ------------------------------------------------------
def sinc_sum(x):
    return np.sum(np.sinc(x))


def sinc_scalar(x):
    return np.sinc(x)


def _sinc_mp(x):
    return sin(pi * x) / (pi * x) if x != 0 else mpf(1)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("x", [0.3, 0.09, 1e-3, 1e-6, 1e-8, 1e-9, -1e-10, 0.0])
def test_sinc_gradient_and_hessian_near_zero(backend, x):
    mp.dps = 40
    g_true = float(diff(_sinc_mp, mpf(x)))
    h_true = float(diff(_sinc_mp, mpf(x), 2))
    assert pullback.grad(sinc_scalar, backend=backend)(x) == pytest.approx(g_true, rel=1e-12,
                                                                            abs=1e-300)
    h = pullback.hessian(sinc_sum, backend=backend)(np.array([x]))[0, 0]
    assert h == pytest.approx(h_true, rel=1e-12)
    tangent = pullback.jvp(sinc_scalar, (x,), (1.0,), backend=backend)[1]
    assert tangent == pytest.approx(g_true, rel=1e-12, abs=1e-300)


# -- np.linalg.norm: no second derivative at 0 -----------------------------------------------
def norm_squared(x):
    return np.linalg.norm(x) ** 2


def norm_plain(x):
    return np.linalg.norm(x)


def test_norm_hessian_at_zero_is_nan_as_in_jax():
    z = np.zeros(2)
    want = np.asarray(jax.hessian(lambda v: jnp.linalg.norm(v) ** 2)(jnp.zeros(2)))
    assert np.isnan(want).all()
    assert np.isnan(pullback.hessian(norm_squared)(z)).all()
    assert np.isnan(pullback.hessian(norm_plain)(z)).all()
    near = 1e-8 * np.array([1.0, 2.0])
    np.testing.assert_allclose(pullback.hessian(norm_squared)(near), 2 * np.eye(2), atol=1e-12)
    np.testing.assert_array_equal(pullback.grad(norm_plain)(z), [0.0, 0.0])   # the convention


# -- scipy.stats.cauchy.logpdf in the far tail -----------------------------------------------
def cauchy(x):
    return st.cauchy.logpdf(x)


def cauchy_shifted(x, loc, scale):
    return np.sum(st.cauchy.logpdf(x, loc, scale))


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("x", [0.0, 0.5, -1.0, 1.0, 3.0, 1e154, 1e155, 1e200, -1e300])
def test_cauchy_logpdf_in_the_tail_is_scipys(backend, x):
    value, grad = pullback.value_and_grad(cauchy, backend=backend)(x)
    assert value == pytest.approx(float(st.cauchy.logpdf(x)), rel=1e-14)
    assert grad == pytest.approx(-2 * x / (1 + x * x) if abs(x) < 1e100 else -2 / x, rel=1e-14)


@pytest.mark.parametrize("backend", BACKENDS)
def test_cauchy_logpdf_with_loc_and_scale_against_jax(backend):
    x = np.array([1.0, 1e200, -3.0, 0.25])

    def j(x, loc, scale):
        z = (x - loc) / scale
        return jnp.sum(-jnp.log(jnp.pi * scale) - jnp.log1p(z * z))
    value, grads = pullback.value_and_grad(cauchy_shifted, argnums=(0, 1, 2),
                                           backend=backend)(x, 0.5, 2.0)
    assert value == pytest.approx(cauchy_shifted(x, 0.5, 2.0), rel=1e-14)
    small = np.array([1.0, 3.0, -3.0, 0.25])      # JAX squares 1e200 too: compare elsewhere
    want = jax.grad(j, argnums=(0, 1, 2))(small, 0.5, 2.0)
    got = pullback.grad(cauchy_shifted, argnums=(0, 1, 2), backend=backend)(small, 0.5, 2.0)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, np.asarray(w), rtol=1e-13)
    assert grads[0][1] == pytest.approx(-2 / (1e200 - 0.5), rel=1e-14)


# -- a negative float to a non-integer power: complex in Python ------------------------------
def half_power(x):
    return x ** 0.5 + 1.0


def variable_power(x, b):
    return (x * 2.0) ** b


def array_power(x):
    return np.sum(np.power(x, 0.5) + x ** 1.5)


@pytest.mark.parametrize("backend", BACKENDS)
def test_negative_float_to_a_fractional_power_raises_at_the_line(backend):
    with pytest.raises(TypeError):
        complex(half_power(-2.0)) and float(half_power(-2.0))
    with pytest.raises(ValueError, match="complex") as e:
        pullback.value_and_grad(half_power, backend=backend)(-2.0)
    assert _names_this_file(e)
    with pytest.raises(ValueError, match="complex") as e:
        pullback.value_and_grad(variable_power, backend=backend)(-1.0, 1.5)
    assert _names_this_file(e)
    with pytest.raises(ValueError, match="complex"):
        pullback.jvp(half_power, (-2.0,), (1.0,), backend=backend)
    # a whole exponent, a positive base, and arrays (NaN, as NumPy) stay as they were
    assert pullback.value_and_grad(variable_power, backend=backend)(-1.0, 2.0) == (4.0, -8.0)
    assert pullback.value_and_grad(variable_power, backend=backend)(-1.0, 3)[0] == -8.0
    assert pullback.value_and_grad(half_power, backend=backend)(4.0) == (3.0, 0.25)
    with np.errstate(invalid="ignore"):
        value, grad = pullback.value_and_grad(array_power, backend=backend)(np.array([-1.0, 4.0]))
    assert math.isnan(value) and math.isnan(grad[0]) and grad[1] == pytest.approx(0.25 + 3.0)


@needs_cc
def test_c_negative_float_to_a_fractional_power_raises():
    compiled = pullback.emit_c(half_power, -2.0).compile()
    with pytest.raises(ValueError, match="complex"):
        compiled(-2.0)
    assert compiled(4.0) == pytest.approx((3.0, 0.25))


# -- an infinite derivative: ZeroDivisionError naming the user's line on every backend -------
def sqrt_at(x):
    return math.sqrt(x) + np.sqrt(x)


def log_at(x):
    return np.log(x) * 2.0


def asin_at(x):
    return math.asin(x) + math.acos(x)


def atan2_at(x, y):
    return math.atan2(x, y) + math.hypot(x, y)


def mod_at(x, y):
    return np.mod(x, y) + x


def where_at(x):
    return np.where(x > 0, np.log(x), 0.0)


def power_at(x):
    return x ** 0.5


def int_division(x, n):
    return x * float(7 // n)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("f,args", [(sqrt_at, (0.0,)), (log_at, (0.0,)), (asin_at, (1.0,)),
                                    (atan2_at, (0.0, 0.0)), (mod_at, (1.0, 0.0)),
                                    (where_at, (0.0,)), (power_at, (0.0,)),
                                    (int_division, (1.0, 0))])
def test_infinite_derivative_raises_zero_division_at_the_line(backend, f, args):
    argnums = tuple(range(len(args))) if f is not int_division else 0
    # np.log(0.0) of a Python float: the python backend's math.log raises first (edges.md)
    raised = (ValueError, ZeroDivisionError) if f is log_at and backend == "python" \
        else ZeroDivisionError
    with pytest.raises(raised) as e:
        pullback.value_and_grad(f, argnums=argnums, backend=backend)(*args)
    assert _names_this_file(e)


def sqrt32(x):
    return np.sqrt(x) * 2.0


def mod32(x, y):
    return x % y + x / y


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_numpy_float_scalar_divides_by_zero_as_numpy(backend):
    """np.float32 is NumPy's: 1 / 0 is inf with a warning (Numba raised, unlocated)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        value, grad = pullback.value_and_grad(sqrt32, backend=backend)(np.float32(0.0))
        assert value == 0.0 and np.isposinf(grad) and np.asarray(grad).dtype == np.float32
        one, zero = np.float32(1.0), np.float32(0.0)
        assert np.isnan(mod32(one, zero))
        assert np.isnan(pullback.value_and_grad(mod32, backend=backend)(one, zero)[0])
