"""SciPy's scalar solvers inside differentiated code, differentiated implicitly.

A call such as ``scipy.optimize.brentq(f, a, b, args=(c,))`` in a function pullback
differentiates is lowered as the function of the same name here (``rules.registry``'s
``LIBRARY_STANDINS``), which solves with pullback's own iteration in the subset and is
differentiated with respect to ``args`` by the implicit function theorem
(``implicit.py``); the bracket and the start get no derivative.  The solution agrees with
SciPy's to the tolerance asked for (a bracket with one sign change has one root);
``full_output`` and other keywords not listed are rejected at the call.

Solvers: brentq, brenth, bisect, ridder (bisection on the bracket), newton (Newton's
method with pullback's derivative; ``fprime`` is not needed), fixed_point (plain
iteration; the fixed point ``del2`` acceleration finds).  fsolve and root (vector
equations) are not stood in for: calling them in differentiated code is rejected.
"""
import scipy.optimize

from .implicit import bracketed_root, fixed_point as _fixed_point, root
from .rules.expansions import expands


@expands(scipy.optimize.brentq, scipy.optimize.brenth, scipy.optimize.bisect,
         scipy.optimize.ridder)
def brentq(f, a, b, args=(), xtol=2e-12, rtol=8.881784197001252e-16, maxiter=100):
    def residual(x, theta):
        return f(x, *theta)
    return bracketed_root(residual, a, b, args, xtol, rtol, maxiter)


@expands(scipy.optimize.newton)
def newton(func, x0, fprime=None, args=(), tol=1.48e-08, maxiter=50):
    def residual(x, theta):
        return func(x, *theta)
    return root(residual, x0, args, tol, maxiter)


@expands(scipy.optimize.fixed_point)
def fixed_point(func, x0, args=(), xtol=1e-08, maxiter=500, method="del2"):
    def step(x, theta):
        return func(x, *theta)
    return _fixed_point(step, x0, args, xtol, maxiter)


__all__ = []
