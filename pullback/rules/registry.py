"""The primitive registry and the declaration idiom.

A primitive is one operation of the IR: how to evaluate it, what type it
returns, how it prints in Python, and its derivative as math.

    scalar("tanh", math.tanh, "1 - y * y")

declares ``tanh`` with d tanh(x)/dx = 1 - y*y, where ``y`` is the output.
Partials are Python expressions over the parameter names and ``y``, written
with other primitives (``cos``, ``select``, ...): the transforms lower them
like user code, so every mode and every backend inlines them. Rules never
unbroadcast, special-case zeros, or accumulate; the transforms do that.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Callable, Optional

PRIMITIVES: dict = {}
_BY_PYTHON: dict = {}   # (python callable, nargs or None) -> primitive name


@dataclass(frozen=True)
class Syntax:
    """How a primitive prints in Python: ``call`` (``math.sin(x)``),
    ``infix`` (``a + b``), ``prefix`` (``-a``) or ``ifexp``."""
    kind: str
    text: str
    prec: int = 100
    right_assoc: bool = False


@dataclass(frozen=True)
class Primitive:
    name: str
    impl: Callable
    params: tuple
    partials: Optional[tuple]     # expression per param; None where not differentiable
    result: Callable              # (arg types) -> result type
    syntax: Syntax
    helper: Optional[str] = None  # name of a runtime helper the Python code calls

    @property
    def differentiable(self):
        return self.partials is not None and any(p is not None for p in self.partials)

    def partial_ast(self, i):
        p = self.partials[i] if self.partials else None
        return None if p is None else _parse(p)


_PARSED = {}


def _parse(src):
    if src not in _PARSED:
        _PARSED[src] = ast.parse(src, mode="eval").body
    return _PARSED[src]


def numeric(*types):
    """Python's promotion for arithmetic on scalars."""
    return "float" if "float" in types else "int"


def always(t):
    return lambda *types: t


def register(name, impl, params, partials, result, syntax, python=(), helper=None):
    prim = Primitive(name, impl, tuple(params), partials, result, syntax, helper)
    PRIMITIVES[name] = prim
    for obj in python:
        _BY_PYTHON[(obj, len(params))] = name
    return prim


def scalar(name, impl, *partials, params="x", result=None, python=(), syntax=None, helper=None):
    """A differentiable scalar function: one partial expression per parameter."""
    params = params.split()
    assert len(partials) == len(params), name
    return register(name, impl, params, tuple(partials), result or always("float"),
                    syntax or Syntax("call", f"math.{name}"), python, helper)


def nondiff(name, impl, params="x", result=None, python=(), syntax=None, helper=None):
    """A function whose derivative is zero wherever it exists."""
    params = params.split()
    return register(name, impl, params, None, result or always("float"),
                    syntax or Syntax("call", f"math.{name}"), python, helper)


def lookup_python(obj, nargs):
    """The primitive implementing Python callable ``obj`` with ``nargs`` args."""
    try:
        return _BY_PYTHON.get((obj, nargs))
    except TypeError:   # unhashable callables
        return None


def has_python(obj):
    try:
        return any(k[0] is obj for k in _BY_PYTHON)
    except TypeError:
        return False


def partial_reads(prim, positions):
    """(param indices, output?) that the partials at ``positions`` read."""
    names = set()
    for i in positions:
        node = prim.partial_ast(i)
        if node is not None:
            names |= {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
    return {i for i, p in enumerate(prim.params) if p in names}, "y" in names
