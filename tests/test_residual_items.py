"""Forward over reverse through a split pair: an item of the residual packed from a
constant (a float exponent given as a literal, a default, an attribute) has a zero
tangent, so the exponent's partial ``log(x)`` at x < 0 never meets it.  It used to:
the Hessian was NaN on NumPy and a math domain error on scalars, where JAX's is finite
(transforms/residual_items.py).  Against jax.hessian and central differences of
JAX's gradient."""
import numpy as np
import pytest

import pullback

jax = pytest.importorskip("jax")
jnp = jax.numpy
jax.config.update("jax_enable_x64", True)


def powsum(x, p=2.0, np=np):
    s = 0.0
    for i in range(3):                  # a loop: the helper stays a call (a split pair)
        s = s + x ** p * np.sin(x + i)
    return s


class Model:
    def __init__(self, p):
        self.p = p

    def energy(self, x, np=np):
        s = 0.0
        for i in range(3):
            s = s + x ** self.p * np.cos(x * i)
        return s


MODEL = Model(3.0)


def literal(x, np=np):
    return powsum(x, 3.0, np) + x


def default(x, np=np):
    return powsum(x, np=np) * 2.0


def attribute(x, np=np):
    return MODEL.energy(x, np)


def in_loop(x, np=np):              # residuals on a tape, two call sites, one of them
    s = 0.0                         # with an active exponent
    for k in range(3):
        s = s + powsum(x * (k + 1.0), 3.0, np)
        if k % 2 == 0:
            s = s + powsum(x, 2.0 + 0.0 * k, np)
    return s + powsum(x * x, x * 0.1 + 2.0, np)       # base > 0 where p is active


def elements(x, np=np):
    return np.sum(x * x) + powsum(x[0], 2.0, np) + powsum(x[1] * x[2], 4.0, np)


CASES = [(literal, -1.3), (default, -0.8), (attribute, -1.7), (in_loop, -0.6),
         (elements, np.array([-1.3, 0.7, -0.4]))]


@pytest.mark.parametrize("f, x", CASES, ids=[f.__name__ for f, _ in CASES])
def test_hessian_of_constant_exponent_is_finite(f, x):
    got = np.asarray(pullback.hessian(f)(x))
    want = np.asarray(jax.hessian(lambda x: f(x, np=jnp))(x))
    assert np.all(np.isfinite(got))
    assert np.allclose(got, want, rtol=1e-10, atol=1e-12)
    grad = jax.grad(lambda x: f(x, np=jnp))
    h = 1e-6
    if np.ndim(x) == 0:
        fd = (grad(x + h) - grad(x - h)) / (2 * h)
        assert np.allclose(got, fd, rtol=1e-5, atol=1e-6)


def test_active_exponent_keeps_its_tangent():
    """The flags are per call: where the exponent is active its tangent still flows."""
    def f(x, np=np):
        return powsum(x, x * 0.5 + 1.0, np)
    x = 0.9
    got = pullback.hessian(f)(x)
    assert np.isclose(got, jax.hessian(lambda x: f(x, np=jnp))(x), rtol=1e-10)


def test_numba_agrees():
    got = pullback.hessian(in_loop, backend="numba")(-0.6)
    assert np.isclose(got, jax.hessian(lambda x: in_loop(x, np=jnp))(-0.6), rtol=1e-10)
