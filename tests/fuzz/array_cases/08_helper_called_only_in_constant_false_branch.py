# failure: unsupported TransformError: <fuzz 1>:4:0: cannot infer the type of 'a' in 'h' (is it used before assignment, or does 'h' call itself with no base case?)
# known: a helper called only in a branch whose test is a constant False is never typed, and the program is rejected ('cannot infer the type of a in h')
# params: x:array:3
# args: ([0.1, 0.2, 0.3],)
import numpy as np


def h(a):
    return a * 2.0


def f(x):
    if -0.974 > -1.268:
        t = np.sum(x)
    else:
        t = np.sum(h(x))
    return t * x[0]
