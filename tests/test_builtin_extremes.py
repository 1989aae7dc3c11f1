"""Python's ``max``/``min`` of one iterable (``rules/builtins.py``): a list grown by
append (the energy drift of a simulation) or a 1-d array, the derivative going to the
extreme item as NumPy's reduction's does; a 2-d array (whose rows Python compares as
wholes) is rejected at the line, never reduced elementwise.  Against JAX and central
differences."""
import numpy as np
import pytest

import pullback
from jax_fd import fd_grad

jax = pytest.importorskip("jax")
jnp = jax.numpy


def drift(x):
    E = []
    s = x[0]
    for i in range(5):
        s = s * np.cos(x[1] * i) + x[2]
        E.append(s * s)
    return max(E) - min(E)


def drift_jax(x):
    E = []
    s = x[0]
    for i in range(5):
        s = s * jnp.cos(x[1] * i) + x[2]
        E.append(s * s)
    return jnp.max(jnp.stack(E)) - jnp.min(jnp.stack(E))


def of_array(x):
    return max(x * x) + min(np.sin(x))


def of_array_jax(x):
    return jnp.max(x * x) + jnp.min(jnp.sin(x))


X = np.array([0.7, 0.4, -0.3])


@pytest.mark.parametrize("f, f_jax, backends", [(drift, drift_jax, ["python"]),
                                                 (of_array, of_array_jax, ["python", "numba"])])
def test_extreme_of_one_sequence(f, f_jax, backends):
    want = jax.grad(f_jax)(X)
    for backend in backends:
        got = pullback.grad(f, backend=backend)(X)
        assert np.allclose(got, want, rtol=1e-12)
        assert np.allclose(got, fd_grad(f, (X,), 0), rtol=1e-6, atol=1e-8)


def test_rows_compared_as_wholes_are_rejected():
    def f(x):
        return max(np.outer(x, x))
    with pytest.raises(pullback.TransformError, match="max\\(\\) or min\\(\\) of one argument"):
        pullback.grad(f)(X)
