"""``pullback.stop_gradient``: the value passes, the derivative is zero, in every mode
(grad, vjp, jvp, jacobian, hessian) and backend (Python, Numba, C).  Checked against
``jax.lax.stop_gradient`` and central differences of the function with the stopped
value frozen."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import pullback
from c_driver import CC

jax.config.update("jax_enable_x64", True)


def close(a, b):
    np.testing.assert_allclose(np.asarray(a, float), np.asarray(b, float), rtol=1e-9, atol=1e-11)


def scalar(x, y):
    return x * pullback.stop_gradient(x * y) + np.sin(y) * x


def scalar_jax(x, y):
    return x * jax.lax.stop_gradient(x * y) + jnp.sin(y) * x


def frozen(x, y, stopped):
    """``scalar`` with the stopped value a constant: its finite differences are the truth."""
    return x * stopped + np.sin(y) * x


def array(w):
    s = pullback.stop_gradient(w / np.sum(w * w))
    return np.sum(np.tanh(w) * s) + np.sum(w * w)


def array_jax(w):
    s = jax.lax.stop_gradient(w / jnp.sum(w * w))
    return jnp.sum(jnp.tanh(w) * s) + jnp.sum(w * w)


W = np.array([0.3, -1.2, 0.7])


@pytest.mark.parametrize("backend", ["python", "numba"])
def test_grad_scalar(backend):
    g = pullback.grad(scalar, argnums=(0, 1), backend=backend)(1.5, 0.4)
    close(g, jax.grad(scalar_jax, argnums=(0, 1))(1.5, 0.4))
    h = 1e-6
    fd = [(frozen(1.5 + h, 0.4, 0.6) - frozen(1.5 - h, 0.4, 0.6)) / (2 * h),
          (frozen(1.5, 0.4 + h, 0.6) - frozen(1.5, 0.4 - h, 0.6)) / (2 * h)]
    close(np.round(g, 6), np.round(fd, 6))


@pytest.mark.parametrize("backend", ["python", "numba"])
def test_grad_array(backend):
    close(pullback.grad(array, backend=backend)(W), jax.grad(array_jax)(W))


def test_forward_modes_and_hessian():
    value, tangent = pullback.jvp(scalar, (1.5, 0.4), (1.0, -0.5))
    want = jax.jvp(scalar_jax, (1.5, 0.4), (1.0, -0.5))
    close((value, tangent), want)
    close(pullback.jacobian(array)(W), jax.jacobian(array_jax)(W))
    close(pullback.hessian(array)(W), jax.hessian(array_jax)(W))
    close(pullback.hessian(scalar, argnums=(0, 1))(1.5, 0.4),
          jax.hessian(scalar_jax, argnums=(0, 1))(1.5, 0.4))


def test_vjp():
    out, pull = pullback.vjp(array, W)
    close(pull(2.0)[0], 2.0 * np.asarray(jax.grad(array_jax)(W)))


def test_generated_code_names_it():
    text = pullback.source(pullback.grad(scalar))
    assert "stop_gradient(x * y)" in text


def test_outside_differentiation():
    a = np.ones(2)
    b = pullback.stop_gradient(a)
    assert pullback.stop_gradient(2.5) == 2.5 and b is not a and np.all(b == a)


@pytest.mark.skipif(CC is None, reason="needs a C compiler (cc)")
def test_c():
    value, grads = pullback.emit_c(scalar, 1.5, 0.4, argnums=(0, 1)).compile()(1.5, 0.4)
    close(value, scalar(1.5, 0.4))
    close(grads, jax.grad(scalar_jax, argnums=(0, 1))(1.5, 0.4))
    value, grads = pullback.emit_c(array, W).compile()(W)
    close(grads, jax.grad(array_jax)(W))
