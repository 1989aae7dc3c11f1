"""Audit 32l: implicit derivatives that converge on their own, and SciPy's solver
stand-ins that raise where SciPy raises.  Oracles: SciPy's own values and exceptions,
the analytic 1/(1 - J) of a fixed point, JAX (x64) through Newton unrolled."""
import jax
import numpy as np
import pytest
import scipy.optimize as so

import pullback

jax.config.update("jax_enable_x64", True)


def close(a, b, rtol=1e-9, atol=1e-11):
    np.testing.assert_allclose(np.asarray(a, float), np.asarray(b, float), rtol=rtol, atol=atol)


def tanh_step(x, s):
    return 0.9 * np.tanh(x) + s


def slope(x):                 # d x*/d s = 1 / (1 - d step/dx) at the fixed point
    return 1.0 / (1.0 - 0.9 * (1.0 - np.tanh(x) ** 2))


@pytest.mark.parametrize("s", [0.0, 1e-12, 0.3])
def test_fixed_point_derivative_from_zero_every_mode(s):
    # the solution at (or near) 0: the primal stops after few steps, the tangent must not
    def eq(s):
        return pullback.fixed_point(tanh_step, 0.0, s)
    want = slope(eq(s))
    close(pullback.grad(eq)(s), want)
    close(pullback.jvp(eq, (s,), (1.0,))[1], want)
    h = 1e-5                  # the second derivative: central differences of the first
    second = (slope(eq(s + h)) - slope(eq(s - h))) / (2 * h)
    close(pullback.hessian(eq)(s), second, rtol=1e-5, atol=1e-6)
    close(pullback.hvp(eq, (s,), (1.0,)), second, rtol=1e-5, atol=1e-6)


def test_fixed_point_warm_start():
    def eq(theta, x0):
        return pullback.fixed_point(tanh_step, x0, theta)
    xs = eq(0.3, 0.0)
    close(pullback.grad(eq)(0.3, xs), slope(xs))
    close(pullback.grad(lambda t: eq(t, 0.3 * t))(0.3), slope(xs))


def test_fixed_point_derivative_that_does_not_converge_is_an_error():
    def eq(t):               # x = 2x - t: repelling, del2 finds x* = t, the tangent diverges
        return so.fixed_point(lambda x, t: 2.0 * x - t + 0.0 * x * x, 0.5, args=(t,))
    assert abs(eq(0.3) - so.fixed_point(lambda x: 2.0 * x - 0.3, 0.5)) < 1e-10
    with pytest.raises(RuntimeError, match="does not converge"):
        pullback.grad(eq)(0.3)


@pytest.mark.parametrize("method", ["del2", "iteration"])
def test_scipy_fixed_point_value_and_derivative(method):
    def pv(r):
        return so.fixed_point(lambda v, r: r + 0.9 * v, 0.0, args=(r,), method=method)
    value, grad = pullback.value_and_grad(pv)(1.0)
    close(value, pv(1.0), rtol=1e-12)
    close(grad, 10.0)

    def slow(t):                # contraction 0.999: del2 converges, 500 plain steps do not
        return so.fixed_point(lambda x, t: 0.999 * x + t, 0.0, args=(t,))
    value, grad = pullback.value_and_grad(slow)(0.002)
    close(value, slow(0.002), rtol=1e-12)
    close(grad, 1000.0, rtol=1e-8)
    close(pullback.grad(lambda s: so.fixed_point(tanh_step, 0.0, args=(s,)))(0.0), 10.0)


def test_scipy_fixed_point_raises_as_scipy():
    def f(t):
        return so.fixed_point(lambda x, t: 0.999 * x + t, 0.0, args=(t,), method="iteration")
    with pytest.raises(RuntimeError):
        f(0.002)
    with pytest.raises(RuntimeError, match="Failed to converge"):
        pullback.grad(f)(0.002)
    with pytest.raises(RuntimeError, match="Failed to converge"):
        pullback.grad(lambda t: so.fixed_point(tanh_step, 0.0, args=(t,), maxiter=2))(0.3)


def cubic(x, c):
    return x ** 3 + 0.5 * x - c


@pytest.mark.parametrize("solve", [so.brentq, so.brenth, so.bisect, so.ridder])
def test_bracket_without_sign_change(solve):
    def f(c):
        return solve(cubic, 2.0, 3.0, args=(c,))
    with pytest.raises(ValueError, match="different signs"):
        f(2.0)
    with pytest.raises(ValueError, match="different signs"):
        pullback.grad(f)(2.0)


def test_newton_follows_scipy():
    def f(c, maxiter=50):
        return so.newton(lambda x, c: x ** 2 - c, 10.0, args=(c,), maxiter=maxiter)
    with pytest.raises(RuntimeError):
        f(2.0, 3)
    with pytest.raises(RuntimeError, match="Failed to converge"):
        pullback.grad(lambda c: f(c, 3))(2.0)
    value, grad = pullback.value_and_grad(f)(2.0)
    assert value == f(2.0)                           # SciPy's secant, step for step
    close(grad, 0.5 / np.sqrt(2.0))

    def g(c):
        return so.newton(lambda x, c: x ** 2 - c, 10.0, fprime=lambda x, c: 2 * x, args=(c,))
    value, grad = pullback.value_and_grad(g)(2.0)
    assert value == g(2.0)
    close(grad, 0.5 / np.sqrt(2.0))


def test_root_that_does_not_converge_is_refused():
    def f(a):
        sol = so.root(lambda x, a: x ** 2 + a, np.array([0.7]), args=(a,))
        return sol.x[0] if sol.success else -1.0
    assert f(0.5) == -1.0                            # SciPy: success is False
    with pytest.raises(RuntimeError, match="did not converge"):
        pullback.value_and_grad(f)(0.5)


def test_arguments_scipy_accepts():
    cube_root = 2.0 ** (1.0 / 3.0)

    def by_ridder(c):                                # a scalar args, wrapped as SciPy does
        return so.ridder(cubic, 0.0, 3.0, args=c)

    def by_fsolve(c):                                # a list x0 and a list returned
        return so.fsolve(lambda x, c: [x[0] ** 2 - c, x[1] - x[0]], [1.0, 1.0], args=(c,))[1]

    def fj(x, c):
        return np.array([x[0] ** 3 - c]), np.array([[3 * x[0] ** 2]])

    def by_root_jac(c):                              # jac=True: fun returns (F, J)
        return so.root(fj, np.array([1.0]), args=(c,), jac=True).x[0]
    root = so.brentq(cubic, 0.0, 3.0, args=(2.0,))
    close(pullback.grad(by_ridder)(2.0), 1.0 / (3 * root ** 2 + 0.5))
    close(pullback.grad(by_fsolve)(2.0), 0.5 / np.sqrt(2.0), rtol=1e-7)
    close(by_root_jac(2.0), cube_root)
    close(pullback.grad(by_root_jac)(2.0), 1.0 / (3 * cube_root ** 2), rtol=1e-7)


def brentq_root(c):
    return so.brentq(cubic, 0.0, 3.0, args=(c,))


def test_c_refuses_solvers_at_the_users_line():
    with pytest.raises(pullback.UnsupportedError, match=r"test_implicit_audit32.py:\d+.*numba"):
        pullback.emit_c(brentq_root, 2.0)
