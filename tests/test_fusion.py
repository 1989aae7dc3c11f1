"""Fused loop nests (backends/loopnest.py, fusion.py) in the Numba and C backends.

Each program's gradient is compared with JAX (the oracle) on the Numba backend,
and the generated source is checked for the fusion it should (or must not) do:
Rosenbrock's forward chain, its sum and the adjoint accumulations become one
loop; an array read and written at different places stays unfused.
"""
import re

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


def smooth(x, w):         # an adjoint at three shifts of x_bar, gathered: products recomputed
    y = (x[2:] - x[:-2]) * x[1:-1] + np.exp(0.1 * x[:-2]) * w
    z = x * 1.0
    z[1:-1] = y
    return np.sum(z * z)


def smooth_j(x, w):
    y = (x[2:] - x[:-2]) * x[1:-1] + jnp.exp(0.1 * x[:-2]) * w
    return jnp.sum(x.at[1:-1].set(y) ** 2)


def mixture(x, m, L):    # x[:, None, :] broadcast, a batched product (BLAS), a leading-axis sum
    xc = x[:, None, :] - m[None, :, :]
    qxc = np.exp(m)[None, :, :] * xc + np.einsum("kij,nkj->nki", L, xc)
    return np.sum(np.log(np.sum(qxc * qxc, 2))) + np.sum(np.sum(np.tanh(xc), 0) ** 2)


def mixture_j(x, m, L):
    xc = x[:, None, :] - m[None, :, :]
    qxc = jnp.exp(m)[None, :, :] * xc + jnp.einsum("kij,nkj->nki", L, xc)
    return jnp.sum(jnp.log(jnp.sum(qxc * qxc, 2))) + jnp.sum(jnp.sum(jnp.tanh(xc), 0) ** 2)


CASES = [(rosen, rosen_j, (R.uniform(-1, 1, 50),)),
         (rows, rows_j, (R.normal(size=(6, 4)), R.normal(size=4))),
         (grid, grid_j, (R.normal(size=(7, 5)),)),
         (shift, shift_j, (R.normal(size=9),)),
         (heat, heat_j, (R.normal(size=12), R.uniform(size=12))),
         (smooth, smooth_j, (R.normal(size=11), R.normal(size=9))),
         (mixture, mixture_j, (R.normal(size=(70, 8)), R.normal(size=(3, 8)),
                               R.normal(size=(3, 8, 8))))]


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
    assert src.count("def _fused_") == 1 and src.count("for k0 in range(1, 49)") == 1
    assert "np.sum" not in src and "_getitem_vjp" not in src
    # the adjoint is gathered: one write per element of a fresh x_bar, x_bar[k0 + 1]'s
    # share recomputed
    assert "x_bar[k0] = " in src and "x_bar[k0 + 1]" not in src and "x[(k0 - 1)]" in src
    assert "np.empty((50,)" in src and "np.zeros" not in src


def test_shifted_read_and_write_stay_apart():
    g = pullback.grad(shift, backend="numba")
    x = R.normal(size=9)
    g(x)
    src = str(pullback.source(g))
    # the in-place write reads y[:-1] while writing y[1:]: never one pass over y
    assert "y[k0 + 1] = " not in src and "y_1[k0 + 1] = " not in src


def test_mixture_gradient_against_central_differences():
    args = CASES[-1][2]
    g = pullback.grad(mixture, (0, 1, 2), backend="numba")
    got = g(*args)
    src = str(pullback.source(g))
    assert "_blas_gemm(" in src                    # the batched products go to BLAS in place
    assert "x[k0, k2]" in src                      # x[:, None, :] read in the loop, no copy
    for i, a in enumerate(args):
        for j in R.choice(a.size, 4, replace=False):
            h = np.zeros(a.size)
            h[j] = 1e-6
            hi, lo = list(args), list(args)
            hi[i], lo[i] = a + h.reshape(a.shape), a - h.reshape(a.shape)
            fd = (mixture(*hi) - mixture(*lo)) / 2e-6
            np.testing.assert_allclose(got[i].ravel()[j], fd, rtol=1e-5, atol=1e-6)


def test_heat_adjoint_gathers_each_element_once():
    g = pullback.grad(heat, backend="numba")
    g(R.normal(size=12), R.uniform(size=12))
    src = str(pullback.source(g))
    # one += per element of u_bar, the earlier iterations' values recomputed
    assert "if k0 >= 1:" in src and "[(k0 - 2)]" in src and "u_bar[k0 + 2] +=" not in src


def test_smooth_against_central_differences():
    x, w = R.normal(size=11), R.normal(size=9)
    got = pullback.grad(smooth, (0, 1), backend="numba")(x, w)
    for i, a in enumerate((x, w)):
        for j in range(a.size):
            h = np.zeros(a.size)
            h[j] = 1e-6
            hi, lo = [x, w], [x, w]
            hi[i], lo[i] = a + h, a - h
            np.testing.assert_allclose(got[i][j], (smooth(*hi) - smooth(*lo)) / 2e-6,
                                       rtol=1e-6, atol=1e-7)


def test_shares_memory_sees_views_of_either_stride_sign():
    from numba import njit
    from pullback.backends.numba_fused import MEMORY_EXTENT, SHARES_MEMORY
    ns = {"njit": njit}
    exec(MEMORY_EXTENT, ns)
    ns["_memory_extent"] = njit(ns["_memory_extent"])
    exec(SHARES_MEMORY, ns)
    shares = njit(ns["_shares_memory"])
    a = np.zeros((6, 4))
    assert shares(a, a[::-1]) and shares(a[2:, 1], a[::-2, ::-1]) and shares(a.T, a[5:])
    assert not shares(a[:3], a[3:]) and not shares(a, np.zeros(3)) and not shares(a[:0], a)
    assert not shares(a[:2, ::-1], a[2:])


def test_division_by_zero_in_a_fused_loop_is_numpy_s():
    def f(x):
        return np.sum(np.exp(1.0 / x) * x)
    x = np.array([1.0, 0.0, 2.0])
    with np.errstate(divide="ignore", invalid="ignore"):
        want = pullback.value_and_grad(f)(x)
    got = pullback.value_and_grad(f, backend="numba")(x)
    np.testing.assert_array_equal(got[0], want[0])
    np.testing.assert_array_equal(got[1], want[1])


C_CASES = CASES[:-1]        # the C backend has no einsum


@pytest.mark.parametrize("f, fj, args", C_CASES, ids=[c[0].__name__ for c in C_CASES])
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


def test_a_call_between_two_parts_of_a_run_goes_before_it():
    """``qxc = exp(m) * xc + einsum(L, xc)``: the einsum reads nothing the loop assigns,
    so it runs first and the product, the sum and the reduction over qxc are one loop
    (fusion._independent); before, the einsum split them in three passes."""
    args = CASES[-1][2]
    g = pullback.grad(mixture, (0, 1, 2), backend="numba")
    g(*args)
    src = str(pullback.source(g))
    assert re.search(r"= _fused_\w+\(t4, xc, _einsum_kij_nkj_to_nki_\w+\(L, xc\)\)", src), src


A0 = np.array([1.0, 2.0, 3.0, 4.0])


def test_a_nest_nothing_reads_prints_nothing():
    """The forward product of ``x[:, None] * x[None, :]`` is read by no reverse statement:
    its nest has no outputs, and was printed as a call assigned to nothing (an
    IndentationError in the generated module)."""
    def f(x):
        return np.sum(x[:, None] * x[None, :] * A0[:, None])
    x = np.array([0.5, -1.0, 2.0, 0.3])
    got = pullback.grad(f, backend="numba")(x)
    assert np.allclose(got, jax.grad(lambda x: jnp.sum(x[:, None] * x[None, :] *
                                                       A0[:, None]))(x), rtol=1e-12)
