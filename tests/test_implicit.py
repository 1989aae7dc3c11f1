"""Implicit differentiation: ``pullback.fixed_point`` and ``pullback.root`` in every mode,
against JAX differentiating the converged iteration unrolled (an independent oracle:
the unrolled derivative converges to the implicit one) and central differences; the
deep-equilibrium example trains."""
import os
import sys

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import pullback

jax.config.update("jax_enable_x64", True)
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "examples"))


def close(a, b, rtol=1e-8, atol=1e-10):
    np.testing.assert_allclose(np.asarray(a, float), np.asarray(b, float), rtol=rtol, atol=atol)


def step(x, a):
    return np.cos(x) * a


def through_fixed_point(a):
    x = pullback.fixed_point(step, 0.5, a)
    return x * x + a


def through_fixed_point_jax(a):
    x = 0.5
    for _ in range(80):       # contraction 0.6: converged to rounding
        x = jnp.cos(x) * a
    return x * x + a


def cube_residual(x, c):
    return x ** 3 - c


def through_root(c):
    return pullback.root(cube_residual, 1.0, c) * c


def test_fixed_point_grad_jvp_hessian():
    want = jax.grad(through_fixed_point_jax)(0.8)
    close(pullback.grad(through_fixed_point)(0.8), want)
    close(pullback.jvp(through_fixed_point, (0.8,), (2.0,))[1], 2.0 * want)
    close(pullback.hessian(through_fixed_point)(0.8), jax.hessian(through_fixed_point_jax)(0.8),
          rtol=1e-7)


def test_root_grad_and_jvp():
    want = 4.0 / 3.0 * 2.0 ** (1.0 / 3.0)       # d/dc c^(4/3)
    close(pullback.grad(through_root)(2.0), want)
    close(pullback.jvp(through_root, (2.0,), (1.0,))[1], want)
    h = 1e-6
    close(pullback.grad(through_root)(2.0),
          (through_root(2.0 + h) - through_root(2.0 - h)) / (2 * h), rtol=1e-7)


def test_deep_equilibrium_gradient_and_training():
    import deep_equilibrium as deq
    theta, rng = deq.init()
    x, y, v = rng.standard_normal(deq.D), 0.7, rng.standard_normal(deq.N)

    def loss_jax(theta):
        params = jnp.concatenate((theta, x))
        th, xx = params[:-deq.D], params[-deq.D:]
        n, d = deq.N, deq.D
        w, u, b = (th[:n * n].reshape(n, n), th[n * n:n * n + n * d].reshape(n, d),
                   th[n * n + n * d:])
        z = jnp.zeros(n)
        for _ in range(60):
            z = jnp.tanh(w @ z + u @ xx + b)
        return (jnp.dot(v, z) - y) ** 2
    close(pullback.grad(deq.loss)(theta, x, y, v), jax.grad(loss_jax)(theta), rtol=1e-7)
    losses = deq.train()
    assert losses[-1] < 0.01 * losses[0]


# -- scipy.optimize's solvers inside differentiated code ------------------------------------
import scipy.optimize  # noqa: E402


def cubic(x, c0, c1):
    return x ** 3 + c1 * x - c0


def squared_root(c0, c1):
    return scipy.optimize.brentq(cubic, 0.0, 3.0, args=(c0, c1)) ** 2


def squared_root_jax(c0, c1):        # Newton unrolled to convergence: an independent oracle
    x = 1.0
    for _ in range(30):
        x = x - (x ** 3 + c1 * x - c0) / (3 * x ** 2 + c1)
    return x ** 2


@pytest.mark.parametrize("solve", [scipy.optimize.brentq, scipy.optimize.brenth,
                                   scipy.optimize.bisect, scipy.optimize.ridder])
def test_bracketing_solvers(solve):
    def f(c0, c1):
        return solve(cubic, 0.0, 3.0, args=(c0, c1)) ** 2
    assert abs(f(2.0, 0.5) - squared_root_jax(2.0, 0.5)) < 1e-10
    close(pullback.grad(f, argnums=(0, 1))(2.0, 0.5),
          jax.grad(squared_root_jax, argnums=(0, 1))(2.0, 0.5))


def test_brentq_every_mode():
    want = jax.grad(squared_root_jax, argnums=(0, 1))(2.0, 0.5)
    close(pullback.jvp(squared_root, (2.0, 0.5), (1.0, -1.0))[1], want[0] - want[1])
    close(pullback.hessian(squared_root, argnums=(0, 1))(2.0, 0.5),
          jax.hessian(squared_root_jax, argnums=(0, 1))(2.0, 0.5), rtol=1e-7)


@pytest.mark.slow       # test_custom_rules covers rules on Numba; this compiles a solver
def test_brentq_numba():
    want = jax.grad(squared_root_jax, argnums=(0, 1))(2.0, 0.5)
    close(pullback.grad(squared_root, argnums=(0, 1), backend="numba")(2.0, 0.5), want)


def test_newton_and_fixed_point():
    def by_newton(c):
        return scipy.optimize.newton(cubic, 1.0, args=(c, 0.5))

    def by_newton_jax(c):
        return squared_root_jax(c, 0.5) ** 0.5
    close(pullback.grad(by_newton)(2.0), jax.grad(by_newton_jax)(2.0))

    def by_fixed_point(a):
        return scipy.optimize.fixed_point(step, 0.5, args=(a,))
    h = 1e-6
    close(pullback.grad(by_fixed_point)(0.8),
          (by_fixed_point(0.8 + h) - by_fixed_point(0.8 - h)) / (2 * h), rtol=1e-6)


def two_equations(x, a, b):
    return np.array([x[0] ** 3 + x[1] - a, x[1] ** 3 - x[0] - b])


def squared_norm_jax(a, b):           # 2-D Newton unrolled to convergence
    x = jnp.array([1.0, 1.0])
    for _ in range(12):
        r = jnp.array([x[0] ** 3 + x[1] - a, x[1] ** 3 - x[0] - b])
        jac = jnp.array([[3 * x[0] ** 2, 1.0], [-1.0, 3 * x[1] ** 2]])
        x = x - jnp.linalg.solve(jac, r)
    return jnp.sum(x ** 2)


def test_fsolve_and_root():
    def by_fsolve(a, b):
        return np.sum(scipy.optimize.fsolve(two_equations, np.array([1.0, 1.0]),
                                            args=(a, b)) ** 2)

    def by_root(a, b):
        return np.sum(scipy.optimize.root(two_equations, np.array([1.0, 1.0]),
                                          args=(a, b)).x ** 2)
    want = jax.grad(squared_norm_jax, argnums=(0, 1))(2.0, 0.5)
    close(by_fsolve(2.0, 0.5), squared_norm_jax(2.0, 0.5))
    close(pullback.grad(by_fsolve, argnums=(0, 1))(2.0, 0.5), want)
    close(pullback.grad(by_root, argnums=(0, 1))(2.0, 0.5), want)
    close(pullback.jvp(by_fsolve, (2.0, 0.5), (1.0, 0.0))[1], want[0])
