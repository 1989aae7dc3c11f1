# fixed (was: WRONG VALUE AND DERIVATIVE: an array written through a second name (b = a; b[0] = 1.0) is not seen through the first (analysis/alias.py; being fixed))
# variant: alias
# backend: python
# mode: jvp
# kind: wrong
# failure: variant alias:python:jvp:wrong: value 1.5 derivative [2.25]; the original on python: value 2.0 derivative [1.75]
# params: x:array:3 z:array:4 A:array:2x3 n:int D:dict:3
# args: ([0.5, 0.5, 0.5], [0.5, 0.5, 0.5, 0.5], [[0.5, 0.5, 0.5], [0.5, 0.5, 0.5]], 0, {'w': [0.5, 0.5, 0.5], 'b': 0.5})
import numpy as np

def f(x, z, A, n, D):
    v0 = 1.0 * x
    v0[0] = 1.0
    return np.sum(v0)
