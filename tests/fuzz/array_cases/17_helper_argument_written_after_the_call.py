# failure: fd d/dx[1]: pullback 1.484363979500011, finite differences 0.959222919816316
# fixed: WRONG GRADIENT: an array passed to a helper and written in place after the call (v0[-2] = s): the helper's residual kept the array itself, so its reverse read the written values (DCE had dropped the caller's restore); an array argument written later is now passed as a copy (transforms/reverse.py)
# params: x:array:3 A:array:2x3 s:float
# args: ([1.1162, 0.1118, -0.7487], [[-1.3331, -0.208, -1.1838], [1.1928, -0.5064, -0.0045]], 1.2873)
import numpy as np


def p0(a, c):
    t0 = np.where(np.dot(a[::-1], a[::-1]) >= 1.671, np.sum(np.abs(a[1:])), c)
    d0 = ((np.exp(np.sin(a[::-1])) - a), (a[-1] - (t0 - t0)))
    return (max(1.929, d0[1]) * d0[0]), np.exp(np.cos(np.minimum((d0[0][2] * d0[1]), -0.75)))


def f(x, A, s):
    s -= (x.mean() - 2.0)
    v0, t1 = p0(np.minimum(np.sin(x), np.abs(x)), x[-2])
    t2 = np.log((2.0 + s * s))
    for i0 in reversed(range(len(v0))):
        for i1 in range(1, len(x)):
            v1, t3 = p0((v0[::-1] + np.arctan(v0[::-1])), (t2 * np.ones(4)).mean())
    d1 = (p0(v0, -0.75)[0], ((v0[1] * 1.5) * ((1.0 + A[-1, -2] * A[-1, -2]) ** 0.5)))
    v0[-2] = s
    v2 = np.outer(d1[0][1:], v0)
    return np.sum(np.arctan((v2 + np.outer(x[:-1], x)))) + np.mean(x)
