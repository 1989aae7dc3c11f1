# failure: unsupported TransformError: <fuzz 3>:12:11: too many indices for array: array is 1-dimensional, but 2 were indexed
# fixed: np.stack/np.array of a list of arrays computed from a user function's result (h(x), h(x) * 2.0, a tuple item of it) is typed 1-D, so t[0, 1] is rejected
# params: x:array:3
# args: ([0.1, 0.2, 0.3],)
import numpy as np


def h(a):
    return a * 2.0


def f(x):
    L = []
    L.append(h(x))
    t = np.stack(L)
    return t[0, 1] * x[0]
