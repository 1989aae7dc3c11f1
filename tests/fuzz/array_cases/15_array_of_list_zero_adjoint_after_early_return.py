# failure: crash IndexError: too many indices for array: array is 0-dimensional, but 1 were indexed
# fixed: an array made from a list (its length is not in the types) whose adjoint an early return left as 0.0 now starts as zeros_like its primal (optimize/zero_arrays.py)
# params: x:array:3 s:float
# args: ([0.1, 0.2, 0.3], 1.0)
import numpy as np


def f(x, s):
    L = []
    for i in range(2):
        L.append(x[::-1] * 2.0)
    t = np.array(L)
    if s > 0.0:
        return s * 2.0
    return np.sum(t[0] * x)
