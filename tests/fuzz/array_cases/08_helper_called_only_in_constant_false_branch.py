# failure: unsupported TransformError: <fuzz 1>:4:0: cannot infer the type of 'a' in 'h0' (is it used before assignment, or does 'h0' call itself with no base case?)
# fixed: a helper called only in a branch that is never taken (the else of a constant-True test) is never typed, and the program is rejected ('cannot infer the type of a in h0')
# params: x:array:3
# args: ([0.1, 0.2, 0.3],)
import numpy as np


def h0(a):
    return a * 2.0


def f(x):
    if -0.974 > -1.268:
        t = np.sum(x)
    else:
        t = np.sum(h0(x))
    return t * x[0]
