"""The C99 backend on indices mixing run-time ints and slices (issue 5).

Rows and columns addressed by loop variables (``x[i, :]``, ``x[:, j]``,
``x[i, 1:3]``, ``y[i, :] = v``, ``y[i, :] += v``, ``x[i, j]``), written the
way users write a heat equation, an RNN or attention by rows.  All cases
compile into one executable with the strict flags under AddressSanitizer
and UBSan and must agree with the Python backend to 1e-12.
"""
import numpy as np
import pytest

import pullback
from c_driver import CC, agrees, results_fixture, run_array_cases
from pullback.emit_c import emit_c

pytestmark = pytest.mark.skipif(CC is None, reason="needs a C compiler (cc)")


def heat_2d(u0, kappa):
    """Explicit heat step on a grid, updated row by row (fixed boundary)."""
    u = u0.copy()
    n = u.shape[0]
    for step in range(8):
        new = u.copy()
        for i in range(1, n - 1):
            new[i, 1:-1] = u[i, 1:-1] + kappa * (u[i - 1, 1:-1] + u[i + 1, 1:-1] + u[i, :-2] +
                                                 u[i, 2:] - 4.0 * u[i, 1:-1])
        u = new
    return np.sum(u ** 2) + u[n // 2, n // 2]


def rnn_rows(W, U, b, xs):
    T, H = xs.shape[0], W.shape[0]
    hs = np.zeros((T + 1, H))
    for t in range(T):
        hs[t + 1, :] = np.tanh(W @ hs[t, :] + U @ xs[t, :] + b)
    return np.sum(hs[1:, :] ** 2) / T


def attention_rows(Q, K, V):
    out = np.zeros((Q.shape[0], V.shape[1]))
    for i in range(Q.shape[0]):
        s = K @ Q[i, :]
        w = np.exp(s - np.max(s))
        w = w / np.sum(w)
        out[i, :] = V.T @ w
    return np.sum(out ** 2)


def matvec_by_hand(A, x):
    n, m = A.shape
    y = np.zeros(n)
    for i in range(n):
        acc = 0.0
        for j in range(m):
            acc = acc + A[i, j] * x[j]
        y[i] = np.tanh(acc)
    return np.sum(y * y)


def columns(A, v):
    B = np.zeros((4, 3))
    for j in range(3):
        B[:, j] = A[:, j] * v[j] + A[:, (j + 1) % 3]
    for i in range(4):
        B[i, :] += v * B[i - 1, :]          # i - 1 wraps to the last row at i = 0
        B[i, 1:3] += A[i, 0:2] ** 2
        B[i, 0] = B[i, 0] * A[3 - i, 2]
    return np.sum(B * B) + np.sum(A[i, 1:])


def planes(T, w):
    """A 3-D array read and written through run-time planes and columns."""
    S = T.copy()
    for i in range(2):
        for j in range(3):
            S[i, :, j] = np.sin(T[i, :, j]) * w[j] + S[i - 1, :, j]
    return np.sum(S ** 2) + np.sum(S[1, 2, :])


def interpolate(table, xs):
    """Linear interpolation in a lookup table, as embedded code does it."""
    total = 0.0
    for k in range(xs.shape[0]):
        u = xs[k] * (table.shape[0] - 1)
        j = int(u)
        w = u - j
        total = total + (1.0 - w) * table[j, :] @ table[j + 1, :] + w * table[j + 1, 0]
    return total


def run_time_tuple_index(A):
    B = np.zeros((4, 3))
    for i in range(4):
        B[i, :] = A[i] * 2.0
    return np.sum(B)


RNG = np.random.default_rng(11)
CASES = [
    ("heat_2d", heat_2d, (RNG.random((6, 6)), 0.2), (0, 1)),
    ("rnn_rows", rnn_rows, (0.5 * RNG.normal(size=(4, 4)), RNG.normal(size=(4, 3)),
                            RNG.normal(size=4), RNG.normal(size=(5, 3))), (0, 1, 2, 3)),
    ("attention_rows", attention_rows, (RNG.normal(size=(3, 4)), RNG.normal(size=(5, 4)),
                                        RNG.normal(size=(5, 2))), (0, 1, 2)),
    ("matvec_by_hand", matvec_by_hand, (RNG.normal(size=(3, 4)), RNG.normal(size=4)), (0, 1)),
    ("columns", columns, (RNG.normal(size=(4, 3)), RNG.normal(size=3)), (0, 1)),
    ("planes", planes, (RNG.normal(size=(2, 4, 3)), RNG.normal(size=3)), (0, 1)),
    ("run_time_tuple_index", run_time_tuple_index, (RNG.normal(size=(4, 3)),), 0),
    ("interpolate", interpolate, (RNG.normal(size=(6, 2)), np.array([0.1, 0.45, 0.7])),
     (0, 1)),
]


results = results_fixture(CASES, "c99_rows")


@pytest.mark.parametrize("name, f, args, argnums", CASES, ids=[c[0] for c in CASES])
def test_agrees_with_python(results, name, f, args, argnums):
    agrees(results[name], f, args, argnums)


def test_index_tuples_are_taped_as_long_arrays():
    c = emit_c(heat_2d, *CASES[0][2], argnums=(0, 1))
    assert "long " in c.source and "malloc" not in c.source


def window(x):
    s = 0.0
    for i in range(3):
        s = s + np.sum(x[i:i + 2] ** 2)
    return s


def fancy_row(A, idx):
    s = 0.0
    for i in range(3):
        s = s + np.sum(A[i, idx])
    return s


def test_indices_without_a_static_region_name_the_line():
    with pytest.raises(pullback.UnsupportedError,
                       match=r"test_c99_rows\.py:\d+:\d+: the shape of this value is not known"):
        emit_c(window, np.ones(5))
    with pytest.raises(pullback.UnsupportedError,
                       match=r"test_c99_rows\.py:\d+:\d+: .*run-time ints and constant slices"):
        emit_c(fancy_row, np.ones((3, 4)), np.array([0, 2]))


def test_index_out_of_range_returns_a_status_not_a_wild_write(tmp_path):
    """Where Python raises IndexError the C gradient returns INDEX_OUT_OF_RANGE with NaN
    outputs and the value function NaN, clean under the sanitizers."""
    table = RNG.normal(size=(6, 2))
    with pytest.raises(IndexError):
        interpolate(table, np.array([0.5, 1.2]))
    done = run_array_cases([("interp_far", interpolate, (table, np.array([0.5, 1.2])), 0)],
                           str(tmp_path))["interp_far"]
    assert done.status == 3 and np.isnan(done.value) and np.isnan(done.primal)
    assert all(np.isnan(done.grads))
    c = emit_c(interpolate, table, np.array([0.5, 1.2]))
    assert "INTERPOLATE_INDEX_OUT_OF_RANGE 3" in c.header and "IndexError" in c.header
    with pytest.raises(IndexError):
        c.compile()(table, np.array([0.5, 1.2]))


def test_indices_proven_in_range_are_not_checked():
    c = emit_c(heat_2d, *CASES[0][2], argnums=(0, 1))
    assert "INDEX_OUT_OF_RANGE;" not in c.source and "IndexError" not in c.header
