# failure: crash IndexError: tuple index out of range
# fixed: an early return taken: the adjoint of an array computed before it is still the float 0.0 and np.dot's reverse (tensordot) fails on it
# params: x:array:3 s:float
# args: ([0.1, 0.2, 0.3], 1.0)
import numpy as np


def f(x, s):
    v0 = np.dot(x[:2], np.ones((2, 3)))
    if s > 0.0:
        return s * 2.0
    return np.sum(v0 * x)
