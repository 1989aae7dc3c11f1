"""Numba tapes of an inner loop reserved at the outer loop's entry (backends/numba.py,
``reserve``): where the inner bounds do not change in the outer loop, no tape is
replaced inside it; a triangular inner loop still reserves at its own entry.
Gradients against JAX and central differences."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import pullback
from jax_fd import fd_grad

pytest.importorskip("numba")
jax.config.update("jax_enable_x64", True)


def _loops(m, triangular):
    def run(x, w):
        s = 0.0
        for t in range(x.shape[0]):
            for i in range(t if triangular else 3):
                s = m.sin(s * w[i % 3] + x[t])
        return s
    return run


square, square_j = _loops(np, False), _loops(jnp, False)
triangle, triangle_j = _loops(np, True), _loops(jnp, True)


def _outer_loop(src):
    body = src[src.index("def run_grad"):]
    start = body.index("for t in range(")
    return body[start:body.index("\n    for t in range(", start + 1)]


@pytest.mark.parametrize("f, fj, hoisted", [(square, square_j, True),
                                            (triangle, triangle_j, False)])
def test_inner_loop_tapes_reserved_before_the_outer_loop(f, fj, hoisted):
    x, w = np.linspace(-1.0, 1.0, 6), np.array([0.5, -0.3, 0.8])
    g = pullback.grad(f, argnums=(0, 1), backend="numba")
    got = g(x, w)
    want = jax.grad(fj, argnums=(0, 1))(x, w)
    for i in range(2):
        assert np.allclose(got[i], want[i], rtol=1e-10, atol=1e-12)
        assert np.allclose(got[i], fd_grad(f, (x, w), i), rtol=1e-5, atol=1e-7)
    assert ("_grow(" not in _outer_loop(pullback.source(g))) == hoisted
