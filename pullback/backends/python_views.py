"""Copies the Python backend may print as views: a slice read only before its array changes.

``analysis/alias.py`` turns every view of an array written in place into a copy
(``getitem_copy``), before differentiation, because the reverse sweep or a callee's
residual may read the slice after the write.  In the finished code, a copy whose every
read comes before anything could write the array needs no copy: NumPy computes the
reading expression into a new array before the statement after it runs.  The heat
equation's step::

    u[1:-1] = np.array(u[1:-1]) + 0.25 * (np.array(u[2:]) - ...)   (one copy per read)
    u[1:-1] = u[1:-1] + 0.25 * (u[2:] - ...)                        (printed by this module)

Invariant: ``t = getitem_copy(x, idx)`` prints as the view ``x[idx]`` only when
- ``t`` is an array (a scalar item is never copied anyway) assigned nowhere else;
- every read of ``t`` is a statement of the same block below it, an operation whose
  result is a new array and keeps no reference to ``t`` (``FRESH``: arithmetic,
  elementwise functions, sums, products), so nothing reads ``t`` after the last of them;
- no statement from ``t``'s definition to its last read writes any array in place,
  rebinds ``x``, calls a function, pushes, pops or is a compound statement: the view's
  memory holds the slice's values at every read, as the copy did (a write to an array
  sharing ``x``'s memory is an in-place write too, so it is excluded with the others).
Anything else keeps the copy.  The printer, which may move a single-use expression
down to where it is used, treats an expression reading such a view as reading ``x``
too, so it never moves one below a write to ``x`` (``python.py``'s ``block``).  The decision is a printing one: the IR, the Numba and C
backends and later transforms (forward over reverse) keep ``getitem_copy``.
"""
from ..ir import Assign, Var
from ..ir.types import is_array
from ..ir.walk import atoms_read, blocks, walk
from ..rules import PRIMITIVES

# non-elementwise operations whose result is a new array that keeps no reference to its
# arguments, on NumPy and on the libraries the Python backend prints for (Dask, CuPy)
_REDUCING = frozenset(("sum", "mean", "matmul", "prod"))


def _fresh_result(op):
    """Does ``op`` return a new array sharing no memory with its arguments?"""
    if op in _REDUCING:
        return True
    prim = PRIMITIVES.get(op)
    # an elementwise rule (scalar partials, no array reverse rule, no runtime helper)
    return prim is not None and prim.partials is not None and prim.vjps is None and \
        prim.helper is None and prim.pure


def transient_copies(fn):
    """``{id(s)}`` of the ``getitem_copy`` statements of ``fn`` that may print as views."""
    if not any(type(s) is Assign and s.op == "getitem_copy" for s in walk(fn.body)):
        return set()
    defs, reads = {}, {}
    for s in walk(fn.body):
        for v in atoms_read(s):
            reads[v.name] = reads.get(v.name, 0) + 1
        if not blocks(s):
            for t in _targets(s):
                defs[t] = defs.get(t, 0) + 1
    found = set()
    for body in _blocks(fn.body):
        for i, s in enumerate(body):
            if isinstance(s, Assign) and s.op == "getitem_copy" and _transient(body, i, defs, reads):
                found.add(id(s))
    return found


def _targets(s):
    if isinstance(s, Assign):
        return [s.target.name]
    return [v.name for v in getattr(s, "targets", ())] + \
        ([s.target.name] if hasattr(s, "target") and isinstance(s.target, Var) else [])


def _blocks(body):
    yield body
    for s in body:
        for b in blocks(s):
            yield from _blocks(b)


def _transient(body, i, defs, reads):
    s = body[i]
    t, x = s.target, s.args[0]
    if not (is_array(t.type) and t.type.shape) or defs.get(t.name) != 1 or \
            not isinstance(x, Var):
        return False
    left = reads.get(t.name, 0)
    if left == 0:
        return False
    for later in body[i + 1:]:
        if not isinstance(later, Assign) or later.op in ("setitem", "inplace") or \
                later.target == x:
            return False
        n = sum(1 for v in atoms_read(later) if v.name == t.name)
        if n:
            if not _fresh_result(later.op):
                return False
            left -= n
            if left == 0:
                return True
    return False
