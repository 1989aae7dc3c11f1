# fixed (was: C does not compile: np.sum of a number inside a loop printed as t9[0] with t9 folded away: 't9' undeclared)
# variant: base
# backend: c
# mode: grad
# kind: crash
# failure: crash base:c:grad:crash: C does not compile: 't9' undeclared
# params: x:array:3 z:array:4
# args: ([-1.264, 0.1009, 1.239], [0.6769, 0.2277, 1.1584, -0.8936])
import numpy as np

def f(x, z):
    acc = 0.0
    for i in range(3):
        acc = acc + np.sum(x[::-1][i] ** 2 * np.log(np.exp(np.tanh(x[i]))))
    return float(np.sum(np.tanh(z))) + acc
