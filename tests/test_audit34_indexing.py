"""Audit 34 (indexing): Numba bounds-checks run-time integer indices (reads, writes, both
sweeps, jvp, index arrays) and raises IndexError at the user's line where NumPy raises;
C rejects a float32 array it would compute in double; ``A[np.arange(3), [0, 1, 1]]``
works.  Oracles: NumPy for values and errors, JAX (x64) for derivatives."""
import shutil

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import pullback

jax.config.update("jax_enable_x64", True)
needs_cc = pytest.mark.skipif(shutil.which("cc") is None, reason="needs a C compiler (cc)")
HERE = "test_audit34_indexing.py"
X = np.linspace(0.31, 1.51, 7)
A = np.arange(1.0, 13.0).reshape(3, 4) / 7.0
COEF = (1.0, 2.0, 3.0, 4.0)


def pick(x, n):
    return x[n] ** 2


def neighbours(x):
    s = 0.0
    for i in range(len(x)):
        s = s + x[i] * x[i + 1]         # x[7] on the last trip
    return s


def wrap_too_far(x):
    s = 0.0
    for i in range(len(x)):
        s = s + x[i - 8]                # -8 is past -len(x)
    return s


def fill(x):
    y = np.zeros(3)
    for i in range(4):
        y[i] = x[i]                     # y[3] = ...: a write past the end
    return np.sum(y ** 2)


def cell(A, i, j):
    return A[i, j] ** 2 + np.sum(A[:, j]) + np.sum(A[i])


def row_write(A, i):
    B = A * 2.0
    B[i, :] = A[0] ** 2
    return np.sum(B * A)


def table(x, k):
    return x[0] * COEF[k]


def walk_off(x):
    s, i = 0.0, 0
    while s < 100.0:
        s += x[i]
        i += 1
    return s


def _expect_index_error(f, args):
    with pytest.raises(IndexError):
        f(*args)                                # NumPy raises: the reference


def _numba():
    pytest.importorskip("numba")


# (f, arguments NumPy rejects, arguments in range (negatives wrap), f in JAX at those)
CASES = [
    (pick, (X, 7), (X, 6), lambda x: x[6] ** 2),
    (pick, (X, -8), (X, -7), lambda x: x[-7] ** 2),
    (neighbours, (X,), None, None), (wrap_too_far, (X,), None, None), (fill, (X,), None, None),
    (cell, (A, 3, 0), (A, 2, -1), lambda A: A[2, -1] ** 2 + jnp.sum(A[:, -1]) + jnp.sum(A[2])),
    (cell, (A, 0, 4), (A, -3, 3), lambda A: A[-3, 3] ** 2 + jnp.sum(A[:, 3]) + jnp.sum(A[-3])),
    (cell, (A, 0, -5), (A, 0, -4), lambda A: A[0, -4] ** 2 + jnp.sum(A[:, -4]) + jnp.sum(A[0])),
    (row_write, (A, 3), (A, -3), lambda A: jnp.sum((A * 2.0).at[-3, :].set(A[0] ** 2) * A)),
    (row_write, (A, -4), (A, 2), lambda A: jnp.sum((A * 2.0).at[2, :].set(A[0] ** 2) * A)),
    (table, (X, 4), (X, 3), lambda x: x[0] * COEF[3]),
    (table, (X, -5), (X, -4), lambda x: x[0] * COEF[-4]),
    (walk_off, (X,), None, None)]


@pytest.mark.parametrize("f, bad, good, jf", CASES,
                         ids=[f"{c[0].__name__}{c[1][1:]}" for c in CASES])
def test_numba_out_of_range_index_raises_at_the_line(f, bad, good, jf):
    _numba()
    _expect_index_error(f, bad)
    with pytest.raises(IndexError, match=HERE):
        pullback.value_and_grad(f, backend="numba")(*bad)
    tangents = (np.ones_like(bad[0]),) + tuple(0 for _ in bad[1:])
    with pytest.raises(IndexError, match=HERE):
        pullback.jvp(f, bad, tangents, backend="numba")
    if good is not None:            # in range: NumPy's value, wrapped negatives, JAX's grad
        value, grad = pullback.value_and_grad(f, backend="numba")(*good)
        assert value == pytest.approx(f(*good), rel=1e-14)
        np.testing.assert_allclose(grad, jax.grad(jf)(jnp.asarray(good[0])), rtol=1e-13)


def test_numba_checks_only_what_it_cannot_prove():
    """A loop over a constant range indexing an axis of known length, plus a constant
    offset (the LSTM's ``main[2 * i + 1]``, ``x[i - 6]``), is not checked: the hot loops
    stay bare; the run-time ``n`` is."""
    _numba()

    def layers(W, x, n):
        s = x[n]
        for i in range(2):
            s = s + np.sum(W[2 * i] * x) + np.sum(W[2 * i + 1] * x)
        for i in range(len(x) - 1):
            s = s + x[i] * x[i + 1] + x[i - 2]
        return s
    g = pullback.value_and_grad(layers, backend="numba")
    W, x = np.arange(12.0).reshape(4, 3) / 5.0, np.array([0.3, 0.5, 0.9])
    value, grad = g(W, x, -1)
    assert value == pytest.approx(layers(W, x, -1), rel=1e-14)
    want = jax.grad(lambda W: layers(W, jnp.asarray(x), -1))(jnp.asarray(W))
    np.testing.assert_allclose(grad, want, rtol=1e-13)
    assert str(pullback.source(g)).count("_ck_ix(") == 2      # the helper and x[n]


def gather(x, idx):
    return np.sum(x[idx] ** 2)


def along(A, idx):
    return np.sum(np.take_along_axis(A, idx, axis=1) ** 2)


def column(A, idx):
    return np.sum(A[idx, 1] ** 2)


FANCY = [(gather, (X, np.array([1, 9]))), (gather, (X, np.array([1, -9]))),
         (along, (A, np.array([[0], [4], [1]]))), (column, (A, np.array([1, 3])))]


@pytest.mark.parametrize("f, args", FANCY, ids=[f.__name__ + str(a[1].ravel().tolist())
                                                for f, a in FANCY])
def test_numba_jvp_index_array_out_of_range_raises(f, args):
    _numba()
    _expect_index_error(f, args)
    with pytest.raises(IndexError, match=HERE):
        pullback.jvp(f, args, (np.ones_like(args[0]), 0), backend="numba")
    idx = np.array([1, -1, 3])          # in range, a negative wrapped as NumPy wraps it
    value, tangent = pullback.jvp(gather, (X, idx), (np.ones(7), 0), backend="numba")
    want_v, want_t = jax.jvp(lambda x: jnp.sum(x[idx] ** 2), (jnp.asarray(X),),
                             (jnp.ones(7),))
    assert value == pytest.approx(float(want_v), rel=1e-14)
    assert tangent == pytest.approx(float(want_t), rel=1e-14)


def arange_list(A):
    return np.sum(A[np.arange(3), [0, 1, 1]] ** 2)


def rows_list(A):
    rows = np.arange(3)
    return np.sum(A[rows, [0, 1, 1]] ** 2)


@pytest.mark.parametrize("backend", ["python", "numba"])
@pytest.mark.parametrize("f", [arange_list, rows_list])
def test_arange_paired_with_a_list(backend, f):
    if backend == "numba":
        _numba()
    value, grad = pullback.value_and_grad(f, backend=backend)(A)
    want = jax.grad(lambda A: jnp.sum(A[jnp.arange(3), jnp.array([0, 1, 1])] ** 2))(
        jnp.asarray(A))
    assert value == pytest.approx(f(A), rel=1e-14)
    np.testing.assert_allclose(grad, want, rtol=1e-14)


def quantised(x):
    y = np.zeros(2, dtype=np.float32)
    y[0] = x[0]                     # NumPy rounds x[0] to float32
    y[1] = x[1]
    return float(np.sum((y - x[:2]) ** 2)) * 1e18


def slice_written(x):
    y = np.zeros(3, dtype=np.float32)
    y[0] = x[0] * 1.1
    y[1:] = x[1:3] ** 2             # a float64 slice rounded into float32
    return float(np.sum(y.astype(np.float64) * x[:3]))


@needs_cc
@pytest.mark.parametrize("f", [quantised, slice_written])
def test_c_rejects_a_float32_local_array_at_its_line(f):
    """C would compute it in double (0.0 for ``quantised``; ``slice_written`` did not
    compile); the python and numba backends round it as NumPy does."""
    x = np.array([0.1, 0.7, 0.3])
    with pytest.raises(pullback.UnsupportedError, match=HERE) as e:
        pullback.emit_c(f, x).compile()
    assert "float32" in str(e.value)
    backends = ["python"] + (["numba"] if _has_numba() else [])
    for backend in backends:
        assert pullback.value_and_grad(f, backend=backend)(x)[0] == f(x)


def _has_numba():
    try:
        import numba  # noqa: F401
    except ImportError:
        return False
    return True


def masked_scale(x):
    y = x.copy()
    y[x > 0.8] *= x[0]
    return np.sin(y)


def test_jacobian_of_a_masked_write_has_its_static_shape():
    """A write never resizes: ``y`` stays (7,) after ``y[mask] *= s`` (the forward
    Jacobian said the output's shape was not known; reverse mode worked)."""
    want = jax.jacobian(lambda x: jnp.sin(jnp.where(x > 0.8, x * x[0], x)))(jnp.asarray(X))
    for mode in ("forward", "reverse"):
        np.testing.assert_allclose(pullback.jacobian(masked_scale, mode=mode)(X), want,
                                   rtol=1e-14)


def diagonal_method(A):
    return np.sum(A.diagonal() ** 2)


def flat_positions(x):
    return np.sum(x[np.flatnonzero(x < 0.95)] ** 2)


@pytest.mark.parametrize("f, jf, arg", [
    (diagonal_method, lambda A: jnp.sum(A.diagonal() ** 2), np.eye(3) + 0.5),
    (flat_positions, lambda x: jnp.sum(jnp.where(x < 0.95, x, 0.0) ** 2), X)])
def test_once_rejected_forms(f, jf, arg):
    """``A.diagonal()`` (``np.diagonal(A)`` worked) and ``np.flatnonzero`` were rejected."""
    value, grad = pullback.value_and_grad(f)(arg)
    assert value == pytest.approx(f(arg), rel=1e-14)
    np.testing.assert_allclose(grad, jax.grad(jf)(jnp.asarray(arg)), rtol=1e-14)


def mask_assign(x, v):
    y = x.copy()
    y[x > 0.8] = v[:4]              # 4 entries exceed 0.8: v[:4] fits the mask's count
    return np.sum(y ** 2)


def test_masked_write_of_the_masks_count():
    """The mask's count was taken from a typing stand-in (7 of 7) and the write rejected;
    a count that does not fit is still NumPy's ValueError when it runs."""
    v = np.linspace(-1.0, 1.0, 7)
    value, grads = pullback.value_and_grad(mask_assign, argnums=(0, 1))(X, v)

    def jf(x, v):
        return jnp.sum(x.at[jnp.nonzero(X > 0.8)[0]].set(v[:4]) ** 2)
    assert value == pytest.approx(mask_assign(X, v), rel=1e-14)
    for got, want in zip(grads, jax.grad(jf, argnums=(0, 1))(jnp.asarray(X), jnp.asarray(v))):
        np.testing.assert_allclose(got, want, rtol=1e-14)
    with pytest.raises(ValueError):
        pullback.value_and_grad(mask_assign)(X, v[:3])
