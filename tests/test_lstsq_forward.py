"""``np.linalg.lstsq``'s whole tuple passed to a helper (``solution(lstsq(A, b))``): the
residuals it does not read get a zero cotangent (a scalar), which its rule indexed (an
IndexError inside pullback); and forward mode through the tuple needs the residuals' and
the singular values' tangents (``lstsq_residuals_jvp``, ``svd_s_jvp``: they were missing,
so a jvp was rejected).  Against central differences and JAX."""
import numpy as np
import pytest

import pullback
from jax_fd import fd_grad

jax = pytest.importorskip("jax")
jnp = jax.numpy

A = np.array([[1.0, 0.3], [0.1, 0.8], [-0.4, 0.2]])
B = np.array([1.0, 2.0, 0.5])


def solution(res):
    return res[0]


def through_helper(s):
    return np.sum(solution(np.linalg.lstsq(A * s, B, rcond=None)) ** 2)


def residual_and_values(x):
    x_, res, rank, sv = np.linalg.lstsq(A * x[0], B + x[1], rcond=None)
    return res[0] + np.sum(sv ** 2) + np.sum(x_)


def test_grad_of_the_tuple_through_a_helper():
    got = pullback.grad(through_helper)(0.3)
    h = 1e-6
    assert np.isclose(got, (through_helper(0.3 + h) - through_helper(0.3 - h)) / (2 * h),
                      rtol=1e-6)


def test_jvp_of_residuals_and_singular_values():
    x, t = np.array([0.7, 0.2]), np.array([0.4, -1.1])
    _, got = pullback.jvp(residual_and_values, (x,), (t,))
    assert np.isclose(got, fd_grad(residual_and_values, (x,), 0) @ t, rtol=1e-6)
    _, tangent = pullback.jvp(through_helper, (0.3,), (1.0,))
    assert np.isclose(tangent, pullback.grad(through_helper)(0.3), rtol=1e-10)


def test_singular_values_tangent_against_jax():
    M = np.array([[1.0, 0.3, 0.2], [0.1, 0.8, -0.5], [-0.4, 0.2, 0.9], [0.3, 0.3, 0.1]])

    def f(x, np=np):
        return np.sum(np.linalg.svd(M * x[0] + x[1], compute_uv=False) ** 3)
    x, t = np.array([0.7, 0.2]), np.array([0.3, -1.0])
    got = pullback.jvp(f, (x,), (t,))[1]
    assert np.isclose(got, jax.jvp(lambda x: f(x, jnp), (x,), (t,))[1], rtol=1e-10)
