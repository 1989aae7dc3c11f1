# failure: unsupported TransformError: <fuzz 2>:9:18: mul: operands could not be broadcast together with shapes (2,) (3,)
# fixed: np.array of a list grown by append is typed with length 2 (types.dummy of a ListT), so broadcasting it against a (3,) array is rejected
# params: x:array:3
# args: ([0.1, 0.2, 0.3],)
import numpy as np


def f(x):
    L = []
    for i in range(3):
        L.append(x[i] * 2.0)
    t = np.array(L)
    return np.sum(t * x)
