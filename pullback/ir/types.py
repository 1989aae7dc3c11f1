"""Types carried by ``Var.type``: every one is an instance of ``Type``.

- Scalars ``BOOL < INT < FLOAT`` (a chain: ``join`` takes the larger);
- ``Array(dtype, shape)``: a NumPy array, with a static shape when the lowering can
  know it (dims are ints, ``None`` for unknown, or ``shape=None`` for unknown rank);
- ``ListT(elem)``: a list grown by ``append``; ``IndexT(parts)``: a run-time index tuple;
- in generated code ``TAPE`` (a stack of pushed values), ``RESIDUAL`` (a callee's saved
  values), ``INDEX`` (a slice), ``SHAPE`` (a tuple of ints), ``STATIC`` (a constant
  argument: slices, tuples, None, strings) and ``ANY`` (a value typed by its use).

Invariant: no bare string is a type.  A string given where a type belongs (``Var(name,
"float")``, a rule's ``result="int"``) is converted by ``as_type`` on the way in, so
``Var.type`` always holds a ``Type``.  Named types compare equal to (and hash like) their
name, so the passes' ``t == "float"`` tests read as before; ``repr`` keeps the string's
form too, so no generated text changes.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import numpy as np


class Type:
    """Base of every IR type (``isinstance(x, Type)``: a type, not a constant)."""
    __slots__ = ()


class Named(Type):
    """A type with no parameters: a singleton per name (``FLOAT``, ``TAPE``...)."""
    __slots__ = ("name",)

    def __init__(self, name):
        object.__setattr__(self, "name", name)

    def __setattr__(self, key, value):
        raise AttributeError("types are immutable")

    def __eq__(self, other):
        if other is self:       # (the singletons: most comparisons)
            return True
        if isinstance(other, Named):
            return self.name == other.name
        return isinstance(other, str) and self.name == other

    def __hash__(self):
        return hash(self.name)

    def __str__(self):
        return self.name

    def __repr__(self):
        return repr(self.name)

    def __reduce__(self):
        return as_type, (self.name,)


class Scalar(Named):
    """bool, int or float."""


class Tape(Named):
    """A stack of values pushed in the forward sweep, popped in the reverse sweep."""


class Residual(Named):
    """The values a callee's forward half saves for its reverse half (a tuple)."""


class Static(Named):
    """A constant argument (slice, tuple of ints, None, string): never a run-time value."""


class Shape(Named):
    """An array's shape (a tuple of ints)."""


class Index(Named):
    """A slice made at run time."""


class Unknown(Named):
    """A value typed by its use (a popped record field, a join of unrelated types)."""


BOOL, INT, FLOAT = Scalar("bool"), Scalar("int"), Scalar("float")
TAPE, RESIDUAL, STATIC = Tape("tape"), Residual("residual"), Static("static")
SHAPE, INDEX, ANY = Shape("shape"), Index("index"), Unknown("any")
_NAMED = {t.name: t for t in (BOOL, INT, FLOAT, TAPE, RESIDUAL, STATIC, SHAPE, INDEX, ANY)}
SCALAR_ORDER = {BOOL: 0, INT: 1, FLOAT: 2}


def as_type(t):
    """``t`` as a ``Type`` (a name converted to its singleton); None stays None."""
    if t is None or isinstance(t, Type):
        return t
    if isinstance(t, str) and t in _NAMED:
        return _NAMED[t]
    raise TypeError(f"not an IR type: {t!r}")


@dataclass(frozen=True)
class Array(Type):
    dtype: str
    shape: Optional[tuple]

    def __str__(self):
        dims = "?" if self.shape is None else ",".join("?" if d is None else str(d)
                                                       for d in self.shape)
        return f"{self.dtype}[{dims}]"

    @property
    def static(self):
        return self.shape is not None and all(d is not None for d in self.shape)


@dataclass(frozen=True)
class ListT(Type):
    """A Python list grown by ``append``; ``elem`` joins the appended types."""
    elem: object = None

    def __post_init__(self):
        object.__setattr__(self, "elem", as_type(self.elem))

    def __str__(self):
        return f"list[{self.elem}]"


@dataclass(frozen=True)
class IndexT(Type):
    """A run-time index tuple (``x[i, :]``): per position a constant (slice, None,
    Ellipsis, int) or the type of a run-time part.  Shapes of reads through it are
    static when every run-time part is an int."""
    parts: tuple

    def __post_init__(self):
        object.__setattr__(self, "parts", tuple(as_type(p) if isinstance(p, str) else p
                                                for p in self.parts))

    @classmethod
    def of(cls, parts):
        """Slices are kept as ("slice", start, stop, step) so the type stays hashable; an
        array read by name (``A[np.triu_indices(3)]``) is a run-time part of its type."""
        return cls(tuple(("slice", p.start, p.stop, p.step) if isinstance(p, slice) else
                         Array(p.dtype.name, p.shape) if isinstance(p, np.ndarray) else p
                         for p in parts))

    def __str__(self):
        return "index(" + ", ".join(str(p) for p in self.parts) + ")"


def adjoint_type(t):
    """The type of an adjoint of a value of type ``t`` (arrays keep their shape)."""
    if t is None:
        return "float"
    return Array("float64", None) if is_list(t) else t


def is_list(t):
    return isinstance(t, ListT)


def is_array(t):
    return isinstance(t, Array)


def is_complex(t):
    """A complex array (the IR has no complex scalar type)."""
    return isinstance(t, Array) and _kind(t.dtype) == "c"


def is_differentiable(t):
    """Float scalars and floating arrays carry derivatives."""
    if isinstance(t, ListT):
        return t.elem is None or is_differentiable(t.elem)
    return t is FLOAT or t == "float" or (isinstance(t, Array) and _kind(t.dtype) == "f")


_KINDS = {}     # dtype name -> its kind ("f", "c", "i", ...): np.dtype is slow per call


def _kind(dtype):
    k = _KINDS.get(dtype)
    if k is None:
        k = _KINDS[dtype] = np.dtype(dtype).kind
    return k


# ndarray subclasses that behave as ndarray does in every operation pullback supports:
# np.memmap is an ndarray view of a file (its arithmetic returns plain ndarrays).  Any
# other subclass (np.matrix, whose ``*`` is a matrix product; np.ma.MaskedArray, whose
# operations skip masked entries; a user's) may override what generated code relies on.
PLAIN_SUBCLASSES = (np.memmap,)


def odd_array(v):
    """Is ``v`` an instance of an ndarray subclass not known to behave like ndarray?
    Such a value is refused wherever pullback takes an array from outside (arguments,
    globals, closures, defaults, attributes): differentiating it as an ndarray would
    give the derivative of another function."""
    t = type(v)
    return t is not np.ndarray and isinstance(v, np.ndarray) and t not in PLAIN_SUBCLASSES


def odd_array_words(v):
    """``np.matrix``, ``np.ma.MaskedArray``: how an error names ``v``'s class."""
    t = type(v)
    mod = t.__module__
    if mod == "numpy" or mod.startswith("numpy."):
        return "np" + mod[len("numpy"):] + "." + t.__name__
    return f"{mod}.{t.__qualname__}"


def of_value(v):
    if isinstance(v, (bool, np.bool_)):
        return BOOL
    if isinstance(v, (int, np.integer)):
        return INT
    if isinstance(v, np.floating) and v.dtype.itemsize < 8:
        return Array(v.dtype.name, ())     # np.float32: a float32 number (0-d), as NumPy's
    if isinstance(v, (float, np.floating)):
        return FLOAT
    if isinstance(v, np.ndarray):
        return Array(v.dtype.name, tuple(v.shape))
    if isinstance(v, tuple) and all(isinstance(x, (int, np.integer)) for x in v):
        return SHAPE
    return None


# an unknown dimension stands in at lengths 2 and 3, then at these where NumPy computes
# the operation there (analysis/types.py, rules/shapes.py): a dimension is known only where
# every length gives it (``x[:2]`` of a list one long).  Not 0: an empty list's array has
# another rank (np.array([]) is 1-d), which would leave every stacked list's rank unknown
SHORT_LENGTHS = (1,)


def dummy(t, length=2, partial=False, index_int=0):
    """A value of type ``t`` for shape inference (None when the shape is unknown); a
    list has ``length`` items (its type does not say how many), and with ``partial``
    so has each unknown dimension of an array whose number of dimensions is known; a
    run-time int inside an index tuple stands in as ``index_int``."""
    if t == "float":
        return 1.0
    if t == "int":
        return 1
    if t == "bool":
        return True
    if isinstance(t, Array) and t.static:
        return np.ones(t.shape, t.dtype)
    if isinstance(t, Array) and partial and t.shape is not None:
        return np.ones(tuple(length if d is None else d for d in t.shape), t.dtype)
    if isinstance(t, ListT):
        item = dummy(t.elem, length, partial, index_int) if t.elem is not None else 1.0
        return None if item is None else [item] * length
    if isinstance(t, IndexT):
        parts = [index_int if p == "int" else
                 slice(*p[1:]) if isinstance(p, tuple) and p and p[0] == "slice" else
                 (dummy(p, length, partial, index_int) if isinstance(p, (Array, ListT, IndexT))
                  or p in (FLOAT, BOOL, INDEX, SHAPE, ANY) else p) for p in t.parts]
        return None if any(p is None for p in parts) else tuple(parts)
    return None


def holds_int(t):
    """Whether a value of type ``t`` carries a run-time int (an int, or an index tuple
    with one: ``((p, p),)`` of a run-time ``p``)."""
    if t == "int":
        return True
    return isinstance(t, IndexT) and any(holds_int(p) for p in t.parts)


def join(a, b):
    a, b = as_type(a), as_type(b)
    if a is None:
        return b
    if b is None or a == b:
        return a
    if isinstance(a, Scalar) and isinstance(b, Scalar):
        return a if SCALAR_ORDER[a] >= SCALAR_ORDER[b] else b
    if isinstance(a, ListT) and isinstance(b, ListT):
        return ListT(join(a.elem, b.elem))
    if isinstance(a, Array) or isinstance(b, Array):
        arrays = [t for t in (a, b) if isinstance(t, Array)]
        dtype = np.result_type(*[t.dtype for t in arrays]).name if len(arrays) == 2 \
            else arrays[0].dtype
        if len(arrays) == 1:
            return Array(dtype, arrays[0].shape)
        sa, sb = a.shape, b.shape
        if sa is None or sb is None or len(sa) != len(sb):
            return Array(dtype, None)
        return Array(dtype, tuple(x if x == y else None for x, y in zip(sa, sb)))
    return ANY
