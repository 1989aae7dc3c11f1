"""Audit 33's Numba-only crashes (python and C were right), each now a right number (against
JAX in x64 and central differences) or a rejection at the user's line:
``a[...] = f(a)``, whose adjoint reads ``a_bar[...]`` (Numba has no lowering for a bare
Ellipsis read); ``np.roll(h, 1) * 0.0`` in a loop, whose zero cotangent went through roll
as ``np.roll(0.0, -1)``, a 0-d array in a slot typed (n,) that a fused loop indexed; and
``W[i, :4 - i]`` in a loop, whose taped index tuple had no Numba placeholder for its
run-time slice ("cannot print a constant of type Index", at the def line)."""
import inspect

import numpy as np
import pytest

import pullback
from jax_fd import fd_grad
from pullback.errors import UnsupportedError

jax = pytest.importorskip("jax")
pytest.importorskip("numba")
jnp = jax.numpy
jax.config.update("jax_enable_x64", True)


def _check(f, f_jax, args, argnums, backend):
    value, grads = pullback.value_and_grad(f, argnums=argnums, backend=backend)(
        *[a.copy() for a in args])
    grads = grads if isinstance(argnums, tuple) else (grads,)
    want = jax.value_and_grad(f_jax, argnums=argnums)(*args)
    want_grads = want[1] if isinstance(argnums, tuple) else (want[1],)
    assert np.isclose(value, float(want[0]), rtol=1e-12)
    for k, g, w in zip(argnums if isinstance(argnums, tuple) else (argnums,), grads,
                       want_grads):
        assert np.allclose(g, w, rtol=1e-10, atol=1e-12)
        assert np.allclose(g, fd_grad(lambda *a: f(*[b.copy() for b in a]), args, k),
                           rtol=1e-5, atol=1e-7)


def ellipsis_write(x):
    a = x * 2.0
    a[...] = np.tanh(a)
    return np.sum(a * a)


def ellipsis_write_jax(x):
    a = jnp.tanh(x * 2.0)
    return jnp.sum(a * a)


def ellipsis_write_2d(x):
    a = x * 3.0
    a[...] = np.sin(a) * a
    b = a[...]
    return np.sum(b * x)


def ellipsis_write_2d_jax(x):
    a = x * 3.0
    a = jnp.sin(a) * a
    return jnp.sum(a * x)


@pytest.mark.parametrize("backend", ["python", "numba"])
def test_ellipsis_write(backend):
    x = np.array([0.3, -0.2, 0.5, 0.1])
    _check(ellipsis_write, ellipsis_write_jax, (x,), 0, backend)
    _check(ellipsis_write_2d, ellipsis_write_2d_jax, (np.linspace(-1, 1, 6).reshape(2, 3),),
           0, backend)


def roll_times_zero(x, w):
    h = x * 1.0
    for i in range(2):
        h = h * w + np.roll(h, 1) * 0.0
    return np.sum(h)


def roll_times_zero_jax(x, w):
    h = x * 1.0
    for i in range(2):
        h = h * w + jnp.roll(h, 1) * 0.0
    return jnp.sum(h)


def flip_times_zero(x, w):
    h = x * 1.0
    for i in range(3):
        h = np.tanh(h * w) + np.flip(h) * 0.0 + np.roll(h, 2) * 0.5
    return np.sum(h * h)


def flip_times_zero_jax(x, w):
    h = x * 1.0
    for i in range(3):
        h = jnp.tanh(h * w) + jnp.flip(h) * 0.0 + jnp.roll(h, 2) * 0.5
    return jnp.sum(h * h)


@pytest.mark.parametrize("backend", ["python", "numba"])
def test_zero_cotangent_through_a_linear_op(backend):
    x, w = np.array([0.3, -0.2, 0.5, 0.1]), np.array([1.1, 0.9, -0.4, 0.7])
    _check(roll_times_zero, roll_times_zero_jax, (x, w), (0, 1), backend)
    _check(flip_times_zero, flip_times_zero_jax, (x, w), (0, 1), backend)


def test_zero_cotangent_folds_before_evaluating():
    """A zero cotangent of a linear rule is the zero that stands for the array, not the
    rule evaluated on a number (np.roll(0.0, -1) is a 0-d array)."""
    from pullback.ir import Const
    from pullback.rules.algebra import fold
    got = fold("roll", (Const(0.0), Const(-1), Const(None)))
    assert type(got.value) is float and got.value == 0.0


def _shrinking(m):
    def shrinking_rows(x, W):
        for i in range(2):
            w = W[i, :4 - i]
            x = m.tanh(x * w)
            x = x[1:] + x[:-1]
        return m.sum(x)
    return shrinking_rows


shrinking_rows, shrinking_rows_jax = _shrinking(np), _shrinking(jnp)


def test_run_time_slice_in_a_loop():
    rng = np.random.default_rng(0)
    x, W = rng.normal(size=4), rng.normal(size=(2, 4))
    _check(shrinking_rows, shrinking_rows_jax, (x, W), (0, 1), "python")
    # Numba needs static shapes: rejected at the user's line (not an internal error at
    # the def line about printing an Index constant)
    with pytest.raises(UnsupportedError) as e:
        pullback.value_and_grad(shrinking_rows, argnums=(0, 1), backend="numba")(x, W)
    msg = str(e.value)
    first = inspect.getsourcelines(shrinking_rows)[1]
    assert __file__ in msg and "static array shapes" in msg, msg
    assert f":{first}:" not in msg and "Index" not in msg, msg
