"""The derivative of ``np.linalg.det`` is the cofactor matrix, defined at a singular
matrix too (a two-link arm at full extension, a rank-deficient outer product): it was
``det(x) inv(x).T``, a LinAlgError there.  Against JAX (whose rule is the cofactor too)
and central differences, on both backends and in both modes; the Hessian through det
(the cofactor's own derivative) at an invertible matrix."""
import numpy as np
import pytest

import pullback
from jax_fd import fd_grad

jax = pytest.importorskip("jax")
jnp = jax.numpy


def arm(q, np=np):           # det of the arm's Jacobian is sin(q1): 0 at q1 = 0
    s, c = np.sin(q[0] + q[1]), np.cos(q[0] + q[1])
    J = np.array([[-np.sin(q[0]) - s, -s], [np.cos(q[0]) + c, c]])
    return np.linalg.det(J)


def rank_two(x, np=np):       # 3x3 of rank 2: every cofactor is still defined
    A = np.outer(x, x) + np.outer(x[::-1], np.ones(3))
    return np.linalg.det(A) + np.sum(A)


def stack(x, np=np):         # a batch: one singular matrix, one not
    A = np.stack([np.outer(x[:2], x[:2]), np.diag(x[:2]) + 1.0])
    return np.sum(np.linalg.det(A) * np.array([1.0, 2.0]))


CASES = [(arm, np.array([0.3, 0.0])), (rank_two, np.array([0.5, -1.0, 2.0])),
         (stack, np.array([0.7, -0.4]))]


@pytest.mark.parametrize("backend", ["python", "numba"])
@pytest.mark.parametrize("f, x", CASES, ids=[f.__name__ for f, _ in CASES])
def test_grad_at_a_singular_matrix(f, x, backend):
    if backend == "numba" and f is stack:
        pytest.skip("the numba backend takes det of one matrix (no stacks): rejected")
    got = pullback.grad(f, backend=backend)(x)
    assert np.allclose(got, jax.grad(lambda x: f(x, jnp))(x), rtol=1e-9, atol=1e-12)
    assert np.allclose(got, fd_grad(f, (x,), 0), rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("f, x", CASES, ids=[f.__name__ for f, _ in CASES])
def test_jvp_at_a_singular_matrix(f, x):
    t = np.linspace(0.3, 1.1, x.size)
    _, got = pullback.jvp(f, (x,), (t,))
    _, want = jax.jvp(lambda x: f(x, jnp), (x,), (t,))
    assert np.isclose(got, want, rtol=1e-9, atol=1e-12)


def test_hessian_through_det():
    def f(x, np=np):
        A = np.outer(x, x) + np.diag(x * x) + 2.0 * np.eye(3)
        return np.linalg.det(A)
    x = np.array([0.4, -0.9, 1.3])
    got = pullback.hessian(f)(x)
    assert np.allclose(got, jax.hessian(lambda x: f(x, jnp))(x), rtol=1e-9, atol=1e-10)
