"""Convolutions (issue 13): forward mode, second derivatives and rejections of
``np.convolve``, ``np.correlate``, ``scipy.signal.convolve`` / ``correlate`` /
``fftconvolve``, and ``convolve_axes`` (autograd.scipy.signal.convolve's signature).
Reverse mode over the modes and ranks is in the rule table
(``signal_rule_table.py``).  Every number is compared with JAX (x64) or central
finite differences, never with pullback's own output; rejections name the user's line.
"""
import os

import jax
import jax.numpy as jnp
import jax.scipy.signal as jss
import numpy as np
import pytest
import scipy.signal

import pullback
from pullback.rules.signal_helpers import convolve_axes
from signal_rule_table import AXES_CASES, jax_convolve_axes
from test_numpy_rules import fd_grad
from test_real_code import line_of

jax.config.update("jax_enable_x64", True)
HERE = os.path.abspath(__file__)
RNG = np.random.default_rng(7)
A2, B2 = RNG.normal(size=(4, 3)), RNG.normal(size=(2, 3))
A1, B1 = RNG.normal(size=5), RNG.normal(size=3)


def smooth(a, b, mode):
    return np.sum(np.tanh(scipy.signal.convolve(a, b, mode)) ** 2) + \
        np.sum(np.correlate(a[0], b[1], mode) * np.convolve(a[1], b[0], mode))


def smooth_jax(a, b, mode):
    return jnp.sum(jnp.tanh(jss.convolve(a, b, mode)) ** 2) + \
        jnp.sum(jnp.correlate(a[0], b[1], mode) * jnp.convolve(a[1], b[0], mode))


@pytest.mark.parametrize("mode", ["full", "valid", "same"])
def test_forward_mode_against_jax(mode):
    ta, tb = RNG.normal(size=A2.shape), RNG.normal(size=B2.shape)
    value, tangent = pullback.jvp(lambda a, b: smooth(a, b, mode), (A2, B2), (ta, tb))
    want, want_t = jax.jvp(lambda a, b: smooth_jax(a, b, mode), (A2, B2), (ta, tb))
    np.testing.assert_allclose(value, want, rtol=1e-12)
    np.testing.assert_allclose(tangent, want_t, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("mode", ["full", "valid", "same"])
def test_hessian_against_jax(mode):
    got = pullback.hessian(lambda a, b: smooth(a, b, mode), argnums=(0, 1))(A2, B2)
    want = jax.hessian(lambda a, b: smooth_jax(a, b, mode), argnums=(0, 1))(A2, B2)
    for i in range(2):
        for j in range(2):
            np.testing.assert_allclose(got[i][j], want[i][j], rtol=1e-8, atol=1e-10)


def fft_smoothed(a, b):
    return np.sum(scipy.signal.fftconvolve(a, b, mode="same") ** 2)


def test_fftconvolve_against_jax_and_differences():
    got = pullback.grad(fft_smoothed, argnums=(0, 1))(A2, B2)
    want = jax.grad(lambda a, b: jnp.sum(jss.fftconvolve(a, b, mode="same") ** 2),
                    argnums=(0, 1))(A2, B2)
    for k in range(2):
        np.testing.assert_allclose(got[k], want[k], rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(got[k], fd_grad(fft_smoothed, [A2, B2], k), rtol=1e-6)


# -- rejected at the user's line, never a wrong number ----------------------------------
def matrix_convolved(a, b):
    return np.sum(np.convolve(a, b))


def mixed_valid(a, b):
    return np.sum(scipy.signal.convolve(a, b, mode="valid"))


def mixed_ranks(a, b):
    return np.sum(scipy.signal.correlate(a, b))


def complex_convolved(a, b):
    return np.sum(np.abs(np.convolve(np.fft.fft(a), b)))


def fft_axes(a, b):
    return np.sum(scipy.signal.fftconvolve(a, b, axes=0))


@pytest.mark.parametrize("f, args, text", [
    (matrix_convolved, (A2, B2), "np.convolve"),
    (mixed_valid, (np.ones((3, 5)), np.ones((4, 2))), "scipy.signal.convolve"),
    (mixed_ranks, (A2, B1), "scipy.signal.correlate"),
    (complex_convolved, (A1, B1), "np.convolve"),
    (fft_axes, (A2, B2), "scipy.signal.fftconvolve"),
])
def test_rejected_at_the_users_line(f, args, text):
    with pytest.raises((pullback.TransformError, ValueError)) as e:
        pullback.grad(f, argnums=(0, 1))(*args)
    err, line = e.value, line_of(f, text)
    if isinstance(err, pullback.TransformError):      # when compiling
        assert (err.filename, err.line) == (HERE, line), str(err)
    else:       # NumPy's own ValueError, raised where NumPy would, its note naming the line
        assert f"from your code {HERE}:{line}:" in "\n".join(err.__notes__), err.__notes__


@pytest.mark.parametrize("backend", ["numba", "c"])
def test_other_backends_reject_at_the_users_line(backend):
    pytest.importorskip("numba")
    with pytest.raises(pullback.TransformError) as e:
        if backend == "c":
            pullback.emit_c(mixed_valid, A2, B2)
        else:
            pullback.grad(mixed_valid, backend=backend)(A2, B2)
    assert (e.value.filename, e.value.line) == (HERE, line_of(mixed_valid, "scipy.signal"))


# -- convolve_axes: autograd.scipy.signal.convolve's signature ---------------------------
@pytest.mark.parametrize("mode", ["full", "valid", "same"])
def test_convolve_axes_values_are_the_definition(mode):
    for sa, sb, kw in AXES_CASES:
        a, b = RNG.normal(size=sa), RNG.normal(size=sb)
        np.testing.assert_allclose(convolve_axes(a, b, mode=mode, **kw),
                                   jax_convolve_axes(a, b, mode=mode, **kw), rtol=1e-10,
                                   atol=1e-12, err_msg=f"{sa} {sb} {kw}")
    a, b = RNG.normal(size=(3, 5)), RNG.normal(size=(3, 4))      # nothing convolved
    np.testing.assert_allclose(convolve_axes(a, b, axes=([], []), dot_axes=([0], [0]), mode=mode),
                               np.tensordot(a, b, axes=([0], [0])), rtol=1e-12)


def layer(x, w):
    return np.sum(np.tanh(convolve_axes(x, w, axes=([2, 3], [2, 3]), dot_axes=([1], [0]),
                                        mode="valid")) ** 2)


def test_convolve_axes_forward_mode_and_hessian_against_jax():
    x, w = RNG.normal(size=(2, 2, 5, 5)), RNG.normal(size=(2, 3, 3, 3))
    tx, tw = RNG.normal(size=x.shape), RNG.normal(size=w.shape)

    def twin(x, w):
        return jnp.sum(jnp.tanh(jax_convolve_axes(x, w, axes=([2, 3], [2, 3]), dot_axes=([1], [0]),
                                                  mode="valid")) ** 2)
    value, tangent = pullback.jvp(layer, (x, w), (tx, tw))
    want, want_t = jax.jvp(twin, (x, w), (tx, tw))
    np.testing.assert_allclose(value, want, rtol=1e-12)
    np.testing.assert_allclose(tangent, want_t, rtol=1e-9)
    hv = pullback.hvp(layer, (x, w), (tx, tw))
    want_hv = jax.jvp(jax.grad(twin, argnums=(0, 1)), (x, w), (tx, tw))[1]
    for k in range(2):
        np.testing.assert_allclose(hv[k], want_hv[k], rtol=1e-8, atol=1e-10)
