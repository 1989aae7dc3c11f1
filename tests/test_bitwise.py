"""'&', '|', '^' and '~' of masks and ints: no derivative of their own, the derivative
flowing through the values they select (``np.where(m, a, b)``, ``x[~m]``) as NumPy's and
JAX's.  '~' of a bool scalar (Python's ~True is -2, NumPy's ~np.True_ is False: either
may reach it) and any of them of a float are rejected at the line.  Against JAX and
central differences on Python and Numba, against Python in C."""
import numpy as np
import pytest

import pullback
from c_driver import CC, agrees, run_array_cases
from jax_fd import fd_grad

jax = pytest.importorskip("jax")
jnp = jax.numpy


def masks(x, y):
    m = (x > 0) & (x < 1.5)
    w = ~m | (y > 0.5)
    return np.sum(np.where(m, x * y, 0.0)) + np.sum(np.where(m ^ w, x, y * 2.0))


def masks_jax(x, y):
    m = (x > 0) & (x < 1.5)
    w = ~m | (y > 0.5)
    return jnp.sum(jnp.where(m, x * y, 0.0)) + jnp.sum(jnp.where(m ^ w, x, y * 2.0))


def selected(x):
    return np.sum(x[~((x > 0) & (x < 1.5))] ** 2)


def ints(x, n):
    m = 0.0
    for i in range(4):
        if (i & 1) | (n ^ i == 2):
            m = m + x * (i & 3)
        else:
            m = m - x * x * (~i)
    return m


X, Y = np.array([0.5, -1.0, 2.0, 1.0]), np.array([0.2, 0.9, 0.1, 0.7])


@pytest.mark.parametrize("backend", ["python", "numba"])
def test_masks(backend):
    got = pullback.grad(masks, argnums=(0, 1), backend=backend)(X, Y)
    want = jax.grad(masks_jax, argnums=(0, 1))(X, Y)
    for g, w, i in zip(got, want, (0, 1)):
        assert np.allclose(g, w, rtol=1e-12)
        assert np.allclose(g, fd_grad(masks, (X, Y), i), rtol=1e-6, atol=1e-8)


def test_selected_by_an_inverted_mask():
    got = pullback.grad(selected)(X)
    assert np.allclose(got, jax.grad(lambda x: jnp.sum(jnp.where((x > 0) & (x < 1.5), 0.0,
                                                                  x) ** 2))(X), rtol=1e-12)


@pytest.mark.parametrize("backend", ["python", "numba"])
def test_ints(backend):
    got = pullback.grad(ints, backend=backend)(1.5, 3)
    h = 1e-6
    assert np.isclose(got, (ints(1.5 + h, 3) - ints(1.5 - h, 3)) / (2 * h), rtol=1e-7)


@pytest.mark.skipif(CC is None, reason="needs a C compiler")
def test_ints_in_c(tmp_path):
    out = run_array_cases([("ints", ints, (1.5, 3), 0)], str(tmp_path))
    agrees(out["ints"], ints, (1.5, 3), 0)


def test_rejected():
    def inverted_flag(x):
        return x * (~(x > 0))

    def of_floats(x):
        return np.sum(x & 1)
    with pytest.raises(pullback.TransformError, match="'~' of a bool scalar"):
        pullback.grad(inverted_flag)(1.0)
    with pytest.raises(pullback.TransformError, match="bitwise_and"):
        pullback.grad(of_floats)(X)
