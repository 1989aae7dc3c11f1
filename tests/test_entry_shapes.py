"""A parameter's shape read before anything rebinds it is the parameter's own shape,
though the name's type (a join over every binding, flow-insensitive) has widened: ``n =
x.shape[0]`` above a loop that rebinds ``x`` to ``x + np.zeros(n) * k`` folds to 3, so
``x`` stays float64[3] and the Numba backend, which needs static shapes, takes it (it
used to reject it at ``n = x.shape[0]``).  Against JAX and central differences, both
backends."""
import numpy as np
import pytest

import pullback
from jax_fd import fd_grad

jax = pytest.importorskip("jax")
jnp = jax.numpy


def carried(x, k, np=np):
    n = x.shape[0]
    for i in range(3):
        x = x + np.zeros(n) * k + np.arange(n) * 0.1
        x = x * 1.5
    return np.sum(x * x)


def helper_grows(x, np=np):         # a helper's parameter: the join of its call sites
    m = len(x)
    for i in range(2):
        x = np.sin(x) + np.ones(m) * i
    return np.sum(x ** 2) * m


def outer(x, np=np):
    return helper_grows(x, np) + helper_grows(x[:2] * 2.0, np)


X = np.array([1.0, -2.0, 0.5])


@pytest.mark.parametrize("backend", ["python", "numba"])
def test_shape_read_before_the_loop(backend):
    got = pullback.grad(carried, backend=backend)(X, 0.5)
    assert np.allclose(got, jax.grad(lambda x: carried(x, 0.5, jnp))(X), rtol=1e-12)
    assert np.allclose(got, fd_grad(lambda x: carried(x, 0.5), (X,), 0), rtol=1e-6)


@pytest.mark.parametrize("backend", ["python", "numba"])
def test_helper_parameter_shape(backend):
    got = pullback.grad(outer, backend=backend)(X)
    assert np.allclose(got, jax.grad(lambda x: outer(x, jnp))(X), rtol=1e-12)
    assert np.allclose(got, fd_grad(outer, (X,), 0), rtol=1e-6)
