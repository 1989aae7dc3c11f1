"""Hand-written backpropagation walks its layers backwards with ``range(len(params) - 1,
-1, -1)``: the bounds are int constants computed in the function, so the loop is unrolled
as ``range(len(params))`` is and ``params[i]`` is the layer itself (it was refused as a
run-time index into a list; audit 34u).  A bound that a branch may have changed stays a
run-time value (refused at the line, never unrolled with the wrong count).  Against JAX."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import pullback

jax.config.update("jax_enable_x64", True)


def backwards(params, x, np=np):
    s = 0.0
    for i in range(len(params) - 1, -1, -1):
        W, b = params[i]
        x = np.tanh(W @ x + b) * (i + 1.0)
        s = s + np.sum(x)
    return s


def every_other(params, x, np=np):
    s = 0.0
    n = len(params)
    for i in range(n - 1, -1, -2):
        W, b = params[i]
        s = s + np.sum(np.sin(W @ x + b)) * (i + 1.0)
    return s


def changed_in_a_branch(params, x, c):
    s = 0.0
    n = len(params)
    if c > 0:
        n = 2
    for i in range(n - 1, -1, -1):
        W, b = params[i]
        s = s + np.sum(W @ x + b)
    return s


RNG = np.random.default_rng(3)
P = [(RNG.standard_normal((2, 2)), RNG.standard_normal(2)) for _ in range(3)]
X = np.array([0.3, -0.7])


@pytest.mark.parametrize("f", [backwards, every_other])
@pytest.mark.parametrize("backend", ["python", "numba"])
def test_a_range_down_over_the_layers(f, backend):
    value, grad = pullback.value_and_grad(f, argnums=1, backend=backend)(P, X)
    jp = [(jnp.asarray(W), jnp.asarray(b)) for W, b in P]
    want_v, want_g = jax.value_and_grad(lambda x: f(jp, x, jnp))(X)
    assert value == pytest.approx(float(want_v), rel=1e-13)
    np.testing.assert_allclose(grad, want_g, rtol=1e-12)


def test_a_bound_a_branch_changed_is_not_unrolled():
    with pytest.raises(pullback.UnsupportedError, match="test_range_down_over_lists.py:40"):
        pullback.grad(changed_in_a_branch, argnums=1)(P, X, 1.0)
