# failure: value value_and_grad value 1.0, function 1.0409
# fixed: frontend/lower.py -- a loop over (a, y) read y's current value, not the one in the tuple
# params: x:float y:float
# args: (0.5, 1.0409)
import math


def f(x, y):
    for c0 in (1.0, y):
        if 1.0 == x:
            break
        c0, y = (1.0, c0)
    return y
