"""Explicit heat equation with in-place writes: 200 steps on 2 000 cells; gradient w.r.t. u0.

    for each step: u[1:-1] = u[1:-1] + r (u[2:] - 2 u[1:-1] + u[:-2])      (in place)
    loss = sum(u**2 * w)

The stencil is symmetric, so the hand-written adjoint applies the same update
to the adjoint in reverse (boundary cells pass their adjoint through).
autograd cannot differentiate in-place writes; JAX gets the ``.at[].set``
form inside a ``fori_loop``; PyTorch differentiates the in-place version.
"""
import numpy as np

from . import peers
from .harness import Row

TITLE = "Heat equation (2 000 cells, 200 explicit steps, in-place writes)"
CELLS, STEPS, R = 2000, 200, 0.25
U0 = np.sin(np.linspace(0, 3 * np.pi, CELLS)) + 0.1 * np.random.default_rng(2).normal(size=CELLS)
WEIGHT = np.linspace(0.5, 1.5, CELLS)
BASELINES = ("f, NumPy", "hand-written gradient, NumPy")
REFERENCE = "hand-written gradient, NumPy"


def heat(u0, w, steps=STEPS):
    u = u0.copy()
    for _ in range(steps):
        u[1:-1] = u[1:-1] + R * (u[2:] - 2.0 * u[1:-1] + u[:-2])
    return np.sum(u * u * w)


def heat_grad(u0, w, steps=STEPS):
    u = u0.copy()
    for _ in range(steps):
        u[1:-1] = u[1:-1] + R * (u[2:] - 2.0 * u[1:-1] + u[:-2])
    b = 2.0 * u * w
    for _ in range(steps):
        inner = b[1:-1].copy()
        b[1:-1] = (1.0 - 2.0 * R) * inner
        b[2:] += R * inner
        b[:-2] += R * inner
    return b


def rows():
    def jax_f(u0, w):
        import jax
        u = jax.lax.fori_loop(0, STEPS, lambda i, u: u.at[1:-1].set(
            u[1:-1] + R * (u[2:] - 2.0 * u[1:-1] + u[:-2])), u0)
        return (u * u * w).sum()

    def torch_f(u0, w):
        u = u0.clone()
        for _ in range(STEPS):
            u[1:-1] = u[1:-1] + R * (u[2:] - 2.0 * u[1:-1] + u[:-2])
        return (u * u * w).sum()

    def autograd_f(u0, w):
        return heat(u0, w)
    args = (U0, WEIGHT)
    return [Row("f, NumPy", "objective", lambda: lambda: heat(*args), gradient=False),
            *peers.array_pullback_rows(heat, args, 0),
            Row("hand-written gradient, NumPy", "hand", lambda: lambda: heat_grad(*args)),
            peers.autograd_row("autograd", autograd_f, args, 0),
            peers.jax_grad_row("JAX jit, fori_loop", jax_f, args, 0),
            peers.torch_row("PyTorch eager", torch_f, args, 0)]
