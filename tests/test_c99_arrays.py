"""The C99 backend on fixed-shape NumPy arrays (issue 5).

Each program is emitted with ``pullback.emit_c``; all compile into one
executable with ``-std=c99 -Wall -Wextra -Werror -pedantic`` under
AddressSanitizer and UBSan, run, and must agree with the Python backend
(``pullback.value_and_grad``) to 1e-12, arrays compared element by element.
"""
import math
import os
import re
import subprocess

import numpy as np
import pytest

import pullback
from c_driver import CC, STRICT, agrees, close, results_fixture
from pullback.emit_c import emit_c

pytestmark = pytest.mark.skipif(CC is None, reason="needs a C compiler (cc)")


def elementwise_sum(x, y):
    return np.sum(x * y + np.sin(x) / (1.0 + y * y) - 0.5 * x)


def tanh_layer(W, b, x):
    h = np.tanh(W @ x + b)
    return np.sum(h * h)


def heat(u0, kappa):                # as in tests/test_numpy_programs.py
    u = u0.copy()
    n = u.shape[0]
    for step in range(30):
        new = u.copy()
        for i in range(1, n - 1):
            new[i] = u[i] + kappa * (u[i - 1] - 2.0 * u[i] + u[i + 1])
        u = new
    return np.sum(u ** 2) + u[n // 2]


def rnn(W, U, b, xs):                # as in tests/test_numpy_programs.py
    T, H = xs.shape[0], W.shape[0]
    h = np.zeros((T + 1, H))
    for t in range(T):
        h[t + 1] = np.tanh(W @ h[t] + U @ xs[t] + b)
    return np.sum(h[1:] ** 2) / T


def rnn_initial_state(W, U, xs, h0):
    hs = np.zeros((5, 3))
    hs[0] = h0
    for t in range(4):
        hs[t + 1] = np.tanh(W @ hs[t] + U @ xs[t])
    return np.sum(hs ** 2)


def row_slices(A, v):
    B = np.zeros((4, 3))
    for i in range(4):
        B[i] = A[i] * v + B[i - 1]
    B[1:3] = B[1:3] * B[0]
    B[:, 1] = np.cos(B[:, 2])
    B[2:, :2] = 0.5 * A[:2, 1:]
    return np.sum(B * B) + np.sum(B[:, 0]) + B[-1, 1]


def assorted(A, x, y):
    B = A.reshape(4, 3)
    z = np.clip(x, -0.5, 0.5) + np.square(x) + np.maximum(x, 0.1) * np.where(x > 0, x, 0.5)
    return (np.sum(np.outer(y, z) * A) + np.prod(y) + np.sum(B.ravel() ** 3) +
            np.log(np.sum(np.exp(A - np.max(A, axis=0, keepdims=True)))) +
            np.sum(np.dot(A, A.T)) + np.sum((A.T @ y) ** 2))


def softmax_cross_entropy(z, target):
    m = np.max(z)
    e = np.exp(z - m)
    p = e / np.sum(e)
    return -np.sum(target * np.log(p))


def reductions(A, x):
    y = np.zeros(4)
    y[1:3] = x[0:2] * 2.0
    return (np.sum(A[:, 1]) + np.sum(np.mean(A, axis=0)) + np.dot(x, x) +
            np.sum(np.max(A, axis=1)) + np.sum(np.min(A, axis=0) ** 2) + A[1, 2] +
            np.sum(y * y) + np.sum(A[::-1, 1:] * x[:2]) + np.mean(A @ x))


def broadcast(A, b, s):
    return np.sum(np.exp(-(A - b) ** 2) * s + b[None, :] * A[:, :1])


def matmul_2d(A, B):
    C = A @ B
    return np.sum(np.tanh(C) * C) + np.sum(np.dot(A.T, A))


def logic(x, s):     # np.all/any/count_nonzero of an array (fuzz seed 25 crashed emit_c)
    if np.all(x > 0.0) or np.any(x > 3.0):
        return np.sum(x * s) + np.count_nonzero(x > 0.6)
    return np.sum(x * x * s) + np.count_nonzero(x)


RNG = np.random.default_rng(7)
CASES = [
    ("elementwise_sum", elementwise_sum, (RNG.normal(size=5), RNG.normal(size=5)), (0, 1)),
    ("tanh_layer", tanh_layer, (RNG.normal(size=(4, 3)), RNG.normal(size=4),
                                RNG.normal(size=3)), (0, 1, 2)),
    ("heat", heat, (RNG.random(9), 0.2), (0, 1)),
    ("rnn", rnn, (0.5 * RNG.normal(size=(4, 4)), RNG.normal(size=(4, 3)), RNG.normal(size=4),
                  RNG.normal(size=(6, 3))), (0, 1, 2, 3)),
    ("rnn_h0", rnn_initial_state, (0.5 * RNG.normal(size=(3, 3)), RNG.normal(size=(3, 2)),
                                   RNG.normal(size=(4, 2)), RNG.normal(size=3)), (0, 1, 2, 3)),
    ("row_slices", row_slices, (RNG.normal(size=(4, 3)), RNG.normal(size=3)), (0, 1)),
    ("softmax_ce", softmax_cross_entropy, (RNG.normal(size=6), np.eye(6)[2]), 0),
    ("reductions", reductions, (RNG.normal(size=(2, 3)), RNG.normal(size=3)), (0, 1)),
    ("broadcast", broadcast, (RNG.normal(size=(3, 4)), RNG.normal(size=4), 0.7), (0, 1, 2)),
    ("matmul_2d", matmul_2d, (RNG.normal(size=(3, 2)), RNG.normal(size=(2, 4))), (0, 1)),
    ("logic", logic, (RNG.normal(size=4), 0.5), (0, 1)),
    ("logic_all", logic, (RNG.random(4) + 0.1, 0.5), (0, 1)),
    ("assorted", assorted, (RNG.normal(size=(3, 4)), RNG.normal(size=4), RNG.normal(size=3)),
     (0, 1, 2)),
]
IDS = [c[0] for c in CASES]


results = results_fixture(CASES, "c99_arrays")


@pytest.mark.parametrize("name, f, args, argnums", CASES, ids=IDS)
def test_agrees_with_python(results, name, f, args, argnums):
    agrees(results[name], f, args, argnums)


def test_header_documents_shapes():
    c = emit_c(tanh_layer, *CASES[1][2], argnums=(0, 1, 2))
    assert "double tanh_layer(const double *W, const double *b, const double *x);" in c.header
    assert "W: 4x3" in c.header and "row-major" in c.header
    assert "malloc" not in c.source


def test_compile_and_call_with_arrays():
    args = CASES[1][2]
    f = emit_c(tanh_layer, *args, argnums=(0, 1, 2)).compile()
    value, grads = f(*args)
    ref_value, ref_grads = pullback.value_and_grad(tanh_layer, argnums=(0, 1, 2))(*args)
    assert close(value, ref_value)
    for g, r in zip(grads, ref_grads):
        assert g.shape == r.shape and np.allclose(g, r, rtol=1e-12, atol=1e-12)
    assert close(f.value(*args), tanh_layer(*args))


def running_total(x):
    return np.sum(np.cumsum(x) ** 2)


def test_unsupported_array_code_names_the_line():
    with pytest.raises(pullback.UnsupportedError,
                       match=r"test_c99_arrays\.py:\d+:\d+: .*'cumsum'"):
        emit_c(running_total, np.ones(3))


def test_float32_arrays_compile_without_double(tmp_path):
    sources = []
    for name, f, args, argnums in CASES:
        c = emit_c(f, *args, argnums=argnums, name=name, dtype="float32")
        assert "double" not in c.source, name
        sources.append(c.write(tmp_path)[0])
    done = subprocess.run([CC, *STRICT, "-Wdouble-promotion", "-fsyntax-only", *sources],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    args = CASES[1][2]
    f = emit_c(tanh_layer, *args, argnums=(0, 1, 2), dtype="float32").compile()
    value, grads = f(*args)
    ref_value, ref_grads = pullback.value_and_grad(tanh_layer, argnums=(0, 1, 2))(*args)
    assert math.isclose(value, ref_value, rel_tol=1e-5)
    assert all(np.allclose(g, r, rtol=1e-4, atol=1e-5) for g, r in zip(grads, ref_grads))


def test_static_storage_only():
    c = emit_c(heat, *CASES[2][2], argnums=(0, 1))
    assert "malloc" not in c.source
    # (the step's whole-u tape is faint since the inner loop tapes what it reads: one
    # value an inner step, the others recomputed from it, optimize/recompute.py)
    assert re.search(r"static (double \w+|struct heat_record )tape\[210\];", c.source)


def test_cli_emit_c_with_array_arguments(tmp_path):
    from pullback.cli import main
    here = os.path.abspath(__file__)
    assert main([f"{here}:tanh_layer", "--args", "W: float64[4, 3], b: float64[4], "
                 "x: float64[3]", "--emit", "c", "-o", str(tmp_path)]) == 0
    header = " ".join((tmp_path / "tanh_layer.h").read_text().replace(" *\n", "\n")
                      .replace("\n *", " ").split())
    assert "W: 4x3 (12 doubles; d_W the same)" in header
    done = subprocess.run([CC, *STRICT, "-c", "-o", os.devnull, str(tmp_path / "tanh_layer.c")],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def weighted(x, counts, flags):
    return np.sum(x * counts) + np.sum(np.where(flags, x, 0.0) ** 2)


def test_int_and_bool_array_arguments():
    x, counts = np.array([0.5, -1.0, 2.0]), np.array([3, 1, 2])
    flags = np.array([True, False, True])
    c = emit_c(weighted, x, counts, flags)
    assert "const long *counts" in c.header and "const int *flags" in c.header
    value, g = c.compile()(x, counts, flags)
    ref_value, ref_g = pullback.value_and_grad(weighted)(x, counts, flags)
    assert close(value, ref_value) and np.allclose(g, ref_g, rtol=1e-12, atol=1e-12)


def test_repeated_calls_reuse_static_buffers():
    f = emit_c(heat, *CASES[2][2], argnums=(0, 1)).compile()
    for scale in (1.0, 0.5, 2.0):
        u0 = CASES[2][2][0] * scale
        value, (d_u0, d_kappa) = f(u0, 0.2)
        ref_value, (ref_u0, ref_kappa) = pullback.value_and_grad(heat, argnums=(0, 1))(u0, 0.2)
        assert close(value, ref_value) and close(d_kappa, ref_kappa)
        assert np.allclose(d_u0, ref_u0, rtol=1e-12, atol=1e-12)


def _scaled_sum(a, x):
    return np.sum(x * a) + a ** 2


def test_a_0d_array_argument_is_taken_as_compiled():
    """emit_c compiled for a 0-d example, then refused it: ascontiguousarray made it
    (1,).  Against the analytic derivative."""
    a, x = np.array(1.5), np.array([0.3, 0.5, -0.8])
    value, (ga, gx) = emit_c(_scaled_sum, a, x, argnums=(0, 1)).compile()(a, x)
    assert close(value, _scaled_sum(a, x))
    assert np.allclose(ga, np.sum(x) + 2 * a) and np.allclose(gx, [1.5, 1.5, 1.5])
