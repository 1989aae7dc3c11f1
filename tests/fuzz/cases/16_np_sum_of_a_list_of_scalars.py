# known: WRONG GRADIENT: np.sum of a list of scalars has a zero derivative (container types in analysis/types.py and rules; being fixed); found by the npsum variant
# failure: fd d/dx: pullback 0.0, finite differences np.float64(3.158000000108723)
# params: x:float
# args: (1.079,)
import numpy as np


def f(x):
    return np.sum([x, x * x])
