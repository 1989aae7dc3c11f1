# failure: unsupported UnsupportedError: cannot differentiate rebinding 'g0' to another function inside a loop or branch
# fixed: frontend/source.py -- the same def, lowered once per unrolled iteration, compared unequal
# params: x:float
# args: (-1.6277,)
import math


def f(x):
    s = 0.0
    for c0 in (x, 2.0 * x):
        def g0(t0):
            return math.cos(t0)
        s += g0(c0)
        if s > 10.0:
            break
    return s
