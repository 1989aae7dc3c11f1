# failure: value value_and_grad value 1.5, function -0.1106 (and gradient 0.0, not 1.0)
# fixed: optimize/hoist.py -- an assignment to a parameter was hoisted out of a loop that runs zero times
# params: x:float
# args: (-0.1106,)
import math


def f(x):
    for i0 in range(0):
        x = 1.5
    return x
