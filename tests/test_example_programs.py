"""Constructs that stopped autograd's example programs (issue 13; measured by
tools/outside_examples.py), each in a small program of that kind, its gradient against
central finite differences and JAX (x64, a twin in jax.numpy), never pullback's own output.

- ``slice(a, b)`` made in one function and used as an index in another (minibatches);
- ``isinstance(x, (list, tuple))`` with a literal tuple of classes, of a static container
  and of a run-time array (pytree helpers);
- a helper returning a partial is rejected at the user's line, not a crash;
- np.repeat(x, n) with n read from a shape (was a wrong derivative);
- a procedure (no return) called with ax=None: its plotting branch is never lowered.
"""
import functools

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import pullback

jax.config.update("jax_enable_x64", True)

DATA = np.linspace(-1.0, 2.0, 24).reshape(8, 3)
W = np.array([0.3, -0.2, 0.5])
BATCH, NB = 3, 3


def fd_grad(f, x, *rest, eps=1e-6):
    g = np.zeros_like(x)
    for k in range(x.size):
        e = np.zeros_like(x)
        e.flat[k] = eps
        g.flat[k] = (f(x + e, *rest) - f(x - e, *rest)) / (2 * eps)
    return g


def batch_indices(it):
    idx = it % NB
    return slice(idx * BATCH, (idx + 1) * BATCH)


def minibatch_loss(w, it):
    rows = DATA[batch_indices(it)]
    return np.sum(np.tanh(rows @ w)) + np.sum(DATA[slice(1, None, 2)] @ w) + \
        np.sum(DATA[slice(2)] @ w ** 2)


def minibatch_loss_jax(w, it):
    idx = it % NB
    rows = DATA[idx * BATCH:(idx + 1) * BATCH]
    return jnp.sum(jnp.tanh(rows @ w)) + jnp.sum(DATA[1::2] @ w) + jnp.sum(DATA[:2] @ w ** 2)


@pytest.mark.parametrize("it", [0, 4, 8])
def test_slice_objects_index_minibatches(it):
    g = pullback.grad(minibatch_loss)(W, it)
    np.testing.assert_allclose(g, fd_grad(minibatch_loss, W, it), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(g, jax.grad(minibatch_loss_jax)(W, it), rtol=1e-10)


def parts(value):
    if isinstance(value, dict):
        value = [value[k] for k in sorted(value)]
    if isinstance(value, (list, tuple)):
        out = []
        for v in value:
            out = out + parts(v)
        return out
    return [np.ravel(value)]


def l2_of_tree(params):
    flat = np.concatenate(parts(params))
    return np.dot(flat, flat) + np.sum(np.sin(params[0][0]))


def test_isinstance_with_a_tuple_of_classes_walks_a_pytree():
    w, b = np.array([[0.5, -1.0], [2.0, 0.1]]), np.array([0.3, -0.4])
    g = pullback.grad(l2_of_tree)([(w, b), {"s": b * 2}])
    jg = jax.grad(lambda p: sum(jnp.sum(x ** 2) for x in jax.tree_util.tree_leaves(p)) +
                  jnp.sum(jnp.sin(p[0][0])))([(w, b), {"s": b * 2}])
    for a, e in zip(jax.tree_util.tree_leaves(g), jax.tree_util.tree_leaves(jg)):
        np.testing.assert_allclose(a, e, rtol=1e-12)
    np.testing.assert_allclose(g[0][0], fd_grad(lambda x: l2_of_tree([(x, b), {"s": b * 2}]), w),
                               rtol=1e-6)


def _unflatten(template, vec):
    return vec.reshape(template.shape)


def flatten_with_partial(x):
    return np.ravel(x), functools.partial(_unflatten, x)


def uses_flatten(x):
    flat, _ = flatten_with_partial(x)
    return np.sum(flat ** 2)


def test_a_helper_returning_a_partial():
    # a called function may return a function (issue 13): the partial is never called here
    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    np.testing.assert_allclose(pullback.grad(uses_flatten)(x), 2.0 * x, rtol=1e-15)


H0 = np.array([[0.1, -0.3, 0.2, 0.5]])
SEQ = np.zeros((2, 6, 3))


def repeated_hiddens(h0, inputs):
    h = np.repeat(h0, inputs.shape[1], axis=0)      # a count read from another's shape
    return np.sum(np.tanh(h)) * h.shape[0]


def test_a_shape_from_a_run_time_count_is_not_typed_at_the_stand_in_count():
    # was a wrong derivative: h typed (1, 4) at the stand-in count 1, h.shape[0] folded to 1
    g = pullback.grad(repeated_hiddens)(H0, SEQ)
    np.testing.assert_allclose(g, fd_grad(repeated_hiddens, H0, SEQ), rtol=1e-6)
    jg = jax.grad(lambda h0: jnp.sum(jnp.tanh(jnp.repeat(h0, 6, axis=0))) * 6)(H0)
    np.testing.assert_allclose(g, jg, rtol=1e-12)


def plot(ax, r, render=False):
    if ax:
        ax.cla()
        ax.imshow(r)
        if render:
            print(f"step {r.shape}")


def simulate(x, steps, ax=None):
    for t in range(steps):
        plot(ax, x)
        x = np.sin(x) * 1.5
    return np.sum(x ** 2)


def test_a_procedure_called_with_a_none_flag_never_lowers_its_plotting():
    x = np.array([0.3, -1.1, 0.7])
    g = pullback.grad(simulate)(x, 3)
    np.testing.assert_allclose(g, fd_grad(simulate, x, 3), rtol=1e-6)

    def twin(x):
        for _ in range(3):
            x = jnp.sin(x) * 1.5
        return jnp.sum(x ** 2)
    np.testing.assert_allclose(g, jax.grad(twin)(x), rtol=1e-12)
