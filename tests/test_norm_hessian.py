"""Second derivatives through ``np.linalg.norm`` (forward over reverse: the tangents of its
reverse rule's helper, ``norm_vjp_dx`` / ``norm_vjp_dy``): ``x / norm(x)``, row norms,
the Frobenius norm and vector p-norms; a matrix norm other than Frobenius is rejected at
the line.  Against jax.hessian."""
import numpy as np
import pytest

import pullback

jax = pytest.importorskip("jax")
jnp = jax.numpy
jax.config.update("jax_enable_x64", True)


def direction(x, np=np):
    u = x / np.linalg.norm(x)
    return np.sum(u * np.arange(3.0)) + np.linalg.norm(x) ** 3


def rows(X, np=np):
    return np.sum(np.linalg.norm(X, axis=1) ** 2 * np.array([1.0, 2.0])) + \
        np.linalg.norm(X, "fro") + np.sum(np.linalg.norm(X, axis=0, keepdims=True) * X)


def p_norms(x, np=np):
    return np.linalg.norm(x, 3) * np.sum(x) + np.linalg.norm(x, 1) * np.sum(x * x) + \
        np.linalg.norm(x, np.inf) * x[0]


X1 = np.array([0.3, -1.2, 0.8])
X2 = np.array([[0.3, -1.2, 0.8], [1.0, 0.5, -0.2]])


@pytest.mark.parametrize("f, x", [(direction, X1), (rows, X2), (p_norms, X1)],
                         ids=["direction", "rows", "p_norms"])
def test_hessian(f, x):
    got = pullback.hessian(f)(x)
    assert np.allclose(got, jax.hessian(lambda x: f(x, jnp))(x), rtol=1e-10, atol=1e-12)


def test_a_matrix_norm_is_rejected_at_its_line():
    with pytest.raises(pullback.TransformError, match="ord='nuc'"):
        pullback.hessian(lambda X: np.linalg.norm(X, "nuc"))(X2)
