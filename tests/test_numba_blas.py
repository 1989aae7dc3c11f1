"""Einsums the Numba backend runs as one dgemm per batch on operands in place
(backends/numba_blas.py): values against np.einsum, gradients against JAX and
central differences.  The specs cover batch letters in the middle of an operand
(leading dimension > row length), merged runs of letters, an output stored
transposed, and a spec whose letters are not runs (the copying
form); their adjoints are einsums of the same kinds."""
import numpy as np
import pytest

pytest.importorskip("numba")

import pullback  # noqa: E402
from jax_fd import fd_grad  # noqa: E402

SPECS = ("kij,nkj->nki", "nki,kij->nkj", "kp,pij->kij", "ij,jk->ki", "ji,jk->ik", "ijk,jl->ilk")


def program(m, x, p, a, b, c, e):
    """Each einsum of SPECS on operands of BLAS size, summed through a nonlinearity."""
    y = m.einsum("kij,nkj->nki", p, x)
    z = m.einsum("nki,kij->nkj", y, p)
    lower = m.einsum("kp,pij->kij", c, e)
    s = m.sum(m.sin(y)) + m.sum(z * z) + m.sum(m.einsum("kij,nkj->nki", lower, x) ** 2)
    s = s + m.sum(m.cos(m.einsum("ij,jk->ki", a, b))) + m.sum(m.sin(m.einsum("ji,jk->ik", b, a)))
    return s + m.sum(m.sin(m.einsum("ijk,jl->ilk", x[:16], c[:, :16])))


def f(x, p, a, b, c, e):
    return program(np, x, p, a, b, c, e)


def _args():
    rng = np.random.default_rng(5)
    e = (rng.uniform(size=(40, 16, 16)) < 0.1).astype(float)
    return (rng.normal(0, 0.3, (300, 3, 16)), rng.normal(0, 0.3, (3, 16, 16)),
            rng.normal(0, 0.3, (16, 16)), rng.normal(0, 0.3, (16, 300)),
            rng.normal(0, 0.3, (3, 40)), e)


def test_blas_einsums_match_numpy_and_their_gradients_match_jax():
    import jax
    import jax.numpy as jnp
    jax.config.update("jax_enable_x64", True)
    args = _args()
    nums = (0, 1, 2, 3, 4)
    g = pullback.value_and_grad(f, nums, backend="numba")
    value, grads = g(*args)
    assert value == pytest.approx(f(*args), rel=1e-12)
    ref = jax.grad(lambda *a: program(jnp, *a), argnums=nums)(*args)
    for got, want in zip(grads, ref):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)
    text = pullback.source(g)
    assert text.count("_blas_gemm(") >= 6 and "ascontiguousarray(o0.transpose" in text


def test_blas_einsum_gradient_matches_finite_differences():
    def small(p, x):
        return np.sum(np.sin(np.einsum("kij,nkj->nki", p, x)))
    rng = np.random.default_rng(2)
    args = (rng.normal(0, 0.3, (2, 16, 16)), rng.normal(0, 0.3, (20, 2, 16)))
    g = pullback.grad(small, backend="numba")
    np.testing.assert_allclose(g(*args), fd_grad(small, args, 0), rtol=1e-6, atol=1e-8)
    assert "_blas_gemm(" in pullback.source(g)
