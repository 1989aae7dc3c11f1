"""The typed IR of a function, reused by its other derivatives: ``grad``, ``vjp`` and
``jvp`` of one function at the same argument types lower, type and alias-check it once.

What lowering makes depends on the function, the leaf types and argument structures,
the rule registry (``registry.state``) and the outside values it reads, which it records
as guards (``frontend/guards.py``).  An entry is reused only while its own guards hold,
as a compiled derivative is (``cache.py``), and what lowering recorded and named is
replayed into the derivative being made, so that derivative is guarded exactly as if it
had lowered the function itself.  Nothing is cached where no guards are being recorded
(``emit_c`` reads the values once) or where the key does not hash.

Invariant: a hit returns what lowering the function again now would return (the IR is
frozen data, shared freely).
"""
import weakref

from .frontend.guards import Guards, active, signature
from .rules.registry import state

MAX_ENTRIES = 4        # per function and key: globals that keep changing stay bounded
_TYPED = weakref.WeakKeyDictionary()      # function -> {key: [[typed, guards, log, primal]]}


def reused(f, types, skels, make):
    """``make()`` (the typed module of ``f`` for ``types`` and ``skels``), or the one an
    earlier call made, while everything it was made from is unchanged."""
    guards = active()
    if guards is None:
        return make()
    try:
        key = (tuple(types), skels and tuple(map(_structure, skels)), guards.by_value, state())
        table = _TYPED.setdefault(f, {})
        entries = table.get(key, [])
    except TypeError:       # a function without weak references, an unhashable structure
        return make()
    for typed, own, log, _ in entries:
        if own.hold() and guards.replay(log):
            return typed
    with guards.logging() as log:
        typed = make()
    if state() == key[-1]:          # (no rule was registered while lowering)
        own = Guards(guards.by_value)
        own.replay(log)
        table[key] = [[typed, own, log, None]] + entries[:MAX_ENTRIES - 1]
    return typed


def primal(f, typed, make):
    """``make()``, the optimised primal of ``typed`` (a pure function of it), made once per
    typed module this cache holds."""
    for entries in _TYPED.get(f, {}).values():
        for entry in entries:
            if entry[0] is typed:
                if entry[3] is None:
                    entry[3] = make()
                return entry[3]
    return make()


_CHILDREN = {"tuple": 1, "list": 1, "dict": 2, "record": 3}     # where a skeleton's parts start


def _structure(skel):
    """An argument's skeleton (``pytree.skeleton``) as a key: a static value by what
    lowering assumes of it (``guards.signature``, arrays by value: ``1``, ``1.0`` and ``True`` differ; an
    object by identity, which does not hash, so it is not cached)."""
    if skel[0] == "obj":
        return ("obj", signature(skel[1], by_value=True))
    k = _CHILDREN.get(skel[0], len(skel))
    return skel[:k] + tuple(_structure(c) for c in skel[k:])
