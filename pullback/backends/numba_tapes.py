"""How the Numba backend stores a tape: scalars and arrays of one static shape in
a preallocated typed array, one row per push, grown by doubling; records (tuples
pushed together) in one such array per field; anything else in a typed list.

Invariant: one IR tape has one ``Tape`` form in a function and in the split pair
that shares it (fwd pushes and rev pops agree on it).
"""
from dataclasses import dataclass

from ..ir.types import Scalar, is_array

SCALARS = {"float": "np.float64", "int": "np.int64", "bool": "np.bool_"}
INITIAL_CAPACITY = 16


@dataclass
class Tape:
    """How one IR tape is stored: ``kind`` is ``array``, ``record`` or ``list``."""
    kind: str
    arrays: tuple      # array variable names (one per field for a record)
    dtypes: tuple
    length: str = ""   # the shared length variable ('' for a list)


def storage(t):
    """How a tape of values of type ``t`` is stored: scalars and arrays of one static
    shape in a typed array (one row per push), anything else in a list."""
    if isinstance(t, Scalar) or (is_array(t) and t.static and t.dtype in ROW_DTYPES):
        return ("array", (t,))
    return ("list", ())


ROW_DTYPES = {"float64", "float32", "int64", "int32", "bool"}


def empty(t, capacity=None):
    rows = INITIAL_CAPACITY if capacity is None else capacity
    if isinstance(t, Scalar):
        return f"np.empty({rows}, {SCALARS[t]})"
    return f"np.empty(({rows}, {''.join(f'{d}, ' for d in t.shape)}), " \
           f"np.{'bool_' if t.dtype == 'bool' else t.dtype})"
