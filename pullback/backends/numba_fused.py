"""A fused loop nest (``loopnest.Nest``) as a generated Numba function and its call.

The nest becomes one ``@njit`` function of its inputs that returns its outputs
(arrays it allocates, arrays it writes in place, reduced scalars); the
statements it replaces become one call::

    result, x_bar = _fused_1d2a(x)

Invariants
- NumPy's semantics, not Python's, for the scalar operations: the function is
  compiled with ``error_model="numpy"`` (``1.0 / 0.0`` is ``inf`` as it was on the
  arrays, not ZeroDivisionError);
- an array the statements wrote in place is written where it is and returned,
  unless another array the loop reads shares its memory (``_shares_memory`` at run
  time: a slice or an alias printed for ``copy``): then it is copied first; the
  call site rebinds every name the nest changed;
- a nest with a ``loopnest_gather.Gather`` prints its innermost loop as a prologue,
  a body and an epilogue that write each element of the gathered array once;
- the function's name is a hash of its text: equal nests share one function.

No ``prange``: on the project's 2 shared cores Numba's parallel mode halved the
best time of a 1e5..1e6-element loop but multiplied the median (threads wait
for busy cores), so loops stay serial.  Re-measured on the gathered Rosenbrock
gradient (1e5, NUMBA_NUM_THREADS=2, load average 12): serial min 34 us, median
49 us; prange min 80 us, median 28 ms.
"""
import hashlib
import math
from dataclasses import replace

from ..ir import Assign, Call, Var
from ..ir.types import is_array
from .loopnest import Load, Reduce, Store, folded, index_text
from .loopnest_gather import cone, plan
from .numba_atoms import numba_atom
from .python import ATOM, _paren, _Printer

# whether two arrays' address ranges meet (a view's range spans its first to its last
# element, whatever the signs of its strides); an empty array holds no memory
MEMORY_EXTENT = """
def _memory_extent(x):
    lo = hi = x.ctypes.data
    for d in range(x.ndim):
        span = (x.shape[d] - 1) * x.strides[d]
        if span < 0:
            lo += span
        else:
            hi += span
    return lo, hi + x.itemsize"""
SHARES_MEMORY = """
def _shares_memory(a, b):
    if a.size == 0 or b.size == 0:
        return False
    a0, a1 = _memory_extent(a)
    b0, b1 = _memory_extent(b)
    return a0 < b1 and b0 < a1"""
DTYPES = {"float64": "np.float64", "int64": "np.int64", "bool": "np.bool_"}
START = {"sum": "0", "mean": "0", "prod": "1", "amax": "-np.inf", "amin": "np.inf"}


def fused_call(p, item, owned=frozenset()):
    """Register ``item.nest``'s function in ``p.generated``; the ``Call`` printed in place
    of the statements it replaces.  ``owned``: names of arrays no other name shares
    (allocated by an earlier nest of the block, not read since but by nests)."""
    nest = item.nest
    ks = [f"k{d}" for d in range(len(nest.shape))]
    params = [v.name for v in nest.inputs]
    # an array written in place is copied first when another array the loop reads shares
    # its memory (a name printed as a view or an alias of it, ``b = a`` for a copy): the
    # loop would read it after earlier iterations wrote it.  Elsewhere it is written where
    # it is, as the unfused ``x[1:-1] = t`` writes (the heat adjoint copied 2 000 floats a
    # step for nothing)
    lines = []
    for v in nest.updates:
        if v.name in owned:
            continue
        others = [o.name for o in nest.inputs if o != v and is_array(o.type)
                  and o.name not in owned]
        if others:
            p.generated.setdefault("_shares_memory", SHARES_MEMORY)
            p.generated.setdefault("_memory_extent", MEMORY_EXTENT)
            test = " or ".join(f"_shares_memory({v.name}, {o})" for o in others)
            lines += [f"    if {test}:", f"        {v.name} = np.copy({v.name})"]
    g = plan(nest)
    for a in nest.allocs:
        if g and g.covers and a.zero and a.target.name == g.array:
            a = replace(a, zero=False)       # each element is written once, no zeros first
        if a.source is not None:
            lines.append(f"    {a.target.name} = np.copy({a.source.name})")
            continue
        shape = ", ".join(map(str, a.target.type.shape)) + ("," if len(a.target.type.shape) == 1
                                                             else "")
        fill = "zeros" if a.zero else "empty"
        lines.append(f"    {a.target.name} = np.{fill}(({shape}), "
                     f"{DTYPES[a.target.type.dtype]})")
    for v, op in nest.reduces:
        start = START[op] + (".0" if v.type == "float" and START[op].isdigit() else "")
        lines.append(f"    {v.name} = {start}")
    pad = "    "
    names = _Names(nest, ks)
    for d, n in enumerate(nest.shape[:-1] if g else nest.shape):
        lines.append(f"{pad}for {ks[d]} in range({n}):")
        pad += "    "
    lines += _gathered(p, nest, g, ks, pad, names) if g else _body(p, nest, ks, pad, names)
    for v, op in nest.reduces:
        if op == "mean":
            lines.append(f"    {v.name} /= {math.prod(nest.shape)}")
    outs = [v.name for v in nest.outputs]
    lines.append(f"    return {', '.join(outs)}")
    text = "\n".join(lines)
    # 48 bits of hash: modules merge the functions of all printers by name
    base = f"_fused_{hashlib.sha256((','.join(params) + text).encode()).hexdigest()[:12]}"
    name, k = base, 0
    while name in p.generated and f"def {name}({', '.join(params)}):\n{text}" not in \
            p.generated[name]:          # another nest with the same hash: never share it
        k += 1
        name = f"{base}_{k}"
    p.generated[name] = f"\n@njit(cache=True, error_model=\"numpy\")\ndef {name}" \
                        f"({', '.join(params)}):\n{text}"
    return Call(nest.outputs, name, nest.inputs, loc=item.loc)


class _Names:
    """Local names of a nest's body scalars (``e0``, ``e1``, ...): the function is its own
    namespace; each recomputed copy of a body (``tag``) gets names of its own."""

    def __init__(self, nest, ks):
        self.taken = {v.name for v in nest.inputs + nest.outputs} | set(ks)
        self.local = {}

    def __call__(self, v, tag=""):
        key = (v.name, tag)
        if key not in self.local:
            n = len(self.local)
            while f"e{n}" in self.taken:
                n += 1
            self.local[key] = f"e{n}"
            self.taken.add(self.local[key])
        return self.local[key]


def _body(p, nest, ks, pad, names, items=None, store=None, tag=""):
    """Lines of ``nest.body`` (or its positions ``items``) at loop indexes ``ks``;
    ``store(j, value_text)``: the lines of the Store at position ``j`` instead (None: as is)."""
    fold = folded(nest.body)
    env, lines = {}, []

    def text(a, prec=0):
        t = env[a.name] if isinstance(a, Var) and a.name in env else numba_atom(a)
        return _paren(t, prec)
    for j in range(len(nest.body)) if items is None else items:
        b = nest.body[j]
        if isinstance(b, Load):
            idx = ", ".join(index_text(i, ks) for i in b.access.index)
            got = (f"{b.access.array}[{idx}]", ATOM)
        elif isinstance(b, Assign):
            got = _Printer.expr(p, b, env)
        elif isinstance(b, Store):
            instead = store(j, text(b.value)) if store else None
            if instead is not None:
                lines += [pad + x for x in instead]
                continue
            idx = ", ".join(index_text(i, ks) for i in b.access.index)
            sym = "+=" if b.accumulate else "="
            lines.append(f"{pad}{b.access.array}[{idx}] {sym} {text(b.value)}")
            continue
        else:
            lines += _reduce(b, text(b.value), pad, names.taken)
            continue
        if b.target.name in fold:
            env[b.target.name] = got
        else:
            env[b.target.name] = (names(b.target, tag), ATOM)
            lines.append(f"{pad}{env[b.target.name][0]} = {got[0]}")
    return lines


def _gathered(p, nest, g, ks, pad, names):
    """The innermost loop of a nest with a ``loopnest_gather.Gather``: element ``k + lo``
    of the gathered array takes iteration ``k``'s values at offset ``lo`` and iteration
    ``k - d``'s at ``lo + d`` (recomputed) in a local ``acc``, then one ``+=``; a prologue
    and an epilogue of ``spread`` iterations each take only the iterations that exist."""
    last, n, m = len(nest.shape) - 1, nest.shape[-1], g.spread
    k = ks[last]
    acc = names(Var("acc#gather", "float"))
    target = next(b.access for j, b in enumerate(nest.body) if j in g.stores)
    at = [index_text(i, ks) if i.dim != last else index_text(type(i)(last, g.lo, 1), ks)
          for i in target.index]

    def ours(d):
        def store(j, value):
            if j not in g.stores:
                return None
            if nest.body[j].access.index != _shifted(target.index, last, g.lo + d):
                return []                    # another element's: a later iteration's copy
            return [f"{acc} += {value}"]
        return store

    def one(lo, hi, first, guard):
        out = [f"{pad}for {k} in range({lo}, {hi}):", f"{pad}    {acc} = 0.0"]
        if first:       # less what only a later iteration's copy uses
            out += _body(p, nest, ks, pad + "    ", names, own, ours(0))
        for d, part in g.cones.items():
            shifted = ks[:last] + [f"({k} - {d})"]
            body = _body(p, nest, shifted, pad + "        " if guard else pad + "    ", names,
                         part, ours(d), tag=str(d))
            out += ([f"{pad}    if {guard(d)}:"] + body) if guard else body
        out.append(f"{pad}    {target.array}[{', '.join(at)}] {'=' if fresh else '+='} {acc}")
        return out
    own = cone(nest.body, [j for j, b in enumerate(nest.body) if isinstance(b, (Store, Reduce))
                           and (j not in g.stores or b.access.index ==
                                _shifted(target.index, last, g.lo))])
    fresh = g.covers and any(a.zero and a.target.name == g.array for a in nest.allocs)
    return one(0, m, True, lambda d: f"{k} >= {d}") + one(m, n, True, None) + \
        one(n, n + m, False, lambda d: f"{k} < {n + d}")


def _shifted(index, last, start):
    return tuple(type(i)(i.dim, start, 1) if i.dim == last else i for i in index)


def _reduce(b, v, pad, taken):
    acc = b.target.name
    if b.op in ("sum", "mean"):
        return [f"{pad}{acc} += {v}"]
    if b.op == "prod":
        return [f"{pad}{acc} *= {v}"]
    cmp = ">" if b.op == "amax" else "<"      # NaN wins, as in np.max
    if v.isidentifier():
        return [f"{pad}if {v} {cmp} {acc} or {v} != {v}:", f"{pad}    {acc} = {v}"]
    tmp = next(f"v{n}" for n in range(len(taken) + 1) if f"v{n}" not in taken)
    return [f"{pad}{tmp} = {v}", f"{pad}if {tmp} {cmp} {acc} or {tmp} != {tmp}:",
            f"{pad}    {acc} = {tmp}"]


def worth(nest):
    """Fuse where at least two operations share the loop (one alone is as fast as NumPy's
    in Numba), or where one reads an array broadcast over the space: Numba's broadcasting
    of ``x[:, None, :] - m[None]`` took twice the loop's time (60 vs 29 us at 1000x5x10)."""
    ops = sum(isinstance(b, (Assign, Reduce)) or isinstance(b, Store) and b.accumulate
              for b in nest.body)
    return ops >= 2 or ops == 1 and any(
        isinstance(b, Load) and _broadcast(b.access, len(nest.shape)) for b in nest.body)


def _broadcast(access, ndim):
    """Whether some index of the space does not move along ``access``."""
    return {i.dim for i in access.index} != set(range(ndim))
