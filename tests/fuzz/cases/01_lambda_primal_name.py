# failure: crash SyntaxError: invalid syntax (<pullback f_grad>, line 116) -- t3 = lambda(0.25, g_0)
# fixed: frontend/program.py -- a lambda's IR function was named 'lambda', a keyword
# params: x:float n:int
# args: (0.7292, 0)
import math


def ap0(g, v, w=0.5):
    return g(v) * w + g(0.25)


def f(x, n):
    return ap0((lambda t1: float(n)), x, x) + ap0(lambda t0: t0 * x, 2.0)
