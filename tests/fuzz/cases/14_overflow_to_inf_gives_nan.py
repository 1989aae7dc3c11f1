# failure: crash d/dx is nan
# known: an intermediate overflows to inf; its adjoint is 0 * inf = nan, where JAX's symbolic zeros give 0 (docs/edges.md)
# params: x:float y:float z:float n:int
# args: (1.8, 0.5, 0.3424, 3)
import math

def f(x, y, z, n):
    for i0 in range(4, -1, -1):
        x = (x * x) ** 2.5
    y -= x if not x else 1.0
    return y
