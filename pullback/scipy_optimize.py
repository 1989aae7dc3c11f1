"""SciPy's solvers inside differentiated code, differentiated implicitly.

A call such as ``scipy.optimize.brentq(f, a, b, args=(c,))`` in a function pullback
differentiates is lowered as the function of the same name here (``rules.registry``'s
``LIBRARY_STANDINS``), which solves with pullback's own iteration in the subset and is
differentiated with respect to ``args`` by the implicit function theorem
(``implicit.py``); the bracket and the start get no derivative.  ``full_output``,
``disp`` and other keywords not listed are rejected at the call.

A stand-in does what SciPy does or refuses: the value SciPy finds (to the tolerance
asked for), and an exception where SciPy raises one (``solver_failed``):

- brentq, brenth, bisect, ridder: bisection on the bracket (a bracket with one sign
  change has one root); ValueError without a sign change, RuntimeError past maxiter;
- newton: SciPy's own secant iteration (Newton's with ``fprime``), step for step, so
  the same iterate and the same RuntimeError past maxiter;
- fixed_point: SciPy's del2 (Steffensen) or plain iteration, step for step, RuntimeError
  past maxiter; the derivative is the implicit one at the converged point;
- fsolve and root: Newton's method with pullback's Jacobian, RuntimeError where it does
  not converge (SciPy's hybr would stop elsewhere), so ``root``'s result has ``x`` and
  ``success`` (always True when it returns).
"""
from typing import NamedTuple

import numpy as np
import scipy.optimize

from .custom import custom_jvp
from .implicit import (_fixed_point_tangent, _root_tangent, bracketed_root, vector_root)
from .rules.expansions import expands
from .rules.helpers import solver_failed

_RTOL = 8.881784197001252e-16       # SciPy's smallest rtol for its bracketing solvers


@expands(scipy.optimize.brentq, scipy.optimize.brenth, scipy.optimize.bisect,
         scipy.optimize.ridder)
def brentq(f, a, b, args=(), xtol=2e-12, rtol=_RTOL, maxiter=100):
    if not isinstance(args, tuple):     # as SciPy does
        args = (args,)
    solver_failed(xtol <= 0, "value", "xtol too small (<= 0)")
    solver_failed(rtol < _RTOL, "value", "rtol too small (< 4 * machine epsilon)")

    def residual(x, theta):
        return f(x, *theta)
    return bracketed_root(residual, a, b, args, xtol, rtol, maxiter)


@custom_jvp
def _secant(residual, p0, p1, theta, tol, rtol, maxiter):
    """SciPy's ``newton`` without ``fprime``: its secant iteration, step for step."""
    q0 = residual(p0, theta)
    q1 = residual(p1, theta)
    if abs(q1) < abs(q0):
        p0, p1, q0, q1 = p1, p0, q1, q0
    p = p1
    done = False
    for itr in range(maxiter):
        if q1 == q0:
            solver_failed(p1 != p0, "runtime", "Tolerance reached: the secant's two "
                          "function values are equal. Failed to converge.")
            p = (p1 + p0) / 2.0
            done = True
            break
        if abs(q1) > abs(q0):
            p = (-q0 / q1 * p1 + p0) / (1 - q0 / q1)
        else:
            p = (-q1 / q0 * p0 + p1) / (1 - q1 / q0)
        if abs(p - p1) <= tol + rtol * abs(p1):        # np.isclose(p, p1, rtol, tol)
            done = True
            break
        p0, q0 = p1, q1
        p1 = p
        q1 = residual(p1, theta)
    solver_failed(not done, "runtime", "Failed to converge after maxiter iterations.")
    return p


def _secant_jvp(primals, tangents):    # (residual, p0, p1, theta, ...): theta is 3rd
    x = _secant(*primals)
    return x, _root_tangent(primals[0], x, primals[3], tangents[0], tangents[3])


_secant.defjvp(_secant_jvp)


@custom_jvp
def _newton(residual, derivative, p0, theta, tol, rtol, maxiter):
    """SciPy's ``newton`` with ``fprime`` (``derivative``), step for step."""
    p = p0
    done = False
    for itr in range(maxiter):
        fval = residual(p0, theta)
        if fval == 0:
            p = p0
            done = True
            break
        fder = derivative(p0, theta)
        solver_failed(fder == 0, "runtime", "Derivative was zero. Failed to converge.")
        p = p0 - fval / fder
        if abs(p - p0) <= tol + rtol * abs(p0):
            done = True
            break
        p0 = p
    solver_failed(not done, "runtime", "Failed to converge after maxiter iterations.")
    return p


def _newton_jvp(primals, tangents):    # (residual, derivative, p0, theta, ...)
    x = _newton(*primals)
    return x, _root_tangent(primals[0], x, primals[3], tangents[0], tangents[3])


_newton.defjvp(_newton_jvp)


@expands(scipy.optimize.newton)
def newton(func, x0, fprime=None, args=(), tol=1.48e-08, maxiter=50, x1=None, rtol=0.0):
    if not isinstance(args, tuple):
        args = (args,)
    solver_failed(tol <= 0, "value", "tol too small (<= 0)")
    solver_failed(maxiter < 1, "value", "maxiter must be greater than 0")

    def residual(x, theta):
        return func(x, *theta)
    p0 = x0 * 1.0
    if fprime is not None:
        def derivative(x, theta):
            return fprime(x, *theta)
        return _newton(residual, derivative, p0, args, tol, rtol, maxiter)
    if x1 is not None:
        solver_failed(x1 == x0, "value", "x1 and x0 must be different")
        p1 = x1 * 1.0
    else:
        p1 = p0 * (1 + 1e-4)
        if p1 >= 0:
            p1 = p1 + 1e-4
        else:
            p1 = p1 - 1e-4
    return _secant(residual, p0, p1, args, tol, rtol, maxiter)


@custom_jvp
def _fixed_point(step, x0, theta, xtol, maxiter, accel):
    """SciPy's ``_fixed_point_helper``, step for step (del2 where ``accel``)."""
    p0 = x0 * 1.0
    p = p0
    done = False
    for i in range(maxiter):
        if accel:
            p1 = step(p0, theta)
            p2 = step(p1, theta)
            d = p2 - 2.0 * p1 + p0
            p = np.where(d != 0, p0 - (p1 - p0) ** 2 / np.where(d != 0, d, 1.0), p2)
        else:
            p = step(p0, theta) * 1.0
        relerr = np.where(p0 != 0, (p - p0) / np.where(p0 != 0, p0, 1.0), p)
        if np.all(np.abs(relerr) < xtol):
            done = True
            break
        p0 = p
    solver_failed(not done, "runtime", "Failed to converge after maxiter iterations")
    return p


def _fixed_point_jvp(primals, tangents):
    step, x0, theta, xtol, maxiter, accel = primals
    x = _fixed_point(step, x0, theta, xtol, maxiter, accel)
    return x, _fixed_point_tangent(step, x, theta, tangents[0], tangents[2])


_fixed_point.defjvp(_fixed_point_jvp)


@expands(scipy.optimize.fixed_point)
def fixed_point(func, x0, args=(), xtol=1e-08, maxiter=500, method="del2"):
    if method != "del2" and method != "iteration":
        raise KeyError(method)          # SciPy looks the method up in a dict

    def step(x, theta):
        return func(x, *theta)
    return _fixed_point(step, x0, args, xtol, maxiter, method == "del2")


@expands(scipy.optimize.fsolve)
def fsolve(func, x0, args=(), fprime=None, xtol=1.49012e-08):
    if not isinstance(args, tuple):
        args = (args,)

    def residual(x, theta):
        return np.asarray(func(x, *theta))     # a list, as in SciPy's docs
    return vector_root(residual, np.asarray(x0) * 1.0, args, xtol, 100)


class RootResult(NamedTuple):
    """What ``scipy.optimize.root`` returns in differentiated code: the solution."""
    x: np.ndarray
    success: bool


@expands(scipy.optimize.root)
def solve_root(fun, x0, args=(), method="hybr", jac=None, tol=1.49012e-08):
    if not isinstance(args, tuple):
        args = (args,)
    if isinstance(jac, bool) and jac:     # fun returns (F, J): pullback makes its own Jacobian from F
        def residual(x, theta):
            return np.asarray(fun(x, *theta)[0])
    else:
        def residual(x, theta):
            return np.asarray(fun(x, *theta))
    # (vector_root raises where it does not converge: success is True when it returns)
    return RootResult(vector_root(residual, np.asarray(x0) * 1.0, args, tol, 100), True)


__all__ = ["RootResult"]
