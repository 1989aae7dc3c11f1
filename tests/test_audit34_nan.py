"""Audit 34's NaN findings: NumPy's np.maximum/np.minimum/np.clip propagate NaN (and a
tie of zeros gives np.maximum's second operand), where Python's builtin max/min/sorted
compare with ``<``/``>`` (a NaN compares False: kept only where it comes first, and the
derivative goes to the item Python returns); np.median of a slice holding NaN is NaN;
Numba's logsumexp of -inf and inf rows is SciPy's.  Values against NumPy, SciPy and
Python themselves; derivatives against JAX (x64), or against Python's own choice of item
where JAX has no builtin max or sorted."""
import math
import shutil

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import scipy.special

import pullback

jax.config.update("jax_enable_x64", True)
NAN = float("nan")
BACKENDS = ["python", "numba", "c"]


def run(f, args, backend, argnums):
    """(value, gradient) of ``f`` on one backend (C: emitted, compiled and loaded)."""
    if backend == "c":
        if shutil.which("cc") is None:
            pytest.skip("needs a C compiler (cc)")
        return pullback.emit_c(f, *args, argnums=argnums).compile()(*args)
    if backend == "numba":
        pytest.importorskip("numba")
    return pullback.value_and_grad(f, argnums=argnums, backend=backend)(*args)


def same(got, want):
    """Equal values, NaN where NaN, and the sign of a zero."""
    got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
    return got.shape == want.shape and np.array_equal(got, want, equal_nan=True) and \
        np.array_equal(np.signbit(got), np.signbit(want))


def maximum2(a, b):
    return np.maximum(a, b) * 2.0


def minimum2(a, b):
    return np.minimum(a, b) * 2.0


def maximum_nan_constant(a, b):
    return np.maximum(a, np.nan) * 2.0 + b


def maximum_of_array(x, b):
    return np.sum(np.maximum(x, b) * 2.0)


def clip_scalar(x, lo, hi):
    return np.clip(x, lo, hi) * 2.0


def clip_array(x, lo, hi):
    return np.sum(np.clip(x, lo, hi) * np.array([1.0, 2.0, 3.0]))


NUMPY_CASES = [
    (maximum2, lambda a, b: jnp.maximum(a, b) * 2.0, (1.0, NAN)),
    (minimum2, lambda a, b: jnp.minimum(a, b) * 2.0, (1.0, NAN)),
    (maximum2, lambda a, b: jnp.maximum(a, b) * 2.0, (np.float64(1.0), np.float64(NAN))),
    (maximum_nan_constant, lambda a, b: jnp.maximum(a, jnp.nan) * 2.0 + b, (1.0, 2.0)),
    (maximum_of_array, lambda x, b: jnp.sum(jnp.maximum(x, b) * 2.0),
     (np.array([1.0, 2.0]), NAN)),
    (clip_scalar, lambda x, lo, hi: jnp.clip(x, lo, hi) * 2.0, (0.5, NAN, 1.0)),
    (clip_scalar, lambda x, lo, hi: jnp.clip(x, lo, hi) * 2.0, (0.5, 0.0, NAN)),
    (clip_array, lambda x, lo, hi: jnp.sum(jnp.clip(x, lo, hi) * jnp.array([1.0, 2.0, 3.0])),
     (np.array([-1.0, 0.5, 2.0]), NAN, 1.0)),
    (clip_array, lambda x, lo, hi: jnp.sum(jnp.clip(x, lo, hi) * jnp.array([1.0, 2.0, 3.0])),
     (np.array([-1.0, 0.5, 2.0]), 0.0, NAN)),
]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("f, f_jax, args", NUMPY_CASES)
def test_numpy_extremes_propagate_nan(f, f_jax, args, backend):
    argnums = tuple(range(len(args)))
    value, grads = run(f, args, backend, argnums)
    want_grads = jax.grad(f_jax, argnums=argnums)(*args)
    assert same(value, f(*args))
    for got, want in zip(grads, want_grads):
        assert same(got, want)


@pytest.mark.parametrize("f", [maximum2, minimum2, clip_scalar])
def test_numpy_extremes_forward_mode(f):
    args = (0.5, NAN, 1.0)[:2 if f is not clip_scalar else 3]
    value, tangent = pullback.jvp(f, args, (1.0,) * len(args))
    assert math.isnan(value) and tangent == 0.0


def arg_of_maximum(x):
    return math.atan2(np.maximum(x, 0.0), -1.0)


def arg_of_minimum(x):
    return math.atan2(np.minimum(x, -0.0), -1.0)


def args_of_maximum(x):
    return np.sum(np.arctan2(np.maximum(x, 0.0), -1.0))


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("f, x", [(arg_of_maximum, -0.0), (arg_of_minimum, 0.0),
                                  (args_of_maximum, np.array([-0.0, 0.0, 1.0]))])
def test_a_tie_of_zeros_gives_numpys_second_operand(f, x, backend):
    value, _ = run(f, (x,), backend, (0,))
    assert value == f(x)


def builtin_max_of_array(x):
    return max(x) * 2.0


def builtin_min_of_array(x):
    return min(x) * 2.0


def builtin_pair(a, b):
    return max(a, b) * 2.0 + min(a, b)


def builtin_three(a, b, c):
    return max(a, b, c) * 2.0 + min(a, b, c)


def chosen_grad(f, args):
    """d f / d args where Python's max/min pick an item: central differences in the
    items that are numbers; 0 in a NaN item that Python skips."""
    out = []
    for i, a in enumerate(args):
        if math.isnan(a):
            out.append(0.0)
            continue
        up, down = list(args), list(args)
        up[i], down[i] = a + 1e-6, a - 1e-6
        out.append((f(*up) - f(*down)) / 2e-6)
    return out


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("f", [builtin_max_of_array, builtin_min_of_array])
@pytest.mark.parametrize("x", [[1.0, NAN, 3.0], [3.0, NAN, 1.0], [1.0, 3.0, NAN],
                               [NAN, 1.0, 3.0], [3.0, NAN, 3.0]])
def test_builtin_max_of_an_array_is_pythons(f, x, backend):
    x = np.array(x)
    value, grad = run(f, (x,), backend, (0,))
    assert same(value, f(x))
    if math.isnan(x[0]):            # Python returns the first item: the derivative is its
        want = [2.0, 0.0, 0.0]
    else:
        want = chosen_grad(lambda *v: f(np.array(v)), tuple(x))
        if x[0] == x[2]:            # a tie of equal values shares, as np.max's
            want = [1.0, 0.0, 1.0]
    assert np.allclose(grad, want, rtol=1e-6, atol=1e-9)
    _, tangent = pullback.jvp(f, (x,), (np.array([1.0, 10.0, 100.0]),))
    assert tangent == pytest.approx(np.dot(want, [1.0, 10.0, 100.0]))


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("f, args", [(builtin_pair, (1.0, NAN)), (builtin_pair, (NAN, 1.0)),
                                     (builtin_three, (3.0, NAN, 1.0)),
                                     (builtin_three, (3.0, 1.0, NAN))])
def test_builtin_max_derivative_goes_to_the_item_returned(f, args, backend):
    argnums = tuple(range(len(args)))
    value, grads = run(f, args, backend, argnums)
    assert same(value, f(*args))
    want = chosen_grad(f, args)
    if math.isnan(args[0]):         # max(nan, 1.0) and min(nan, 1.0) are both the nan
        want = [3.0, 0.0]
    assert np.allclose(grads, want, rtol=1e-6)
    _, tangent = pullback.jvp(f, args, (1.0,) * len(args))
    assert same(tangent, sum(want)) or np.isclose(tangent, sum(want))


def sorted3(a, b, c):
    s = sorted([a, b, c])
    return s[0] * 1.0 + s[1] * 10.0 + s[2] * 100.0


def sorted3_reversed(a, b, c):
    s = sorted((a, b, c), reverse=True)
    return s[0] * 1.0 + s[1] * 10.0 + s[2] * 100.0


def python_order_grad(args, reverse):
    """The weight of the position Python's own sort puts each item at."""
    order = sorted(range(len(args)), key=lambda i: args[i], reverse=reverse)
    grad = [0.0] * len(args)
    for position, i in enumerate(order):
        grad[i] = (1.0, 10.0, 100.0)[position]
    return grad


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("f", [sorted3, sorted3_reversed])
@pytest.mark.parametrize("args", [(3.0, NAN, 1.0), (NAN, 3.0, 1.0), (3.0, 1.0, NAN),
                                  (1.0, 2.0, 3.0), (2.0, 2.0, 1.0)])
def test_sorted_is_pythons_order(f, args, backend):
    value, grads = run(f, args, backend, (0, 1, 2))
    s = sorted(args, reverse=f is sorted3_reversed)
    assert same(value, s[0] * 1.0 + s[1] * 10.0 + s[2] * 100.0)
    assert list(grads) == python_order_grad(args, f is sorted3_reversed)
    if backend == "python":
        _, tangent = pullback.jvp(f, args, (1.0, 2.0, 3.0))
        assert tangent == np.dot(grads, [1.0, 2.0, 3.0])


def sorted6(a, b, c, d, e, g):
    s = sorted([a, b, c, d, e, g])
    return s[0] + 2.0 * s[5]


def test_sorted_of_more_items_raises_at_a_nan():
    args = (6.0, 5.0, 4.0, 3.0, 2.0, 1.0)
    assert pullback.value_and_grad(sorted6, argnums=(0, 5))(*args) == (13.0, (2.0, 1.0))
    pytest.importorskip("numba")
    for backend in ("python", "numba"):
        with pytest.raises(AssertionError, match="test_audit34_nan.py:.*one of them NaN"):
            pullback.value_and_grad(sorted6, backend=backend)(1.0, 2.0, NAN, 4.0, 5.0, 6.0)


def median2(x):
    return np.median(x) * 2.0


def median_rows(x):
    return np.sum(np.median(x, axis=1) * np.array([1.0, 2.0]))


@pytest.mark.parametrize("backend", ["python", "numba"])
@pytest.mark.parametrize("f, x", [(median2, np.array([3.0, NAN, 1.0, 2.0])),
                                  (median_rows, np.array([[3.0, NAN, 1.0], [1.0, 2.0, 3.0]]))])
def test_median_of_nan_is_nan(f, x, backend):
    value, grad = run(f, (x,), backend, (0,))
    assert same(value, f(x))
    finite = np.where(np.isnan(x), 0.0, x)
    _, grad = run(f, (finite,), backend, (0,))
    want = jax.grad(lambda v: jnp.sum(jnp.median(v, axis=None if x.ndim == 1 else 1) *
                                      (2.0 if x.ndim == 1 else jnp.array([1.0, 2.0]))))(finite)
    assert np.allclose(grad, want)


@pytest.mark.parametrize("x", [[-np.inf, -np.inf], [np.inf, 1.0], [np.inf, np.inf],
                               [NAN, 1.0], [1.0, -np.inf]])
def test_numba_logsumexp_of_infinities_is_scipys(x):
    pytest.importorskip("numba")
    x = np.array(x)

    def f(x):
        return scipy.special.logsumexp(x)
    value, grad = pullback.value_and_grad(f, backend="numba")(x)
    assert same(value, scipy.special.logsumexp(x))
    assert same(grad, pullback.grad(f)(x))
