# failure: unsupported UnsupportedError: cannot differentiate a call to 'max' with 1 argument(s)
# fixed: frontend/expressions.py -- min/max of a one-element tuple
# params: x:float y:float
# args: (1.0, -1.1584)
import math
W = (1.0,)


def f(x, y):
    q0 = [x * y]
    return max(q0) + min(W) * x
