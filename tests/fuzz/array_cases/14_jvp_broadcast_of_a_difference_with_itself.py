# failure: jvp jvp (1.2, 1.25), grad gives (1.2, 5.0)
# fixed: WRONG JVP: t0 = x[1]; t0 -= t0; np.sum(t0 * np.ones(4) + s) -- jvp's tangent in s is 1 * ds instead of 4 * ds (the broadcast of s over 4 elements is lost); grad and JAX give 4
# params: x:array:3 s:float
# args: ([0.5, 0.5, 0.5], 0.3)
import numpy as np


def f(x, s):
    t0 = x[1]
    t0 -= t0
    return np.sum(t0 * np.ones(4) + s)
