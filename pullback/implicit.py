"""Implicit differentiation: solutions of equations, differentiated by the implicit
function theorem instead of through the iterations that found them.

    x_star = pullback.fixed_point(step, x0, theta)     # x* = step(x*, theta)
    r_star = pullback.root(residual, x0, theta)        # residual(r*, theta) = 0, scalar

Each is a ``custom_jvp`` function written in the differentiable subset, so it runs in
every mode and backend like user code.  The tangent rules solve the linearised equation
with pullback's own tangents of ``step`` / ``residual`` (``pullback.jvp``):

    fixed point:  x_dot = J_x x_dot + J_theta theta_dot, iterated until J_x's powers
                  have shrunk a probe by LINEAR_TOL (counted from primal values; an
                  error where they do not within LINEAR_MAX)
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
bracket get no derivative (the solution does not depend on them); ``fixed_point`` and
``root`` return their last iterate where they do not converge within ``max_iter`` (check
convergence outside when it matters), while the solvers behind SciPy's raise where SciPy
raises (``solver_failed``: python and Numba; C rejects them at the call).  Helpers here are expansion bodies (``rules.expansions``): lowered as
pullback's own source in the subset.
"""
import numpy as np

from .custom import custom_jvp
from .jacobians import jvp
from .rules.expansions import expands
from .rules.helpers import solver_failed, stop_gradient

LINEAR_TOL = 1e-14      # a fixed point's tangent: J's powers shrink a probe this much
LINEAR_MAX = 100000     # ... within this many iterations, else the derivative is an error


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


@expands()
def _tangent_iterations(step, x, theta):
    """How many iterations the linear x_dot = J x_dot + b needs (J = d step/dx at the fixed
    point ``x``): J applied to a probe until it has shrunk by LINEAR_TOL, from primal values
    only, so the tangent rule stays linear (and transposes) while converging on its own,
    whatever the primal iteration took (a warm start, a solution near 0).  -1: it does not
    shrink within LINEAR_MAX (J is no contraction there)."""
    def at_x(x):
        return step(x, theta)
    x = stop_gradient(x)
    # a probe that varies with x's entries, so it is rarely in a special subspace of J
    v = 1.0 + 0.25 * np.cos(7.3 * x + 0.1)
    size = np.max(np.abs(v))
    n = -1
    for i in range(LINEAR_MAX):
        fx, v = jvp(at_x, (x,), (v,))
        if np.max(np.abs(v)) <= LINEAR_TOL * size:
            n = i + 1
            break
    return n


@expands()
def _fixed_point_tangent(step, x, theta, step_dot, theta_dot):
    """The tangent of the fixed point ``x``: x_dot = J x_dot + b, iterated to LINEAR_TOL."""
    n = _tangent_iterations(step, x, theta)
    solver_failed(n < 0, "runtime",
                  "pullback: the derivative of a fixed point does not converge: x_dot = "
                  "J x_dot + b, with J = d step/dx at the solution, does not contract "
                  "within 100000 iterations (|J| >= 1 there, or close to it)")

    def at_x(x):
        return step(x, theta)

    def at_data(step, theta):
        return step(x, theta)
    # the data the solution depends on: theta and every value ``step`` captures (a closure
    # over the caller's locals), whose tangents are ``step``'s own tangent
    fx, b = jvp(at_data, (step, theta), (step_dot, theta_dot))
    x_dot = b
    for i in range(max(n, 0) + 1):
        fx, jx = jvp(at_x, (x,), (x_dot,))
        x_dot = jx + b
    return x_dot


def _fixed_point_jvp(primals, tangents):
    step, x0, theta, tol, max_iter = primals
    x = fixed_point(step, x0, theta, tol, max_iter)
    return x, _fixed_point_tangent(step, x, theta, tangents[0], tangents[2])


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
    """The scalar root of ``residual(x, theta)`` in [a, b] (a sign change), by bisection;
    ValueError without a sign change and RuntimeError past ``max_iter``, as SciPy's
    bracketing solvers raise."""
    fa = residual(a, theta)
    fb = residual(b, theta)
    solver_failed(fa * fb > 0.0, "value", "f(a) and f(b) must have different signs")
    if fa == 0.0:
        return a
    if fb == 0.0:
        return b
    converged = False
    for i in range(max_iter):
        m = 0.5 * (a + b)
        fm = residual(m, theta)
        if fm * fa > 0.0:
            a = m
            fa = fm
        else:
            b = m
        if abs(b - a) <= xtol + rtol * abs(m):
            converged = True
            break
    solver_failed(not converged, "runtime",
                  "pullback: a bracketing solver failed to converge after maxiter "
                  "iterations (pullback bisects the bracket; raise maxiter)")
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
    Newton's method from ``x0`` with pullback's Jacobian of ``residual``; RuntimeError
    where it does not converge (SciPy would return a last iterate of its own, which this
    one is not, and the implicit derivative holds at a solution only)."""
    x = x0 * np.ones(1)
    converged = False
    for i in range(max_iter):
        step = np.linalg.solve(_jacobian(residual, x, theta), residual(x, theta))
        x = x - step
        if np.max(np.abs(step)) <= tol * (1.0 + np.max(np.abs(x))):
            converged = True
            break
    solver_failed(not converged, "runtime",
                  "pullback: scipy.optimize.fsolve/root did not converge within 100 Newton "
                  "steps (pullback's stand-in; SciPy would return a last iterate of its own, "
                  "with success=False or a warning, where no derivative holds)")
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
