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
iteration; the fixed point ``del2`` acceleration finds), fsolve and root (Newton's
method on as many equations as unknowns, with pullback's Jacobian; ``root`` gives a
result with ``x`` and ``success`` only, whatever ``method`` asks for).
"""
from typing import NamedTuple

import numpy as np
import scipy.optimize

from .implicit import bracketed_root, fixed_point as _fixed_point, root, vector_root
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



@expands(scipy.optimize.fsolve)
def fsolve(func, x0, args=(), fprime=None, xtol=1.49012e-08):
    def residual(x, theta):
        return func(x, *theta)
    return vector_root(residual, x0, args, xtol, 100)


class RootResult(NamedTuple):
    """What ``scipy.optimize.root`` returns in differentiated code: the solution."""
    x: np.ndarray
    success: bool


@expands(scipy.optimize.root)
def solve_root(fun, x0, args=(), method="hybr", jac=None, tol=1.49012e-08):
    def residual(x, theta):
        return fun(x, *theta)
    return RootResult(vector_root(residual, x0, args, tol, 100), True)


__all__ = ["RootResult"]
