# fixed (was: CRASH IndexError in the reverse sweep: np.array(L) made by a helper inside a loop, read only in a branch not taken, kept the adjoint 0.0, which the list's adjoint indexed; np_helpers.unbroadcast)
# params: x:array:3
# args: ([0.4747, 1.0403, -0.0353],)
import numpy as np

def rows(L0):
    return np.array(L0)

def f(x):
    k0 = 0
    while k0 < 2:
        k0 += 1
        L0 = []
        for i0 in range(2):
            L0.append(x[::-1] * 1.0)
        t0 = rows(L0)
        if x[0] > 1.0:
            return np.sum(t0 * t0)
    return np.sum(x)
