# fixed: jvp crashes (its value comes back an array) when an array parameter passes through a helper that returns its argument and the result is unused
# variant: identity
# backend: python
# mode: jvp
# kind: crash
# failure: crash identity:python:jvp:crash: TypeError: only 0-dimensional arrays can be converted to Python scalars
# params: x:array:3 s:float
# args: ([0.5, 0.5, 0.5], 0.5)
import numpy as np

def f(x, s):
    d0 = x
    return s
