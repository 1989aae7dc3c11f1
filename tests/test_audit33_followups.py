"""Audit R's findings on stop 33's own fixes: C casts a list to the dtype it has (a
regression of the dtype= fix), Numba's abs and floor division of the int64 minimum
(wrapped silently), emit_c of a functools.partial (an AttributeError inside pullback)."""
import functools
import shutil

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import pullback

jax.config.update("jax_enable_x64", True)
needs_cc = pytest.mark.skipif(shutil.which("cc") is None, reason="needs a C compiler (cc)")


def listed(x):
    a = np.array([x, x * x], dtype=np.float64)
    b = np.asarray([x, 2.0 * x], dtype=float)
    return a.sum() + b @ b


def listed_jax(x):
    a = jnp.array([x, x * x], dtype=jnp.float64)
    b = jnp.asarray([x, 2.0 * x], dtype=float)
    return a.sum() + b @ b


@needs_cc
def test_c_casts_a_list_to_the_dtype_it_has():
    value, grad = pullback.emit_c(listed, 1.5).compile()(1.5)
    want_v, want_g = jax.value_and_grad(listed_jax)(1.5)
    assert value == pytest.approx(float(want_v), rel=1e-14)
    assert grad == pytest.approx(float(want_g), rel=1e-14)


def absolute(x, n):
    return x * float(abs(n))


def halved(x, n):
    return x * float(n // -1)


@pytest.mark.parametrize("f", [absolute, halved])
def test_numba_abs_and_floordiv_of_the_int64_minimum_raise(f):
    pytest.importorskip("numba")
    n = -2 ** 63
    assert f(1.5, n) == pytest.approx(1.5 * 2.0 ** 63)        # Python's int grows
    with pytest.raises(OverflowError, match="test_audit33_followups.py"):
        pullback.value_and_grad(f, backend="numba")(1.5, n)
    value, grad = pullback.value_and_grad(f, backend="numba")(1.5, -7)
    assert (value, grad) == (f(1.5, -7), f(1.0, -7))


def test_emit_c_of_a_partial_says_what_to_do():
    def base(x, w):
        return np.sum(np.sin(x * w))
    p = functools.partial(base, w=np.array([1.0, 2.0]))
    with pytest.raises(TypeError, match="emit base itself"):
        pullback.emit_c(p, np.array([0.3, 0.5]))
