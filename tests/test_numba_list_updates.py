"""The Numba backend updates a list's adjoint in place where nothing else can see it
(backends/numba_list_updates.py): each program here reads rows of a list it rewrites,
keeps a row across later writes, or reads the list backwards; the gradient must be
JAX's (the same source over jax.numpy) and the generated code must not copy the
adjoint per update."""
import numpy
import pytest

import pullback

jax = pytest.importorskip("jax")
pytest.importorskip("numba")
jnp = jax.numpy
jax.config.update("jax_enable_x64", True)


def swapped(x, W, np=numpy):
    hs = [x * (k + 1.0) for k in range(2)]
    for t in range(3):
        for i in range(2):
            a = hs[i]
            hs[i] = np.tanh(a * W[i] + hs[(i + 1) % 2])
            hs[(i + 1) % 2] = hs[(i + 1) % 2] + a * 0.5
    return np.sum(hs[0] * hs[1])


def cells(x, W, np=numpy):
    hs = [x ** (k + 1) for k in range(2)]
    cs = [x + (1.0 - 2.0 * k) for k in range(2)]
    total = 0.0
    for t in range(4):
        for i in range(2):
            c = cs[i] * W[i] + hs[i]
            cs[i] = c
            hs[i] = np.tanh(c) * hs[i]
            total = total + np.sum(hs[i] * cs[i])
    return total


def mirrored(x, W, np=numpy):
    hs = [x]
    for t in range(3):
        hs.append(np.sin(hs[-1] * W[t % 2]))
    for t in range(len(hs)):
        hs[t] = hs[t] * hs[len(hs) - 1 - t]
    return np.sum(hs[1] + hs[2] * hs[0])


def kept(x, W, np=numpy):
    hs = [x * (2.0 * k + 1.0) for k in range(2)]
    keep = hs[0]
    for t in range(3):
        old = hs[0]
        hs[0] = hs[1] * W[0]
        hs[1] = old * W[1] + keep
    return np.sum(hs[0] * hs[1] * keep)


RNG = numpy.random.default_rng(0)
X, W = RNG.standard_normal(4), RNG.standard_normal((2, 4)) * 0.5


@pytest.mark.parametrize("f", [swapped, cells, mirrored, kept])
def test_in_place_list_adjoints_match_jax(f):
    g = pullback.value_and_grad(f, argnums=(0, 1), backend="numba")
    value, (gx, gw) = g(X, W)
    want_v, (wx, ww) = jax.value_and_grad(lambda x, w: f(x, w, jnp), argnums=(0, 1))(X, W)
    assert value == pytest.approx(float(want_v), rel=1e-13)
    numpy.testing.assert_allclose(gx, wx, rtol=1e-12, atol=1e-14)
    numpy.testing.assert_allclose(gw, ww, rtol=1e-12, atol=1e-14)
    src = pullback.source(g)
    assert "_list_add_into(" in src and "_list_add_row(" not in src, src
