"""Index arrays and masks on the first axis under the Numba backend
(backends/numba_index_arrays.py): a global index array (repeated indices sum their
cotangents), a global mask, a constant list, writes through each, and rows of a matrix.

Each gradient and tangent is checked against JAX (the same function over jax.numpy,
writes as ``.at[]``) and against a central difference; the metamorphic fuzzer's
``index`` variants (index arrays and masks from globals or closures) were rejected by
Numba before (issue 11's campaign, seeds 9500000 and 9500008).
"""
import pytest

pytest.importorskip("numba")
jax = pytest.importorskip("jax")
np = pytest.importorskip("numpy")

import jax.numpy as jnp  # noqa: E402

import pullback  # noqa: E402

jax.config.update("jax_enable_x64", True)

I = np.array([2, 0, 2])                 # repeated: the cotangents of index 2 add up
M = np.array([True, False, True])


def read_ints(x):
    return np.sum(np.sin(x[I]) * x[I])


def read_mask(x):
    return np.sum(np.sin(x[M]) ** 2)


def read_list(x):
    return np.sum(np.sin(x[[0, 2]]) ** 2)


def write_mask(x):
    y = x * 2.0
    y[M] = np.cos(x[:2])
    return np.sum(y * y)


def write_list(x):
    y = x * 2.0
    y[[0, 2]] = np.cos(x[:2])
    return np.sum(y * y)


def write_repeated(x):
    y = x * 2.0
    y[[1, 1]] = x[:2] ** 2         # the last write wins, in value and derivative
    return np.sum(y * y)


def write_number(x):
    y = np.sin(x)
    y[M] = 0.5
    return np.sum(y * x)


def rows_of(A):
    B = A * 1.5
    B[[2, 0]] = np.tanh(A[[1, 2]])
    return np.sum(np.sin(A[M]) * A[[0, 2]]) + np.sum(A[I] ** 2) + np.sum(B * B)


def _twins():
    Ij, Mj = jnp.array(I), jnp.array(M)
    L, P = jnp.array([0, 2]), jnp.array([0, 2])
    return {
        read_ints: lambda x: jnp.sum(jnp.sin(x[Ij]) * x[Ij]),
        read_mask: lambda x: jnp.sum(jnp.sin(x[Mj]) ** 2),
        read_list: lambda x: jnp.sum(jnp.sin(x[L]) ** 2),
        write_mask: lambda x: jnp.sum((x * 2.0).at[P].set(jnp.cos(x[:2])) ** 2),
        write_list: lambda x: jnp.sum((x * 2.0).at[L].set(jnp.cos(x[:2])) ** 2),
        write_repeated: lambda x: jnp.sum((x * 2.0).at[1].set(x[1] ** 2) ** 2),
        write_number: lambda x: jnp.sum(jnp.sin(x).at[P].set(0.5) * x),
        rows_of: lambda A: jnp.sum(jnp.sin(A[P]) * A[L]) + jnp.sum(A[Ij] ** 2) + jnp.sum(
            (A * 1.5).at[jnp.array([2, 0])].set(jnp.tanh(A[jnp.array([1, 2])])) ** 2),
    }


CASES = [read_ints, read_mask, read_list, write_mask, write_list, write_repeated,
         write_number, rows_of]


def _arg(f):
    if f is rows_of:
        return np.array([[0.3, -1.2, 0.7], [0.4, 0.1, -0.5], [1.1, -0.2, 0.6]])
    return np.array([0.3, -1.2, 0.7])


def _central(f, x, v, h=1e-6):
    return (f(x + h * v) - f(x - h * v)) / (2 * h)


@pytest.mark.parametrize("f", CASES, ids=lambda f: f.__name__)
def test_numba_gradient_against_jax_and_central_differences(f):
    x = _arg(f)
    g = pullback.grad(f, backend="numba")(x)
    want = np.asarray(jax.grad(_twins()[f])(jnp.array(x)))
    np.testing.assert_allclose(g, want, rtol=1e-12, atol=1e-12)
    v = np.random.default_rng(0).normal(size=x.shape)
    assert abs(np.sum(g * v) - _central(f, x, v)) < 1e-6


@pytest.mark.parametrize("f", CASES, ids=lambda f: f.__name__)
def test_numba_tangent_against_jax(f):
    x = _arg(f)
    v = np.random.default_rng(1).normal(size=x.shape)
    value, tan = pullback.jvp(f, (x,), (v,), backend="numba")
    want_v, want_t = jax.jvp(_twins()[f], (jnp.array(x),), (jnp.array(v),))
    assert abs(value - float(want_v)) < 1e-12 and abs(tan - float(want_t)) < 1e-10


I2 = np.array([[0, 0], [1, 2]])         # a 2-d index array: x[I2] is a 2x2 matrix


def read_matrix_of_ints(x):
    return np.sum(x[I2] ** 2 * np.array([[1.0, 2.0], [3.0, 4.0]]))      # I2 read


def test_a_two_dimensional_index_array_is_rejected_at_its_line():
    """The rows loops took I2[k] as one position: Numba's fancy ``z[I2[k]] += g[k]``
    kept one of the repeated 0s (gradient 1.2 where JAX and differences give 1.8; audit,
    issue 11).  Now only 1-d index arrays take that path; the python backend is right."""
    from pullback.errors import UnsupportedError
    x = np.array([0.3, -1.2, 0.7, 1.1])
    with pytest.raises(UnsupportedError, match="basic indices") as e:
        pullback.grad(read_matrix_of_ints, backend="numba")(x)
    assert e.value.filename == __file__ and \
        "# I2 read" in open(__file__).readlines()[e.value.line - 1]
    W = jnp.array([[1.0, 2.0], [3.0, 4.0]])
    want = jax.grad(lambda x: jnp.sum(x[jnp.array(I2)] ** 2 * W))(jnp.array(x))
    got = pullback.grad(read_matrix_of_ints)(x)
    np.testing.assert_allclose(got, want, rtol=1e-12)
    v = np.random.default_rng(2).normal(size=x.shape)
    assert abs(np.sum(got * v) - _central(read_matrix_of_ints, x, v)) < 1e-6


LABELS = np.array([0, 2, 1, 2])
R2, C2 = np.array([0, 1, 1, -1]), np.array([2, 0, 0, 1])     # a repeated pair, a negative row
R3, C3 = np.array([0, 2, 0]), np.array([1, 1, 1])


def cross_entropy(Z):           # pairs (row, label) built at run time and read by name
    return -np.sum(np.log(Z[np.arange(len(LABELS)), LABELS]))


def repeated_pairs(Z):
    return np.sum(np.sin(Z[R2, C2]) * Z[R2, C2])


def rows_by_pairs(T):           # two arrays on the first two of three axes: rows out
    return np.sum(np.tanh(T[R3, C3]) ** 2 * np.array([1.0, 2.0]))


PAIRS = {
    cross_entropy: (lambda Z: -jnp.sum(jnp.log(Z[jnp.arange(4), jnp.array(LABELS)])), (4, 3)),
    repeated_pairs: (lambda Z: jnp.sum(jnp.sin(Z[jnp.array(R2), jnp.array(C2)])
                                       * Z[jnp.array(R2), jnp.array(C2)]), (4, 3)),
    rows_by_pairs: (lambda T: jnp.sum(jnp.tanh(T[jnp.array(R3), jnp.array(C3)]) ** 2
                                      * jnp.array([1.0, 2.0])), (3, 2, 2)),
}


@pytest.mark.parametrize("f", list(PAIRS), ids=lambda f: f.__name__)
def test_pairs_of_index_arrays_against_jax_and_central_differences(f):
    """Nopython mode indexes with one integer array: ``Z[np.arange(n), labels]`` did not
    compile on Numba (backends/numba_index_pairs.py: a gather, its adjoint a scatter)."""
    fj, shape = PAIRS[f]
    x = np.random.default_rng(5).uniform(0.5, 1.5, size=shape)
    value, g = pullback.value_and_grad(f, backend="numba")(x)
    assert value == pytest.approx(float(fj(jnp.array(x))), rel=1e-12)
    np.testing.assert_allclose(g, np.asarray(jax.grad(fj)(jnp.array(x))), rtol=1e-12, atol=1e-12)
    v = np.random.default_rng(6).normal(size=shape)
    assert abs(np.sum(g * v) - _central(f, x, v)) < 1e-6
    _, tan = pullback.jvp(f, (x,), (v,), backend="numba")
    assert tan == pytest.approx(float(jax.jvp(fj, (jnp.array(x),), (jnp.array(v),))[1]), rel=1e-10)


R_OUT = np.array([0, 3])


def pair_out_of_range(Z):
    return np.sum(Z[R_OUT, np.array([0, 1])])


def test_a_pair_out_of_range_is_an_index_error_as_in_numpy():
    with pytest.raises(IndexError):
        pair_out_of_range(np.ones((3, 3)))
    with pytest.raises(IndexError):
        pullback.grad(pair_out_of_range, backend="numba")(np.ones((3, 3)))


def pairs_built_here(A):
    r = np.array([0, 1, 2, 2])      # int arrays made item by item in the generated code
    c = np.array([1, 0, 2, 0])
    return np.sum(A[r, c] ** 2)


def test_forward_mode_through_index_pairs_built_in_the_function():
    """The tangent program builds ``r`` and ``c`` at run time; a copy made to write an
    item kept them float64, which Numba cannot index with (an audit's jvp crash)."""
    A = np.arange(9.0).reshape(3, 3) / 9
    T = np.linspace(-1.0, 1.0, 9).reshape(3, 3)
    r, c = np.array([0, 1, 2, 2]), np.array([1, 0, 2, 0])
    want = jax.jvp(lambda a: jnp.sum(a[r, c] ** 2), (A,), (T,))[1]
    got = pullback.jvp(pairs_built_here, (A,), (T,), backend="numba")[1]
    assert got == pytest.approx(float(want), rel=1e-12)
