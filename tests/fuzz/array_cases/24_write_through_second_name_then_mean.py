# fixed (was: WRONG DERIVATIVE (jvp; grad too on C): a write through a second name to an array whose mean is taken later (analysis/alias.py; being fixed))
# variant: alias
# backend: python
# mode: jvp
# kind: wrong
# failure: variant alias:python:jvp:wrong: value 0.5 derivative [0.25]; the original on python: value 0.5 derivative [0.5]
# params: x:array:3 A:array:2x3 s:float
# args: ([0.5, -1.0, 0.0], [[-0.5787, -1.1717, -1.4848], [-1.141, -0.149, -0.0058]], 0.1165)
import numpy as np

def f(x, A, s):
    v1 = np.abs(x)
    v1[1] = 1
    d0 = {'u': v1.mean(), 'c': 1.0}
    return d0['u']
