# failure: unsupported UnsupportedError: <fuzz 4>:7:4: cannot differentiate an in-place write to 't' while 'u' shares its memory (copy one of them first)
# fixed: u = t * 1.0 is a new array, but a later write to t is rejected as if u shared t's memory
# params: x:array:3
# args: ([0.1, 0.2, 0.3],)
import numpy as np


def f(x):
    t = x * 2.0
    u = t * 1.0
    t[0] = 5.0
    return np.sum(u * x) + np.sum(t)
