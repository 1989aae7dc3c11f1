"""Forward mode of a function that appends arrays to a list and returns ``np.array`` of
it (an RNN's hidden states): the output's first axis is the list's length, known only when
the code runs, and laying out the tangent broadcast it to that unknown shape (a TypeError
inside pullback).  Against JAX."""
import numpy as np
import pytest

import pullback

jax = pytest.importorskip("jax")
jnp = jax.numpy
jax.config.update("jax_enable_x64", True)


def states(x, np=np):
    hs = []
    h = np.zeros(2)
    for t in range(3):
        h = np.tanh(h + x[t])
        hs.append(h)
    return np.array(hs)


X = np.random.default_rng(0).standard_normal((3, 2))


def test_jvp():
    t = np.linspace(-1.0, 1.0, 6).reshape(3, 2)
    _, got = pullback.jvp(states, (X,), (t,))
    _, want = jax.jvp(lambda x: states(x, jnp), (X,), (t,))
    assert np.allclose(got, want, rtol=1e-12)


def test_forward_jacobian():
    got = pullback.jacobian(states, mode="forward")(X)
    assert np.allclose(got, jax.jacfwd(lambda x: states(x, jnp))(X), rtol=1e-12)
