# failure: jvp IndexError: too many indices for array: array is 0-dimensional, but 1 were indexed
# fixed: as 10 (jvp: a helper's constant array result has the float 0.0 as tangent), here written in place (setitem on a 0-d tangent); f does not depend on x
# params: x:array:3
# args: ([0.1, 0.5, 0.3],)
import numpy as np


def h(a, c):
    y0 = np.full(3, 1.0)
    return y0.copy()


def f(x):
    v0 = h(1.0, x)
    v0[1] -= 1.0
    return v0[1]
