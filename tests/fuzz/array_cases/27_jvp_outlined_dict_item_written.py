# fixed (was: jvp crashes (TypeError: 'float' object is not subscriptable) when an array write takes an item of a dict returned by an outlined helper)
# variant: outline
# backend: python
# mode: jvp
# kind: crash
# failure: crash outline:python:jvp:crash: TypeError: 'float' object is not subscriptable
# params: x:array:3 z:array:4 s:float n:int
# args: ([-0.6462, -0.011, -0.0464], [0.4876, 0.3175, 1.4734, -0.389], -0.2705, 3)
import numpy as np

def q0(a, c):
    v0 = np.outer(a, a)
    return {'u': a, 't': v0[1, 2] * np.exp(np.cos(v0[-2, -2]))}

def f(x, z, s, n):
    y0 = np.zeros(3)
    r1 = q0(y0[1] + z[1:], np.sum(np.exp(np.sin(y0[:-1]))))
    y0[:] = r1['u']
    return np.sum(np.outer(x[:-1], y0) * y0)
