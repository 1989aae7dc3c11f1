"""A global array is a run-time value to every fold (audit 31e, repro 6).

A global array reaches the IR as ``Const(Extern)``; folds that apply Python's operators,
truth or ``isinstance`` to constants (``-Y``, ``np.array([Y, W])``, ``isinstance(Y,
np.ndarray)``) treated it as a compile-time value: ``-Y * np.log(p)`` crashed with
"bad operand type for unary -: 'Extern'", and ``isinstance`` decided False.  Every
expected value is from JAX (x64) or analytic, never from pullback.
"""
import importlib

import numpy as np
import pytest

import pullback

jax = pytest.importorskip("jax")
jax.config.update("jax_enable_x64", True)
jnp = jax.numpy

BACKENDS = ["python", pytest.param("numba", marks=pytest.mark.skipif(
    importlib.util.find_spec("numba") is None, reason="needs numba"))]

Y = np.array([1.0, 0.0, 1.0])
W = np.array([0.5, -2.0, 3.0])
Z = np.array([0.3, 0.7, -1.2])


def xent(z, m=np):
    p = 1.0 / (1.0 + m.exp(-z))
    return m.sum(-Y * m.log(p) - (1 - Y) * m.log(1 - p))


def angle(z, m=np):
    return m.sum(m.arctan2(Y, z))


def negated(z, m=np):
    return m.sum(-Y * z + -(-W) * z ** 2)


def exp_neg(z, m=np):
    return m.sum(m.exp(-Y) * m.sin(z))


def absolute(z, m=np):
    return m.sum(abs(-W) * z + m.abs(Y - W) * z ** 3)


def squared(z, m=np):
    return m.sum(Y ** 2 * z + (-W) ** 2 * m.cos(z))


def stacked(z, m=np):
    return m.sum(m.array([Y, -W]) @ z)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("f", [xent, angle, negated, exp_neg, absolute, squared, stacked])
def test_global_array_in_arithmetic(f, backend):
    want = jax.grad(lambda z: f(z, jnp))(jnp.asarray(Z))
    np.testing.assert_allclose(pullback.grad(f, backend=backend)(Z), want, rtol=1e-12,
                               atol=1e-14)
    _, tangent = pullback.jvp(f, (Z,), (W,), backend=backend)
    assert tangent == pytest.approx(float(want @ W), rel=1e-12)


def checked(z):
    if isinstance(Y, np.ndarray):      # a global array is an ndarray: the first branch
        return np.sum(Y * z)
    return np.sum(z * z)


@pytest.mark.parametrize("backend", BACKENDS)
def test_isinstance_of_a_global_array(backend):
    np.testing.assert_allclose(pullback.grad(checked, backend=backend)(Z), Y)


def _either(x):
    if isinstance(x, np.ndarray):
        return np.sum(x ** 2)
    return x ** 3


@pytest.mark.parametrize("backend", ["python", "numba"])
def test_isinstance_ndarray_of_an_argument(backend):
    """Decided by the argument's type (was rejected: 'a function or module where an array
    is expected').  Against the analytic derivatives."""
    if backend == "numba":
        pytest.importorskip("numba")
    assert pullback.grad(_either, backend=backend)(2.0) == 12.0
    assert np.allclose(pullback.grad(_either, backend=backend)(np.array([1.0, 2.0])), [2.0, 4.0])
