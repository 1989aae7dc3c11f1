# failure: crash TypeError: 'float' object is not subscriptable
# fixed: a return inside a loop that runs no iteration, after an in-place write: the reverse sweep indexes the array's adjoint, still the float 0.0
# params: x:array:3 n:int
# args: ([0.1, 0.2, 0.3], 0)
import numpy as np


def f(x, n):
    v0 = x * 2.0
    v0[0] += 1.0
    for i in range(n):
        return np.sum(v0)
    return 1.0
