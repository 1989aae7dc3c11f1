"""Shapes that depend on run-time ints (``types._int_dependent``).  ``np.pad`` with widths
held in a name, given as an int argument or computed: the ints inside the width tuple
stood in as 0 only, so the padded array was typed as its input and a later slice's adjoint
was laid out on the input (silently wrong gradients).  ``np.swapaxes(X, a, 1 - a)``: two
ints that move together kept the same shape at both stand-ins (a static shape that held
for neither); each int now moves alone.  Against JAX and central differences."""
import numpy as np
import pytest

import pullback
from jax_fd import fd_grad

jax = pytest.importorskip("jax")
jnp = jax.numpy


def named(x, np=np):
    p = ((0, 3),)
    return np.sum(np.pad(x, p)[:4] ** 2 * np.arange(4))


def rows(X, np=np):
    pad = 1
    return np.sum(np.pad(X, ((pad, pad), (0, 0)))[0:2] ** 2)


def conv_style(x, np=np):           # cs231n's conv_forward_naive
    pad = 1
    xp = np.pad(x, ((pad, pad),))
    return np.sum(xp[1:4] ** 2)


def from_argument(x, n, np=np):
    y = np.pad(x, (n, n), constant_values=1.0)
    return np.sum(y[:5] ** 2 * np.arange(5))


X1 = np.array([1.0, -2.0, 3.0, 0.5])
CASES = [(named, (X1,)), (rows, (np.arange(12.0).reshape(3, 4),)), (conv_style, (X1,)),
         (from_argument, (np.array([1.0, -2.0, 3.0, 0.5, 1.5]), 2))]


@pytest.mark.parametrize("f, args", CASES, ids=[f.__name__ for f, _ in CASES])
def test_pad_width_known_at_run_time(f, args):
    got = pullback.grad(f)(*args)
    want = jax.grad(lambda x: f(x, *args[1:], np=jnp))(args[0])
    assert np.allclose(got, want, rtol=1e-12)
    assert np.allclose(got, fd_grad(f, args, 0), rtol=1e-6, atol=1e-8)
    _, pull = pullback.vjp(f, *args)
    assert np.allclose(pull(1.0)[0], want, rtol=1e-12)


def swapped(X, a, np=np):
    return np.sum(np.swapaxes(X, a, 1 - a)[:2] ** 2 * np.arange(2)[:, None])


@pytest.mark.parametrize("a", [0, 1])
def test_ints_that_move_together(a):
    X = np.arange(6.0).reshape(2, 3)
    got = pullback.grad(swapped)(X, a)
    assert np.allclose(got, jax.grad(lambda X: swapped(X, a, jnp))(X), rtol=1e-12)


def unflattened(x, shape, np=np):     # parameters unflattened to a shape given as an argument
    W = x.reshape(shape)
    return np.sum(np.tanh(W) @ np.arange(1.0, shape[1] + 1.0))


def rows_of(x, n, np=np):
    return np.sum(x.reshape(n, -1)[0] ** 2)


@pytest.mark.parametrize("f, extra", [(unflattened, ((2, 3),)), (unflattened, ((3, 2),)),
                                      (rows_of, (2,)), (rows_of, (3,))])
def test_reshape_to_run_time_ints(f, extra):
    """Was 'cannot reshape array of size 6 into shape (0,0)': no stand-in int fits a
    reshape of a known size, so the result's shape is known when it runs."""
    x = np.array([0.3, -1.2, 0.5, 2.0, -0.7, 1.1])
    want = jax.grad(lambda x: f(x, *extra, np=jnp))(x)
    assert np.allclose(pullback.grad(f)(x, *extra), want, rtol=1e-12)
    assert np.allclose(pullback.jvp(f, (x, *extra), (np.ones(6), *(tuple(0 for _ in e) if isinstance(e, tuple) else 0 for e in extra)))[1],
                       np.sum(want), rtol=1e-12)
