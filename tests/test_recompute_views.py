"""optimize/recompute.py on arrays: a row of an input no statement writes in place
(``w = W[t]``, ``w[:2]``) is a view computed again in the reverse loop, not copied onto a
tape and back (the ADBench LSTM's weight slices); where the program writes an array in
place through a name that may share an input's memory, rows stay taped.  Gradients
against JAX and central differences on both backends."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import pullback
from jax_fd import fd_grad
from pullback.ir import Assign, For, Push
from pullback.ir.types import is_array, of_value
from pullback.ir.walk import walk
from pullback.pipeline import Reverse, derive

jax.config.update("jax_enable_x64", True)


def rows(W, s, np=np):
    y = s
    for t in range(3):
        w = W[t]
        head = w[:2]
        y = y * np.sum(np.sin(head * y) * w[1:])
    return y


def written_in_place(W, s):
    A = W * 1.0             # written in place below: its rows are taped, not recomputed
    y = s
    for t in range(3):
        w = A[t]
        y = y * np.sum(np.sin(w * y))
        A[(t + 1) % 3, 0] = y
    return y


def written_in_place_jax(W, s):
    A = W * 1.0
    y = s
    for t in range(3):
        w = A[t]
        y = y * jnp.sum(jnp.sin(w * y))
        A = A.at[(t + 1) % 3, 0].set(y)
    return y


W = np.array([[0.3, -0.8, 1.1], [0.9, 0.2, -0.4], [-0.5, 0.7, 0.6]])


def taped_arrays(f):
    types = [of_value(W), "float"]
    fn = derive(f, types, None, (Reverse((True, True)),))[1].functions[0]
    loop = next(s for s in fn.body if isinstance(s, For))
    return [s.value.name for s in walk(loop.body) if isinstance(s, Push)
            and is_array(getattr(s.value, "type", None))]


def test_rows_of_an_input_are_not_taped():
    taped = taped_arrays(rows)      # (the products the reverse sweep reads stay taped)
    assert "w" not in taped and "head" not in taped


@pytest.mark.parametrize("backend", ["python", "numba"])
def test_gradients(backend):
    got = pullback.grad(rows, argnums=(0, 1), backend=backend)(W, 0.8)
    want = jax.grad(lambda W, s: rows(W, s, jnp), argnums=(0, 1))(W, 0.8)
    assert np.allclose(got[0], want[0], rtol=1e-12) and np.isclose(got[1], want[1], rtol=1e-12)
    assert np.allclose(got[0], fd_grad(rows, (W, 0.8), 0), rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("backend", ["python", "numba"])
def test_rows_of_an_array_written_in_place_stay_exact(backend):
    assert taped_arrays(written_in_place)
    got = pullback.grad(written_in_place, argnums=(0, 1), backend=backend)(W, 0.8)
    want = jax.grad(written_in_place_jax, argnums=(0, 1))(W, 0.8)
    assert np.allclose(got[0], want[0], rtol=1e-12) and np.isclose(got[1], want[1], rtol=1e-12)
