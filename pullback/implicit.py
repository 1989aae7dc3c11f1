"""Implicit differentiation: ``fixed_point`` and ``root``, differentiated by the implicit
function theorem instead of through their iterations.

    x_star = pullback.fixed_point(step, x0, theta)     # x* = step(x*, theta)
    r_star = pullback.root(residual, x0, theta)        # residual(r*, theta) = 0, scalar

Both are ``custom_jvp`` functions written in the differentiable subset, so they run in
every mode and backend like user code.  Their tangent rules solve the linearised
equation with pullback's own tangents of ``step`` / ``residual`` (``pullback.jvp``):

    fixed point:  x_dot = J_x x_dot + J_theta theta_dot, iterated as many times as the
                  primal iteration took (the same contraction, so the same accuracy)
    root:         x_dot = -(d residual/d theta . theta_dot) / (d residual/d x)

Each rule is linear in the tangents (control flow depends on primal values only), so
reverse mode transposes it (``transforms/custom_adjoints.py``): the adjoint solve runs
backwards through the tangent iterations, never through the primal ones.

Invariants: ``theta`` is one float or array (pack several parameters into one array);
``x0`` gets no derivative (the solution does not depend on the start); a solve that does
not converge within ``max_iter`` returns its last iterate, as SciPy's ``fixed_point``
raises instead -- check convergence outside when it matters.
"""
import numpy as np

from .custom import custom_jvp
from .jacobians import jvp


@custom_jvp
def fixed_point(step, x0, theta, tol=1e-12, max_iter=500):
    """x* with ``step(x*, theta) == x*``, by iterating ``x = step(x, theta)`` from ``x0``
    until no entry moves by more than ``tol`` (relative to 1 + max|x|)."""
    x = x0
    for i in range(max_iter):
        x_new = step(x, theta)
        moved = np.max(np.abs(x_new - x))
        x = x_new
        if moved <= tol * (1.0 + np.max(np.abs(x))):
            break
    return x


def _fixed_point_jvp(primals, tangents):
    step, x0, theta, tol, max_iter = primals
    theta_dot = tangents[2]
    x = fixed_point(step, x0, theta, tol, max_iter)
    # the primal's iteration count, from primal values only, so the rule stays linear; the
    # loop repeats fixed_point's because lowered code calls no helper of pullback's own
    z = x0
    n = max_iter
    for i in range(max_iter):
        z_new = step(z, theta)
        moved = np.max(np.abs(z_new - z))
        z = z_new
        if moved <= tol * (1.0 + np.max(np.abs(z))):
            n = i + 1
            break
    zero_x = x * 0.0
    zero_theta = theta * 0.0
    fx, b = jvp(step, (x, theta), (zero_x, theta_dot))
    x_dot = b
    for i in range(n + 1):
        fx, jx = jvp(step, (x, theta), (x_dot, zero_theta))
        x_dot = jx + b
    return x, x_dot


fixed_point.defjvp(_fixed_point_jvp)


@custom_jvp
def root(residual, x0, theta, tol=1e-12, max_iter=100):
    """The scalar x* with ``residual(x*, theta) == 0``, by Newton's method from ``x0``
    (the derivative from pullback's tangent of ``residual``)."""
    x = x0
    for i in range(max_iter):
        r, d = jvp(residual, (x, theta), (1.0, theta * 0.0))
        step = r / d
        x = x - step
        if abs(step) <= tol * (1.0 + abs(x)):
            break
    return x


def _root_jvp(primals, tangents):
    residual, x0, theta, tol, max_iter = primals
    theta_dot = tangents[2]
    x = root(residual, x0, theta, tol, max_iter)
    r, d = jvp(residual, (x, theta), (1.0, theta * 0.0))
    r, b = jvp(residual, (x, theta), (0.0, theta_dot))
    return x, -b / d


root.defjvp(_root_jvp)

__all__ = ["fixed_point", "root"]
