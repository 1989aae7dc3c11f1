"""Bounds checks of run-time integer indices on the Numba backend, naming the user's line.

Numba indexes without bounds checks (its ``boundscheck`` would check every index,
pullback's tapes and fused loops too), so ``x[n]`` with ``n`` out of range read
garbage, wrote past the buffer or crashed where NumPy raises IndexError.
``bounds_checked(fn)`` puts a check before each statement that indexes an array with a
run-time int or int array (reads, writes, their adjoints ``getitem_vjp`` and
``last_write_vjp``, tangents: the same ops; ``take``, ``take_along_axis``) and makes the
statement read the checked index::

    t2 = getitem(x, n)     ->   n_ck = bounds_check(n, ((None, 0, 7, "int"),))
                                t2 = getitem(x, n_ck)

printed ``n_ck = _ck_ix(n, 0, 7, 'f.py:3')``: the index, wrapped as NumPy wraps a
negative one, or IndexError naming the user's ``file:line`` (``located``).  An index
tuple checks each int part against its own axis: ``(_ck_ix(i, 0, 3, w), j)``; an int
array (jvp's ``x[idx]``: Numba's fancy indexing wraps negatives but checks nothing)
is checked entry by entry (``_ck_ixs``).

Invariants: an index is left unchecked only where it is proved in range on its axis:
a constant, or a name whose every definition is the variable of a ``range`` with
constant bounds, or sums, differences and products of such names and constants (or
``% c``), so the hot loops ``for i in range(n): x[i + 1]``, ``main[2 * i]`` over static
shapes cost nothing.  Indices pullback writes itself (tapes, fused loops, gathers that
check their own) never pass here.  A checked index read again by the next statements
(``A_bar[t] += g``: a read and a write) is checked once, until the block writes it.
"""
from dataclasses import replace

import numpy as np

from ..ir import Assign, Const, For, Var
from ..ir.names import fresh_vars
from ..ir.types import IndexT, is_array
from ..ir.walk import all_written, blocks, map_blocks, vars_written, walk
from .numba_checks import located
from .numba_index_pairs import pair_length

# op -> (position of the indexed array, position of the index)
INDEXED = {"getitem": (0, 1), "getitem_copy": (0, 1), "setitem": (0, 1),
           "getitem_vjp": (1, 2), "last_write_vjp": (0, 1), "take_along_axis": (0, 1),
           "take": (0, 1)}
CHECK = "bounds_check"
HELPERS = {
    "_ck_ix": """
def _ck_ix(i, axis, n, where):
    if i < 0:
        if i < -n:
            _out_of_bounds(i, axis, n, where)
        return i + n
    if i >= n:
        _out_of_bounds(i, axis, n, where)
    return i""",
    "_ck_ixs": """
def _ck_ixs(idx, axis, n, where):
    for i in idx.flat:          # Numba's fancy indexing wraps negatives but checks nothing
        if i < -n or i >= n:
            _out_of_bounds(i, axis, n, where)
    return idx""",
    "_out_of_bounds": """
def _out_of_bounds(i, axis, n, where):
    raise IndexError(where + ": index " + str(i) + " is out of bounds for axis " + str(axis)
                     + " with size " + str(n))""",
}


def bounds_checked(fn):
    """``fn`` with a check before each run-time int index not proved in range."""
    body = _block(fn.body, _Ranges(fn), fresh_vars(fn))
    return fn if body is fn.body else replace(fn, body=body)


def check_text(p, s, text):
    """The Numba text of a ``bounds_check`` statement ``s`` for printer ``p`` (its helpers
    noted); ``text(atom)`` prints an atom.  An index tuple the printer folded here
    (``t = (i, j)`` read once) is spelled by its parts, not ``(i, j)[0]``."""
    idx, checks, where = s.args[0], s.args[1].value, located(s, p.fn)
    p.helpers.update({"_out_of_bounds"} | {_HELPER[c[-1]] for c in checks})
    if checks[0][0] is None:
        _, axis, n, kind = checks[0]
        return f"{_HELPER[kind]}({text(idx)}, {axis}, {n}, {where})"
    made = p.inlined.get(idx.name)
    made = made.args if made is not None and made.op == "index" else None
    by_part = {k: c for k, *c in checks}
    parts = [text(made[k]) if made is not None else f"{text(idx)}[{k}]"
             for k in range(len(idx.type.parts))]
    parts = [f"{_HELPER[by_part[k][2]]}({q}, {by_part[k][0]}, {by_part[k][1]}, {where})"
             if k in by_part else q for k, q in enumerate(parts)]
    return f"({', '.join(parts)}{',' * (len(parts) == 1)})"


_HELPER = {"int": "_ck_ix", "array": "_ck_ixs"}


def _block(body, ranges, fresh):
    out, memo, changed = [], {}, False
    for s in body:
        if isinstance(s, Assign) and s.op in INDEXED and len(s.args) > INDEXED[s.op][1]:
            at, k = INDEXED[s.op]
            checks = _along(s) if s.op.startswith("take") else \
                _checks(s.args[at], s.args[k], ranges)
            if checks:
                key = (s.args[k].name, checks)
                ck = memo.get(key)
                if ck is None:
                    ck = fresh(s.args[k].name + "_ck", s.args[k].type)
                    out.append(Assign(ck, CHECK, (s.args[k], Const(checks)), loc=s.loc))
                    memo[key] = ck
                args = list(s.args)
                args[k] = ck
                s, changed = replace(s, args=tuple(args)), True
        else:
            new = map_blocks(s, lambda b: _block(b, ranges, fresh))
            if any(x is not y for x, y in zip(blocks(new), blocks(s))):
                s, changed = new, True
        written = all_written([s])
        memo = {key: ck for key, ck in memo.items() if key[0] not in written}
        out.append(s)
    return tuple(out) if changed else body


def _checks(x, idx, ranges):
    """((part or None, axis, length, kind), ...) of ``idx``'s int and int-array parts
    that need a check (kind "int" or "array")."""
    shape = getattr(getattr(x, "type", None), "shape", None)
    if not isinstance(idx, Var) or not is_array(getattr(x, "type", None)) or not shape:
        return ()
    if idx.type == "int" or _int_array(idx.type):
        n = shape[0]
        if not isinstance(n, int) or idx.type == "int" and ranges.within(idx, n):
            return ()
        return ((None, 0, n, "int" if idx.type == "int" else "array"),)
    if not isinstance(idx.type, IndexT) or pair_length(idx) is not None:
        return ()           # an index of no ints; a gather of arrays checks its own
    parts, made = idx.type.parts, ranges.parts(idx)
    axis, out = 0, []
    for k, p in enumerate(parts):
        if p is Ellipsis:       # the axes the parts after it do not take
            axis = len(shape) - sum(q is not None and q is not Ellipsis for q in parts[k + 1:])
            continue
        if p is None:
            continue
        n = shape[axis] if axis < len(shape) else None
        if p == "int" and isinstance(n, int) and not (
                made is not None and ranges.within(made[k], n)):
            out.append((k, axis, n, "int"))
        elif _int_array(p) and isinstance(n, int):
            out.append((k, axis, n, "array"))
        axis += 1
    return tuple(out)


def _along(s):
    """The check of ``take(x, indices, axis)``'s or ``take_along_axis``'s indices on
    their axis (``take`` with no axis: the flattened array's)."""
    x, idx, axis = s.args[:3]
    shape = getattr(getattr(x, "type", None), "shape", None)
    if not isinstance(idx, Var) or not (_int_array(idx.type) or idx.type == "int") or \
            not shape or not isinstance(axis, Const):
        return ()
    kind = "int" if idx.type == "int" else "array"
    if axis.value is None and s.op == "take":
        n = int(np.prod(shape)) if all(isinstance(q, int) for q in shape) else None
        return ((None, 0, n, kind),) if n is not None else ()
    if type(axis.value) is not int:
        return ()
    a = axis.value % len(shape)
    return ((None, a, shape[a], kind),) if isinstance(shape[a], int) else ()


def _int_array(t):
    return is_array(t) and t.dtype.startswith(("int", "uint"))


class _Ranges:
    """Intervals of int names every definition of which bounds (else None)."""

    def __init__(self, fn):
        self.defs = {p.name: None for p in fn.params}
        for s in walk(fn.body):
            if isinstance(s, (For, Assign)):
                name = s.var.name if isinstance(s, For) else s.target.name
                if name not in self.defs or self.defs[name] is not None:
                    self.defs.setdefault(name, []).append(s)
            else:
                for v in vars_written(s):
                    self.defs[v.name] = None
        self.memo = {}

    def within(self, a, n):
        r = self.of(a)
        return r is not None and -n <= r[0] and r[1] <= n - 1

    def parts(self, idx):
        """The atoms of ``idx``'s one ``index`` definition, else None."""
        defs = self.defs.get(idx.name)
        if defs and len(defs) == 1 and isinstance(defs[0], Assign) and defs[0].op == "index" \
                and len(defs[0].args) == len(idx.type.parts):
            return defs[0].args
        return None

    def of(self, a):
        if isinstance(a, Const):
            v = a.value
            return (v, v) if type(v) is int else None
        if not isinstance(a, Var):
            return None
        if a.name in self.memo:
            return self.memo[a.name]
        self.memo[a.name] = None            # a definition through itself: unbounded
        defs, got = self.defs.get(a.name), []
        for s in defs or ():
            got.append(self._one(s))
            if got[-1] is None:
                break
        r = None if not got or None in got else (min(g[0] for g in got), max(g[1] for g in got))
        self.memo[a.name] = r
        return r

    def _one(self, s):
        if isinstance(s, For):
            b = (s.start, s.stop, s.step)
            if not all(isinstance(q, Const) and type(q.value) is int for q in b):
                return None
            r = range(*(q.value for q in b))
            return (min(r[0], r[-1]), max(r[0], r[-1])) if len(r) else None
        if s.op in ("copy", "table_index") and len(s.args) == 1:
            return self.of(s.args[0])
        if s.op == "mod" and isinstance(s.args[1], Const) and type(s.args[1].value) is int \
                and s.args[1].value > 0 and s.target.type == "int":
            return (0, s.args[1].value - 1)
        if s.op in ("add", "sub", "mul") and len(s.args) == 2:
            a, b = self.of(s.args[0]), self.of(s.args[1])
            if a is None or b is None:
                return None
            if s.op == "mul":               # w = main[2 * i] (the LSTM's layer rows)
                corners = [p * q for p in a for q in b]
                return (min(corners), max(corners))
            return (a[0] + b[0], a[1] + b[1]) if s.op == "add" else (a[0] - b[1], a[1] - b[0])
        return None


