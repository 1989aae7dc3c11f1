"""Tuples and lists of number constants read at a run-time index (``COEF[i]`` in a loop,
a Butcher tableau ``A[i][j]``), as Python reads them.

A table is one constant array per value in a program (an ``Extern`` read by name); its
values are the bindings' (a global's are guarded), so it never goes stale.

Invariants: each is a way the array would otherwise differ from the tuple (audit,
issue 11: each gave a silent wrong number).
- The index is evaluated once (it may draw a random number) and read as Python's
  ``tuple[i]`` reads it: an int, or a bool as its int (``T[True]`` is ``T[1]``, where the
  array would take it as a mask); anything else is rejected at its line (``table_index``).
- An item of an int table is a Python int (``int``): NumPy's int64 wraps at 2**63.
- A row of a nested table is a tuple (a list) of its items, each read at run time, so
  ``T[i] * 2`` repeats it, and ``len``, unpacking and ``for`` see a tuple; indexing that
  row at a run-time index reads the table at both indices (``RowB``).
- Ragged tables, tables of other types, and nested ones whose rows at some depth mix
  tuples and lists are no tables: the run-time index is rejected at its line.
"""
from dataclasses import dataclass, field

import numpy as np

from ..ir import Const, Extern
from .bindings import TupleB, extern_name


@dataclass(frozen=True)
class RowB(TupleB):
    """A row of a table read at a run-time index: a tuple of its items, which knows
    where it was read (``prefix``: the indices so far) for a further run-time index."""
    table: object = field(default=None, compare=False)       # Const(Extern(array))
    prefix: tuple = field(default=(), compare=False)
    kinds: tuple = field(default=(), compare=False)          # is_list at each depth


def number_table(b, name, low):
    """``(table, prefix, kinds)`` when binding ``b`` is a table, else None."""
    if isinstance(b, RowB):
        return b.table, b.prefix, b.kinds
    kinds = []
    values = _numbers(b, kinds, 0)
    if values is None or None in kinds:
        return None
    try:
        table = np.array(values)
    except ValueError:          # ragged
        return None
    if table.dtype.kind not in "if" or table.ndim != len(kinds):
        return None
    tables = low.program.__dict__.setdefault("number_tables", {})
    key = (table.dtype.str, table.shape, table.tobytes())
    if key not in tables:
        base = getattr(name, "id", None) or getattr(name, "attr", None) or "table"
        tables[key] = Const(Extern(extern_name(base, table, low), table))
    return tables[key], (), tuple(kinds)


def read_table(low, found, idx, node):
    """``T[idx]`` of a table ``found`` by ``number_table`` at a run-time ``idx``."""
    table, prefix, kinds = found
    return _read(low, table, prefix + (low.op("table_index", (idx,), node),), kinds, node)


def _read(low, table, parts, kinds, node):
    arr = table.value.obj
    if len(parts) < arr.ndim:
        items = tuple(_read(low, table, parts + (Const(k),), kinds, node)
                      for k in range(arr.shape[len(parts)]))
        return RowB(items, kinds[len(parts)], table, parts, kinds)
    index = parts[0] if len(parts) == 1 else low.op("index", list(parts), node)
    item = low.op("getitem", (table, index), node)
    return low.op("int", (item,), node) if arr.dtype.kind == "i" else item


def _numbers(b, kinds, depth):
    """Nested lists of ``b``'s numbers (None if any item is not one), noting at each
    depth whether its sequences are lists (None in ``kinds`` where they mix)."""
    if isinstance(b, Const) and type(b.value) in (int, float):
        return b.value
    if not isinstance(b, TupleB) or isinstance(b, RowB) or not b.items:
        return None
    if len(kinds) == depth:
        kinds.append(b.is_list)
    elif kinds[depth] != b.is_list:
        kinds[depth] = None
    items = [_numbers(x, kinds, depth + 1) for x in b.items]
    return None if any(x is None for x in items) else items
