# failure: value value_and_grad value 0.5, function 0.25
# fixed: frontend/lower.py -- a lambda bound to a name read the values it captures at its definition, not when called
# params: x:float n:int
# args: (0.5, 4)
import math


def f(x, n):
    g0 = lambda t0: x * t0
    x *= 0.5
    return g0(1.0)
