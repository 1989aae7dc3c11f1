"""Second derivatives through scipy.special.logsumexp (forward over reverse: the forward
rules of its cotangent helper), as a mixture model's Hessian-vector product needs
(autograd's gmm example).  Against jax.hessian."""
import numpy as np
import pytest
import scipy.special

import pullback

jax = pytest.importorskip("jax")
jnp = jax.numpy
jax.config.update("jax_enable_x64", True)

A = np.array([[0.3, -1.2, 2.0], [1.1, 0.4, -0.7]])
B = np.array([0.5, 2.0, 1.5])


def rows(x):
    return np.sum(scipy.special.logsumexp(A * x, axis=1) ** 2)


def rows_jax(x):
    return jnp.sum(jax.scipy.special.logsumexp(A * x, axis=1) ** 2)


def whole(x):
    return scipy.special.logsumexp(np.sin(x), b=B) * np.sum(x)


def whole_jax(x):
    return jax.scipy.special.logsumexp(jnp.sin(x), b=B) * jnp.sum(x)


def kept(x):
    return np.sum(x[:, None] * scipy.special.logsumexp(np.outer(x, x), axis=0, keepdims=True))


def kept_jax(x):
    return jnp.sum(x[:, None] * jax.scipy.special.logsumexp(jnp.outer(x, x), axis=0,
                                                              keepdims=True))


@pytest.mark.parametrize("f, fj", [(rows, rows_jax), (whole, whole_jax), (kept, kept_jax)],
                         ids=["axis", "weights", "keepdims"])
def test_hessian_and_hvp(f, fj):
    x = np.array([0.4, -0.9, 1.3])
    want = np.asarray(jax.hessian(fj)(x))
    np.testing.assert_allclose(pullback.hessian(f)(x), want, rtol=1e-10, atol=1e-12)
    v = np.array([1.0, -0.5, 0.25])
    np.testing.assert_allclose(pullback.hvp(f, (x,), (v,))[0], want @ v, rtol=1e-10, atol=1e-12)
