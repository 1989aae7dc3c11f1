# failure: crash TypeError: 'float' object is not callable -- t11 = g0(0.25, g0)
# fixed: frontend/program.py -- the value a captured function carries was named after the function
# params: x:float
# args: (-1.562553,)
import math


def f(x):
    def g0(t0):
        return math.log1p(t0 * t0) * x

    def g1(t1):
        return min(g0(0.25), x + t1)
    return g1(x)
