# failure: jvp jvp (-3104.023847850142, -15872.042426157386), grad gives (-3104.023847850142, -95169.3658872455)
# fixed: WRONG JVP (grad and JAX agree): found by the array campaign at seed 500698 after list results got unknown lengths (np.array of an empty list, then row writes and a dot in the result); not yet shrunk further
# params: x:array:3 s:float n:int P:pair:3
# args: ([-1.0247, -1.3717, -1.4515], 0.2835, 1, ([0.7107, 1.2011, 0.2811], -0.5044))
import numpy as np


def f(x, s, n, P):
    y0 = np.copy(x)
    y1 = y0.copy()
    y2 = np.copy(y1)
    L0 = []
    for i0 in range(2):
        y1[(n + 1) % 3] += y1[((n + 1) % 3 - 1) % 3] * 0.25 + (np.exp(np.sin(np.where(x >= -1.25, x, y0))) @ y2)
    t0 = np.array(L0)
    L1 = []
    for i1 in range(3):
        L1.append((np.prod(np.sin(t0) + 1.5) - ((1.0 + y2[::-1] * y2[::-1]) ** -1.0)))
    t1 = np.sum(np.array(L1))
    return np.sum(((3.0 * np.ones((2, 3))) + np.dot(np.max((t1 * np.ones((2, 3))), axis=1), np.dot(x[::-1], (t1 * np.ones((3, 2))))))) + (y1[-1] - s)
