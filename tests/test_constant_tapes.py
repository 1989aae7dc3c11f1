"""Forward over reverse (hessian, hvp) through a callee whose loop tapes a value that has
no derivative: a factor under ``stop_gradient`` or made by a zero-derivative primitive
(np.floor), overwritten each iteration and read by the callee's reverse sweep.  The split
pair's rev pops a tangent for it, so its fwd must push one (zeros): before, the fwd's
tangent residual held 0.0 for that tape and the rev failed on ``0.0.pop()``
(AttributeError), found through ``odeint``'s step-size controller.  Checked against
``jax.hessian`` and central differences of JAX's gradient."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import pullback

jax.config.update("jax_enable_x64", True)
W = np.array([0.3, -0.7, 1.1])
V = np.array([0.5, 1.0, -0.25])


def close(a, b):
    np.testing.assert_allclose(np.asarray(a, float), np.asarray(b, float), rtol=1e-8,
                               atol=1e-10)


def floor_scale(x):
    y = x
    for i in range(3):
        c = 1.0 + 0.1 * np.floor(4.0 * y)        # no derivative, taped each iteration
        y = y * c + np.sin(y)
    return y


def floor_loss(x):
    return floor_scale(x) ** 2 + floor_scale(2.0 * x)   # two calls: a split pair


def floor_scale_jax(x):
    y = x
    for i in range(3):
        c = 1.0 + 0.1 * jnp.floor(4.0 * y)
        y = y * c + jnp.sin(y)
    return y


def floor_loss_jax(x):
    return floor_scale_jax(x) ** 2 + floor_scale_jax(2.0 * x)


def stopped_rows(w):
    y = w
    for i in range(3):
        c = 1.0 + 0.1 * pullback.stop_gradient(y * y)     # an array with no derivative
        y = np.tanh(y * c)
    return y


def stopped_loss(w):
    return np.sum(stopped_rows(w) ** 2) + np.sum(stopped_rows(w[::-1]) * w)


def stopped_rows_jax(w):
    y = w
    for i in range(3):
        c = 1.0 + 0.1 * jax.lax.stop_gradient(y * y)
        y = jnp.tanh(y * c)
    return y


def stopped_loss_jax(w):
    return jnp.sum(stopped_rows_jax(w) ** 2) + jnp.sum(stopped_rows_jax(w[::-1]) * w)


def jax_grad_differences(f, x, v, h=1e-5):
    """Central differences of JAX's gradient along ``v``: H v."""
    g = jax.grad(f)
    return (np.asarray(g(x + h * v)) - np.asarray(g(x - h * v))) / (2 * h)


@pytest.mark.parametrize("backend", ["python", "numba"])
def test_scalar_factor_without_derivative(backend):
    h = pullback.hessian(floor_loss, backend=backend)(0.37)
    close(h, jax.hessian(floor_loss_jax)(0.37))
    np.testing.assert_allclose(h, jax_grad_differences(floor_loss_jax, 0.37, 1.0), rtol=1e-6)


@pytest.mark.parametrize("backend", ["python", "numba"])
def test_array_factor_under_stop_gradient(backend):
    close(pullback.hessian(stopped_loss, backend=backend)(W), jax.hessian(stopped_loss_jax)(W))
    close(pullback.hvp(stopped_loss, (W,), (V,))[0], jax.hessian(stopped_loss_jax)(W) @ V)
