# failure: unsupported UnsupportedError: cannot differentiate a 'break' or 'return' inside a loop over reversed(range(...))
# fixed: frontend/lower.py -- a for-else without 'break' needs no exit flag
# params: x:float
# args: (0.7834,)
import math


def f(x):
    for i0 in reversed(range(3)):
        x = x * (1.0 + i0 * 0.5)
    else:
        x = x + 1.0
    return math.sin(x)
