"""Scatter to gather: one nest's accumulations at shifted places, as one write per element.

An adjoint of a stencil accumulates each iteration's values at several places of one
array along the innermost loop (heat: ``u_bar[k] += a; u_bar[k + 1] += b;
u_bar[k + 2] += a``).  Printed as written, each element is read, added to and
written back by consecutive iterations: a chain through memory that no compiler
vectorises (the heat adjoint's loop ran at 3.5 cycles an element).  ``plan(nest)``
finds such an array and what a printer needs to write instead, for element
``k + lo`` of the innermost index ``k``, the sum of iteration ``k - d``'s values
at offset ``lo + d`` for each ``d``: the values those earlier iterations stored
are recomputed (their ``cone``: the loads and operations they depend on), so
each element is read and written once and the loop has no carried dependence.

Invariants (checked here, else ``plan`` returns None and the nest prints as is)
- the array is only accumulated into in the nest (never loaded, never stored), at
  accesses equal but for the innermost index's start (step 1), which moves along
  the innermost loop and no other index does;
- every load a recomputed value depends on reads an array the nest never writes
  (reading it at an earlier iteration's index sees what that iteration saw), and its
  operations are ``CHEAP`` ones;
- the innermost extent is larger than the spread of offsets (a prologue of ``m``
  and an epilogue of ``m`` iterations take the partial sums at the ends).
"""
from dataclasses import dataclass

from ..ir import Assign, Const, Var
from .loopnest import Load, Store


# what a recomputed value may apply (and squares): recomputing a cos or an exp costs more
# than the chain through memory it saves (about 3.5 cycles an element)
CHEAP = frozenset(("add", "sub", "mul", "neg", "pos"))


@dataclass(frozen=True)
class Gather:
    array: str
    lo: int               # smallest start of the innermost index among its stores
    spread: int           # largest start minus ``lo``
    cones: dict           # d -> positions in nest.body recomputed at iteration k - d
    stores: frozenset     # positions in nest.body of the gathered stores
    covers: bool          # the gather writes every element of the array once


def plan(nest):
    last = len(nest.shape) - 1
    written = {b.access.array for b in nest.body if isinstance(b, Store)}
    loaded = {b.access.array for b in nest.body if isinstance(b, Load)}
    best = None
    for name in sorted(written - loaded):
        got = _candidate(nest, name, last, written)
        if got is not None and (best is None or len(got.stores) > len(best.stores)):
            best = got
    return best


def _candidate(nest, name, last, written):
    stores = [(j, b) for j, b in enumerate(nest.body)
              if isinstance(b, Store) and b.access.array == name]
    if not all(b.accumulate for _, b in stores):
        return None
    where = {_inner(b.access, last) for _, b in stores}
    if len(where) != 1 or None in where:
        return None
    (pos,) = where
    rest = {b.access.index[:pos] + b.access.index[pos + 1:] for _, b in stores}
    inner = [b.access.index[pos] for _, b in stores]
    if len(rest) != 1 or any(i.step != 1 for i in inner) or \
            any(i.dim == last for i in next(iter(rest))):
        return None
    starts = sorted({i.start for i in inner})
    lo, spread = starts[0], starts[-1] - starts[0]
    if spread == 0 or nest.shape[last] <= spread:
        return None
    cones = {}
    for d in range(1, spread + 1):
        picked = [j for (j, _), i in zip(stores, inner) if i.start == lo + d]
        if picked:
            got = cone(nest.body, picked)
            if any(isinstance(nest.body[j], Load) and nest.body[j].access.array in written
                   or isinstance(nest.body[j], Assign) and not _cheap(nest.body[j])
                   for j in got):
                return None
            cones[d] = got
    index = stores[0][1].access
    covers = lo == 0 and nest.shape[last] + spread == index.shape[pos] and all(
        i.dim is not None and i.start == 0 and i.step == 1 and nest.shape[i.dim] == n
        for k, (i, n) in enumerate(zip(index.index, index.shape)) if k != pos) and \
        len({i.dim for i in index.index}) == len(index.index)
    return Gather(name, lo, spread, cones, frozenset(j for j, _ in stores), covers)


def _cheap(s):
    return s.op in CHEAP or s.op == "pow" and isinstance(s.args[1], Const) and \
        s.args[1].value == 2


def _inner(access, last):
    """Position in ``access.index`` of the index moving with loop ``last`` (or None)."""
    return next((d for d, i in enumerate(access.index) if i.dim == last), None)


def cone(body, picked):
    """Positions of ``picked`` and of every Load/Assign they depend on, in body order."""
    need, out = set(), set(picked)
    for j in picked:
        need.add(getattr(body[j].value, "name", None))
    for j in range(max(picked), -1, -1):
        b = body[j]
        if isinstance(b, (Load, Assign)) and b.target.name in need:
            out.add(j)
            if isinstance(b, Assign):
                need.update(a.name for a in b.args if isinstance(a, Var))
    return sorted(out)
