# failure: jvp TypeError: 'float' object is not subscriptable
# fixed: jvp: an array returned by a helper from constant arguments has the float 0.0 as tangent, and indexing it fails (grad is right)
# params: x:array:3
# args: ([0.1, 0.2, 0.3],)
import numpy as np


def p(a, c):
    return np.ones(3) * a, c


def f(x):
    v, t = p(1.0, x)
    return v[1] + x[0]
