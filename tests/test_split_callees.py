"""A helper passed a loop-carried number and an array is copied per argument type
(analysis/split_callees.py), even where the joined result of its one copy flowed back
into the number (``t = same(t)`` beside ``same(x)`` in a loop: typed as the array, the
write ``w[:1] = t`` was falsely rejected, 'could not broadcast (3,) into (1,)'; array
fuzzer seeds 9900106 and 9900111, identity variant).  Checked against JAX and central
differences, on every backend and in both modes."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import pullback
from jax_fd import fd_grad

jax.config.update("jax_enable_x64", True)


def _same(v):
    return v


def carried(x):
    t = 0.5 * x[0]
    w = np.zeros(3)
    for _ in range(2):
        t = _same(t) * x[1]
        y = _same(x)
        w[:1] = t
        w = w + y * t
    return np.sum(w * x)


def carried_jax(x):
    t = 0.5 * x[0]
    w = jnp.zeros(3)
    for _ in range(2):
        t = t * x[1]
        w = w.at[:1].set(t)
        w = w + x * t
    return jnp.sum(w * x)


X = np.array([0.7, -1.3, 0.4])


@pytest.mark.parametrize("backend", ["python", "numba"])
def test_loop_carried_number_and_array_through_one_helper(backend):
    want = jax.grad(carried_jax)(X)
    got = pullback.grad(carried, backend=backend)(X)
    assert np.allclose(got, want, rtol=1e-12, atol=1e-14)
    assert np.allclose(got, fd_grad(carried, (X,), 0), rtol=1e-6, atol=1e-8)


def test_loop_carried_number_and_array_through_one_helper_jvp():
    v = np.array([0.5, 0.75, -1.0])
    value, tangent = pullback.jvp(carried, (X,), (v,))
    want_value, want_tangent = jax.jvp(carried_jax, (X,), (v,))
    assert np.isclose(value, want_value, rtol=1e-12)
    assert np.isclose(tangent, want_tangent, rtol=1e-12, atol=1e-14)
