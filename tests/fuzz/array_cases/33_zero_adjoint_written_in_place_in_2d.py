# fixed (was: CRASH IndexError in the reverse sweep: the adjoint of an array nobody reads stayed 0.0 and the reverse of its in-place write indexed it, setitem(0.0, (i, j), 0.0); found by the campaign at seed 300000; optimize/constants.py)
# params: x:array:3 z:array:4 s:float n:int
# args: ([0.2206, -0.7167, -1.0453], [0.9191, -0.7192, -1.1947, 1.0735], -0.6911, 0)
import numpy as np


def q0(a, c):
    v0 = (3.0 * np.ones((2, 3)))
    pass
    return {"u": (3.0 * a), "t": (a @ v0[1])}


def f(x, z, s, n):
    v1 = (z[(n + 1) % 4] * np.ones((2, 3)))
    v2 = z[:-1]
    if (s > s):
        return np.sum((-np.log1p((1.0 + np.abs(v1))))) + s
    v1[:, (n + 1) % 3] += (v2[1:] - (v2[:-1] * z[:-2]))
    for i0 in reversed(range(2)):
        k0 = 0
        while k0 < 3:
            k0 += 1
            if (np.sum(v2) < 1.5):
                t0 = np.exp(np.tanh(np.sin((z[1:3] @ x[1:]))))
                if ((s > s) and (t0 > np.maximum(float(i0), -0.75))):
                    break
            else:
                y0 = np.full((2, 3), 0.5)
                pass
                v1[-1, 1] = z[:-2].max()
    return s
