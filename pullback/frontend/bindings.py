"""What a Python name means during lowering.

A name is bound to an IR atom (a run-time value), or to a static value the
lowering resolves completely: a tuple of bindings, a function (with the
values it captures), or a Python object (a module, a builtin, a callable
with a rule).  Static values never reach the IR; calls that pass them
specialise the callee, whose IR parameters are the flattened atoms.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..ir import Const, Var


@dataclass(frozen=True)
class TupleB:
    items: tuple


@dataclass(frozen=True)
class PyObj:
    obj: object


@dataclass(frozen=True)
class FuncB:
    """A user function: its source, the Python function whose globals and
    closure cells resolve its free names, and the values of captured locals."""
    source: object
    context: object
    captured: tuple = ()     # ((name, binding), ...)


def is_atom(b):
    return isinstance(b, (Var, Const))


def flatten(b):
    """(skeleton, atoms): the hashable shape of a binding and its run-time leaves."""
    if is_atom(b):
        return ("atom",), [b]
    if isinstance(b, TupleB):
        skels, atoms = [], []
        for item in b.items:
            s, a = flatten(item)
            skels.append(s)
            atoms += a
        return ("tuple",) + tuple(skels), atoms
    if isinstance(b, FuncB):
        skels, atoms = [], []
        for name, item in b.captured:
            s, a = flatten(item)
            skels.append((name, s))
            atoms += a
        return ("func", b.source, b.context, tuple(skels)), atoms
    try:
        hash(b.obj)
        return ("obj", b.obj), []
    except TypeError:
        return ("obj", id(b.obj)), []


def unflatten(skel, atoms):
    """Inverse of ``flatten``; ``atoms`` is an iterator."""
    kind = skel[0]
    if kind == "atom":
        return next(atoms)
    if kind == "tuple":
        return TupleB(tuple(unflatten(s, atoms) for s in skel[1:]))
    if kind == "func":
        return FuncB(skel[1], skel[2], tuple((n, unflatten(s, atoms)) for n, s in skel[3]))
    return PyObj(skel[1])


def n_atoms(skel):
    kind = skel[0]
    if kind == "atom":
        return 1
    if kind == "tuple":
        return sum(n_atoms(s) for s in skel[1:])
    if kind == "func":
        return sum(n_atoms(s) for _, s in skel[3])
    return 0
