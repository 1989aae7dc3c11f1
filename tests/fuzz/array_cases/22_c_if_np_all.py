# variant: base
# backend: c
# mode: grad
# kind: crash
# failure: crash base:c:grad:crash: IndexError: list index out of range
# params: x:array:3 s:float n:int
# args: ([0.5, 0.5, 0.5], 0.5, 0)
import numpy as np

def f(x, s, n):
    if np.all(x):
        return 1.0
    return 1.0
