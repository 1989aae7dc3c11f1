"""Solvers given a function that reads values other than its ``args``: a closure over the
caller's locals, a nested def, a default bound at the call, a global.  Every value the
function reads is data the solution depends on, so its derivative flows through the
implicit rule (``implicit.py``: the rules differentiate the function's captured values
with ``theta``).  Oracles: JAX through Newton unrolled to convergence, central
differences; never pullback's own output.  Issue 11: brentq with a lambda over an
enclosing ``k`` gave dL/dk = 0."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest
import scipy.optimize

import pullback

jax.config.update("jax_enable_x64", True)


def close(a, b, rtol=1e-7, atol=1e-9):
    np.testing.assert_allclose(np.asarray(a, float), np.asarray(b, float), rtol=rtol, atol=atol)


def cube_root_squared_jax(k, c):     # the root of x**3 - k - c, squared; Newton unrolled
    x = 1.0
    for _ in range(40):
        x = x - (x ** 3 - k - c) / (3 * x ** 2)
    return x * x


def by_lambda(k):                    # the reported program: k read from the enclosing scope
    c = 0.5
    r = scipy.optimize.brentq(lambda x, c: x ** 3 - k - c, 0.0, 3.0, args=(c,))
    return r * r


def by_nested_def(k):
    c = 0.5

    def f(x, c):
        return x ** 3 - k - c
    r = scipy.optimize.brentq(f, 0.0, 3.0, args=(c,))
    return r * r


def by_default(k):
    r = scipy.optimize.brentq(lambda x, kk=k: x ** 3 - kk - 0.5, 0.0, 3.0)
    return r * r


def by_newton(k):
    r = scipy.optimize.newton(lambda x: x ** 3 - k - 0.5, 1.0)
    return r * r


def by_pullback_root(k):
    r = pullback.root(lambda x, c: x ** 3 - k - c, 1.0, 0.5)
    return r * r


@pytest.mark.parametrize("f", [by_lambda, by_nested_def, by_default, by_newton,
                               by_pullback_root])
def test_scalar_solvers_differentiate_what_the_function_reads(f):
    want = jax.grad(cube_root_squared_jax)(1.3, 0.5)
    assert abs(want) > 0.1
    close(pullback.grad(f)(1.3), want)
    close(pullback.jvp(f, (1.3,), (1.0,))[1], want)
    close(pullback.vjp(f, 1.3)[1](1.0)[0], want)


K = 1.0


def by_global(c):                    # a global is a constant; its current value counts
    r = scipy.optimize.brentq(lambda x, c: x ** 3 - K * c - c, 0.0, 3.0, args=(c,))
    return r * r


def test_a_global_read_by_the_function_is_its_current_value():
    global K
    g = pullback.grad(by_global)
    h = 1e-6
    for k in (1.0, 2.0):
        K = k
        fd = (by_global(0.8 + h) - by_global(0.8 - h)) / (2 * h)
        close(g(0.8), fd, rtol=1e-6)
    K = 1.0


def fixed_point_squared(a):
    step = lambda x: 0.5 * np.cos(x) + 0.3 * a      # noqa: E731 (a closure over a)
    x = scipy.optimize.fixed_point(step, 0.5)
    return x * x


def test_fixed_point_differentiates_the_step_s_closure():
    h = 1e-5
    fd = (fixed_point_squared(0.8 + h) - fixed_point_squared(0.8 - h)) / (2 * h)
    assert abs(fd) > 0.1
    close(pullback.grad(fixed_point_squared)(0.8), fd, rtol=1e-6)
    close(pullback.jvp(fixed_point_squared, (0.8,), (1.0,))[1], fd, rtol=1e-6)


def vector_root_sum(k):
    def residual(x):                 # no args: k only through the closure
        return x * x - k * np.array([1.0, 2.0])
    r = scipy.optimize.fsolve(residual, np.array([1.0, 1.0]))
    return r[0] * r[1]


def test_fsolve_differentiates_the_residual_s_closure():
    want = jax.grad(lambda k: jnp.sqrt(k) * jnp.sqrt(2.0 * k))(1.3)
    close(pullback.grad(vector_root_sum)(1.3), want)
    close(pullback.jvp(vector_root_sum, (1.3,), (1.0,))[1], want)


def one_unknown(k):                  # a (1,)-shaped unknown: the tangent of x**3 - k
    r = scipy.optimize.fsolve(lambda x: x ** 3 - k, np.array([1.0]))  # keeps its shape
    return r[0] * r[0]


def test_fsolve_one_unknown_closure_tangent_keeps_the_residual_s_shape():
    want = jax.grad(lambda k: k ** (2.0 / 3.0))(1.3)
    close(pullback.grad(one_unknown)(1.3), want)


@pullback.custom_jvp
def apply_twice(f, x):
    return f(f(x))


def _apply_twice_jvp(primals, tangents):       # ignores the tangent of f's captures
    f, x = primals
    y = apply_twice(f, x)
    return y, 0.0 * tangents[1]


apply_twice.defjvp(_apply_twice_jvp)


def through_a_closure(k):
    return apply_twice(lambda z: z * k, 2.0)


def test_a_custom_jvp_rule_that_ignores_a_closure_s_tangent_is_rejected():
    for run in (lambda: pullback.grad(through_a_closure)(1.5),
                lambda: pullback.jvp(through_a_closure, (1.5,), (1.0,))):
        with pytest.raises(pullback.UnsupportedError, match="ignores the tangent of argument 0"):
            run()
