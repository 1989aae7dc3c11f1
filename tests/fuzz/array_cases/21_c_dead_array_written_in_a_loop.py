# variant: loop
# backend: c
# mode: grad
# kind: crash
# failure: crash loop:c:grad:crash: C does not compile: [-Werror=unused-but-set-variable]
# params: x:array:3 s:float
# args: ([0.4747, 1.0403, -0.0353], 0.5)
import numpy as np


def f(x, s):
    v2 = np.cos(x)
    return np.sum(x) * s
