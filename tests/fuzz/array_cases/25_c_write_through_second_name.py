# fixed (was: WRONG VALUE AND GRADIENT on C: a write through a second name before a slice's mean (analysis/alias.py; being fixed))
# variant: alias
# backend: c
# mode: grad
# kind: wrong
# failure: variant alias:c:grad:wrong: value -0.40253720000000004 derivative [0.5193, 1.0367000000000002, 0.778, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]; the original on python: value -0.3901196 derivative [0.49529999999999996, 0.754, 0.754, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]
# params: x:array:3 A:array:2x3 s:float
# args: ([0.508, -1.048, 0.0226], [[-0.5787, -1.1717, -1.4848], [-1.141, -0.149, -0.0058]], 0.1165)
import numpy as np

def f(x, A, s):
    v1 = np.abs(x)
    v1[1] = 1
    d0 = {'u': v1[:-1].mean() * x, 'c': 1.0}
    return np.sum(d0['u'])
