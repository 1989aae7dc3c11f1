# failure: crash AttributeError: 'NoneType' object has no attribute 'name'
# fixed: frontend/scan.py -- a 'continue' in a loop's else clause belongs to the enclosing loop
# params: x:float y:float
# args: (1.0, -1.2075)
import math


def f(x, y):
    for i1 in range(3):
        for i2 in range(i1):
            x = x * 1.5
        else:
            continue
        y = y * 2.0
    return x * y
