# failure: value value_and_grad value 1.0, function 2.0
# fixed: frontend/lower.py -- a user variable named t0, t1, ... was taken for a temporary: 'v0 = t0' took over the statement that assigned t0
# params: x:float y:float
# args: (1.0, -0.3108)
import math


def h(x):
    t1 = x
    if x > 0:
        t1 = t1 * 2.0
        y = t1
    t2 = t1 * x
    t3 = t2
    return t3


def f(x, y):

    def g0(t0):
        if 1.0:
            t0 += 1.0
            v0 = t0
        return t0
    return g0(1.0) + h(x) * y
