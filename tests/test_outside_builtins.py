"""Builtins and NumPy scalar types as outside code writes them (audit 28): ``sum(items,
start)``, ``np.float64(v)`` / ``np.int64(n)`` on numbers.  Each gradient is compared with
JAX (x64) and central differences, never with pullback's own output, on the Python and
Numba backends."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import pullback
from jax_fd import fd_grad

jax.config.update("jax_enable_x64", True)
X = np.array([0.5, -1.2, 2.0, 0.7])


def sum_start_genexp(x):
    return sum((v * v for v in x), 10.0)


def sum_start_active(x):
    return sum([x[1], x[2] ** 2], x[0] ** 3)


def sum_start_array(x):
    return np.sum(sum([x * 2.0, x ** 2], np.ones(4)) ** 2)


def sum_start_keyword(x):
    return sum([np.sin(v) for v in x], start=x[3])


def numpy_scalar_types(x):
    n = np.int64(3)
    return np.sum(x ** n) + np.float64(x[0] * x[1]) * 2.0 + np.float64(0.5) * x[2]


CASES = [sum_start_genexp, sum_start_active, sum_start_array, sum_start_keyword,
         numpy_scalar_types]


def _jax(f):
    twin = f.__globals__.copy()
    twin["np"] = jnp
    return type(f)(f.__code__, twin)


@pytest.mark.parametrize("backend", ["python", "numba"])
@pytest.mark.parametrize("f", CASES, ids=[f.__name__ for f in CASES])
def test_builtin_forms_match_jax_and_differences(f, backend):
    if backend == "numba":
        pytest.importorskip("numba")
    got = pullback.grad(f, backend=backend)(X.copy())
    np.testing.assert_allclose(got, jax.grad(_jax(f))(jnp.asarray(X)), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(got, fd_grad(f, (X,), 0), rtol=1e-6, atol=1e-8)
    value, tangent = pullback.jvp(f, (X.copy(),), (np.linspace(0.5, 1.5, 4),))
    np.testing.assert_allclose(tangent, np.dot(got, np.linspace(0.5, 1.5, 4)), rtol=1e-10)
    assert value == pytest.approx(f(X.copy()))


COEFFS = [1.0, 2.0, -1.0, 0.5]


def zip_config_list(x):
    total = 0.0
    for c, v in zip(COEFFS, x):
        total = total + c * v ** 2
    return total + sum(c * np.sin(v) for c, v in zip(COEFFS, x))


def zip_config_list_twin(x, coeffs):
    return jnp.sum(coeffs * x ** 2) + jnp.sum(coeffs * jnp.sin(x))


@pytest.mark.parametrize("backend", ["python", "numba"])
def test_zip_of_a_global_list_and_an_array_sees_the_list_change(backend):
    """zip(list of floats, array) was rejected; it reads the list as an array of its
    values, and a change to the list (an item, or its length) is seen by the next call."""
    if backend == "numba":
        pytest.importorskip("numba")
    g = pullback.grad(zip_config_list, backend=backend)
    for change in (None, (1, 7.0), "append"):
        if change == "append":
            COEFFS.append(3.0)
        elif change is not None:
            COEFFS[change[0]] = change[1]
        try:
            n = min(len(COEFFS), 4)
            want = np.zeros(4)
            want[:n] = jax.grad(zip_config_list_twin)(jnp.asarray(X[:n]),
                                                      jnp.asarray(COEFFS[:n]))
            got = g(X.copy())
            np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)
            np.testing.assert_allclose(got, fd_grad(zip_config_list, (X,), 0), rtol=1e-6,
                                       atol=1e-8)
        finally:
            if change == "append":
                COEFFS.pop()
    COEFFS[1] = 2.0


def power_loop(m):
    out = m
    for _ in range(2):
        out = out @ m
    return np.sum(out) + np.sum(np.linalg.matrix_power(m, 3))


def test_hessian_through_a_matrix_product_in_a_loop():
    """The loop-carried adjoint out_bar = broadcast_to(1.0, ...) got the scalar tangent
    0.0, and the next 'out_bar_dot @ m.T' failed (matmul of a 0-d operand): a rebound
    array's zero tangent is an array of its shape."""
    m = np.array([[0.3, -0.7, 1.1], [0.9, 0.4, -0.2], [1.5, -0.1, 0.6]])
    got = pullback.hessian(power_loop)(m)
    want = jax.hessian(_jax(power_loop))(jnp.asarray(m))
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)
    g = jax.grad(_jax(power_loop))
    fd = np.stack([(np.asarray(g(jnp.asarray(m + 1e-6 * e))) - np.asarray(g(jnp.asarray(m - 1e-6 * e))))
                   / 2e-6 for e in np.eye(9).reshape(9, 3, 3)], -1).reshape(3, 3, 3, 3)
    np.testing.assert_allclose(got, fd, rtol=1e-5, atol=1e-6)
