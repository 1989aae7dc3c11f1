"""One loop nest over index space for a run of array statements (Numba and C print it).

``loopnest_lower.lower_nest(stmts, shape, live_out, fresh)`` turns consecutive IR statements
whose arrays are static and whose work is elementwise over one iteration space
``shape`` (with NumPy broadcasting) into a ``Nest``: plain data, one scalar body
run once per index ``k``::

    t4 = sub(t1, pow(t2, 2))          for k0 in range(9):            (Rosenbrock)
    result = sum(add(...), None)          e0 = x[k0 + 1]; e1 = x[k0]
    x_bar = getitem_vjp(g, x, [:-1])      ...; result += e9
    x_bar[1:] += mul(200.0, t4)           x_bar[k0] += e10; x_bar[k0 + 1] += e12

What it covers: elementwise primitives (``FUSIBLE``), basic-slice reads
(``getitem``: an affine ``Access``, no copy), full reductions (sum, mean, prod,
amax, amin), ``sum`` over axes and ``unbroadcast`` (zeros + accumulation),
``expand_to`` (a broadcast read), ``getitem_vjp`` (zeros + accumulation at the
slice), in-place ``x[idx] = v`` and its ``x[idx] = x[idx] + v`` form (an
accumulation), and ``copy`` of an array the nest allocated.  Anything else
raises ``NotFusible`` and the caller prints the statement as before.

Invariants (checked here, so a ``Nest`` is correct by construction):
- one pass of the body per index computes exactly what the statements computed
  in order: an array the nest writes is either read and written at one access
  only (each element is read before it is written, in the same iteration), or
  only accumulated into (``+=`` commutes) and never read;
- a value read after the nest is stored (``allocs``), in-place targets are in
  ``updates``, reduced scalars in ``reduces``; nothing else leaves the nest;
- a reduction's result is never read inside its own nest.
"""
from dataclasses import dataclass
from typing import Optional

from ..ir import Assign, Var

# elementwise primitives whose scalar spelling (math.*, operators) computes what the
# NumPy spelling computes elementwise, in both backends (min/max: NumPy propagates NaN)
FUSIBLE = frozenset("""add sub mul truediv pow neg pos lt le gt ge eq ne select abs
    sin cos tan asin acos atan sinh cosh tanh asinh acosh atanh exp expm1 log log1p
    log2 log10 sqrt hypot atan2 fabs""".split())
REDUCTIONS = ("sum", "mean", "prod", "amax", "amin")
SCALAR_OF = {"float64": "float", "int64": "int", "bool": "bool"}


class NotFusible(Exception):
    """The statements are not one loop nest (the caller prints them one by one)."""


@dataclass(frozen=True)
class Index:
    """One array dimension's index: ``start + step * k[dim]`` (``dim`` None: ``start``)."""
    dim: Optional[int]
    start: int = 0
    step: int = 1


@dataclass(frozen=True)
class Access:
    array: str
    shape: tuple
    index: tuple          # one Index per dimension of ``array``


@dataclass(frozen=True)
class Load:
    target: Var           # a scalar local of the body
    access: Access


@dataclass(frozen=True)
class Store:
    access: Access
    value: object         # an atom: a body scalar, an outer scalar or a constant
    accumulate: bool      # ``+=`` rather than ``=``


@dataclass(frozen=True)
class Reduce:
    target: Var           # the outer scalar the statement assigned
    op: str               # sum, mean, prod, amax, amin
    value: object


@dataclass(frozen=True)
class Alloc:
    target: Var           # an array the nest creates (outer name and type)
    zero: bool            # zeros (accumulated into) or uninitialised (stored once each)
    source: Optional[Var] = None   # else a copy of this outer array (accumulated into)


@dataclass(frozen=True)
class Nest:
    shape: tuple          # the iteration space
    inputs: tuple         # outer Vars read (arrays and scalars), in first-read order
    allocs: tuple         # Alloc
    updates: tuple        # outer arrays written in place (also inputs)
    reduces: tuple        # (Var, op) of the reduced scalars, initialised before the loop
    body: tuple           # Load | Assign (scalar) | Store | Reduce, in order

    @property
    def outputs(self):
        """Every outer Var the nest defines or changes."""
        return tuple(a.target for a in self.allocs) + self.updates + \
            tuple(v for v, _ in self.reduces)


def region(shape, idx):
    """``(region shape, view)`` of ``x[idx]`` for a basic index (ints, slices, None) on an
    array of ``shape``: ``view(index)`` maps Indexes over the region to Indexes of x (a
    None's length-1 axis is in the region only: x has no index for it)."""
    parts = idx if isinstance(idx, tuple) else (idx,)
    real = [p for p in parts if p is not None]
    if shape is None or len(real) > len(shape) or not all(
            type(p) is int or isinstance(p, slice) for p in real):
        raise NotFusible("not a basic index")
    parts = parts + (slice(None),) * (len(shape) - len(real))
    dims, out = [], []
    axes = iter(shape)
    for p in parts:
        if p is None:
            out.append(1)
            continue
        n = next(axes)
        if type(p) is int:
            if not -n <= p < n:
                raise NotFusible("index out of range")
            dims.append((None, p % n, 1))
        else:
            start, _, step = p.indices(n)
            dims.append((len(out), start, step))
            out.append(len(range(*p.indices(n))))

    def view(index):
        got = []
        for d, start, step in dims:
            if d is None:
                got.append(Index(None, start, 1))
            else:
                i = index[d]
                got.append(Index(i.dim, start + step * i.start, step * i.step))
        return tuple(got)
    return tuple(out), view


def broadcast(shape, space):
    """Indexes reading an array of ``shape`` broadcast over the iteration ``space``."""
    lead = len(space) - len(shape)
    if lead < 0 or any(n != 1 and n != space[lead + j] for j, n in enumerate(shape)):
        raise NotFusible("shapes do not broadcast to the iteration space")
    return tuple(Index(None) if n == 1 and space[lead + j] != 1 else Index(lead + j)
                 for j, n in enumerate(shape))


def folded(body):
    """Names of body scalars a printer writes inside their one reader: read once, with
    no Store between the earliest load they depend on and that read (a store may change
    what a load reads)."""
    readers = {}
    for j, b in enumerate(body):
        args = b.args if isinstance(b, Assign) else (b.value,) if isinstance(b, (Store, Reduce)) \
            else ()
        for a in args:
            if isinstance(a, Var):
                readers.setdefault(a.name, []).append(j)
    stores = [j for j, b in enumerate(body) if isinstance(b, Store)]
    origin, out = {}, set()
    for i, b in enumerate(body):
        if not isinstance(b, (Load, Assign)):
            continue
        start = min([i] + [origin[a.name] for a in getattr(b, "args", ())
                           if isinstance(a, Var) and a.name in out])
        origin[b.target.name] = start
        got = readers.get(b.target.name, [])
        if len(got) == 1 and not any(start < j < got[0] for j in stores):
            out.add(b.target.name)
    return out


def index_text(index, ks):
    """``start + step * k`` of one Index, over loop variable names ``ks``."""
    if index.dim is None:
        return str(index.start)
    k = ks[index.dim] if index.step == 1 else f"{index.step} * {ks[index.dim]}"
    if index.start == 0:
        return k
    return f"{k} + {index.start}" if index.start > 0 else f"{k} - {-index.start}"
