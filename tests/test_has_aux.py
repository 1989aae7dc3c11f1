"""``has_aux`` on grad, value_and_grad, vjp and jacobian: ``f`` returns (output, aux);
only the output is differentiated and the aux comes back as computed.  Checked against
JAX's ``has_aux`` and central differences."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import pullback

jax.config.update("jax_enable_x64", True)


def close(a, b):
    np.testing.assert_allclose(np.asarray(a, float), np.asarray(b, float), rtol=1e-9, atol=1e-11)


def model(x, w):
    pred = np.tanh(x @ w)
    return np.sum(pred ** 2), (pred, np.max(pred))


def model_jax(x, w):
    pred = jnp.tanh(x @ w)
    return jnp.sum(pred ** 2), (pred, jnp.max(pred))


X = np.array([[1.0, 2.0], [0.5, -1.0], [0.2, 0.3]])
W = np.array([0.3, -0.2])


def same_aux(a, b):
    close(a[0], b[0])
    close(a[1], b[1])


@pytest.mark.parametrize("backend", ["python", "numba"])
def test_grad(backend):
    g, aux = pullback.grad(model, argnums=1, has_aux=True, backend=backend)(X, W)
    g_jax, aux_jax = jax.grad(model_jax, argnums=1, has_aux=True)(X, W)
    close(g, g_jax)
    same_aux(aux, aux_jax)
    h = 1e-6
    fd = [(model(X, W + h * e)[0] - model(X, W - h * e)[0]) / (2 * h) for e in np.eye(2)]
    close(np.round(g, 6), np.round(fd, 6))


def test_value_and_grad():
    (value, aux), g = pullback.value_and_grad(model, argnums=(0, 1), has_aux=True)(X, W)
    (value_jax, aux_jax), g_jax = jax.value_and_grad(model_jax, argnums=(0, 1),
                                                     has_aux=True)(X, W)
    close(value, value_jax)
    same_aux(aux, aux_jax)
    close(g[0], g_jax[0])
    close(g[1], g_jax[1])


def test_scalar_aux():
    def f(a):
        return a * a, a + 1.0
    assert pullback.grad(f, has_aux=True)(3.0) == (6.0, 4.0)


def test_vjp():
    out, pull, aux = pullback.vjp(model, X, W, has_aux=True)
    out_jax, pull_jax, aux_jax = jax.vjp(model_jax, X, W, has_aux=True)
    close(out, out_jax)
    same_aux(aux, aux_jax)
    for got, want in zip(pull(2.0), pull_jax(2.0)):
        close(got, want)


@pytest.mark.parametrize("mode", ["reverse", "forward"])
def test_jacobian(mode):
    def v(w):
        y = np.tanh(w) * 2.0
        return y, (np.sum(y), 3)

    def v_jax(w):
        y = jnp.tanh(w) * 2.0
        return y, (jnp.sum(y), 3)
    jac, aux = pullback.jacobian(v, has_aux=True, mode=mode)(W)
    jac_jax, aux_jax = jax.jacobian(v_jax, has_aux=True)(W)
    close(jac, jac_jax)
    close(aux[0], aux_jax[0])
    assert aux[1] == 3


def test_not_a_pair():
    with pytest.raises(TypeError, match="has_aux requires"):
        pullback.grad(lambda a: a * a, has_aux=True)(1.0)
