# failure: value value_and_grad value 0.26, function 2.18
# known: a view of an array written in place later keeps the old values (alias.py copies the view instead of rejecting the write)
# params: x:array:3
# args: ([0.1, 0.2, 0.3],)
import numpy as np


def f(x):
    u = x * 2.0
    v = u[1:]
    u[2] = 7.0
    return np.sum(v * x[1:])
