"""Fit the parameters of an ODE (Lotka-Volterra) to observations.

pullback does not differentiate ``scipy.integrate.odeint`` or ``solve_ivp``: they are
library code (Fortran and SciPy's Python), and the call is rejected at its line with
this rewrite.  Written as a loop of classical Runge-Kutta steps in your own function,
the integrator is ordinary code: reverse mode runs it forward, then the adjoint of
each step backwards (the discrete adjoint: the exact gradient of the computed
trajectory).  For long runs, ``pullback.grad(loss, checkpoint=s)`` keeps s snapshots
instead of every step.  ``odeint`` itself still computes the observations here.
Run: python examples/ode_fit.py
"""
import numpy as np
from scipy.integrate import odeint
from scipy.optimize import minimize

import pullback


def rhs(y, theta):
    """Prey y[0], predators y[1]; theta = (a, b, c, d)."""
    a, b, c, d = theta[0], theta[1], theta[2], theta[3]
    return np.array([a * y[0] - b * y[0] * y[1], c * y[0] * y[1] - d * y[1]])


def rk4(y0, theta, dt, steps):
    """The state after ``steps`` steps of RK4, and every state on the way."""
    y = y0
    out = [y0]
    for _ in range(steps):
        k1 = rhs(y, theta)
        k2 = rhs(y + 0.5 * dt * k1, theta)
        k3 = rhs(y + 0.5 * dt * k2, theta)
        k4 = rhs(y + dt * k3, theta)
        y = y + dt / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4)
        out.append(y)
    return np.stack(out)


def loss(theta, y0, observed, dt):
    return np.sum((rk4(y0, theta, dt, observed.shape[0] - 1) - observed) ** 2)


def observations(theta, y0, dt, steps):
    """What an experiment would measure: scipy's odeint, at the same times."""
    t = dt * np.arange(steps + 1)
    return odeint(lambda y, _t: rhs(y, theta), y0, t, rtol=1e-10, atol=1e-10)


def fit(steps=40, dt=0.1):
    """BFGS from a wrong guess, with pullback's gradient; returns the result and truth."""
    truth = np.array([1.0, 0.4, 0.3, 0.8])
    y0 = np.array([2.0, 1.0])
    observed = observations(truth, y0, dt, steps)
    grad = pullback.value_and_grad(loss)
    result = minimize(grad, np.array([0.9, 0.45, 0.28, 0.85]), args=(y0, observed, dt),
                      jac=True, method="BFGS")
    return result, truth


if __name__ == "__main__":
    result, truth = fit()
    print(f"loss {result.fun:.2e} after {result.nit} iterations; "
          f"theta {np.round(result.x, 4)} (truth {truth})")
