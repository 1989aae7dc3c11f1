"""Backend parity: a table of programs through the Python and the Numba backends.

Each backend's count of programs it differentiates is printed (``-s``) and the Numba count
may not fall below ``NUMBA_FLOOR``; where both run, Numba's gradient equals the Python
backend's to 1e-12.  The array programs are checked against JAX too (the oracle: the Python
backend is compared with JAX, and Numba with the Python backend), so that a helper's
nopython twin can never agree with a wrong Python one.
"""
import sys
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import pytest

pytest.importorskip("numba")

import pullback  # noqa: E402
from corpus import CASES as SCALAR_CASES  # noqa: E402
from test_numpy_programs import gmm, heat, logreg, rnn  # noqa: E402

jax.config.update("jax_enable_x64", True)
R = np.random.default_rng(7)


class Params(NamedTuple):
    w: np.ndarray
    b: float


def dot_mv(A, x):
    return np.sum(np.dot(A, x) ** 2)


def dot_mm(A, B):
    return np.sum(np.tanh(np.dot(A, B)))


def dot_vv(a, b):
    return np.dot(a, b) ** 2 + np.dot(2.0, a)[0]


def inner_mm(A, B):
    return np.sum(np.inner(A, B) ** 2) + np.sum(np.inner(A[0], B))


def transpose_axes(T):
    return np.sum(np.transpose(T, (2, 0, 1)) * np.arange(24.0).reshape(4, 2, 3)) + \
        np.sum(np.transpose(T) ** 2) + np.sum(T.T[0] ** 3)


def solve_vec(A, b):
    return np.sum(np.linalg.solve(A, b) ** 2)


def solve_mat(A, B):
    return np.sum(np.sin(np.linalg.solve(A, B)))


def concat_axes(a, B):
    c = np.concatenate((a, a * a))
    D = np.concatenate((B, B ** 2), axis=1)
    return np.sum(c ** 3) + np.sum(D * np.arange(12.0).reshape(2, 6))


def cumsum_trace(x, M):
    return np.sum(np.cumsum(x) ** 2) + np.trace(M) * np.sum(M ** 2)


def float_copy(x):
    y = x.copy()
    return y * y + x


def on_namedtuple(p, x):
    return np.sum(np.tanh(p.w * x + p.b))


def on_tuple(ws, x):
    return np.sum(ws[0] * x) * np.sum(ws[1] ** 2)


def softmax_xent(w, b, x, y):
    """The MLP benchmark's loss: ``logz`` feeds only the value, so the gradient reads it
    for its shape only (a fused loop with no live output printed ``     = f(...)``)."""
    z = np.tanh(x @ w) + b
    zmax = np.max(z, axis=1, keepdims=True)
    logz = np.log(np.sum(np.exp(z - zmax), axis=1, keepdims=True)) + zmax
    return -np.sum(y * (z - logz)) / x.shape[0]


def take_cumprod(x, M):
    """np.take, np.take_along_axis, np.cumprod along an axis (numba_gathers.py's twins)."""
    rows = np.take(M, np.array([2, 0, -1]), axis=0)
    order = np.take_along_axis(M, np.argsort(M, axis=1), axis=1)
    return np.sum(np.sin(np.cumprod(rows, axis=1))) + np.sum(order * np.cumprod(x))


def sorted_rows(M):
    return np.sum(np.sort(M, axis=0) * np.arange(12.0).reshape(3, 4)) + \
        np.sum(np.sort(M) ** 2 * np.arange(4.0))


INTS = (1, 2, 4)


def int_table_inverse(x):
    """An int to a negative power is a float (Numba's int ** -1 was 0)."""
    s = 0.0
    for i in range(3):
        s = s + x[i] * INTS[i] ** -1 + x[i] ** 2 / INTS[i]
    return s


SPD = R.standard_normal((3, 3)) + 4 * np.eye(3)
# (function, args, argnums, JAX twin or None: the Python backend is checked against JAX there)
ARRAYS = [
    (dot_mv, (R.standard_normal((2, 3)), R.standard_normal(3)), (0, 1), None),
    (dot_mm, (R.standard_normal((2, 3)), R.standard_normal((3, 4))), (0, 1), None),
    (dot_vv, (R.standard_normal(3), R.standard_normal(3)), (0, 1), None),
    (inner_mm, (R.standard_normal((2, 3)), R.standard_normal((4, 3))), (0, 1), None),
    (transpose_axes, (R.standard_normal((2, 3, 4)),), 0, None),
    (solve_vec, (SPD, R.standard_normal(3)), (0, 1), None),
    (solve_mat, (SPD, R.standard_normal((3, 2))), (0, 1), None),
    (concat_axes, (R.standard_normal(3), R.standard_normal((2, 3))), (0, 1), None),
    (cumsum_trace, (R.standard_normal(4), R.standard_normal((3, 4))), (0, 1), None),
    (float_copy, (1.5,), 0, None),
    (softmax_xent, (R.standard_normal((4, 3)), R.standard_normal(3), R.standard_normal((5, 4)),
                    np.eye(3)[[0, 1, 2, 0, 1]]), (0, 1), None),
    (heat, (np.sin(np.linspace(0, 3, 8)), 0.2), (0, 1), None),
    (rnn, tuple(R.standard_normal(s) * 0.5 for s in ((3, 3), (3, 2), (3,), (4, 2))), (0, 1, 2),
     None),
    (gmm, (R.standard_normal(2), R.standard_normal((2, 3)), 0.1 * R.standard_normal((2, 3)),
           R.standard_normal((5, 3))), (0, 1, 2), None),
    (logreg, ({"w": R.standard_normal(3), "b": 0.1}, R.standard_normal((6, 3)),
              (R.random(6) > 0.5).astype(float)), 0, None),
    (on_namedtuple, (Params(R.standard_normal(3), 0.3), R.standard_normal(3)), 0, None),
    (on_tuple, ((R.standard_normal(3), R.standard_normal(3)), R.standard_normal(3)), 0, None),
    (take_cumprod, (R.standard_normal(4), R.standard_normal((3, 4))), (0, 1), None),
    (sorted_rows, (R.standard_normal((3, 4)),), 0, None),
    (int_table_inverse, (R.standard_normal(3),), 0, None),
]
# the JAX oracle: the same functions with jax.numpy (all of these are NumPy-API programs)
JNP_TWINS = {dot_mv, dot_mm, dot_vv, inner_mm, transpose_axes, solve_vec, solve_mat, concat_axes,
             cumsum_trace, softmax_xent, take_cumprod, sorted_rows, int_table_inverse}
NUMBA_FLOOR_ARRAYS = 20          # every array program above (6 before this table existed)
NUMBA_FLOOR_SCALARS = 117        # the whole corpus (its 4 recursive programs since numba_recursion.py)


def _flat(g):
    return [np.asarray(v, float) for v in jax.tree_util.tree_leaves(g)]


def _run(f, args, argnums, backend):
    try:
        return pullback.grad(f, argnums, backend=backend)(*args), None
    except Exception as e:          # a rejection, or Numba's typing error: counted, shown
        return None, f"{type(e).__name__}: {str(e).splitlines()[0]}"


def _with_jnp(f):
    """``f`` with its global ``np`` bound to jax.numpy (the test module's functions only)."""
    g = dict(f.__globals__, np=jnp)
    return type(f)(f.__code__, g, f.__name__, f.__defaults__, f.__closure__)


def _parity(table):
    counts, failures = {"python": 0, "numba": 0}, []
    for f, args, argnums, _ in table:
        ref, why = _run(f, args, argnums, "python")
        if ref is None:
            continue
        counts["python"] += 1
        got, why = _run(f, args, argnums, "numba")
        if got is None:
            failures.append(f"{f.__name__}: {why}")
            continue
        counts["numba"] += 1
        for a, b in zip(_flat(got), _flat(ref)):
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12, err_msg=f.__name__)
    print(f"\nparity: python {counts['python']}, numba {counts['numba']}", *failures,
          sep="\n  ", file=sys.stderr)
    return counts


@pytest.mark.parametrize("f, args, argnums", [(f, a, n) for f, a, n, _ in ARRAYS
                                              if f in JNP_TWINS],
                         ids=lambda v: getattr(v, "__name__", ""))
def test_python_backend_matches_jax(f, args, argnums):
    got = pullback.grad(f, argnums)(*args)
    want = jax.grad(_with_jnp(f), argnums)(*args)
    for a, b in zip(_flat(got), _flat(want)):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-11)


@pytest.mark.parametrize("row", ARRAYS, ids=lambda r: r[0].__name__)
def test_array_programs_numba_at_parity(row):
    """One program a test, so that the workers share them (Numba's compile dominates);
    every row must run on both backends, which is the floor of 17."""
    assert len(ARRAYS) >= NUMBA_FLOOR_ARRAYS
    counts = _parity([row])
    assert counts == {"python": 1, "numba": 1}


@pytest.mark.slow
def test_corpus_numba_at_parity():
    counts = _parity([(c.func, c.args, c.argnums, None) for c in SCALAR_CASES])
    assert counts["numba"] >= NUMBA_FLOOR_SCALARS
