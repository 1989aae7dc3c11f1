"""Derivatives of array programs keep their arguments' array type (issue 19).

The arguments are ``Strict`` arrays (tests/strict_arrays.py): they reach NumPy only
through the protocols Dask and CuPy implement, and any conversion to NumPy, any NumPy
float array mixed in and any NumPy function Dask lacks raises.  Gradients are compared
with JAX (each program runs under ``jax.numpy`` as its own twin), never with pullback's
NumPy run alone.
"""
import types

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import pullback
from strict_arrays import Strict, unwrap

jax.config.update("jax_enable_x64", True)


def logistic(w, b, X, y):
    z = X @ w + b
    p = 1.0 / (1.0 + np.exp(-z))
    return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))


def mlp(W1, b1, W2, X, y):
    h = np.tanh(X @ W1 + b1)
    out = h @ W2
    return np.sum((out - y) ** 2) / X.shape[0]


def row_mean(w, X):
    """A mean over rows of a sum over columns (broadcast w, reduce with axes)."""
    return np.mean(np.sum((X - w) ** 2, axis=1))


def softmax_xent(W, X, Y):
    """Cross-entropy with a max-shifted log-sum-exp (reductions keeping dims)."""
    Z = X @ W
    m = np.max(Z, axis=1, keepdims=True)
    lse = np.log(np.sum(np.exp(Z - m), axis=1)) + m[:, 0]
    return np.mean(lse - np.sum(Y * Z, axis=1))


def row_loop(w, X):
    """A sum over rows written as a Python loop (rows, dot, an indexed weight)."""
    s = 0.0
    for i in range(X.shape[0]):
        s = s + (np.dot(X[i], w) - w[0]) ** 2
    return s / X.shape[0]


def xent(W, X, labels):
    """Cross-entropy with integer labels: a gather whose adjoint scatters (np.add.at)."""
    Z = X @ W
    logp = Z - np.log(np.sum(np.exp(Z), axis=1, keepdims=True))
    return -np.mean(logp[np.arange(X.shape[0]), labels])


def gather(w, X, idx):
    """Repeated row and element indices: their adjoints add up."""
    return np.sum(X[idx] @ w) + np.sum(w[idx % 3] ** 2) + np.sum(X[idx, 1] * w[1])


def norms(w, X):
    """A norm, a variance and a float range made in the program (np.arange(3.0))."""
    return np.linalg.norm(X - w) + np.var(X @ w) + np.sum(np.tanh(w) * np.arange(3.0))


def literal_prods(w, X):
    """An array literal of scalars (zeros_for), products and cumulative products."""
    v = np.array([w[0], w[1] * 2.0, np.sum(X)])
    return np.sum(v ** 2) + np.sum(np.prod(X[:4] + w, axis=0)) + \
        np.sum(np.cumprod(X[:4] * w, axis=0))


def diagonals(w, X):
    M = np.outer(w, w) + X[:3]
    return np.sum(np.diagonal(M) ** 2) + np.sum(np.diagonal(M, 1)) + np.trace(M)


def written(w, X):
    """A slice written in place (its adjoint reads the overwritten values' complement)."""
    y = X @ w
    z = y.copy()
    z[2:5] = w[0] * 3.0
    return np.sum(z * y)


def jax_twin(f):
    """``f`` with ``np`` bound to ``jax.numpy``: the oracle is the same program."""
    return types.FunctionType(f.__code__, {**f.__globals__, "np": jnp}, f.__name__)


def _case(name):
    rng = np.random.default_rng(len(name))
    X = rng.normal(size=(12, 3))
    if name == "logistic":
        return logistic, (rng.normal(size=3), 0.3, X, (rng.random(12) > 0.5) * 1.0), (0, 1)
    if name == "mlp":
        return mlp, (rng.normal(size=(3, 5)), rng.normal(size=5), rng.normal(size=5), X,
                     rng.normal(size=12)), (0, 1, 2)
    if name == "row_mean":
        return row_mean, (rng.normal(size=3), X), (0, 1)
    if name == "xent":
        return xent, (rng.normal(size=(3, 4)), X, rng.integers(0, 4, 12)), (0, 1)
    if name == "gather":
        return gather, (rng.normal(size=3), X, np.array([0, 2, 2, 5, 5, 5])), (0, 1)
    if name in ("literal_prods", "diagonals"):
        return globals()[name], (rng.normal(size=3), X), (0, 1)
    if name == "norms":
        return norms, (rng.normal(size=3), X), (0, 1)
    if name == "softmax_xent":
        Y = np.eye(4)[rng.integers(0, 4, 12)]
        return softmax_xent, (rng.normal(size=(3, 4)), X, Y), (0, 1)
    return row_loop, (rng.normal(size=3), X), (0,)


VECTORISED = ["logistic", "mlp", "row_mean", "softmax_xent", "norms", "literal_prods",
              "diagonals"]
SCATTERS = ["xent", "gather"]     # adjoints through np.add.at (Dask: rounds of writes)


def strict(args):
    """Float arrays as Strict ones; integer arrays (indices, labels) stay NumPy's."""
    return [Strict(a.copy()) if isinstance(a, np.ndarray) and a.dtype.kind == "f" else a
            for a in args]


@pytest.mark.parametrize("name", VECTORISED + SCATTERS + ["row_loop"])
def test_gradients_keep_the_array_type(name):
    f, args, nums = _case(name)
    Strict.conversions = 0
    got = pullback.grad(f, argnums=nums)(*strict(args))
    want = jax.grad(jax_twin(f), argnums=nums)(*[jnp.asarray(a) if isinstance(a, np.ndarray)
                                                  else a for a in args])
    for i, g, ref in zip(nums, got, want):
        if isinstance(args[i], np.ndarray):
            assert isinstance(g, Strict), f"gradient of argument {i} left Strict: {type(g)}"
        np.testing.assert_allclose(np.asarray(unwrap(g), dtype=float), np.asarray(ref),
                                   rtol=1e-10, atol=1e-12)
    if name in VECTORISED:      # nothing forced to a Python value (a Dask graph stays lazy)
        assert Strict.conversions == 0


def test_value_and_grad_keep_the_array_type():
    f, args, nums = _case("logistic")
    value, (w_bar, b_bar) = pullback.value_and_grad(f, argnums=nums)(*strict(args))
    assert isinstance(w_bar, Strict) and isinstance(b_bar, Strict) and b_bar.ndim == 0
    assert float(unwrap(value)) == pytest.approx(float(jax_twin(f)(*args)), rel=1e-12)


def test_one_derivative_per_array_library():
    """The cache key holds the array class: NumPy's derivative and Strict's are two, and
    each call gets its own library's back (NumPy's text keeps its Python float)."""
    f, args, nums = _case("logistic")
    g = pullback.grad(f, argnums=nums)
    np_first = g(*args)
    numpy_source = g.source()
    s_grads = g(*strict(args))
    strict_source = g.source()
    np_again = g(*args)
    assert isinstance(np_again[0], np.ndarray) and isinstance(np_again[1], float)
    assert isinstance(s_grads[0], Strict)
    assert "float(np.sum(" in numpy_source and "float(" not in strict_source
    np.testing.assert_allclose(unwrap(s_grads[0]), np_first[0], rtol=1e-13)


def test_vjp_keeps_the_array_type():
    f, args, _ = _case("row_mean")
    value, f_vjp = pullback.vjp(f, *strict(args))
    w_bar, X_bar = f_vjp(1.0)
    want = jax.grad(jax_twin(f), argnums=(0, 1))(*args)
    assert isinstance(X_bar, Strict)
    np.testing.assert_allclose(unwrap(X_bar), want[1], rtol=1e-10)
    np.testing.assert_allclose(unwrap(w_bar), want[0], rtol=1e-10)


def test_array_api_only_arrays_are_rejected():
    """An array without ``__array_function__`` would be converted by NumPy silently."""
    xp = pytest.importorskip("array_api_strict")
    with pytest.raises(TypeError, match="__array_function__"):
        pullback.grad(row_mean)(xp.asarray([1.0, 2.0, 3.0]), xp.ones((4, 3)))


def test_numba_backend_refuses_foreign_arrays():
    f, args, nums = _case("row_mean")
    with pytest.raises(TypeError, match="backend='python'"):
        pullback.grad(f, argnums=nums, backend="numba")(*strict(args))


@pytest.mark.parametrize("entry", ["jvp", "jacobian", "reverse_jacobian", "hessian"])
def test_forward_programs_refuse_foreign_arrays(entry):
    """Their results are assembled with NumPy: refused, not converted."""
    f, args, nums = _case("row_mean")
    w, X = strict(args)
    with pytest.raises(TypeError, match="runs on NumPy arrays"):
        if entry == "jvp":
            pullback.jvp(f, (w, X), (w, X))
        elif entry == "jacobian":
            pullback.jacobian(f)(w, X)
        elif entry == "reverse_jacobian":
            pullback.jacobian(f, mode="reverse")(w, X)
        else:
            pullback.hessian(f)(w, X)


def central_differences(f, args, h=1e-6):
    """d f / d args[i] for every array argument, by central differences."""
    out = []
    for i, a in enumerate(args):
        g = np.zeros_like(a)
        for k in range(a.size):
            up, down = [x.copy() for x in args], [x.copy() for x in args]
            up[i].flat[k] += h
            down[i].flat[k] -= h
            g.flat[k] = (f(*up) - f(*down)) / (2 * h)
        out.append(g)
    return out


def test_in_place_write_against_finite_differences():
    rng = np.random.default_rng(3)
    w, X = rng.normal(size=3), rng.normal(size=(12, 3))
    got = pullback.grad(written, argnums=(0, 1))(Strict(w.copy()), Strict(X.copy()))
    assert all(isinstance(g, Strict) for g in got)
    for g, fd in zip(got, central_differences(written, [w, X])):
        np.testing.assert_allclose(unwrap(g), fd, rtol=1e-6, atol=1e-7)
