# fixed (was: CRASH TypeError in grad, a wrong gradient on Numba for twice(s) * np.sum(twice(x) ** 2): a helper passed a number and an array had its parameter typed as the array at both calls; analysis/split_callees.py)
# variant: identity
# backend: python
# mode: grad
# kind: crash
# failure: crash identity:python:grad:crash: TypeError: only 0-dimensional arrays can be converted to Python scalars
# params: x:array:3 s:float
# args: ([1.2734, -0.9454, 0.1898], -0.3084)
import numpy as np

def f(x, s):
    d0 = (s * np.ones((2, 3)), x[2] * 0.5)
    return np.sum(np.maximum(np.maximum(d0[0], -0.427) + d0[0][-1, :], 3.0)) + d0[1] * -1.25
