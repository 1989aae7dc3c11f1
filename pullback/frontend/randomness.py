"""Random generator objects inside the objective: ``rng.normal(...)``, ``rs.randn(...)``.

A ``np.random.Generator`` or ``np.random.RandomState`` found by name (a global, a
closure cell) or passed as an argument is a static binding (``PyObj``); the compiled
derivative reads that very object at run time (an ``Extern``), so its draws advance
the caller's generator exactly as the original function would.  ``rng.method`` is a
``DrawB``; calling it emits one ``draw<k>`` primitive (``rules.draws``): impure, run
once in the forward sweep, its value a constant of the derivative, except through the
location and scale of the draws ``rules.draws.FAMILIES`` reparameterises.

Invariants: methods that change the generator otherwise (``seed``, ``shuffle``,
``set_state``, ``bit_generator``, ``spawn``) are rejected at their line; a draw's
arguments must be atoms or constants (a ``size=(2, 3)`` tuple of constants included).
"""
import numpy as np
from dataclasses import dataclass

from ..ir import Const, Extern, literal
from ..rules.draws import FAMILIES
from .bindings import TupleB, extern_name, is_atom
from .functional import StarB

GENERATORS = (np.random.Generator, np.random.RandomState)
_NOT_DRAWS = {"seed", "shuffle", "set_state", "get_state", "bit_generator", "spawn",
              "jumped", "__getstate__", "__setstate__"}
MAX_VALUES = 6


@dataclass(frozen=True)
class DrawB:
    """``rng.method`` awaiting its call."""
    rng: object                # the generator object
    method: str


def is_generator(obj):
    return isinstance(obj, GENERATORS)


class RandomLowerer:
    def generator_attribute(self, base, node):
        if node.attr in _NOT_DRAWS or node.attr.startswith("_") or \
                not callable(getattr(base.obj, node.attr, None)):
            raise self.error(node, f"'.{node.attr}' of a random generator (only draws: "
                                   "rng.normal(...), rs.randn(...), ...)")
        return DrawB(base.obj, node.attr)

    def call_draw(self, d, args, kwargs, node):
        located = self.reparameterised_draw(d, args, kwargs, node)
        if located is not None:
            return located
        values = []

        def encode(b):          # constants travel in the spec, run-time values as arguments
            if literal(b):
                return ("c", b.value)
            if isinstance(b, TupleB) and all(map(literal, b.items)):
                return ("c", tuple(x.value for x in b.items))             # size=(2, 3)
            if is_atom(b):
                values.append(b)
                return ("v",)
            if isinstance(b, StarB):
                values.append(b.value)
                return ("s",)
            raise self.error(node, "a draw whose arguments are tuples, functions or modules")
        spec = (type(d.rng).__name__, d.method, tuple(encode(a) for a in args),
                tuple((k, encode(v)) for k, v in kwargs.items()))
        if len(values) > MAX_VALUES:
            raise self.error(node, f"a draw with more than {MAX_VALUES} run-time arguments")
        rng = Const(Extern(extern_name(   # one module-level name per generator object
            "rng", d.rng, self), d.rng))
        return self.op(f"draw{len(values)}", [rng, Const(repr(spec))] + values, node)


    def reparameterised_draw(self, d, args, kwargs, node):
        """``rng.normal(mu, sigma, size=n)`` with run-time parameters: the primitive of its
        family (``rules.draws.FAMILIES``), whose rules differentiate in them; None where
        the draw is not one, takes no run-time parameter, or has a run-time size."""
        if d.method not in FAMILIES:
            return None
        family, names, defaults = FAMILIES[d.method]
        bound = dict(zip(names + ("size",), args))
        if len(args) > len(names) + 1 or any(k in bound or k not in names + ("size",)
                                             for k in kwargs):
            return None
        bound.update(kwargs)
        params = [bound.get(n, Const(v)) for n, v in zip(names, defaults)]
        size = bound.get("size", Const(None))
        if isinstance(size, TupleB) and all(map(literal, size.items)):
            size = Const(tuple(x.value for x in size.items))
        if not all(is_atom(p) for p in params) or \
                all(isinstance(p, Const) for p in params) or not isinstance(size, Const) or \
                any(isinstance(p, Const) and isinstance(p.value, Extern) for p in params):
            return None
        spec = (type(d.rng).__name__, d.method, (("v",),) * len(names),
                (("size", ("c", size.value)),))
        rng = Const(Extern(extern_name("rng", d.rng, self), d.rng))
        return self.op(f"draw_{family}", [rng, Const(repr(spec))] + params, node)


__all__ = ["DrawB", "RandomLowerer", "is_generator"]
