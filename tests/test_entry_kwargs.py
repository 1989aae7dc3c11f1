"""An entry function with ``**kwargs`` (``def loss(params, **cfg)``), as JAX users write it.

The keywords of the call arrive as one dict argument, last, whose values are read at
each call (not baked in) and whose keys are part of what the derivative is specialised
to; a string value is static, so branches on it fold.  Before, any keyword not named
in the signature was refused ("called with more arguments than parameters").  Expected
values are JAX's (x64).
"""
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import pullback

jax.config.update("jax_enable_x64", True)

X = np.array([0.3, -1.2, 2.0])


def helper(x, a=1.0, b=0.0, **rest):
    return a * np.sum(x ** 2) + b * np.sum(np.sin(x)) + rest.get("c", 0.0) * x[0]


def loss(x, **cfg):
    return helper(x, **cfg) * cfg["a"]


def loss_jax(x, cfg):
    a, b, c = cfg["a"], cfg.get("b", 0.0), cfg.get("c", 0.0)
    return (a * jnp.sum(x ** 2) + b * jnp.sum(jnp.sin(x)) + c * x[0]) * a


def moded(x, **cfg):
    if cfg["mode"] == "square":
        return np.sum(x ** 2) * cfg["n"]
    return np.sum(x) * cfg["n"]


CONFIGS = [{"a": 3.0}, {"a": 2.0, "b": 0.5}, {"a": 2.0, "b": 0.5, "c": 4.0},
           {"a": np.float64(1.5), "b": 2}]


@pytest.mark.parametrize("backend", ["python", "numba"])
def test_keywords_reach_the_function_on_every_call(backend):
    g, h = pullback.grad(loss, backend=backend), pullback.hessian(loss, backend=backend)
    for cfg in CONFIGS:         # one derivative object, called with new values and keys
        np.testing.assert_allclose(g(X, **cfg), jax.grad(loss_jax)(X, cfg), rtol=1e-12)
        np.testing.assert_allclose(h(X, **cfg), jax.hessian(loss_jax)(X, cfg), rtol=1e-12)


def test_the_keywords_dict_can_be_differentiated():
    got = pullback.grad(loss, argnums=1)(X, a=3.0, b=0.5)
    want = jax.grad(lambda c: loss_jax(X, c))({"a": 3.0, "b": 0.5})
    assert set(got) == set(want)
    for k in got:
        np.testing.assert_allclose(got[k], want[k], rtol=1e-12)


def test_a_string_keyword_is_static_and_each_value_gets_its_derivative():
    g = pullback.grad(moded)
    np.testing.assert_allclose(g(X, mode="square", n=2), 4 * X)
    np.testing.assert_allclose(g(X, mode="linear", n=2), [2.0, 2.0, 2.0])
    np.testing.assert_allclose(g(X, n=3, mode="square"), 6 * X)


def test_positional_extras_and_keywords_together():
    def f(x, *scale, **kw):
        return np.sum(x) * scale[0] * kw["s"]
    np.testing.assert_allclose(pullback.grad(f)(X, 2.0, s=3.0), [6.0, 6.0, 6.0])


def test_a_missing_key_is_named_at_its_line():
    with pytest.raises(KeyError, match=r"test_entry_kwargs.py:\d+.*'a' is not a key"):
        pullback.grad(loss)(X)
