"""Array values in the reverse loop: cheap elementwise recomputation (optimize/recompute.py,
``1 + e`` and ``1 / d`` of a sigmoid are not taped, and each lands right before its first
reader, where the Numba backend fuses it) and arrays a nest allocated, updated in place
without run-time overlap tests (backends/numba.py ``_calls``).  Gradients against JAX
and central differences."""
import shutil

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import pullback
from pullback.ir import For, Push
from pullback.ir.walk import walk
from pullback.pipeline import Reverse, derive

jax.config.update("jax_enable_x64", True)


def _gates(m):
    def gated(w, b, seq):
        """An LSTM cell's shape: gates are sigmoids of affine maps of the state."""
        h = m.zeros(3)
        c = h
        for t in range(seq.shape[0]):
            f = 1.0 / (1.0 + m.exp(-(seq[t] * w[:3] + b[:3])))
            o = 1.0 / (1.0 + m.exp(-(h * w[3:] + b[3:])))
            c = c * f + (1.0 - f) * m.tanh(seq[t])
            h = o * m.tanh(c)
        return m.sum(h * h) + m.sum(c)
    return gated


gated, gated_jax = _gates(np), _gates(jnp)
RNG = np.random.default_rng(3)
ARGS = (RNG.normal(size=6), RNG.normal(size=6), RNG.normal(size=(7, 3)))


def test_sigmoid_denominators_are_recomputed_not_taped():
    types = [pullback.arguments.arg_type(a, i) for i, a in enumerate(ARGS)]
    fn = derive(gated, types, None, (Reverse((True, True, False)),))[1].functions[0]
    loop = next(s for s in fn.body if isinstance(s, For))
    pushed = [s.value.name for s in walk(loop.body) if isinstance(s, Push)]
    # the two exps and what they feed are restored or recomputed: f and o are not taped
    assert "f" not in pushed and "o" not in pushed, pushed


@pytest.mark.parametrize("backend", ["python", "numba"])
def test_gradient(backend):
    if backend == "numba":
        pytest.importorskip("numba")
    got = pullback.grad(gated, argnums=(0, 1), backend=backend)(*ARGS)
    want = jax.grad(gated_jax, argnums=(0, 1))(*ARGS)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, np.asarray(w), rtol=1e-10, atol=1e-12)
    h, w0 = 1e-6, ARGS[0]
    for i in range(w0.size):
        up, dn = w0.copy(), w0.copy()
        up[i] += h
        dn[i] -= h
        fd = (gated(up, *ARGS[1:]) - gated(dn, *ARGS[1:])) / (2 * h)
        assert abs(got[0][i] - fd) <= 1e-6 * max(1.0, abs(fd))


def _layers(m):
    def layered(W, seq):
        """Per-layer weight rows: each reverse iteration makes its rows' adjoints afresh
        and adds them to ``W``'s adjoint."""
        h = [m.zeros(3), m.zeros(3)]
        total = 0.0
        for t in range(seq.shape[0]):
            x = seq[t]
            for i in range(2):
                w = W[i]
                g = 1.0 / (1.0 + m.exp(-(x * w[:3] + w[3:6])))
                h[i] = g * m.tanh(h[i] * w[6:] + x)
                x = h[i]
            total = total + m.sum(x * x)
        return total
    return layered


layered, layered_jax = _layers(np), _layers(jnp)


def test_arrays_made_in_the_iteration_are_updated_without_overlap_tests():
    pytest.importorskip("numba")
    W, seq = RNG.normal(size=(2, 9)), RNG.normal(size=(5, 3))
    g = pullback.grad(layered, backend="numba")
    np.testing.assert_allclose(g(W, seq), np.asarray(jax.grad(layered_jax)(W, seq)),
                               rtol=1e-10, atol=1e-12)
    text = pullback.source(g)
    rev = text[text.index("for t in range(5 - 1"):]
    nests = [ln.split("(")[0].split()[-1] for ln in rev.splitlines() if "= _fused_" in ln]
    tested = [n for n in nests if f"def {n}(" in text and
              "_shares_memory(" in text[text.index(f"def {n}("):].split("\n\n")[0]]
    # the weight rows' adjoints, made by one nest and updated by the next, are owned
    assert len(tested) < len(nests), (nests, tested)


def overlap(x):
    a = x * 2.0
    v = a[1:]               # a view of a nest's array: a is no longer owned
    a[:-1] += v
    b = np.exp(a)
    b[1:] += b[:-1]         # an in-place write that reads the array it writes
    return np.sum(b * a)


def overlap_jax(x):
    a = x * 2.0
    a = a.at[:-1].add(a[1:])
    b = jnp.exp(a)
    b = b.at[1:].add(b[:-1])
    return jnp.sum(b * a)


@pytest.mark.parametrize("backend", ["python", "numba"])
def test_views_of_allocated_arrays_keep_numpy_semantics(backend):
    if backend == "numba":
        pytest.importorskip("numba")
    x = np.array([0.3, -0.2, 0.5, 0.1])
    value, grad = pullback.value_and_grad(overlap, backend=backend)(x)
    assert value == pytest.approx(overlap(x), rel=1e-12)
    np.testing.assert_allclose(grad, np.asarray(jax.grad(overlap_jax)(x)), rtol=1e-10)


@pytest.mark.parametrize("backend", ["python", "numba", "c"])
def test_a_row_rebound_after_a_fused_read_of_the_old_row(backend):
    """``w = W[i]`` unrolled: the first layer's nest read ``w[6:]`` of row 0 while the
    slice of row 1 (``w = W[1]``) was printed before it, so Numba and C computed the
    value and the gradient with the wrong row."""
    W, seq = RNG.normal(size=(2, 9)), RNG.normal(size=(5, 3))
    want_v, want_g = jax.value_and_grad(layered_jax)(W, seq)
    if backend == "c":
        if shutil.which("cc") is None:
            pytest.skip("needs a C compiler (cc)")
        value, grad = pullback.emit_c(layered, W, seq).compile()(W, seq)
    else:
        if backend == "numba":
            pytest.importorskip("numba")
        value, grad = pullback.value_and_grad(layered, backend=backend)(W, seq)
    assert value == pytest.approx(layered(W, seq), rel=1e-12)
    assert value == pytest.approx(float(want_v), rel=1e-12)
    np.testing.assert_allclose(grad, np.asarray(want_g), rtol=1e-10, atol=1e-12)
