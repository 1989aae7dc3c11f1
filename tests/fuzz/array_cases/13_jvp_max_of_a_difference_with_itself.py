# failure: jvp TypeError: Cannot interpret 'False' as a data type
# fixed: jvp: np.max of t = s - s crashes ('Cannot interpret False as a data type'; grad is right)
# params: x:array:3 s:float
# args: ([0.1, 0.5, 0.3], 0.7)
import numpy as np


def f(x, s):
    t = s - s
    return np.max(t) + x[0]
