# failure: jvp jvp (-6.955319717421708, 0.011742271259174153), grad gives (-6.955319717421708, -3.1228762897402547)
# fixed: WRONG JVP (grad agrees with finite differences): found by the array campaign at seed 802292 (lists of arrays through np.array/np.stack, in-place *= and += on a 2-D array); not yet shrunk
# params: x:array:3 A:array:2x3 s:float
# args: ([0.3644, 0.1456, -1.2694], [[1.1027, 0.6786, 0.6084], [-0.5906, -0.4527, -0.654]], 0.8819)
import numpy as np


def f(x, A, s):
    L0 = []
    for i0 in range(1):
        L0.append(x.copy())
    t0 = np.sum(np.array(L0))
    y0 = np.zeros_like(A)
    t1 = min(np.prod(np.cos((0.353 * np.ones(4))) + 1.5), A[0, 2])
    y0 += np.cos((np.outer(A[:, 0], x) / (1.0 + np.abs(np.outer(A[:, 1], x[::-1])))))
    L1 = []
    for i1 in range(1):
        y1 = np.copy(A)
        L1.append(((-1.25 * np.ones(4)) - np.sin((t0 * 0.5))))
    t2 = np.sum(np.stack(L1))
    y0 *= np.sin(A)
    t3 = np.maximum((t0 * t0), s)
    return np.sum((A[-1] - y0[-2])) + t2
