# fixed (was: CRASH TypeError 'float' object is not subscriptable: a helper's rev returned the constant 0.0 for an array parameter it only compares, and the caller indexed that adjoint in the reverse of its own writes; transforms/reverse.py, optimize/zero_arrays.py)
# params: x:array:3 z:array:4 n:int
# args: ([0.4916, -0.6672, 1.0762], [0.7398, -1.3478, -0.5661, 0.877], 3)
import numpy as np

def cp(x):
    return x.copy()

def g(y0, z):
    return np.where(np.max(y0) < 1.0, np.max(z), 2.0)

def f(x, z, n):
    y0 = cp(x)
    if x[2] > 0.0:
        for i0 in range(n):
            y0[-2] -= np.mean(x)
    return g(y0, z) * np.sum(z)
