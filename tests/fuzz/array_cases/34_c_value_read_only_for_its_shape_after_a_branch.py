# fixed (was: C does not compile: a fused product stored into t5 that only an adjoint's expand_to in the reverse branch read, for its static shape: the fused block's exit liveness counted shape-only reads; backends/fusion.block_exits; found by tools/fuzz.py --arrays --seed 25)
# variant: int
# backend: c
# mode: grad
# kind: crash
# failure: crash int:c:grad:crash: C does not compile: [-Werror=unused-but-set-variable]
# params: x:array:3 s:float n:int
# args: ([1.4284, 1.2264, -1.3625], 1.0523, 0)
import numpy as np

def f(x, s, n):
    for i1 in x:
        return 1.0
    y0 = np.ones(3)
    y0[:] = np.sum(s * np.ones((1, 2)), axis=1)
    return 1.0 + y0[1]
