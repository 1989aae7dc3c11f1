"""Name resolution: aliased and from-imports, shadowing, cross-module helpers."""
import math as m
from math import cos, exp, pi, sin
from math import sqrt as root

from .programs import Case
from .programs_control import scaled, square

SCALE = 1.5


def alias_module(x):
    return m.sin(x) * m.exp(-x) + m.pi * m.log(x)


def from_imports(x, y):
    return sin(x) * cos(y) + root(x * x + y * y) + exp(-pi * x)


def module_constant(x):
    return SCALE * x * x + SCALE


def shadow_local(x):
    exp = 2.0
    sin = x * exp
    return sin * m.cos(x)


def shadow_param(cos, x):
    return cos * x + m.cos(x)


def cross_module_helpers(x, y):
    return scaled(square(x), k=y) + root(square(y))


def local_function_alias(x):
    f = sin
    g = m.tanh
    return f(x) * g(x)


CASES = [
    Case(alias_module, (1.3,)),
    Case(from_imports, (0.7, 0.4), (0, 1)),
    Case(module_constant, (0.9,)),
    Case(shadow_local, (0.6,)),
    Case(shadow_param, (2.0, 0.6), (0, 1)),
    Case(cross_module_helpers, (0.8, 1.3), (0, 1)),
    Case(local_function_alias, (0.5,)),
]
