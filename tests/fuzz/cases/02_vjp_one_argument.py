# failure: vjp TypeError: 'float' object is not iterable
# fixed: api.py -- the pullback of a function of one float returned a bare float
# params: x:float
# args: (0.4238,)
import math


def f(x):
    return x
