# failure: crash ValueError: matmul: Input operand 1 has a mismatch in its core dimension 0, with gufunc signature (n?,k),(k,m?)->(n?,m?) (size 1 is different from 3)
# fixed: a helper's array result that the caller never uses gets the float 0.0 as adjoint, and the reverse of its matmul fails
# params: x:array:3
# args: ([0.1, 0.5, 0.3],)
import numpy as np


def q(a):
    return np.ones((3, 2)) @ a[:-1], np.sum(a)


def f(x):
    u, t = q(x)
    return t
