"""Compiled derivatives, cached with the guards they were specialised under.

Every entry point (``grad``/``value_and_grad``/``vjp``, ``jvp``/``jacobian``/``hessian``/
``hvp``, either backend) looks its derivative up here.  A table maps a key (function,
argument types, mode, backend) to its specialisations, newest first; a specialisation
is used only while all its guards hold (``frontend.guards``): a rebound global, a
replaced default or closure cell, or a global array of another shape makes a new one.

Invariant: a value returned by ``lookup`` has ``.guards``, which held just now and
bound the generated module's global arrays to their current values.
"""
import types

from .frontend.bindings import Identity
from .frontend.guards import Ref, guard, recording
from .rules.registry import VERSION

MAX_SPECIALISATIONS = 8      # per key: a global that changes on every call stays bounded


def function_key(f):
    """``f`` as a key: functions and bound methods as they are (a method compares its
    object by identity), any other callable by identity."""
    if isinstance(f, (types.FunctionType, types.MethodType, types.BuiltinFunctionType)):
        return f
    return Identity(f)


def lookup(table, key, build, by_value=False):
    """The specialisation under ``key`` whose guards hold, else ``build()``'s (recorded)."""
    entries = table.get(key)
    if entries:
        for value in entries:
            if value.guards.hold():
                return value
    with recording(by_value) as guards:
        guard(Ref("global", VERSION, "rules"), VERSION["rules"])    # a rule given anew
        value = build()
    guards.bind(_namespace(value), _printed(value))
    guards.hold()       # the arrays as they are now: the typed IR may be an earlier one's
    value.guards = guards
    table[key] = [value] + (entries or [])[:MAX_SPECIALISATIONS - 1]
    return value


def _printed(value):
    """The printed names of global arrays the backend renamed (``backends.extern_names``)."""
    names = getattr(value, "extern_names", None)
    if names is None and hasattr(value, "comp"):
        names = getattr(value.comp, "extern_names", None)
    return names or {}


def _namespace(value):
    """The globals of the generated Python module (None for Numba, which freezes them)."""
    ns = getattr(value, "namespace", None)
    if ns is None and hasattr(value, "comp"):
        ns = getattr(value.comp, "namespace", None)
    return ns
