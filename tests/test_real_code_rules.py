"""Rules added for code people already have (issue 13): the singular vectors of
np.linalg.svd, scipy.linalg.lu_factor/lu_solve, scipy.special.zeta, in forward
mode and where they have no derivative.  Values are checked against JAX (x64) and
central finite differences, never against pullback's own output; where a derivative
does not exist the error names the user's line.
"""
import numpy as np
import pytest
import jax
import jax.numpy as jnp
import scipy.linalg
import scipy.special

import pullback
from test_numpy_rules import fd_grad

jax.config.update("jax_enable_x64", True)
RNG = np.random.default_rng(3)
A = RNG.uniform(-2, 2, (3, 3))
T = RNG.uniform(-1, 1, (3, 3))


def svd_u(a):
    return np.linalg.svd(a)[0] ** 2


def lu(a):
    return scipy.linalg.lu_factor(a)[0]


@pytest.mark.parametrize("f, twin", [
    (svd_u, lambda a: jnp.linalg.svd(a, full_matrices=False)[0] ** 2),
    (lu, lambda a: jax.scipy.linalg.lu_factor(a)[0])])
def test_forward_mode_against_jax_and_differences(f, twin):
    _, got = pullback.jvp(f, (A,), (T,))
    want = jax.jvp(twin, (A,), (T,))[1]
    np.testing.assert_allclose(got, want, rtol=1e-8, atol=1e-10)
    h = 1e-6
    np.testing.assert_allclose(got, (f(A + h * T) - f(A - h * T)) / (2 * h), rtol=1e-5, atol=1e-6)


def repeated(a):
    u, s, vh = np.linalg.svd(a @ a.T + np.eye(3))      # a symmetric matrix: u = vh.T
    return np.sum(u[:, 0] * vh[0])


def test_svd_vectors_at_repeated_singular_values_raise():
    with pytest.raises(ArithmeticError, match="repeated singular values"):
        pullback.grad(repeated)(np.zeros((3, 3)))


def extra_columns(a):
    return np.sum(np.linalg.svd(a)[0] ** 2 * np.arange(4.0))


def test_svd_extra_columns_of_full_matrices_raise():
    with pytest.raises(ArithmeticError, match="full_matrices=False"):
        pullback.grad(extra_columns)(RNG.uniform(-1, 1, (4, 3)))


def lu_loss(a):
    return np.sum(scipy.linalg.lu_solve(scipy.linalg.lu_factor(a), np.arange(3.0)) ** 2)


def test_lu_gradient_and_second_order_rejection():
    got = pullback.grad(lu_loss)(A)
    twin = jax.grad(lambda a: jnp.sum(jax.scipy.linalg.lu_solve(
        jax.scipy.linalg.lu_factor(a), jnp.arange(3.0)) ** 2))(A)
    np.testing.assert_allclose(got, twin, rtol=1e-9)
    np.testing.assert_allclose(got, fd_grad(lu_loss, [A], 0), rtol=1e-5)
    with pytest.raises(pullback.UnsupportedError, match="lu_packed_vjp"):     # never a silent zero
        pullback.hessian(lu_loss)(A)


def zeta_in_x(s):
    return scipy.special.zeta(s, 1.5)


def test_zeta_in_its_exponent_is_rejected_at_the_line():
    with pytest.raises(pullback.UnsupportedError) as e:
        pullback.grad(zeta_in_x)(2.5)
    assert e.value.line == zeta_in_x.__code__.co_firstlineno + 1


def r_directive(x):
    return np.sum(np.r_["0,2", x, x])


def r_float_slice(x):
    return np.sum(np.r_[x, 0:1:0.5])


@pytest.mark.parametrize("f, text", [(r_directive, "string directive"),
                                     (r_float_slice, "integer constants")])
def test_index_concatenation_rejections_name_the_line(f, text):
    with pytest.raises(pullback.TransformError, match=text) as e:
        pullback.grad(f)(np.ones(3))
    assert e.value.line == f.__code__.co_firstlineno + 1
