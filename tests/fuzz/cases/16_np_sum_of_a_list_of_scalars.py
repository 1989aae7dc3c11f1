# known: the JAX oracle cannot trace np.sum of a list of traced scalars (TracerArrayConversionError); pullback is right here (tests/test_container_types.py checks it against JAX and finite differences)
# failure: fd d/dx: pullback 0.0, finite differences np.float64(3.158000000108723)
# params: x:float
# args: (1.079,)
import numpy as np


def f(x):
    return np.sum([x, x * x])
