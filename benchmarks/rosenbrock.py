"""Vectorized Rosenbrock, n = 100 000: f = sum 100 (x[1:] - x[:-1]^2)^2 + (1 - x[:-1])^2.

The NumPy objective is what users write; the hand-written NumPy gradient
shares the two temporaries between the two terms; the hand-written Numba
gradient is one loop.
"""
import numpy as np

from . import peers
from .harness import Row

TITLE = "Rosenbrock (n = 100 000, NumPy)"
N = 100_000
X = np.random.default_rng(0).uniform(-1.0, 1.0, N)
BASELINES = ("f, NumPy", "hand-written gradient, NumPy", "hand-written gradient, Numba")
REFERENCE = "hand-written gradient, NumPy"


def rosenbrock(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def rosenbrock_grad(x):
    d = x[1:] - x[:-1] ** 2
    g = np.zeros_like(x)
    g[:-1] = -400.0 * d * x[:-1] - 2.0 * (1.0 - x[:-1])
    g[1:] += 200.0 * d
    return g


def rosenbrock_grad_loop(x):
    g = np.zeros_like(x)
    for i in range(x.shape[0] - 1):
        d = x[i + 1] - x[i] * x[i]
        g[i] += -400.0 * d * x[i] - 2.0 * (1.0 - x[i])
        g[i + 1] += 200.0 * d
    return g


def _torch(x):
    return (100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2).sum()


def rows():
    def numba_hand():
        g = peers.numba_njit(rosenbrock_grad_loop)
        return lambda: g(X)

    def jax_f(x):
        import jax.numpy as jnp
        return jnp.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)

    def autograd_f(x):
        import autograd.numpy as anp
        return anp.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)
    return [Row("f, NumPy", "objective", lambda: lambda: rosenbrock(X), gradient=False),
            *peers.array_pullback_rows(rosenbrock, (X,), 0),
            Row("hand-written gradient, NumPy", "hand", lambda: lambda: rosenbrock_grad(X)),
            Row("hand-written gradient, Numba", "hand", numba_hand),
            peers.autograd_row("autograd", autograd_f, (X,), 0),
            peers.jax_grad_row("JAX jit", jax_f, (X,), 0),
            peers.torch_row("PyTorch eager", _torch, (X,), 0)]
