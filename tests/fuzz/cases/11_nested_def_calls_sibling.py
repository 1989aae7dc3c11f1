# failure: unsupported TransformError: name 'g0' is not defined
# fixed: frontend/expressions.py -- a nested function could not call another nested function (or itself)
# params: x:float
# args: (0.7,)
import math


def f(x):
    def g0(t):
        return math.sin(t) * x

    def g1(t, u=0.25):
        return g0(t * u) + g0(0.5) * t

    def power(t, n):
        return 1.0 if n <= 0 else t * power(t, n - 1)
    return g1(x) + g1(2.0, u=x) + power(x, 3)
