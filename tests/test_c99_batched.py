"""The C99 backend on batched matrix products (issue 5).

``@`` / ``np.matmul`` on stacks of matrices: 3-D operands, batch dimensions
broadcast against 2-D ones and size-1 batches, and vectors against stacks.
All cases compile into one executable with the strict flags under
AddressSanitizer and UBSan and must agree with the Python backend to 1e-12.
"""
import numpy as np
import pytest

import pullback
from c_driver import CC, agrees, results_fixture
from pullback.emit_c import emit_c

pytestmark = pytest.mark.skipif(CC is None, reason="needs a C compiler (cc)")


def multihead_attention(Q, K, V):
    """Attention over heads (h, n, d) as a user writes it."""
    S = Q @ np.transpose(K, (0, 2, 1)) / np.sqrt(Q.shape[-1])
    S = S - np.max(S, axis=-1, keepdims=True)
    P = np.exp(S)
    P = P / np.sum(P, axis=-1, keepdims=True)
    return np.sum((P @ V) ** 2)


def broadcast_batches(A, B, W, x):
    C = np.matmul(A, B)                 # (2, 3, 4) @ (1, 4, 5): a size-1 batch
    D = np.tanh(C) @ W                  # (2, 3, 5) @ (5, 2): a matrix against a stack
    return np.sum(D ** 2) + np.sum(x @ A) + np.sum((A @ B[0, :, 1]) * 0.5)


def stacked_layers(Ws, xs):
    """A batch of inputs through per-example weights, in a loop."""
    h = xs
    for k in range(2):
        h = np.tanh(Ws @ h)             # (3, 4, 4) @ (3, 4, 2)
    return np.sum(h ** 2)


RNG = np.random.default_rng(3)
CASES = [
    ("multihead_attention", multihead_attention, (RNG.normal(size=(2, 3, 4)),
                                                  RNG.normal(size=(2, 5, 4)),
                                                  RNG.normal(size=(2, 5, 3))), (0, 1, 2)),
    ("broadcast_batches", broadcast_batches, (RNG.normal(size=(2, 3, 4)),
                                              RNG.normal(size=(1, 4, 5)),
                                              RNG.normal(size=(5, 2)), RNG.normal(size=3)),
     (0, 1, 2, 3)),
    ("stacked_layers", stacked_layers, (0.5 * RNG.normal(size=(3, 4, 4)),
                                        RNG.normal(size=(3, 4, 2))), (0, 1)),
]
results = results_fixture(CASES, "c99_batched")


@pytest.mark.parametrize("name, f, args, argnums", CASES, ids=[c[0] for c in CASES])
def test_agrees_with_python(results, name, f, args, argnums):
    agrees(results[name], f, args, argnums)


def dot_of_stacks(A, B):
    return np.sum(np.dot(A, B))


def test_dot_of_stacks_names_the_line():
    with pytest.raises(pullback.UnsupportedError,
                       match=r"test_c99_batched\.py:\d+:\d+: .*'dot' of shapes"):
        emit_c(dot_of_stacks, np.ones((2, 3, 4)), np.ones((4, 2)))


def test_float32_builds_without_double(tmp_path):
    """Rows, calls and stacks in single precision: no double anywhere, no promotion."""
    import subprocess
    import test_c99_calls
    import test_c99_rows
    from c_driver import STRICT
    sources = []
    for name, f, args, argnums in CASES + test_c99_rows.CASES + test_c99_calls.CASES:
        c = emit_c(f, *args, argnums=argnums, name=name, dtype="float32")
        assert "double" not in c.source, name
        sources.append(c.write(tmp_path)[0])
    done = subprocess.run([CC, *STRICT, "-Wdouble-promotion", "-fsyntax-only", *sources],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
