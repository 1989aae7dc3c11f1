"""optimize/zero_arrays.py and gradient._zero_array_arguments: a zero array adjoint that
a branch, an early return or an unused result leaves as the constant 0.0 is an array
where a reverse rule needs its shape.  Gradients against JAX and finite differences."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import pullback

jax.config.update("jax_enable_x64", True)


def early_return(x, s):
    v = np.dot(x[:2], np.ones((2, 3)))
    if s > 0.0:
        return s * 2.0
    return np.sum(v * x)


def early_return_jax(x, s):
    v = jnp.dot(x[:2], jnp.ones((2, 3)))
    return jnp.where(s > 0.0, s * 2.0, jnp.sum(v * x))


def predict(P, F):
    return F @ P @ F.T + 0.01 * np.eye(2)


def update(P, h):
    s = h @ P @ h + 0.1
    return P - np.outer(P @ h, h @ P) / s, np.log(s)


def kalman(F, h):
    """The final covariance is never used: its cotangent into update_rev is zero."""
    P = np.eye(2)
    ll = 0.0
    for k in range(3):
        P = predict(P, F)
        P, l = update(P, h)
        ll = ll + l
    return ll


def kalman_jax(F, h):
    P = jnp.eye(2)
    ll = 0.0
    for k in range(3):
        P = F @ P @ F.T + 0.01 * jnp.eye(2)
        s = h @ P @ h + 0.1
        P, ll = P - jnp.outer(P @ h, h @ P) / s, ll + jnp.log(s)
    return ll


@pytest.mark.parametrize("f,fj,args", [
    (early_return, early_return_jax, (np.array([0.1, 0.5, 0.3]), 1.0)),
    (early_return, early_return_jax, (np.array([0.1, 0.5, 0.3]), -1.0)),
    (kalman, kalman_jax, (np.array([[1.0, 0.1], [0.0, 0.9]]), np.array([1.0, 0.5]))),
], ids=["branch-taken", "branch-not-taken", "kalman"])
def test_gradients(f, fj, args):
    got = pullback.grad(f, argnums=(0, 1))(*args)
    want = jax.grad(fj, argnums=(0, 1))(*args)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-12, atol=1e-14)


def test_zero_adjoint_starts_as_an_array():
    g = pullback.grad(early_return, argnums=(0, 1))
    g(np.array([0.1, 0.5, 0.3]), 1.0)
    text = pullback.source(g)
    assert "v_bar = np.zeros((3,))" in text
