# fixed (was: C does not compile: a helper's rev loaded a residual scalar that only unbroadcast reads, for its shape: -Werror=unused-variable)
# variant: base
# backend: c
# mode: grad
# kind: crash
# failure: crash base:c:grad:crash: C does not compile: [-Werror=unused-variable]
# params: x:array:3 s:float
# args: ([1.2266, 0.2171, 1.147], 1.0441)
import numpy as np

def _outlined0(s):
    return float(np.sum(np.log(1.0 + np.abs(-(s * np.ones(4))))))

def f(x, s):
    return _outlined0(s) * x[0]
