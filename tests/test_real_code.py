"""Code people already have (issue 13, causes 2 to 6): library calls, side effects,
variadics and functional helpers, objects, random draws inside the objective.

Every derivative is compared with JAX (x64) and with central finite differences,
never with pullback's own output; rejections name the user's file and line.
"""
import os

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import scipy.signal

import pullback
from test_numpy_rules import fd_grad

jax.config.update("jax_enable_x64", True)

X = np.array([0.5, -1.0, 2.0])
HERE = os.path.abspath(__file__)


def agree(f, twin, args, argnum=0, backend="python"):
    """pullback's gradient of ``f`` equals JAX's of ``twin`` and central differences."""
    got = pullback.grad(f, argnum, backend=backend)(*args)
    want = jax.grad(twin, argnum)(*args)
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(got, fd_grad(f, list(args), argnum), rtol=1e-5, atol=1e-7)
    return got


def line_of(fn, text):
    """The line of ``fn``'s source file holding ``text`` (the expected error position)."""
    import inspect
    lines, start = inspect.getsourcelines(fn)
    return start + next(i for i, s in enumerate(lines) if text in s)


# -- cause 6: never into a library's source ----------------------------------------------------
def convolved(w):
    return np.sum(scipy.signal.convolve(w, w) ** 2)


def test_library_function_rejected_at_the_users_line():
    with pytest.raises(pullback.UnsupportedError) as e:
        pullback.grad(convolved)(X)
    err = e.value
    assert err.filename == HERE and err.line == line_of(convolved, "scipy.signal.convolve")
    assert "'scipy.signal.convolve'" in err.message and "pullback.defvjp" in err.message
    assert "site-packages" not in str(err)
