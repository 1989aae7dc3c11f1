# fixed: the C reverse function of a helper keeps a parameter it does not use: -Werror=unused-parameter fails the build
# variant: outline
# backend: c
# mode: grad
# kind: crash
# failure: crash outline:c:grad:crash: C does not compile: [-Werror=unused-parameter]
# params: x:array:3 s:float
# args: ([0.4747, 1.0403, -0.0353], 0.5)
import numpy as np


def f(x, s):
    t = np.sum(x) * 2.0
    return t + s
