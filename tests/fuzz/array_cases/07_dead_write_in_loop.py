# failure: crash IndexError: too many indices for array: array is 0-dimensional, but 1 were indexed
# fixed: an array written in a loop and never read after it: constant folding applies setitem to its scalar zero adjoint (optimize/constants.py)
# params: x:array:3
# args: ([0.1, 0.2, 0.3],)
import numpy as np


def f(x):
    v1 = x * x
    u = v1 * 3.0
    for i in range(3):
        v1[1] = 1.0
    return u[0]
