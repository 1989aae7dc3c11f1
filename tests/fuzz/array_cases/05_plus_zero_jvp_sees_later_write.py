# failure: jvp jvp (6.28, 5.4), grad gives (6.28, 5.5)
# fixed: jvp: u = t + 0.0 is folded into u = t, so a later write t[0] = c zeroes u's tangent too (grad is right)
# params: x:array:3
# args: ([0.1, 0.2, 0.3],)
import numpy as np


def f(x):
    t = x * 2.0
    u = t + 0.0
    t[0] = 5.0
    return np.sum(u * x) + np.sum(t)
