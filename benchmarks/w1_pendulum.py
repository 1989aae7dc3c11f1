"""W1: forced, damped pendulum, explicit Euler, running cost; gradient w.r.t. 6 parameters.

    theta'' = -k sin(theta) - c theta' + a cos(w t),   cost = sum dt * theta(t)^2

1000 steps on floats, one ``sin`` and one ``cos`` a step.  The parameters are
the stiffness k, damping c, forcing amplitude a and frequency w, and the
initial angle and velocity.  Every implementation below computes the same
numbers; the hand-written adjoints store the four values a step that the
reverse sweep needs and recompute nothing else.
"""
import math

import numpy as np

from . import peers
from .harness import Row

TITLE = "W1 pendulum (1000 Euler steps, 6 parameters)"
STEPS = 1000
JAX_UNROLLED_STEPS = 25
PARAMS = (1.0, 0.1, 0.5, 1.3, 0.4, 0.0)
ARGS = PARAMS + (STEPS,)
ARGNUMS = (0, 1, 2, 3, 4, 5)
BASELINES = ("f, Numba", "hand-written adjoint, Numba", "hand-written adjoint, Python")


def pendulum(k, c, a, w, theta0, omega0, n=STEPS):
    dt = 0.01
    theta = theta0
    omega = omega0
    cost = 0.0
    for i in range(n):
        t = i * dt
        acc = -k * math.sin(theta) - c * omega + a * math.cos(w * t)
        theta = theta + dt * omega
        omega = omega + dt * acc
        cost = cost + dt * theta * theta
    return cost


def pendulum_adjoint(k, c, a, w, theta0, omega0, n=STEPS):
    """Hand-written adjoint, pure Python: (k_bar, c_bar, a_bar, w_bar, theta0_bar, omega0_bar)."""
    dt = 0.01
    thetas, omegas, sins, coss = [0.0] * (n + 1), [0.0] * n, [0.0] * n, [0.0] * n
    theta, omega = theta0, omega0
    for i in range(n):
        s = math.sin(theta)
        cw = math.cos(w * (i * dt))
        thetas[i], omegas[i], sins[i], coss[i] = theta, omega, s, cw
        acc = -k * s - c * omega + a * cw
        theta = theta + dt * omega
        omega = omega + dt * acc
    thetas[n] = theta
    k_b = c_b = a_b = w_b = theta_b = omega_b = 0.0
    for i in range(n - 1, -1, -1):
        theta_b += 2.0 * dt * thetas[i + 1]
        acc_b = dt * omega_b
        omega_b += dt * theta_b - c * acc_b
        k_b -= sins[i] * acc_b
        c_b -= omegas[i] * acc_b
        a_b += coss[i] * acc_b
        t = i * dt
        w_b -= a * math.sin(w * t) * t * acc_b
        theta_b -= k * math.cos(thetas[i]) * acc_b
    return k_b, c_b, a_b, w_b, theta_b, omega_b


def pendulum_adjoint_arrays(k, c, a, w, theta0, omega0, n=STEPS):
    """The same adjoint with NumPy arrays for storage (the version Numba compiles)."""
    dt = 0.01
    thetas, omegas = np.empty(n + 1), np.empty(n)
    sins, coss = np.empty(n), np.empty(n)
    theta, omega = theta0, omega0
    for i in range(n):
        s = math.sin(theta)
        cw = math.cos(w * (i * dt))
        thetas[i], omegas[i], sins[i], coss[i] = theta, omega, s, cw
        acc = -k * s - c * omega + a * cw
        theta = theta + dt * omega
        omega = omega + dt * acc
    thetas[n] = theta
    k_b = c_b = a_b = w_b = theta_b = omega_b = 0.0
    for i in range(n - 1, -1, -1):
        theta_b += 2.0 * dt * thetas[i + 1]
        acc_b = dt * omega_b
        omega_b += dt * theta_b - c * acc_b
        k_b -= sins[i] * acc_b
        c_b -= omegas[i] * acc_b
        a_b += coss[i] * acc_b
        t = i * dt
        w_b -= a * math.sin(w * t) * t * acc_b
        theta_b -= k * math.cos(thetas[i]) * acc_b
    return k_b, c_b, a_b, w_b, theta_b, omega_b


def _pendulum_array_lib(np_like):
    def f(k, c, a, w, theta0, omega0, n=STEPS):
        dt = 0.01
        theta, omega, cost = theta0, omega0, 0.0
        for i in range(n):
            t = i * dt
            acc = -k * np_like.sin(theta) - c * omega + a * np_like.cos(w * t)
            theta = theta + dt * omega
            omega = omega + dt * acc
            cost = cost + dt * theta * theta
        return cost
    return f


def _jax_fori(jax):
    jnp, lax = jax.numpy, jax.lax

    def f(k, c, a, w, theta0, omega0):
        dt = 0.01

        def step(i, carry):
            theta, omega, cost = carry
            t = i * dt
            acc = -k * jnp.sin(theta) - c * omega + a * jnp.cos(w * t)
            theta = theta + dt * omega
            omega = omega + dt * acc
            return theta, omega, cost + dt * theta * theta
        return lax.fori_loop(0, STEPS, step, (theta0, omega0, 0.0))[2]
    return f


def rows():
    out = [Row("f, Python", "objective", lambda: lambda: pendulum(*ARGS), gradient=False),
           Row("f, Numba", "objective", _numba_f, gradient=False),
           peers.pullback_row("pullback, python backend", pendulum, ARGS, ARGNUMS, "python"),
           peers.pullback_row("pullback, numba backend", pendulum, ARGS, ARGNUMS, "numba"),
           Row("hand-written adjoint, Python", "hand", lambda: lambda: pendulum_adjoint(*ARGS)),
           Row("hand-written adjoint, Numba", "hand", _numba_hand),
           Row("autograd", "peer", _autograd, budget_s=1.0),
           Row("JAX jit, fori_loop", "peer", _jax_fori_row),
           Row(f"JAX jit, loop as written ({JAX_UNROLLED_STEPS} steps only)", "peer",
               _jax_unrolled, comparable=False, note=f"{JAX_UNROLLED_STEPS} steps, not "
               f"{STEPS}: the unrolled loop's compile time grows with the steps"),
           Row("PyTorch eager", "peer", _torch, budget_s=1.0),
           peers.fd_row("finite differences (Numba f)", _numba_f_function(), ARGS, ARGNUMS)]
    return out


def _numba_f_function():
    try:
        return peers.numba_njit(pendulum)
    except ImportError:
        return pendulum


def _numba_f():
    f = peers.numba_njit(pendulum)
    return lambda: f(*ARGS)


def _numba_hand():
    g = peers.numba_njit(pendulum_adjoint_arrays)
    return lambda: g(*ARGS)


def _autograd():
    import autograd
    import autograd.numpy as anp
    g = autograd.grad(_pendulum_array_lib(anp), argnum=ARGNUMS)
    return lambda: g(*PARAMS)


def _jax_fori_row():
    jax = peers.jax()
    g = jax.jit(jax.grad(_jax_fori(jax), argnums=ARGNUMS))
    return lambda: tuple(x.block_until_ready() for x in g(*PARAMS))


def _jax_unrolled():
    jax = peers.jax()
    f = _pendulum_array_lib(jax.numpy)
    g = jax.jit(jax.grad(lambda *p: f(*p, n=JAX_UNROLLED_STEPS), argnums=ARGNUMS))
    return lambda: tuple(x.block_until_ready() for x in g(*PARAMS))


def _torch():
    torch = peers.torch()
    f = _pendulum_array_lib(torch)

    def call():
        params = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in PARAMS]
        cost = f(*params)
        return torch.autograd.grad(cost, params)
    return call


REFERENCE = "hand-written adjoint, Python"
