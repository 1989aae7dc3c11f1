"""Implicit differentiation: solutions of equations, differentiated by the implicit
function theorem instead of through the iterations that found them.

    x_star = pullback.fixed_point(step, x0, theta)     # x* = step(x*, theta)
    r_star = pullback.root(residual, x0, theta)        # residual(r*, theta) = 0, scalar

Each is a ``custom_jvp`` function written in the differentiable subset, so it runs in
every mode and backend like user code.  The tangent rules solve the linearised equation
with pullback's own tangents of ``step`` / ``residual`` (``pullback.jvp``):

    fixed point:  x_dot = J_x x_dot + J_theta theta_dot, iterated as many times as the
                  primal iteration took (the same contraction, so the same accuracy)
    scalar root:  x_dot = -(d residual/d theta . theta_dot) / (d residual/d x)

where "theta" is ``theta`` together with every value the function captures (a
closure over the caller's locals, a computed default): the rules differentiate the
function with its own tangent (``tangents[0]``), so ``brentq(lambda x: x**3 - k, ...)``
follows ``k`` although ``k`` is not among the ``args``.

Each rule is linear in the tangents (control flow depends on primal values only), so
reverse mode transposes it (``transforms/custom_adjoints.py``): the adjoint solve runs
backwards through the tangent iterations, never through the primal ones.  The SciPy
solvers (``scipy_optimize.py``) are built on the same functions.

Invariants: ``theta`` is any float, array or tuple of them; the start ``x0`` and a
bracket get no derivative (the solution does not depend on them); a solve that does not
converge within ``max_iter`` returns its last iterate (check convergence outside when
it matters).  Helpers here are expansion bodies (``rules.expansions``): lowered as
pullback's own source in the subset.
"""
import numpy as np

from .custom import custom_jvp
from .jacobians import jvp
from .rules.expansions import expands


@expands()
def _iterate(step, x0, theta, tol, max_iter):
    """(the last iterate, the number of iterations) of ``x = step(x, theta)`` from ``x0``."""
    x = x0
    n = max_iter
    for i in range(max_iter):
        x_new = step(x, theta)
        moved = np.max(np.abs(x_new - x))
        x = x_new
        if moved <= tol * (1.0 + np.max(np.abs(x))):
            n = i + 1
            break
    return x, n


@custom_jvp
def fixed_point(step, x0, theta, tol=1e-12, max_iter=500):
    """x* with ``step(x*, theta) == x*``, by iterating ``x = step(x, theta)`` from ``x0``
    until no entry moves by more than ``tol`` (relative to 1 + max|x|)."""
    x, n = _iterate(step, x0, theta, tol, max_iter)
    return x


def _fixed_point_jvp(primals, tangents):
    step, x0, theta, tol, max_iter = primals
    x = fixed_point(step, x0, theta, tol, max_iter)
    # as many tangent iterations as the primal took, counted from primal values only (the
    # rule stays linear in the tangents)
    z, n = _iterate(step, x0, theta, tol, max_iter)

    def at_x(x):
        return step(x, theta)

    def at_data(step, theta):
        return step(x, theta)
    # the data the solution depends on: theta and every value ``step`` captures (a closure
    # over the caller's locals), whose tangents are ``step``'s own tangent
    fx, b = jvp(at_data, (step, theta), (tangents[0], tangents[2]))
    x_dot = b
    for i in range(n + 1):
        fx, jx = jvp(at_x, (x,), (x_dot,))
        x_dot = jx + b
    return x, x_dot


fixed_point.defjvp(_fixed_point_jvp)


@expands()
def _root_tangent(residual, x, theta, residual_dot, theta_dot):
    """-(d residual/d data . data_dot) / (d residual/d x) at the root ``x``, where the data
    are ``theta`` and the values ``residual`` captures (``residual_dot``: their tangents)."""
    def at_x(x):
        return residual(x, theta)

    def at_data(residual, theta):
        return residual(x, theta)
    r, d = jvp(at_x, (x,), (1.0,))
    r, b = jvp(at_data, (residual, theta), (residual_dot, theta_dot))
    return -b / d


@custom_jvp
def root(residual, x0, theta, tol=1e-12, max_iter=100):
    """The scalar x* with ``residual(x*, theta) == 0``, by Newton's method from ``x0``
    (the derivative from pullback's tangent of ``residual``)."""
    def at_x(x):
        return residual(x, theta)
    x = x0
    for i in range(max_iter):
        r, d = jvp(at_x, (x,), (1.0,))
        step = r / d
        x = x - step
        if abs(step) <= tol * (1.0 + abs(x)):
            break
    return x


def _root_jvp(primals, tangents):
    residual, x0, theta, tol, max_iter = primals
    x = root(residual, x0, theta, tol, max_iter)
    return x, _root_tangent(residual, x, theta, tangents[0], tangents[2])


root.defjvp(_root_jvp)


@custom_jvp
def bracketed_root(residual, a, b, theta, xtol=2e-12, rtol=8.881784197001252e-16,
                   max_iter=200):
    """The scalar root of ``residual(x, theta)`` in [a, b] (a sign change), by bisection."""
    fa = residual(a, theta)
    for i in range(max_iter):
        m = 0.5 * (a + b)
        fm = residual(m, theta)
        if fm * fa > 0.0:
            a = m
            fa = fm
        else:
            b = m
        if abs(b - a) <= xtol + rtol * abs(m):
            break
    return 0.5 * (a + b)


def _bracketed_root_jvp(primals, tangents):
    residual, a, b, theta, xtol, rtol, max_iter = primals
    x = bracketed_root(residual, a, b, theta, xtol, rtol, max_iter)
    return x, _root_tangent(residual, x, theta, tangents[0], tangents[3])


bracketed_root.defjvp(_bracketed_root_jvp)

@expands()
def _jacobian(residual, x, theta):
    """d residual / dx at ``x`` (a vector), one column per tangent."""
    def at_x(x):
        return residual(x, theta)
    n = np.size(x)
    jac = np.zeros((n, n))
    for j in range(n):
        e = np.zeros(n)
        e[j] = 1.0
        r, column = jvp(at_x, (x,), (e,))
        jac[:, j] = column
    return jac


@custom_jvp
def vector_root(residual, x0, theta, tol=1.49012e-08, max_iter=100):
    """The vector x* with ``residual(x*, theta) == 0`` (as many equations as unknowns), by
    Newton's method from ``x0`` with pullback's Jacobian of ``residual``."""
    x = x0 * np.ones(1)
    for i in range(max_iter):
        step = np.linalg.solve(_jacobian(residual, x, theta), residual(x, theta))
        x = x - step
        if np.max(np.abs(step)) <= tol * (1.0 + np.max(np.abs(x))):
            break
    return x


def _vector_root_jvp(primals, tangents):
    residual, x0, theta, tol, max_iter = primals
    x = vector_root(residual, x0, theta, tol, max_iter)

    def at_data(residual, theta):
        return residual(x, theta)
    r, b = jvp(at_data, (residual, theta), (tangents[0], tangents[2]))
    return x, -np.linalg.solve(_jacobian(residual, x, theta), b)


vector_root.defjvp(_vector_root_jvp)

__all__ = ["bracketed_root", "fixed_point", "root", "vector_root"]
