"""Derivatives at the points a rule guards, to the order a Hessian takes (audits 32i, 32l).

A rule that guards a point with ``select(x == c, value, ...)`` has, there, the
derivative of ``value``: a constant froze the second derivative at 0 (``hessian(np.sinc)(0)``
was 0, not -pi^2/3).  A NaN operand of fmax/fmin or a NaN adjoint of ``np.where`` on the
side not chosen gave a zero or NaN where the function does not depend on it.  Expected
values are analytic, JAX's (x64) or central differences.
"""
import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import scipy.special

import pullback

jax.config.update("jax_enable_x64", True)


def sinc(x):
    return np.sinc(x)


def power(a, b):
    return a ** b


def math_power(a, b):
    return math.pow(a, b)


def xlogy(a, b):
    return scipy.special.xlogy(a, b)


def xlog1py(a, b):
    return scipy.special.xlog1py(a, b)


def spence(x):
    return scipy.special.spence(x)


@pytest.mark.parametrize("f, args, want", [
    (sinc, (0.0,), [[-math.pi ** 2 / 3]]),
    (power, (2.0, 0.0), [[0.0, 0.5], [0.5, math.log(2.0) ** 2]]),
    (math_power, (2.0, 0.0), [[0.0, 0.5], [0.5, math.log(2.0) ** 2]]),
    (xlogy, (0.0, 2.0), [[0.0, 0.5], [0.5, 0.0]]),
    (xlog1py, (0.0, 1.0), [[0.0, 0.5], [0.5, 0.0]]),
    (spence, (1.0,), [[0.5]]),
], ids=["sinc", "pow", "math.pow", "xlogy", "xlog1py", "spence"])
def test_second_derivatives_at_guarded_points(f, args, want):
    h = pullback.hessian(f, argnums=tuple(range(len(args))))(*args)
    got = np.array([[float(h[i][j]) for j in range(len(args))] for i in range(len(args))])
    np.testing.assert_allclose(got, want, atol=1e-12)


def test_spence_derivative_at_one_is_its_limit():
    assert pullback.grad(spence)(1.0) == pytest.approx(-1.0, abs=1e-15)


def fmax_sum(x, y):
    return np.sum(np.fmax(x, y) * np.array([1.0, 10.0, 100.0]))


def fmin_sum(x, y):
    return np.sum(np.fmin(x, y) * np.array([1.0, 10.0, 100.0]))


@pytest.mark.parametrize("backend", ["python", "numba"])
@pytest.mark.parametrize("f, jf", [(fmax_sum, jnp.fmax), (fmin_sum, jnp.fmin)], ids=["fmax", "fmin"])
def test_fmax_fmin_take_the_operand_that_is_not_nan(f, jf, backend):
    x, y = np.array([np.nan, 2.0, 1.0]), np.array([1.0, np.nan, 3.0])
    got = pullback.grad(f, argnums=(0, 1), backend=backend)(x, y)
    want = jax.grad(lambda a, b: jnp.sum(jf(a, b) * jnp.array([1.0, 10.0, 100.0])),
                    argnums=(0, 1))(x, y)
    for g, w in zip(got, want):
        np.testing.assert_array_equal(g, np.asarray(w))
    _, tangent = pullback.jvp(f, (x, y), (np.ones(3), np.zeros(3)), backend=backend)
    assert tangent == float(jax.jvp(lambda a: jnp.sum(jf(a, y) * jnp.array([1.0, 10.0, 100.0])),
                                    (x,), (np.ones(3),))[1])


def nansum_of_where(x):
    return np.nansum(np.where(x > 0, x, np.nan) ** 2)


def nanmean_of_where(x):
    return np.nanmean(np.where(x > 0, x, np.nan) ** 2)


@pytest.mark.parametrize("backend", ["python", "numba"])
@pytest.mark.parametrize("f, want", [(nansum_of_where, [1.0, 0.0, 4.0, 0.0]),
                                     (nanmean_of_where, [0.5, 0.0, 2.0, 0.0])],
                         ids=["nansum", "nanmean"])
def test_a_nan_adjoint_does_not_leak_into_the_side_where_does_not_take(f, want, backend):
    x = np.array([0.5, -1.0, 2.0, -0.3])
    np.testing.assert_allclose(pullback.grad(f, backend=backend)(x), want)
    _, t = pullback.jvp(f, (x,), (np.array([0.0, 1.0, 0.0, 0.0]),), backend=backend)
    assert t == 0.0
