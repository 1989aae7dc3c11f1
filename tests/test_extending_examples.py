"""The 'Extending pullback' examples give the right derivatives: against JAX (the same
rule as ``jax.custom_vjp``; Newton unrolled to convergence for the polynomial's root)
and central differences.  The Bessel example registers a library rule, so it runs in
its own process; examples/deep_equilibrium.py is checked in test_implicit.py."""
import os
import subprocess
import sys

import jax
import jax.numpy as jnp
import numpy as np

import pullback

jax.config.update("jax_enable_x64", True)
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "examples"))


def close(a, b, rtol=1e-9, atol=1e-11):
    np.testing.assert_allclose(np.asarray(a, float), np.asarray(b, float), rtol=rtol, atol=atol)


def test_softplus_custom_vjp():
    import softplus_custom_vjp as ex

    @jax.custom_vjp
    def softplus(x):
        return jnp.logaddexp(0.0, x)
    softplus.defvjp(lambda x: (softplus(x), x),
                    lambda x, g: (g * jnp.exp(-jnp.logaddexp(0.0, -x)),))

    def loss_jax(w, x, y):
        return jnp.sum(softplus(x @ w) - y * (x @ w))
    w, x, y = ex.data()
    grad = pullback.grad(ex.loss)
    g = grad(w, x, y)
    assert np.all(np.isfinite(g))
    close(g, jax.grad(loss_jax)(w, x, y))
    text = pullback.source(grad)        # the code for these arrays
    assert "softplus_fwd2(x @ w)" in text and "softplus_bwd(" in text


def test_polynomial_root():
    import polynomial_root as ex

    def root_squared_jax(c):
        x = 1.0
        for _ in range(12):       # Newton from 1.0: converged to rounding
            x = x - (c[0] + c[1] * x + c[2] * x ** 2 + x ** 3) / (c[1] + 2 * c[2] * x + 3 * x ** 2)
        return x * x
    c = np.array([-2.0, 0.5, -0.3])
    close(ex.root_squared(c), root_squared_jax(c), rtol=1e-10)
    close(pullback.grad(ex.root_squared)(c), jax.grad(root_squared_jax)(c), rtol=1e-8)


def test_bessel_rule():
    r = subprocess.run([sys.executable, os.path.join(ROOT, "examples", "bessel_rule.py")],
                       capture_output=True, text=True, cwd=ROOT,
                       env=dict(os.environ, PYTHONPATH=ROOT))
    assert r.returncode == 0, r.stderr
    lines = dict(line.split(":", 1) for line in r.stdout.splitlines())
    got = float(lines["d/dkappa"].split()[0])
    close(got, float(lines["d/dkappa with scipy.special.kvp"]), rtol=1e-12)
    close(got, float(lines["d/dkappa"].split()[-1]), rtol=1e-7)
