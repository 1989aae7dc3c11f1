"""RK4 ODE: Lotka–Volterra, 500 classical Runge–Kutta steps, running cost; 6 parameters.

    x' = a x - b x y,   y' = d x y - c y,   cost = sum h ((x - 1)^2 + (y - 0.5)^2)

The right-hand side is a separate function called four times a step, so the
derivative exercises pullback's callee pairs (``rhs_fwd`` returns a residual
tuple that ``rhs_rev`` consumes), in the Numba backend too.  The same Python
source runs under autograd, PyTorch and JAX (as written, unrolled: capped);
JAX also gets a ``fori_loop`` rewrite.
"""
from . import peers
from .harness import Row

TITLE = "RK4 Lotka–Volterra (500 steps, 6 parameters)"
STEPS = 500
JAX_UNROLLED_STEPS = 25
PARAMS = (1.1, 0.4, 0.4, 0.1, 1.0, 0.5)
ARGS = PARAMS + (STEPS,)
ARGNUMS = (0, 1, 2, 3, 4, 5)
BASELINES = ("f, Numba", "f, Python")
REFERENCE = "pullback, python backend"


def rhs(x, y, a, b, c, d):
    return a * x - b * x * y, d * x * y - c * y


def lotka_volterra(a, b, c, d, x0, y0, n=STEPS):
    h = 0.01
    x, y = x0, y0
    cost = 0.0
    for i in range(n):
        k1x, k1y = rhs(x, y, a, b, c, d)
        k2x, k2y = rhs(x + 0.5 * h * k1x, y + 0.5 * h * k1y, a, b, c, d)
        k3x, k3y = rhs(x + 0.5 * h * k2x, y + 0.5 * h * k2y, a, b, c, d)
        k4x, k4y = rhs(x + h * k3x, y + h * k3y, a, b, c, d)
        x = x + h / 6 * (k1x + 2 * k2x + 2 * k3x + k4x)
        y = y + h / 6 * (k1y + 2 * k2y + 2 * k3y + k4y)
        cost = cost + h * ((x - 1.0) ** 2 + (y - 0.5) ** 2)
    return cost


def _jax_fori(a, b, c, d, x0, y0):
    from jax import lax
    h = 0.01

    def step(i, carry):
        x, y, cost = carry
        k1x, k1y = rhs(x, y, a, b, c, d)
        k2x, k2y = rhs(x + 0.5 * h * k1x, y + 0.5 * h * k1y, a, b, c, d)
        k3x, k3y = rhs(x + 0.5 * h * k2x, y + 0.5 * h * k2y, a, b, c, d)
        k4x, k4y = rhs(x + h * k3x, y + h * k3y, a, b, c, d)
        x = x + h / 6 * (k1x + 2 * k2x + 2 * k3x + k4x)
        y = y + h / 6 * (k1y + 2 * k2y + 2 * k3y + k4y)
        return x, y, cost + h * ((x - 1.0) ** 2 + (y - 0.5) ** 2)
    return lax.fori_loop(0, STEPS, step, (x0, y0, 0.0))[2]


def rows():
    def numba_f():
        f = peers.njit_with(lotka_volterra, rhs=rhs)
        return lambda: f(*ARGS)

    def fd_f():
        try:
            return peers.njit_with(lotka_volterra, rhs=rhs)
        except ImportError:
            return lotka_volterra
    short = lambda *p: lotka_volterra(*p, n=JAX_UNROLLED_STEPS)  # noqa: E731
    return [Row("f, Python", "objective", lambda: lambda: lotka_volterra(*ARGS), gradient=False),
            Row("f, Numba", "objective", numba_f, gradient=False),
            peers.pullback_row("pullback, python backend", lotka_volterra, ARGS, ARGNUMS,
                               "python"),
            peers.pullback_row("pullback, numba backend", lotka_volterra, ARGS, ARGNUMS,
                               "numba"),
            peers.autograd_row("autograd", lotka_volterra, PARAMS, ARGNUMS),
            peers.jax_grad_row("JAX jit, fori_loop", _jax_fori, PARAMS, ARGNUMS),
            peers.jax_grad_row(f"JAX jit, loop as written ({JAX_UNROLLED_STEPS} steps only)",
                               short, PARAMS, ARGNUMS, comparable=False,
                               note=f"{JAX_UNROLLED_STEPS} steps, not {STEPS}"),
            peers.torch_row("PyTorch eager", lotka_volterra, PARAMS, ARGNUMS),
            peers.fd_row("finite differences (Numba f)", fd_f(), ARGS, ARGNUMS)]
