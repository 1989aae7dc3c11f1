# failure: fd d/dx[1]: pullback 2.0, finite differences 0.9999999999177334
# fixed: WRONG GRADIENT: y0 = np.ones(3); t0 = np.sum(x * y0); y0[-1] = t0; y0[-2] = 2.0 -- the reverse of x * y0 reads y0 after the constant write y0[-2] = 2.0 (the overwritten element is not saved), d/dx[1] is 2 instead of 1
# params: x:array:3
# args: ([0.1, 0.5, 0.3],)
import numpy as np


def f(x):
    y0 = np.ones(3)
    t0 = np.sum(x * y0)
    y0[-1] = t0
    y0[-2] = 2.0
    return np.sum(y0)
