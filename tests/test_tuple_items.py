"""A Python tuple kept as one value (a list's item, ``L.append((W, b))``) holds its
arrays themselves, not copies: a later write to ``W`` shows in ``L[0][0]``.  pullback
keeps such a tuple as one array, so the alias analysis counts its items as the
leaves' memory, and the write is rejected at its line while the list is read (it gave
the copy's derivative, silently).  Reading the items differentiates as before.
Oracles: JAX and central differences."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import pullback
from pullback import UnsupportedError
from jax_fd import fd_grad

jax.config.update("jax_enable_x64", True)
X = np.array([0.3, -1.2, 2.0])


def write_after_append(x):
    W = x * 1.0
    L = []
    L.append((W, x))
    W[0] = 5.0
    return np.sum(L[0][0] * x)


def write_after_literal(x):
    W = x * 1.0
    L = [(W, x)]
    W[0] = 5.0
    return np.sum(L[0][0] * x)


def write_in_the_appending_loop(x):
    W = x * 1.0
    L = []
    for i in range(2):
        L.append((W, x))
        W[i] = 5.0
    return np.sum(L[0][0] * x)


def write_through_the_item(x):
    W = x * 1.0
    L = []
    L.append((W, x))
    v = L[0][0]
    v[1] = 7.0
    return np.sum(W * x)


@pytest.mark.parametrize("f, offset", [(write_after_append, 4), (write_after_literal, 3),
                                       (write_in_the_appending_loop, 5),
                                       (write_through_the_item, 5)])
def test_write_to_an_array_a_kept_tuple_holds_is_rejected_at_its_line(f, offset):
    line = f.__code__.co_firstlineno + offset
    with pytest.raises(UnsupportedError, match=rf"test_tuple_items.py:{line}:"):
        pullback.grad(f)(X)


def layers(theta, x):
    params = []
    for k in range(0, 12, 6):
        params.append((theta[k:k + 3], theta[k + 3:k + 6]))
    h = x
    for a, b in params:
        h = np.tanh(a * h + b)
    return np.sum(h * h)


def layers_jax(theta, x):
    params = [(theta[k:k + 3], theta[k + 3:k + 6]) for k in range(0, 12, 6)]
    h = x
    for a, b in params:
        h = jnp.tanh(a * h + b)
    return jnp.sum(h * h)


def test_reading_kept_tuples_differentiates():
    rng = np.random.default_rng(0)
    theta, x = rng.normal(size=12), rng.normal(size=3)
    got = pullback.grad(layers)(theta, x)
    assert np.allclose(got, jax.grad(layers_jax)(theta, x), rtol=1e-10, atol=1e-12)
    assert np.allclose(got, fd_grad(layers, (theta, x), 0), atol=1e-6)


def weights_and_biases(theta, x):
    params = []
    params.append((theta[:6].reshape(3, 2), theta[6:9]))
    return np.sum(params[0][0] @ x + params[0][1])


def test_a_kept_tuple_of_arrays_of_different_shapes_is_rejected_at_its_line():
    # (a tuple kept as one value is one array in pullback: shapes must agree)
    line = weights_and_biases.__code__.co_firstlineno + 2
    with pytest.raises(pullback.TransformError, match=rf"test_tuple_items.py:{line}:.*"
                       "different shapes"):
        pullback.grad(weights_and_biases)(np.ones(9), np.ones(2))


def test_starred_unpacking():
    """``x, *_ = np.linalg.lstsq(...)`` and ``first, *rest, last = t`` (the middle a list of
    the items), as Python unpacks them (they were rejected at the fence)."""
    A = np.array([[1.0, 0.3], [0.1, 0.8], [-0.4, 0.2]])
    b = np.array([1.0, 2.0, 0.5])

    def solve(s):
        x, *_ = np.linalg.lstsq(A * s, b, rcond=None)
        return np.sum(x ** 2)

    def ends(p):
        first, *rest, last = (p[0], p[1] * 2, p[2] * 3, p[0] * p[1])
        return first * last + sum(rest) + len(rest)
    h = 1e-6
    assert np.isclose(pullback.grad(solve)(0.3), (solve(0.3 + h) - solve(0.3 - h)) / (2 * h),
                      rtol=1e-6)
    p = np.array([0.5, 1.5, -2.0])
    assert np.allclose(pullback.grad(ends)(p), [2 * p[0] * p[1], p[0] ** 2 + 2, 3])


def test_divmod():
    """``divmod`` and ``np.divmod``: (a // b, a % b), the remainder differentiable."""
    def f(x):
        q, r = divmod(x * 3.0, 1.0)
        Q, R = np.divmod(np.array([x, 2 * x]), 0.7)
        return r * q + np.sum(R * Q)

    def f_jax(x):
        q, r = jnp.floor_divide(x * 3.0, 1.0), jnp.mod(x * 3.0, 1.0)
        a = jnp.array([x, 2 * x])
        return r * q + jnp.sum(jnp.mod(a, 0.7) * jnp.floor_divide(a, 0.7))
    assert np.isclose(pullback.grad(f)(1.37), jax.grad(f_jax)(1.37), rtol=1e-12)
