"""A tuple of numbers read at a run-time index is a constant array (frontend/tables.py),
read as Python reads the tuple.  Found by the issue 11 audit, each a silent wrong number
on the python backend before:
- the index was evaluated twice (a random draw in it drew twice: another value);
- a bool index was a mask (``C[x[0] > 0]`` gave the whole table, summed);
- an int item was NumPy's int64 (``BIG[i] ** 40`` wrapped);
- a row of a nested table was an array (``T[i] * 2`` doubled it, Python repeats it).
Checked against JAX (the loop unrolled under its trace, the draws as constants) and
central differences, grad and jvp, python and numba.
"""
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import pullback
from pullback.errors import TransformError
from jax_fd import fd_grad

jax.config.update("jax_enable_x64", True)
HERE = __file__
BACKENDS = ["python", pytest.param("numba", marks=pytest.mark.slow)]

COEF = (1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0)
BIG = (3, 5, 7)
ROWS = ((1.0, 2.0), (3.0, 4.0), (5.0, 6.0))
X3 = np.array([0.3, -1.2, 0.8])


def drawn_index(x, rng, n):
    s = 0.0
    for i in range(n):
        s = s + COEF[rng.integers(0, 7)] * x[i] + rng.random() * x[i]
    return s


def drawn_index_jax(x, draws):
    return sum(COEF[k] * x[i] + u * x[i] for i, (k, u) in enumerate(draws))


def bool_index(x):
    return np.sum(COEF[bool(x[0] > 0)] * x ** 2)


def bool_index_jax(x):
    return jnp.sum(COEF[1] * x ** 2)        # x[0] > 0 at X3


def int_items(x, n):
    s = 0.0
    for i in range(n):
        s = s + x[i] * (BIG[i] ** 40) * 1e-30
    return s


def int_items_jax(x):
    return sum(x[i] * float(BIG[i] ** 40) * 1e-30 for i in range(3))


def row_repeated(x, n):
    s = 0.0
    for i in range(n):
        s = s + np.prod(np.array(ROWS[i] * 2)) * x[i] + len(ROWS[i] + ROWS[0]) * x[i] ** 2
    return s


def row_repeated_jax(x):
    return sum(jnp.prod(jnp.array(ROWS[i] * 2)) * x[i] + len(ROWS[i] + ROWS[0]) * x[i] ** 2
               for i in range(3))


def _draws(n, seed):
    rng = np.random.default_rng(seed)
    return [(rng.integers(0, 7), rng.random()) for _ in range(n)]


def test_an_index_with_a_draw_is_evaluated_once():       # draws: python backend only
    got = pullback.grad(drawn_index)(X3, np.random.default_rng(4), 3)
    want = jax.grad(drawn_index_jax)(X3, _draws(3, 4))
    np.testing.assert_allclose(got, want, rtol=1e-12)
    fd = fd_grad(lambda x: drawn_index(x, np.random.default_rng(4), 3), [X3], 0)
    np.testing.assert_allclose(got, fd, rtol=1e-6)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("f, fj, args", [
    (bool_index, bool_index_jax, (X3,)),
    (int_items, int_items_jax, (X3, 3)),
    (row_repeated, row_repeated_jax, (X3, 3)),
], ids=["bool-index", "int-items", "row-repeated"])
def test_tables_read_as_python_reads_tuples(f, fj, args, backend):
    if f is int_items and backend == "numba":
        pytest.skip("the numba backend's ints are int64 (docs/edges.md)")
    value, got = pullback.value_and_grad(f, backend=backend)(*args)
    want = jax.grad(fj)(X3)
    np.testing.assert_allclose(value, f(*args), rtol=1e-12)
    np.testing.assert_allclose(got, want, rtol=1e-12)
    np.testing.assert_allclose(got, fd_grad(f, list(args), 0), rtol=1e-6, atol=1e-9)
    t = np.array([0.5, -0.25, 2.0])
    _, tangent = pullback.jvp(f, args, (t,) + tuple(0 * np.asarray(a) for a in args[1:]),
                              backend=backend)
    np.testing.assert_allclose(tangent, np.dot(want, t), rtol=1e-12)


def float_index(x, n):
    s = 0.0
    t = 0.0
    for i in range(n):
        s = s + COEF[t] * x[i]        # float index
        t = t + 1.0
    return s


def test_a_float_index_is_rejected_at_its_line():
    with pytest.raises(TransformError, match="indexed by a float") as e:
        pullback.grad(float_index)(X3, 3)
    assert e.value.filename == HERE and "# float index" in open(HERE).readlines()[e.value.line - 1]
