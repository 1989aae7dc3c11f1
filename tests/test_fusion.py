"""Fused loop nests (backends/loopnest.py, fusion.py) in the Numba and C backends.

Each program's gradient is compared with JAX (the oracle) on the Numba backend,
and the generated source is checked for the fusion it should (or must not) do:
Rosenbrock's forward chain, its sum and the adjoint accumulations become one
loop; an array read and written at different places stays unfused.
"""
import jax
import jax.numpy as jnp
import numpy as np
import pytest

pytest.importorskip("numba")

import pullback  # noqa: E402

jax.config.update("jax_enable_x64", True)
R = np.random.default_rng(3)


def rosen(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def rosen_j(x):
    return jnp.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def rows(A, b):          # broadcasting a row, a sum over an axis, a mean
    d = np.tanh(A - b) * 2.0 + A * A
    return np.sum(np.sum(d, axis=0) ** 2) + np.mean(np.exp(-d))


def rows_j(A, b):
    d = jnp.tanh(A - b) * 2.0 + A * A
    return jnp.sum(jnp.sum(d, axis=0) ** 2) + jnp.mean(jnp.exp(-d))


def grid(U):             # 2-d slices, a stencil, max
    lap = U[2:, 1:-1] + U[:-2, 1:-1] + U[1:-1, 2:] + U[1:-1, :-2] - 4.0 * U[1:-1, 1:-1]
    return np.sum(lap ** 2 * U[1:-1, 1:-1]) + np.max(np.sin(U) * U)


def grid_j(U):
    lap = U[2:, 1:-1] + U[:-2, 1:-1] + U[1:-1, 2:] + U[1:-1, :-2] - 4.0 * U[1:-1, 1:-1]
    return jnp.sum(lap ** 2 * U[1:-1, 1:-1]) + jnp.max(jnp.sin(U) * U)


def shift(x):            # in place, read at another index: must not fuse into one pass
    y = x * 1.5
    y[1:] = y[:-1] * 2.0 + y[1:]
    return np.sum(y * y)


def shift_j(x):
    y = x * 1.5
    y = y.at[1:].set(y[:-1] * 2.0 + y[1:])
    return jnp.sum(y * y)


def heat(u0, w):
    u = u0.copy()
    for _ in range(5):
        u[1:-1] = u[1:-1] + 0.25 * (u[2:] - 2.0 * u[1:-1] + u[:-2])
    return np.sum(u * u * w)


def heat_j(u0, w):
    u = u0
    for _ in range(5):
        u = u.at[1:-1].set(u[1:-1] + 0.25 * (u[2:] - 2.0 * u[1:-1] + u[:-2]))
    return jnp.sum(u * u * w)


CASES = [(rosen, rosen_j, (R.uniform(-1, 1, 50),)),
         (rows, rows_j, (R.normal(size=(6, 4)), R.normal(size=4))),
         (grid, grid_j, (R.normal(size=(7, 5)),)),
         (shift, shift_j, (R.normal(size=9),)),
         (heat, heat_j, (R.normal(size=12), R.uniform(size=12)))]


@pytest.mark.parametrize("f, fj, args", CASES, ids=[c[0].__name__ for c in CASES])
def test_numba_fused_gradients_match_jax(f, fj, args):
    argnums = tuple(range(len(args)))
    got = pullback.value_and_grad(f, argnums, backend="numba")(*args)
    want = jax.value_and_grad(fj, argnums)(*args)
    np.testing.assert_allclose(got[0], want[0], rtol=1e-11)
    for a, b in zip(got[1], want[1]):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


def test_rosenbrock_gradient_is_one_loop():
    g = pullback.grad(rosen, backend="numba")
    x = R.uniform(-1, 1, 50)
    g(x)
    src = str(pullback.source(g))
    assert src.count("def _fused_") == 1 and src.count("for k0 in range(49)") == 1
    assert "np.sum" not in src and "_getitem_vjp" not in src
    assert "x_bar[k0 + 1] += " in src          # the adjoint accumulates in place


def test_shifted_read_and_write_stay_apart():
    g = pullback.grad(shift, backend="numba")
    x = R.normal(size=9)
    g(x)
    src = str(pullback.source(g))
    # the in-place write reads y[:-1] while writing y[1:]: never one pass over y
    assert "y[k0 + 1] = " not in src and "y_1[k0 + 1] = " not in src


def test_division_by_zero_in_a_fused_loop_is_numpy_s():
    def f(x):
        return np.sum(np.exp(1.0 / x) * x)
    x = np.array([1.0, 0.0, 2.0])
    with np.errstate(divide="ignore", invalid="ignore"):
        want = pullback.value_and_grad(f)(x)
    got = pullback.value_and_grad(f, backend="numba")(x)
    np.testing.assert_array_equal(got[0], want[0])
    np.testing.assert_array_equal(got[1], want[1])


@pytest.mark.parametrize("f, fj, args", CASES, ids=[c[0].__name__ for c in CASES])
def test_c_fused_gradients_match_jax(f, fj, args):
    argnums = tuple(range(len(args)))
    c = pullback.emit_c(f, *args, argnums=argnums)
    value, grads = c.compile()(*args)
    want = jax.value_and_grad(fj, argnums)(*args)
    np.testing.assert_allclose(value, want[0], rtol=1e-11)
    for a, b in zip(grads, want[1]):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


def test_c_rosenbrock_gradient_is_one_loop_without_temporaries():
    src = pullback.emit_c(rosen, R.uniform(-1, 1, 50)).source
    grad = src[src.index("rosen_grad("):]
    assert grad.count("for (long k0 = 0; k0 < 49; k0++)") == 1
    assert "static double t" not in grad          # no array temporary is left
