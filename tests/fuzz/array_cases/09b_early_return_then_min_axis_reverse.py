# failure: crash AxisError: axis 1 is out of bounds for array of dimension 1
# fixed: as 09 (an array adjoint left as the float 0.0 by an early return), here failing in the reverse of .min(axis=1)
# params: x:array:3 s:float
# args: ([0.1, 0.5, 0.3], 1.0)
import numpy as np


def f(x, s):
    v0 = (x * np.ones((2, 3))).min(axis=1)
    if s > 0.0:
        return s * 2.0
    return np.sum(v0)
