"""np.add.at and np.subtract.at: an index given k times adds all k values (unlike
``a[I] += v``), in value, gradient, tangent and Hessian, against JAX's ``.at[].add`` and
central differences (frontend/ufunc_at.py)."""
import importlib

import numpy as np
import pytest

import pullback
from test_globals import fd

jax = pytest.importorskip("jax")
jax.config.update("jax_enable_x64", True)
jnp = jax.numpy

I = np.array([0, 1, 1, 2, 3, 3, 3])
J = I[::-1].copy()
R, C = np.array([0, 1, 1]), np.array([2, 0, 0])
NO_NUMBA = pytest.mark.skipif(importlib.util.find_spec("numba") is None, reason="needs numba")


def forces(pos):            # pair forces scattered onto both ends of each pair
    F = np.zeros_like(pos)
    d = pos[I] - pos[J]
    f = d / (np.sum(d * d, axis=1, keepdims=True) + 0.1)
    np.add.at(F, I, f)
    np.subtract.at(F, J, f)
    return np.sum(F ** 2)


def forces_j(pos):
    d = pos[I] - pos[J]
    f = d / (jnp.sum(d * d, axis=1, keepdims=True) + 0.1)
    F = jnp.zeros_like(pos).at[I].add(f).at[J].add(-f)
    return jnp.sum(F ** 2)


def onto_self(x):           # a list index, a scalar broadcast, the target read on the right
    F = x * 1.0
    np.subtract.at(F, I, 0.5 * x[I] ** 3)
    np.add.at(F, [0, 0, 2], x[1] * x[2])
    return np.sum(F ** 2)


def onto_self_j(x):
    F = (jnp.asarray(x) * 1.0).at[I].add(-0.5 * x[I] ** 3).at[jnp.array([0, 0, 2])].add(x[1] * x[2])
    return jnp.sum(F ** 2)


def pairs(A):               # a tuple of index arrays: (row, column) pairs, one repeated
    M = np.zeros((3, 3))
    np.add.at(M, (R, C), A[0])
    return np.sum(M * A)


def pairs_j(A):
    return jnp.sum(jnp.zeros((3, 3)).at[(R, C)].add(A[0]) * A)


CASES = [(forces, forces_j, (4, 2), ("python", "numba")),
         (onto_self, onto_self_j, (4,), ("python", "numba")),
         (pairs, pairs_j, (3, 3), ("python",))]


@pytest.mark.parametrize("f, fj, shape, backend", [
    pytest.param(f, fj, shape, b, marks=[NO_NUMBA] if b == "numba" else [],
                 id=f"{f.__name__}-{b}") for f, fj, shape, bs in CASES for b in bs])
def test_scatter_add_matches_jax_and_differences(f, fj, shape, backend):
    x = np.random.default_rng(3).normal(size=shape)
    value, g = pullback.value_and_grad(f, backend=backend)(x)
    assert value == pytest.approx(float(fj(x)), rel=1e-12)
    np.testing.assert_allclose(g, np.asarray(jax.grad(fj)(x)), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(g, fd(f, x), rtol=1e-5, atol=1e-7)
    t = np.random.default_rng(4).normal(size=shape)
    _, tangent = pullback.jvp(f, (x,), (t,), backend=backend)
    assert tangent == pytest.approx(float(jax.jvp(fj, (x,), (t,))[1]), rel=1e-10)


def test_hessian_of_a_scatter_add():
    x = np.array([0.3, -0.7, 1.1, 0.4])
    np.testing.assert_allclose(pullback.hessian(onto_self)(x), np.asarray(jax.hessian(onto_self_j)(x)),
                               rtol=1e-10, atol=1e-12)


def multiply_at(x):
    F = np.ones(4)
    np.multiply.at(F, I, x[I])
    return np.sum(F)


class Acc:
    F = np.zeros(4)


ACC = Acc()


def at_an_attribute(x):
    np.add.at(ACC.F, I, x[I])
    return np.sum(ACC.F) * x[0]


@pytest.mark.parametrize("f, what", [(multiply_at, "np.multiply.at"),
                                     (at_an_attribute, "np.add.at other than on an array name")])
def test_other_forms_are_rejected_at_the_line(f, what):
    line = f.__code__.co_firstlineno + (2 if f is multiply_at else 1)
    with pytest.raises(pullback.UnsupportedError, match=rf"test_ufunc_at.py:{line}:.*{what}"):
        pullback.grad(f)(np.ones(4))
