"""``x[idx] = v`` with a repeated index: NumPy keeps the last write, so an earlier
duplicate's value is lost and has no derivative (found by an outside-user trial:
gradient [1, 1] where [0, 1] is right).  Checked against JAX's ``.at[].set`` and
central differences, on the python and numba backends."""
import numpy as np
import pytest

import pullback

jax = pytest.importorskip("jax")
jnp = jax.numpy
jax.config.update("jax_enable_x64", True)

TWICE = np.array([0, 0])
MIXED = np.array([1, 3, 1, -1])


def set_twice(v):
    y = np.zeros(2)
    y[TWICE] = v            # y[0] = v[1]
    return y[0] * 3.0


def set_twice_jax(v):
    return jnp.zeros(2).at[jnp.array([0, 0])].set(v)[0] * 3.0


def add_twice(v):
    y = np.zeros(2)
    y[TWICE] += v           # buffered: y[0] = 0 + v[1], not v[0] + v[1]
    return y[0] * 3.0


def mixed(v):
    y = np.ones(4) * v[0]
    y[MIXED] = v * 2.0      # -1 is element 3 again
    return np.sum(y * y)


def mixed_jax(v):
    y = (jnp.ones(4) * v[0]).at[jnp.array(MIXED)].set(v * 2.0)
    return jnp.sum(y * y)


def scalar_to_repeated(v):
    y = np.ones(4)
    y[[2, 2]] = v[1]        # one value broadcast to a repeated index: counted once
    return np.sum(y * np.arange(4.0)) + np.sum(y[1:3]) * v[0]


def scalar_to_repeated_jax(v):
    y = jnp.ones(4).at[jnp.array([2, 2])].set(v[1])
    return jnp.sum(y * jnp.arange(4.0)) + jnp.sum(y[1:3]) * v[0]


def slice_write(v):          # basic indexing: the plain read (rules/algebra.py folds it)
    y = np.ones(5) * v[0]
    y[1:3] = v[1:3] ** 2
    return np.sum(y * y)


def slice_write_jax(v):
    y = (jnp.ones(5) * v[0]).at[1:3].set(v[1:3] ** 2)
    return jnp.sum(y * y)


V = np.array([3.0, 5.0, 0.5, 1.5])
CASES = [(set_twice, set_twice_jax, V[:2]), (add_twice, set_twice_jax, V[:2]),
         (mixed, mixed_jax, V), (scalar_to_repeated, scalar_to_repeated_jax, V),
         (slice_write, slice_write_jax, V)]
NUMBA = {"set_twice", "add_twice", "slice_write"}   # the others: located rejections there


def central(f, x, h=1e-6):
    return np.array([(f(x + h * e) - f(x - h * e)) / (2 * h) for e in np.eye(len(x))])


@pytest.mark.parametrize("f, fj, x", CASES, ids=[c[0].__name__ for c in CASES])
def test_grad_keeps_only_the_last_write(f, fj, x):
    want = np.asarray(jax.grad(fj)(x))
    np.testing.assert_allclose(central(f, x), want, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(pullback.grad(f)(x), want, rtol=1e-12, atol=1e-12)
    if f.__name__ in NUMBA:
        np.testing.assert_allclose(pullback.grad(f, backend="numba")(x), want, rtol=1e-12,
                                   atol=1e-12)


def test_second_order_and_forward():
    np.testing.assert_allclose(pullback.hessian(mixed)(V), np.asarray(jax.hessian(mixed_jax)(V)),
                               rtol=1e-12)
    t = np.array([0.3, -1.0, 2.0, 0.7])
    _, dot = pullback.jvp(mixed, (V,), (t,))
    np.testing.assert_allclose(dot, jax.jvp(mixed_jax, (V,), (t,))[1], rtol=1e-12)
