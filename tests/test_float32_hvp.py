"""A float32 scalar argument gets a float32 gradient (as float32 arrays already did);
``hvp`` takes ``argnums``.  Oracles: JAX (test-only) and finite differences."""
import jax
import numpy as np
import pytest

import pullback

jax.config.update("jax_enable_x64", True)


def f(x, y):
    return x ** 3 * y + 2.0 * x


def quad(a, s, k):
    return np.sum(a ** 2 * s) * s + k * s


def test_float32_scalar_gradient_is_float32():
    gx, gy = pullback.grad(f, argnums=(0, 1))(np.float32(1.5), 2.0)
    assert type(gx) is np.float32 and type(gy) is float
    assert gx == pytest.approx(3 * 1.5 ** 2 * 2.0 + 2.0, rel=1e-6)
    h = 1e-6
    assert gy == pytest.approx((f(1.5, 2.0 + h) - f(1.5, 2.0 - h)) / (2 * h), rel=1e-6)
    _, g = pullback.value_and_grad(f)(np.float32(1.5), np.float32(2.0))
    assert type(g) is np.float32


def test_hvp_with_argnums_matches_jax():
    a, s, k = np.array([0.5, -1.0, 2.0]), 0.7, 3
    v = np.array([1.0, 0.5, -2.0])
    got = pullback.hvp(quad, (a, s, k), v, argnums=0)
    jf = lambda a, s: jax.numpy.sum(a ** 2 * s) * s + k * s     # noqa: E731
    want = jax.hessian(jf, argnums=0)(a, s) @ v
    np.testing.assert_allclose(got, want, rtol=1e-10)
    got_a, got_s = pullback.hvp(quad, (a, s, k), (v, 0.25), argnums=(0, 1))
    H = jax.hessian(jf, argnums=(0, 1))(a, s)
    np.testing.assert_allclose(got_a, H[0][0] @ v + H[0][1] * 0.25, rtol=1e-10)
    assert got_s == pytest.approx(float(H[1][0] @ v + H[1][1] * 0.25), rel=1e-10)


def test_hvp_with_argnums_matches_finite_differences():
    x, y, h = 0.8, 1.3, 1e-4
    d2 = (f(x + h, y) - 2 * f(x, y) + f(x - h, y)) / h ** 2
    assert pullback.hvp(f, (x, y), 1.0, argnums=0) == pytest.approx(d2, rel=1e-5)
    with pytest.raises(ValueError, match="2 argnums but 1 vectors"):
        pullback.hvp(f, (x, y), (1.0,), argnums=(0, 1))
