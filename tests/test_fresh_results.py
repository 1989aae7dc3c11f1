"""Gradients handed out without a copy (``Derivative.array_call``, ``fresh_results``).

A repeated call with arrays of the same types and shapes skips binding and the cache
lookup, and returns a gradient array the generated code made new without copying it.
Whatever it returns must still be the user's own: never an argument, a global, a
view of either, another returned gradient or an earlier call's result.  The oracle
is the closed form of each gradient (and central differences for the fresh one).
"""
import importlib.util

import numpy as np
import pytest

import pullback
from pullback.ir import Assign, Const, Function, Return, Var
from pullback.ir.types import Array
from pullback.optimize.inplace_adjoints import fresh_results

BACKENDS = ["python", pytest.param("numba", marks=pytest.mark.skipif(
    importlib.util.find_spec("numba") is None, reason="numba not installed"))]
W = np.linspace(0.5, 1.5, 4)


def weighted(x, c):
    return np.sum(x * c)            # x_bar is c itself


def global_weight(x):
    return np.sum(x * W)            # x_bar is the global W


def product(x, y):
    return np.sum(x * y)            # x_bar = y, y_bar = x


def chain(x):
    return np.sum(np.tanh(x[1:] - x[:-1] ** 2) ** 2)    # a new array


def _central(f, x, h=1e-6):
    out = np.zeros_like(x)
    for i in range(x.size):
        e = np.zeros_like(x)
        e[i] = h
        out[i] = (f(x + e) - f(x - e)) / (2 * h)
    return out


def _owned(g, *others):
    return isinstance(g, np.ndarray) and not any(
        np.shares_memory(g, o) for o in others if isinstance(o, np.ndarray))


@pytest.mark.parametrize("backend", BACKENDS)
def test_repeated_calls_return_arrays_no_one_else_holds(backend):
    x, c = np.linspace(-1.0, 1.0, 4), np.array([2.0, -1.0, 0.5, 3.0])
    cases = [(pullback.grad(weighted, backend=backend), (x, c), c),
             (pullback.grad(global_weight, backend=backend), (x,), W)]
    for g, args, want in cases:
        first = g(*args)
        for _ in range(2):                          # the second call takes the fast path
            got = g(*args)
            np.testing.assert_array_equal(got, want)
            assert _owned(got, first, W, *args)
            got[:] = 99.0                           # the user's to change
        np.testing.assert_array_equal(g(*args), want)
    g = pullback.grad(product, argnums=(0, 1), backend=backend)
    y = x + 1.0
    g(x, y)
    gx, gy = g(x, y)
    np.testing.assert_array_equal(gx, y)
    np.testing.assert_array_equal(gy, x)
    assert _owned(gx, x, y, gy) and _owned(gy, x, y)
    same = pullback.grad(product, argnums=(0, 0), backend=backend)
    same(x, y)
    a, b = same(x, y)
    assert _owned(a, b, x, y) and np.array_equal(a, y) and np.array_equal(b, y)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_new_gradient_is_returned_uncopied_and_correct(backend):
    x = np.linspace(-0.9, 0.8, 7)
    g = pullback.grad(chain, backend=backend)
    first = g(x)
    assert g.last.fresh == (True,)
    second = g(x)
    assert second is not first and not np.shares_memory(first, second)
    np.testing.assert_allclose(second, _central(chain, x), rtol=1e-6, atol=1e-9)
    longer = np.linspace(-0.5, 0.6, 9)                  # a new key: a new specialisation
    np.testing.assert_allclose(g(longer), _central(chain, longer), rtol=1e-6, atol=1e-8)
    with pytest.raises(TypeError, match="x.astype"):  # an int array is refused, as jax.grad
        g(np.arange(7))


def test_fresh_results_follows_ownership():
    x, y, z = (Var(n, Array("float64", (3,))) for n in "xyz")
    m = Var("m", Array("float64", (3, 3)))
    s = Var("s", Array("float64", (1, 3)))
    assert fresh_results(Function("f", (x,), (Assign(y, "exp", (x,)), Return((y, x))))) == \
        (True, False)
    # unbroadcast of an array already of its target's shape is that array
    assert fresh_results(Function("f", (x,), (Assign(y, "unbroadcast", (x, x)),
                                              Return((y,))))) == (False,)
    assert fresh_results(Function("f", (m,), (Assign(s, "unbroadcast", (m, s)),
                                              Return((s,))))) == (True,)
    # a view of a new array keeps it shared
    assert fresh_results(Function("f", (x,), (
        Assign(y, "exp", (x,)), Assign(z, "getitem", (y, Const(slice(None)))),
        Return((y, z))))) == (False, False)
