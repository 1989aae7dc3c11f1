"""A derivative for a library function: the modified Bessel function K_v(z) from SciPy,
given a rule with pullback.defvjp (autograd's form), so code that calls
scipy.special.kv directly differentiates.

    python examples/bessel_rule.py
"""
import numpy as np
import scipy.special
from scipy.special import kv

import pullback

# d K_v(z) / dz = -(K_{v-1}(z) + K_{v+1}(z)) / 2; no derivative with respect to the order v
pullback.defvjp(scipy.special.kv, None,
                lambda ans, v, z: lambda g: -g * (kv(v - 1, z) + kv(v + 1, z)) / 2)


def screened_potential(r, kappa):
    """A Yukawa-like potential built on K_1."""
    return np.sum(kv(1.0, kappa * r) / r)


if __name__ == "__main__":
    r = np.array([0.5, 1.0, 2.0])
    g = pullback.grad(screened_potential, argnums=(0, 1))(r, 1.3)
    h = 1e-6
    fd = (screened_potential(r, 1.3 + h) - screened_potential(r, 1.3 - h)) / (2 * h)
    print("d/dr:", g[0])
    print("d/dkappa:", g[1], "finite differences:", fd)
    by_kvp = np.sum(scipy.special.kvp(1.0, 1.3 * r) * r / r)
    print("d/dkappa with scipy.special.kvp:", by_kvp)
