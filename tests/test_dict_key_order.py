"""Tangents and cotangents that are dicts are matched to the primal's (or result's) items
by key, never by position: a tangent dict built in another insertion order (``sorted``,
``tree_map`` over another dict) paired each leaf with another primal's leaf (a silently
wrong jvp, hvp and vjp).  Against JAX, which sorts dict keys."""
import numpy as np
import pytest

import pullback

jax = pytest.importorskip("jax")
jnp = jax.numpy
jax.config.update("jax_enable_x64", True)

P = {"b": np.ones(2), "a": np.array([0.5, -1.0])}
T = {"a": np.array([1.0, 0.0]), "b": np.array([0.0, 2.0])}      # other insertion order


def f(p, np=np):
    return np.sum(p["a"] ** 2 * 2.0 + p["b"] * p["a"] * 3.0)


def test_jvp():
    _, got = pullback.jvp(f, (P,), (T,))
    _, want = jax.jvp(lambda p: f(p, jnp), (P,), (T,))
    assert np.isclose(got, want, rtol=1e-12)


def test_hvp():
    (got,) = pullback.hvp(f, (P,), (T,))
    want = jax.jvp(jax.grad(lambda p: f(p, jnp)), (P,), (T,))[1]
    for k in P:
        assert np.allclose(got[k], want[k], rtol=1e-12)


def test_vjp_of_a_dict_result():
    def g(x):
        return {"u": x * 2.0, "v": x * 3.0}
    _, pull = pullback.vjp(g, np.ones(2))
    (got,) = pull({"v": np.zeros(2), "u": np.ones(2)})
    assert np.allclose(got, [2.0, 2.0])


def test_other_keys_are_an_error():
    with pytest.raises(ValueError, match="dict with keys"):
        pullback.jvp(f, (P,), ({"a": np.ones(2), "c": np.ones(2)},))
