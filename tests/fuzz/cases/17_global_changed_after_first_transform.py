# fixed (was: module globals are folded at the first transform: after the global changes, the same function's value and derivative are the old ones (frontend/expressions.py, api.py; being fixed))
# variant: global
# backend: python
# mode: grad
# kind: wrong
# failure: variant global-moved:python:grad:wrong: value 1.932653061713073 derivative [2.2945265618534654]; the original on python: value 2.0131802726177845 derivative [2.3901318352640266]
# params: x:float
# args: (0.7,)
import math


def f(x):
    return math.sin(x) * 3.0
