"""The root of a parametrised polynomial, found with scipy.optimize.brentq inside the
differentiated function: pullback differentiates it implicitly with respect to the
coefficients (dx*/dc = -(dp/dc) / (dp/dx) at the root), never through the iterations.

    python examples/polynomial_root.py
"""
import numpy as np
import scipy.optimize

import pullback


def polynomial(x, c):
    return c[0] + c[1] * x + c[2] * x ** 2 + x ** 3


def root_squared(c):
    """The square of the cubic's root in [-1, 3]."""
    x = scipy.optimize.brentq(polynomial, -1.0, 3.0, args=(c,))
    return x * x


if __name__ == "__main__":
    c = np.array([-2.0, 0.5, -0.3])
    print("root:", scipy.optimize.brentq(polynomial, -1.0, 3.0, args=(c,)))
    print("d(root^2)/dc:", pullback.grad(root_squared)(c))
    h = 1e-6
    print("finite differences:", [(root_squared(c + h * e) - root_squared(c - h * e)) / (2 * h)
                                  for e in np.eye(3)])
