"""Audit 32's crashes inside pullback or its generated code, each now a right number
(against JAX in x64 and central differences) or a rejection at the user's line:
x[()] of a 0-d array printed as ``x[]``; np.hstack of a 0-d part; lstsq's residual
tangent typed on a rank-deficient stand-in; svd(full_matrices=True)'s extra vectors in
forward mode; a dead residual array in C (-Werror); dtype=bool in nopython code;
np.cross of 2-vectors."""
import warnings

import numpy as np
import pytest

import pullback
from c_driver import CC
from jax_fd import fd_grad
from pullback.errors import UnsupportedError

jax = pytest.importorskip("jax")
jnp = jax.numpy


def index0d(x):
    return x[()] * 2.0


def sin_index0d(x):
    return np.sum(np.sin(index0d(x)))


@pytest.mark.parametrize("backend", ["python", "numba"])
def test_index_0d_array(backend):
    x = np.array(0.5)
    _, pull = pullback.vjp(index0d, x, backend=backend)
    assert np.allclose(pull(1.0)[0], 2.0)
    assert np.allclose(pullback.jvp(index0d, (x,), (np.array(1.0),), backend=backend)[1], 2.0)
    assert np.isclose(pullback.grad(sin_index0d, backend=backend)(x), 2.0 * np.cos(1.0))
    hess = pullback.hessian(sin_index0d, backend=backend)(x)
    assert np.isclose(hess, -4.0 * np.sin(1.0))


def hstack_tail(x, y):
    return np.sum(np.sin(np.hstack([x, y])) * np.arange(1.0, 4.0))


def hstack_head(x, y):
    return np.sum(np.sin(np.hstack([y, x])) * np.arange(1.0, 4.0))


@pytest.mark.parametrize("backend", ["python", "numba"])
@pytest.mark.parametrize("f", [hstack_tail, hstack_head])
@pytest.mark.parametrize("head", [np.array(0.5), 0.5], ids=["0d", "float"])
def test_hstack_of_a_0d_array(f, head, backend):    # Numba's float head: y's was cos(y[0])
    args = (head, np.array([0.1, 0.2]))
    got = pullback.grad(f, argnums=(0, 1), backend=backend)(*args)
    for i in (0, 1):
        assert np.allclose(got[i], fd_grad(f, args, i), rtol=1e-6)
    t = (np.array(1.0) if isinstance(head, np.ndarray) else 1.0, np.array([0.5, -2.0]))
    want = sum(np.sum(fd_grad(f, args, i) * t[i]) for i in (0, 1))
    assert np.isclose(pullback.jvp(f, args, t, backend=backend)[1], want, rtol=1e-6)


def lstsq_x(A, b, np=np):
    return np.linalg.lstsq(A, b, rcond=None)[0]


def lstsq_both(A, b, np=np):
    x, r, _, _ = np.linalg.lstsq(A, b, rcond=None)
    return np.sum(x * x) + np.sum(r * 1.5)


@pytest.mark.parametrize("f", [lstsq_x, lstsq_both])
@pytest.mark.parametrize("ncols", [None, 2])
def test_lstsq_jvp(f, ncols):
    rng = np.random.default_rng(0)
    A = rng.standard_normal((5, 3))
    b = rng.standard_normal((5,) if ncols is None else (5, ncols))
    tA, tb = rng.standard_normal(A.shape), rng.standard_normal(b.shape)
    got = pullback.jvp(f, (A, b), (tA, tb))[1]
    want = jax.jvp(lambda A, b: f(A, b, np=jnp), (A, b), (tA, tb))[1]
    assert np.allclose(got, want, rtol=1e-9, atol=1e-10)


def svd_full_u(x):
    u, s, vh = np.linalg.svd(x)
    return u[:, :3] * s @ vh


def svd_full_vh(x):          # vh of a tall x has no extra rows: the thin one's tangent
    u, s, vh = np.linalg.svd(x)
    return vh * s[:, None]


def test_svd_full_matrices_forward():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((4, 3))
    with pytest.raises(UnsupportedError, match=r"test_audit32_crashes\.py:\d+:\d+: the extra "
                       r"singular vectors.*full_matrices=False"):
        pullback.jvp(svd_full_u, (x,), (np.ones_like(x),))
    t, h = rng.standard_normal(x.shape), 1e-6
    fd = (svd_full_vh(x + h * t) - svd_full_vh(x - h * t)) / (2 * h)
    assert np.allclose(pullback.jvp(svd_full_vh, (x,), (t,))[1], fd, atol=1e-7)


def transposed_cubes(x):
    return np.transpose(np.reshape(x, (2, 2)), (1, 0)).ravel() ** 3


def sum_sin_cubes(x):       # a split pair whose residual t2 the rev reads for its shape
    return np.sum(np.sin(transposed_cubes(x)))


@pytest.mark.skipif(CC is None, reason="needs a C compiler (cc)")
def test_c_residual_read_for_its_shape_only():
    x = np.array([0.3, -1.2, 0.7, 2.0])
    value, g = pullback.emit_c(sum_sin_cubes, x).compile()(x)     # -Werror: no dead t2
    want = jax.value_and_grad(lambda x: jnp.sum(jnp.sin(x.reshape(2, 2).T.ravel() ** 3)))(x)
    assert np.isclose(value, want[0]) and np.allclose(g, want[1])


def eye_mask(pos):
    r = np.where(np.eye(len(pos), dtype=bool), 1.0, pos[:, None] - pos[None, :])
    return np.sum(r ** 2) + np.sum(pos * np.arange(3, dtype=float)
                                   * np.ones(3, dtype=int))


@pytest.mark.parametrize("backend", ["python", "numba"])
def test_builtin_dtypes(backend):
    x = np.array([0.5, 1.5, 2.5])
    assert np.allclose(pullback.grad(eye_mask, backend=backend)(x), fd_grad(eye_mask, (x,), 0))


def crossed(a, b, np=np):
    c = np.cross(a, b)
    return np.sum(np.sin(c) * np.cos(c + 0.3))


CROSS = [((2,), (2,)), ((2,), (3,)), ((3,), (2,)), ((4, 2), (2,)), ((4, 3), (4, 2))]


@pytest.mark.parametrize("backend", ["python", "numba"])
@pytest.mark.parametrize("sa, sb", CROSS, ids=[f"{a}x{b}" for a, b in CROSS])
def test_cross_of_2_vectors(sa, sb, backend):
    rng = np.random.default_rng(1)
    a, b = rng.standard_normal(sa), rng.standard_normal(sb)
    want = jax.grad(lambda a, b: crossed(a, b, np=jnp), argnums=(0, 1))(a, b)
    value, got = pullback.value_and_grad(crossed, argnums=(0, 1), backend=backend)(a, b)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)   # NumPy 2: 2-vectors
        assert np.isclose(value, crossed(a, b))
    assert all(np.allclose(g, w, rtol=1e-10) for g, w in zip(got, want))


def test_cross_of_4_vectors_raises_as_numpy():
    with pytest.raises(ValueError, match="incompatible dimensions for cross product"):
        pullback.grad(lambda a, b: np.sum(np.cross(a, b)))(np.ones(4), np.ones(3))
