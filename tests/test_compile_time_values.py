"""Values known while compiling, as outside numerical code writes them: ``np.finfo(float).eps``
and ``np.iinfo``'s limits, methods of a constant string (a dict key: weight decay on the
weights only, ``k.startswith("W")``), and ``x.item()`` of a one-element array.  Against
JAX and central differences."""
import numpy as np
import pytest

import pullback
from jax_fd import fd_grad

jax = pytest.importorskip("jax")
jnp = jax.numpy


def safe_log(x):
    return np.sum(np.log(x + np.finfo(float).eps)) + np.iinfo(np.int32).max * 0.0


def decay(params):
    s = 0.0
    for k, v in params.items():
        if k.startswith("W") and not k.lower().endswith("_frozen"):
            s = s + np.sum(v ** 2)
    return s


def loss_item(x):
    return (np.sum(x * x) * 0.5).item() + x[1:2].item() ** 2


X = np.array([0.5, 1.5, 2.0])


def test_finfo():
    got = pullback.grad(safe_log)(X)
    assert np.allclose(got, 1.0 / (X + np.finfo(float).eps), rtol=1e-12)


def test_string_methods_of_a_key():
    P = {"W0": np.ones(2), "b0": np.ones(2), "W1": np.full(2, 2.0), "W2_frozen": np.ones(2)}
    got = pullback.grad(decay)(P)
    assert np.allclose(got["W0"], 2.0) and np.allclose(got["W1"], 4.0)
    assert np.allclose(got["b0"], 0.0) and np.allclose(got["W2_frozen"], 0.0)


def test_item():
    got = pullback.grad(loss_item)(X)
    want = jax.grad(lambda x: jnp.sum(x * x) * 0.5 + x[1] ** 2)(X)
    assert np.allclose(got, want, rtol=1e-12)
    assert np.allclose(got, fd_grad(loss_item, (X,), 0), rtol=1e-6)


def test_item_of_many_elements_is_rejected():
    with pytest.raises(pullback.TransformError, match="more than one element"):
        pullback.grad(lambda x: x.item())(X)


def cross_entropy(x, y):
    z = x - np.max(x, axis=1, keepdims=True)
    p = np.exp(z) / np.sum(np.exp(z), axis=1, keepdims=True)
    return -np.sum(np.log(p[range(x.shape[0]), y])) + np.sum(x[range(1, 3), y[:2]])


def cross_entropy_jax(x, y):
    z = x - jnp.max(x, axis=1, keepdims=True)
    p = jnp.exp(z) / jnp.sum(jnp.exp(z), axis=1, keepdims=True)
    return -jnp.sum(jnp.log(p[jnp.arange(x.shape[0]), y])) + \
        jnp.sum(x[jnp.arange(1, 3), y[:2]])


@pytest.mark.parametrize("backend", ["python", "numba"])
def test_range_as_an_index(backend):
    """``p[range(N), y]`` (cs231n's softmax loss): range as the integer array it indexes
    with (it was rejected: 'a call to range')."""
    x = np.array([[0.5, -1.0, 2.0], [0.1, 0.2, 0.3], [1.0, -0.5, 0.0]])
    y = np.array([0, 2, 1])
    got = pullback.grad(cross_entropy, backend=backend)(x, y)
    assert np.allclose(got, jax.grad(cross_entropy_jax)(x, y), rtol=1e-12)


def where_indexed(x, A):
    m = x > 0
    return np.sum(x[np.where(m)] ** 2) + np.sum(A[np.nonzero(A > 0.5)] * x[0]) + \
        np.sum(A[np.where(x > 0)] * 2.0)


def where_indexed_jax(x, A):
    return jnp.sum(jnp.where(x > 0, x, 0.0) ** 2) + jnp.sum(jnp.where(A > 0.5, A, 0.0) * x[0]) \
        + jnp.sum(jnp.where((x > 0)[:, None], A, 0.0) * 2.0)


def test_indexed_by_where_of_one_argument():
    """``x[np.where(m)]`` and ``x[np.nonzero(m)]`` as the whole index are ``x[m != 0]`` (they
    were rejected: 'a call to where with 1 argument')."""
    x = np.array([0.5, -1.0, 2.0])
    A = np.array([[0.3, 0.9, 1.2], [0.7, -0.1, 0.2], [1.0, 2.0, 3.0]])
    got = pullback.grad(where_indexed, argnums=(0, 1))(x, A)
    want = jax.grad(where_indexed_jax, argnums=(0, 1))(x, A)
    assert all(np.allclose(g, w, rtol=1e-12) for g, w in zip(got, want))


def layer_decay(params):
    s = 0.0
    for i in range(2):          # a key per step: the loop is unrolled, each key a constant
        s = s + np.sum(params["W%d" % i] ** 2) + np.sum(params[f"b{i}"]) * 0.5 + \
            np.sum(params["W" + str(i)])
    return s


def test_keys_made_from_a_loop_index():
    """``params["W%d" % i]``, ``params[f"b{i}"]``, ``params["W" + str(i)]`` in a range loop
    (layers' weights by name, as numpy-ml writes them: it was 'a dict lookup with a key
    not known at compile time')."""
    P = {"W0": np.ones(2), "b0": np.ones(2), "W1": np.full(2, 2.0), "b1": np.ones(2)}
    got = pullback.grad(layer_decay)(P)
    assert np.allclose(got["W0"], 3.0) and np.allclose(got["W1"], 5.0)
    assert np.allclose(got["b0"], 0.5) and np.allclose(got["b1"], 0.5)
