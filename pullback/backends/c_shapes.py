"""Static shapes of the C backend's arrays: sizes, row-major strides, offsets.

Invariant: shapes come from the IR types only (``Array(dtype, shape)``); an
array whose shape is not static raises ``NoCForm``.
"""
import math

from ..ir.types import Array
from .c_ops import MUL, NoCForm, paren


def is_array(t):
    return isinstance(t, Array)


def shape_of(t):
    if is_array(t):
        if not t.static:
            raise NoCForm(f"an array of unknown shape ({t}): the C backend needs static shapes")
        return tuple(int(d) for d in t.shape)
    return ()


def elem_type(t):
    """IR scalar type of an array's elements (or the scalar type itself)."""
    if not is_array(t):
        return t
    d = str(t.dtype)
    if d.startswith("float"):
        return "float"
    if d.startswith("int") or d.startswith("uint"):
        return "int"
    if d == "bool":
        return "bool"
    raise NoCForm(f"arrays of dtype {d}")


def size_of(t):
    return math.prod(shape_of(t))


def strides(shape):
    out, s = [], 1
    for n in reversed(shape):
        out.append(s)
        s *= n
    return list(reversed(out))


def offset(terms):
    """C text of ``sum(index * stride)``; ``terms`` are (index text, stride) pairs."""
    parts = []
    for ix, st in terms:
        if ix == "0" or st == 0:
            continue
        parts.append(ix if st == 1 else f"{paren((ix, MUL if ' ' not in ix else 0), MUL)} * {st}")
    return " + ".join(parts) or "0"
