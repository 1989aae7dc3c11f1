# failure: fd d/dx[0]: pullback 0.4, finite differences -0.3328710836263
# fixed: WRONG GRADIENT (as 11?): v0[-3] -= np.min(v0[1:]); v0[2] = x[1] * 0.5 -- the reverse of np.min(v0[1:]) sees v0 after the second write; d/dx[0] is 0.4, JAX and finite differences -0.3329
# params: x:array:3
# args: ([-1.1, -0.8, 0.5],)
import numpy as np


def f(x):
    v0 = np.exp(x[::-1])
    v0[-3] -= np.min(v0[1:])
    v0[2] = x[1] * 0.5
    return np.sum(v0)
