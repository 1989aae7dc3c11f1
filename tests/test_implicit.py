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


@pytest.mark.parametrize("backend", ["numba"])
def test_fixed_point_numba(backend):
    close(pullback.grad(through_fixed_point, backend=backend)(0.8),
          jax.grad(through_fixed_point_jax)(0.8))


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
