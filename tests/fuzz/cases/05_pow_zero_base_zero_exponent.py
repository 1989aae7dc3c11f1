# failure: crash ZeroDivisionError: 0.0 cannot be raised to a negative power
# fixed: rules/scalar.py -- d(a ** b)/da at b == 0 computed 0 * a ** -1 (JAX: 0)
# params: x:float n:int
# args: (0.0, 3)
import math


def f(x, n):
    s = 0.0
    for i in range(n):
        s += x ** i + math.pow(x, i)
    return s
