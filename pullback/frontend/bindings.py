"""What a Python name means during lowering.

A name is bound to an IR atom (a run-time value), or to a static value the
lowering resolves completely: a tuple of bindings, a function (with the
values it captures), or a Python object (a module, a builtin, a callable
with a rule).  Static values never reach the IR; calls that pass them
specialise the callee, whose IR parameters are the flattened atoms.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..ir import Const, Var


@dataclass(frozen=True)
class TupleB:
    items: tuple
    is_list: bool = field(default=False, compare=False)   # x[[0, 2]] is not x[(0, 2)]


@dataclass(frozen=True)
class DictB:
    """A dict with string (or other constant) keys, in insertion order."""
    keys: tuple
    items: tuple

    def get(self, key):
        return self.items[self.keys.index(key)]


@dataclass(frozen=True)
class RecordB:
    """An instance of a NamedTuple or dataclass: fields by name."""
    cls: object
    fields: tuple
    items: tuple

    def get(self, name):
        return self.items[self.fields.index(name)]


@dataclass(frozen=True)
class BuilderB:
    """``self`` in the ``__init__`` of a user class instantiated in differentiated code:
    the attributes it sets become a ``RecordB`` of the class (``objects.construct``)."""
    cls: object


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
    # the lowering that bound a nested def to its values (``closures.py``); not part of
    # its identity or skeleton: a closure passed through a call comes back without it
    frame: object = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class PartialB:
    """``functools.partial(func, *args, **kwargs)``: a callable binding."""
    func: object
    args: tuple
    kwargs: tuple          # ((name, binding), ...)


@dataclass(frozen=True)
class ConstB:
    """A constant the callee is specialised to (not passed at run time), so that its
    branches on it fold while lowering: an expansion's ``lower=True`` (``expansions``)."""
    value: object


# the skeleton kinds of a TupleB: a list and a tuple are different static values
# (``isinstance(x, list)`` is decided while compiling, per specialisation)
SEQUENCES = ("tuple", "list")


def is_atom(b):
    return isinstance(b, (Var, Const))


def flatten(b):
    """(skeleton, atoms): the hashable shape of a binding and its run-time leaves."""
    if is_atom(b):
        return ("atom",), [b]
    if isinstance(b, (TupleB, DictB, RecordB)):
        skels, atoms = [], []
        for item in b.items:
            s, a = flatten(item)
            skels.append(s)
            atoms += a
        if isinstance(b, DictB):
            return ("dict", b.keys) + tuple(skels), atoms
        if isinstance(b, RecordB):
            return ("record", b.cls, b.fields) + tuple(skels), atoms
        return ("list" if b.is_list else "tuple",) + tuple(skels), atoms
    if isinstance(b, FuncB):
        skels, atoms = [], []
        for name, item in b.captured:
            s, a = flatten(item)
            skels.append((name, s))
            atoms += a
        return ("func", b.source, b.context, tuple(skels)), atoms
    if isinstance(b, PartialB):       # passed to a function: its parts are
        parts = [flatten(x) for x in (b.func,) + b.args + tuple(v for _, v in b.kwargs)]
        return ("partial", tuple(k for k, _ in b.kwargs)) + tuple(s for s, _ in parts), \
            [a for _, atoms in parts for a in atoms]
    if isinstance(b, ConstB):
        return ("const", b.value), []
    if isinstance(b, BuilderB):
        return ("builder", b.cls), []
    try:
        hash(b.obj)
        return ("obj", b.obj), []
    except TypeError:                   # an unhashable object (a dataclass): by identity
        return ("obj", Identity(b.obj)), []


def unflatten(skel, atoms):
    """Inverse of ``flatten``; ``atoms`` is an iterator."""
    kind = skel[0]
    if kind == "atom":
        return next(atoms)
    if kind in SEQUENCES:
        return TupleB(tuple(unflatten(s, atoms) for s in skel[1:]), kind == "list")
    if kind == "dict":
        return DictB(skel[1], tuple(unflatten(s, atoms) for s in skel[2:]))
    if kind == "record":
        return RecordB(skel[1], skel[2], tuple(unflatten(s, atoms) for s in skel[3:]))
    if kind == "func":
        return FuncB(skel[1], skel[2], tuple((n, unflatten(s, atoms)) for n, s in skel[3]))
    if kind == "partial":
        parts = [unflatten(s, atoms) for s in skel[2:]]
        nk = len(skel[1])
        return PartialB(parts[0], tuple(parts[1:len(parts) - nk]),
                        tuple(zip(skel[1], parts[len(parts) - nk:])))
    if kind == "const":
        return _const(skel[1])
    if kind == "builder":
        return BuilderB(skel[1])
    return PyObj(skel[1].obj if isinstance(skel[1], Identity) else skel[1])


def _const(value):
    """A constant the callee is specialised to; a tuple (``pad_width=((1, 2), (3, 4))``)
    as a static tuple, as the same tuple written in the callee is, so that the callee can
    take it apart and pass its items on, still constants."""
    if isinstance(value, tuple):
        return TupleB(tuple(_const(v) for v in value))
    return Const(value)


class Identity:
    """An object as a key, equal only to itself: an unhashable one (a dataclass), or a
    callable whose own ``__eq__`` would make two of them one (``cache.function_key``)."""
    __slots__ = ("obj",)

    def __init__(self, obj):
        self.obj = obj

    def __eq__(self, other):
        return isinstance(other, Identity) and other.obj is self.obj

    def __hash__(self):
        return id(self.obj)


def with_lists(b, like):
    """``b`` with the list/tuple kind of each tuple in ``like`` (same structure)."""
    if isinstance(b, TupleB) and isinstance(like, TupleB):
        return TupleB(tuple(with_lists(x, y) for x, y in zip(b.items, like.items)), like.is_list)
    return b


def leaf_names(base, skel):
    """Readable names for the leaves of a structured argument: ``p_w``, ``state_0``."""
    kind = skel[0]
    if kind == "atom":
        return [base]
    if kind in SEQUENCES:
        labels, subs = range(len(skel) - 1), skel[1:]
    elif kind == "dict":
        labels, subs = skel[1], skel[2:]
    elif kind == "record":
        labels, subs = skel[2], skel[3:]
    else:
        return [f"{base}_{i}" for i in range(n_atoms(skel))]
    out = []
    for label, sub in zip(labels, subs):
        label = str(label) if str(label).isidentifier() or isinstance(label, int) else "k"
        out += leaf_names(f"{base}_{label}", sub)
    return out


def n_atoms(skel):
    kind = skel[0]
    if kind == "atom":
        return 1
    if kind in SEQUENCES:
        return sum(n_atoms(s) for s in skel[1:])
    if kind == "dict":
        return sum(n_atoms(s) for s in skel[2:])
    if kind == "record":
        return sum(n_atoms(s) for s in skel[3:])
    if kind == "func":
        return sum(n_atoms(s) for _, s in skel[3])
    if kind == "partial":
        return sum(n_atoms(s) for s in skel[2:])
    return 0


def extern_name(base, value, low):
    """Without guards (``emit_c``): a name per array object, so two never share one."""
    names = low.program.__dict__.setdefault("extern_names", {})
    for name, obj in names.items():
        if obj is value:
            return name
    name, k = base, 1
    while name in names:
        k += 1
        name = f"{base}_{k}"
    names[name] = value
    return name
