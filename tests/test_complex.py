"""Complex intermediates of real losses (rules/complex.py), JAX's convention.

One row per construct: ``pullback.grad`` and ``pullback.jvp`` of a real function of
real arrays whose intermediates are complex, against ``jax.grad``/``jax.jvp`` of the same
code run on ``jax.numpy`` and against central finite differences of NumPy.  Real
inputs get real derivatives.  Numba and C reject complex derivatives at the user's line,
as does a primitive without a complex rule.
"""
import os
import types

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import pullback
from test_numpy_rules import fd_grad

jax.config.update("jax_enable_x64", True)

RNG = np.random.default_rng(7)
X5, X6 = RNG.uniform(-2, 2, 5), RNG.uniform(-2, 2, 6)
M34 = RNG.uniform(-2, 2, (3, 4))
B5 = RNG.uniform(-1, 1, 5) + 1j * RNG.uniform(-1, 1, 5)     # a complex global
W4 = RNG.uniform(-1, 1, 4)


def twin(f):
    """``f`` with ``np`` rebound to ``jax.numpy`` (the oracle)."""
    return types.FunctionType(f.__code__, {**f.__globals__, "np": jnp}, f.__name__,
                              f.__defaults__, f.__closure__)


ROWS = [
    ("add_complex_global", lambda x: np.sum(np.abs(x + B5) ** 2), X5),
    ("mul_complex_global", lambda x: np.sum(np.abs(x * B5 - x)), X5),
    ("div_pow", lambda x: np.sum(np.abs(1.0 / (np.fft.fft(x) + 3.0)) ** 1.5), X5),
    ("complex_pow_int", lambda x: np.sum(np.real(np.fft.fft(x) ** 3)), X5),
    ("exp_log", lambda x: np.sum(np.real(np.exp(0.1 * np.fft.fft(x)))
                                 + np.imag(np.log(np.fft.fft(x) + 5.0))), X5),
    ("sin_sqrt", lambda x: np.sum(np.imag(np.sin(np.sqrt(np.fft.fft(x) + 9.0)))), X5),
    ("real_imag", lambda x: np.sum(np.real(np.fft.fft(x)) * x + np.imag(np.fft.fft(x)) ** 2), X5),
    ("conj", lambda x: np.sum(np.real(np.fft.fft(x) * np.conj(np.fft.fft(x * x)))), X5),
    ("conjugate", lambda x: np.sum(np.imag(np.conjugate(B5 * x) * x)), X5),
    ("angle", lambda x: np.sum(np.angle(np.fft.fft(x) + 0.5) * x), X5),
    ("angle_deg", lambda x: np.sum(np.angle(x * B5, deg=True)), X5),
    ("rfft_power", lambda x: np.sum(np.abs(np.fft.rfft(x)) ** 2), X6),
    ("rfft_odd", lambda x: np.sum(np.abs(np.fft.rfft(x)) ** 3), X5),
    ("rfft_pad", lambda x: np.sum(np.abs(np.fft.rfft(x, n=9)) * np.arange(5)), X6),
    ("rfft_crop", lambda x: np.sum(np.abs(np.fft.rfft(x, 4)) ** 2), X6),
    ("rfft_ortho", lambda x: np.sum(np.imag(np.fft.rfft(x, norm="ortho")) * W4), X6),
    ("rfft_forward", lambda x: np.sum(np.real(np.fft.rfft(x, norm="forward")) * W4), X6),
    ("fft_n", lambda x: np.sum(np.abs(np.fft.fft(x, n=7)) ** 2 * np.arange(7)), X5),
    ("ifft", lambda x: np.sum(np.real(np.fft.ifft(x * B5)) ** 2), X5),
    ("ifft_n_ortho", lambda x: np.sum(np.abs(np.fft.ifft(x, 3, norm="ortho"))), X5),
    ("irfft_even", lambda x: np.sum(np.fft.irfft(np.fft.rfft(x) * (1.0 + x[:4])) ** 2), X6),
    ("irfft_odd", lambda x: np.sum(np.fft.irfft(x * B5[:4], n=7) * np.arange(7)), X6[:4]),
    ("irfft_pad", lambda x: np.sum(np.fft.irfft(x * B5, n=12) ** 2), X5),
    ("fft_axis0", lambda x: np.sum(np.abs(np.fft.fft(x, axis=0)) ** 2 * np.arange(3)[:, None]),
     M34),
    ("rfft_axis0", lambda x: np.sum(np.abs(np.fft.rfft(x, axis=0)) * W4), M34),
    ("fft2", lambda x: np.sum(np.abs(np.fft.fft2(x)) ** 3), M34),
    ("ifft2_s", lambda x: np.sum(np.real(np.fft.ifft2(x, s=(4, 3))) ** 2), M34),
    ("fft2_axes", lambda x: np.sum(np.imag(np.fft.fft2(x, axes=(1, 0), norm="ortho")) ** 2), M34),
    ("getitem_mean", lambda x: np.mean(np.abs(np.fft.fft(x)[1:4]) ** 2), X5),
    ("stack_concat", lambda x: np.sum(np.abs(np.stack([np.fft.fft(x), 2.0 * np.fft.fft(x * x)])))
     + np.sum(np.abs(np.concatenate([np.fft.fft(x), B5]))[:6]), X5),
    ("matmul_dot", lambda x: np.sum(np.abs(np.fft.fft2(x) @ W4) ** 2
                                    + np.abs(np.dot(np.fft.fft(x, axis=0), W4))), M34),
    ("outer", lambda x: np.sum(np.abs(np.outer(np.fft.fft(x), B5))), X5),
    ("roll_flip_cumsum_diff", lambda x: np.sum(np.abs(np.diff(np.cumsum(np.flip(np.roll(
        np.fft.fft(x), 2))))) ** 2 * np.arange(4)), X5),
    ("moveaxis_expand", lambda x: np.sum(np.abs(np.squeeze(np.expand_dims(np.moveaxis(
        np.fft.fft2(x), 0, 1), 0)) * np.arange(3)) ** 1.5), M34),
    ("astype_complex", lambda x: np.sum(np.abs(x.astype(complex) * B5 + np.asarray(B5)) ** 2), X5),
    ("attributes", lambda x: np.sum(np.fft.fft(x).real * x + np.fft.fft(x * x).imag
                                    + np.real(np.fft.fft(x).conj() * B5)), X5),
    ("reshape_sum", lambda x: np.sum(np.abs(np.sum(np.reshape(np.fft.fft2(x), (4, 3)),
                                                   axis=0))), M34),
]


@pytest.mark.parametrize("name,f,x", ROWS, ids=[r[0] for r in ROWS])
def test_grad_against_jax_and_differences(name, f, x):
    g = pullback.grad(f)(x)
    assert g.dtype == np.float64 and g.shape == x.shape
    np.testing.assert_allclose(g, jax.grad(twin(f))(x), rtol=1e-9, atol=1e-10)
    np.testing.assert_allclose(g, fd_grad(f, [x], 0), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name,f,x", ROWS, ids=[r[0] for r in ROWS])
def test_jvp_against_jax(name, f, x):
    v = np.linspace(-1, 1, x.size).reshape(x.shape)
    value, dot = pullback.jvp(f, (x,), (v,))
    want_value, want_dot = jax.jvp(twin(f), (x,), (v,))
    np.testing.assert_allclose(value, want_value, rtol=1e-12)
    np.testing.assert_allclose(dot, want_dot, rtol=1e-9, atol=1e-10)


def test_vjp_and_value_and_grad():
    f = ROWS[11][1]
    y, pb = pullback.vjp(f, X6)
    np.testing.assert_allclose(pb(2.0)[0], 2 * jax.grad(twin(f))(X6), rtol=1e-9)
    v, g = pullback.value_and_grad(f)(X6)
    np.testing.assert_allclose(v, f(X6))


def test_hessian_through_linear_complex_maps():
    def f(x):
        return np.sum(np.real(np.fft.fft(x)) ** 2 + np.imag(np.fft.fft(x * x)))
    np.testing.assert_allclose(pullback.hessian(f)(X5), jax.hessian(twin(f))(X5), atol=1e-9)


# -- rejections at the user's line -----------------------------------------------------
def power(x):
    return np.sum(np.abs(np.fft.rfft(x)) ** 2)      # the complex rfft is rejected here


LINE = power.__code__.co_firstlineno + 1
HERE = os.path.basename(__file__)


def test_numba_rejects_at_the_users_line():
    with pytest.raises(pullback.TransformError, match=f"{HERE}:{LINE}:.*real floats only"):
        pullback.grad(power, backend="numba")(X6)


def test_c_rejects_at_the_users_line():
    with pytest.raises(pullback.TransformError, match=f"{HERE}:{LINE}:"):
        pullback.emit_c(power, X6)


def test_primitive_without_a_complex_rule_is_rejected():
    def f(x):
        z = np.fft.fft(x)
        return np.linalg.norm(z)      # norm's rule is written for real arrays
    with pytest.raises(pullback.TransformError, match=f"{HERE}:{f.__code__.co_firstlineno + 2}:"
                       ".*complex"):
        pullback.grad(f)(X5)


def test_complex_argument_not_differentiated():
    def f(x, b):
        return np.sum(np.abs(x + b) ** 2)
    np.testing.assert_allclose(pullback.grad(f)(np.array([1.0, 2.0]), np.array([1 + 1j, 2 + 2j])),
                               [4.0, 8.0])


def test_vjp_of_a_complex_primal_is_refused_not_zero():
    # was: irfft's cotangent for a complex primal came back as zeros (FD: nonzero)
    with pytest.raises(TypeError, match="argument 0: it is complex"):
        pullback.vjp(np.fft.irfft, B5[:4])


def test_real_scalar_through_the_complex_aware_expansions():
    # np.iscomplexobj of a number stays unfolded (no arrays): it printed as math.iscomplexobj
    assert pullback.grad(lambda x: np.angle(x) + np.real(x) * 2.0)(-1.5) == 2.0
    assert pullback.grad(lambda x: np.real(x) * x)(3.0) == 6.0
