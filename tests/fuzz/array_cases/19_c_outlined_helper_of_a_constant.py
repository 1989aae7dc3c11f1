# fixed: emit_c crashes (AttributeError: 'Const' object has no attribute 'name') on a helper without parameters returning np.sum of a constant
# variant: outline
# backend: c
# mode: grad
# kind: crash
# failure: crash outline:c:grad:crash: AttributeError: 'Const' object has no attribute 'name'
# params: x:array:3 s:float
# args: ([0.4747, 1.0403, -0.0353], 0.5)
import numpy as np


def f(x, s):
    return np.sum(1.0)
