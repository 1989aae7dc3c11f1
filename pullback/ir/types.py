"""Types carried by ``Var.type``.

Scalars are the strings ``"bool"``, ``"int"``, ``"float"`` (a chain:
bool < int < float); NumPy arrays are ``Array(dtype, shape)`` with a static
shape when the lowering can know it (dims are ints, ``None`` for unknown, or
``shape=None`` for unknown rank).  Generated code also uses ``"tape"``,
``"residual"``, ``"index"`` (slices) and ``"any"``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import numpy as np

SCALAR_ORDER = {"bool": 0, "int": 1, "float": 2}


@dataclass(frozen=True)
class Array:
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
class ListT:
    """A Python list grown by ``append``; ``elem`` joins the appended types."""
    elem: object = None

    def __str__(self):
        return f"list[{self.elem}]"


@dataclass(frozen=True)
class IndexT:
    """A run-time index tuple (``x[i, :]``): per position a constant (slice, None,
    Ellipsis, int) or the type of a run-time part.  Shapes of reads through it are
    static when every run-time part is an int."""
    parts: tuple

    @classmethod
    def of(cls, parts):
        """Slices are kept as ("slice", start, stop, step) so the type stays hashable."""
        return cls(tuple(("slice", p.start, p.stop, p.step) if isinstance(p, slice) else p
                         for p in parts))

    def __str__(self):
        return "index(" + ", ".join(str(p) for p in self.parts) + ")"


def is_list(t):
    return isinstance(t, ListT)


def is_array(t):
    return isinstance(t, Array)


def is_differentiable(t):
    """Float scalars and floating arrays carry derivatives."""
    if isinstance(t, ListT):
        return t.elem is None or is_differentiable(t.elem)
    return t == "float" or (isinstance(t, Array) and np.dtype(t.dtype).kind == "f")


def of_value(v):
    if isinstance(v, (bool, np.bool_)):
        return "bool"
    if isinstance(v, (int, np.integer)):
        return "int"
    if isinstance(v, (float, np.floating)):
        return "float"
    if isinstance(v, np.ndarray):
        return Array(v.dtype.name, tuple(v.shape))
    if isinstance(v, tuple) and all(isinstance(x, (int, np.integer)) for x in v):
        return "shape"
    return None


def dummy(t, length=2, partial=False):
    """A value of type ``t`` for shape inference (None when the shape is unknown); a
    list has ``length`` items (its type does not say how many), and with ``partial``
    so has each unknown dimension of an array whose number of dimensions is known."""
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
        item = dummy(t.elem, length, partial) if t.elem is not None else 1.0
        return None if item is None else [item] * length
    if isinstance(t, IndexT):
        parts = [0 if p == "int" else
                 slice(*p[1:]) if isinstance(p, tuple) and p and p[0] == "slice" else
                 (dummy(p, length, partial) if isinstance(p, (Array, ListT, IndexT))
                  or p in ("float", "bool", "index", "shape", "any") else p) for p in t.parts]
        return None if any(p is None for p in parts) else tuple(parts)
    return None


def join(a, b):
    if a is None:
        return b
    if b is None or a == b:
        return a
    if isinstance(a, str) and isinstance(b, str) and a in SCALAR_ORDER and b in SCALAR_ORDER:
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
    return "any"
