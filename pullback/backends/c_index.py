"""Indices of fixed-shape arrays in the C backend: constant, run-time, and mixed.

``x[i]``, ``x[1:3, ::2]`` and ``x[i, :]`` / ``y[:, j] = v`` (an index tuple
whose run-time parts are ints) all address a region of static shape; only
its position depends on run-time values.  Before printing, ``index_arrays``
retypes every run-time index tuple (``IndexT``) as an ``IndexArray``: a
small ``long`` array holding the run-time parts, whose type keeps the
constant parts.  So ``t = index(i, slice(None))`` prints ``t[0] = i;`` and
index tuples ride the array machinery unchanged: tapes of ``long[k]``
(the reverse sweep pops the index it read with), copies, declarations.

Invariants
- An ``IndexArray`` holds exactly the run-time parts, in order; its
  ``parts`` are the ``IndexT`` parts (``"int"`` marks a run-time part).
- ``region`` is the only place that turns an index into offsets: every
  read, write and adjoint scatter of an indexed region goes through it.
  Run-time ints wrap negatives as Python does (``i < 0 ? i + n : i``).
- A run-time index part the interval analysis (``c_bounds``) does not prove
  within ``[-n, n)`` is checked before the access (``risky_accesses``): the
  function returns ``NAME_INDEX_OUT_OF_RANGE`` (the value function NaN)
  where Python raises IndexError, so nothing reads or writes out of bounds.
  Reverse functions (``g_rev``) only reuse indices their ``g_fwd`` checked.
- ``t = setitem(x, idx, v) ... x = copy(t)`` (the reverse of ``x[idx] = v``),
  with ``t`` read nowhere else and nothing in between writing ``x``, ``idx``
  or ``v``, becomes ``x = setitem(x, idx, v)`` at the copy: in place, the
  region only, instead of two whole-array copies (``inplace_setitems``).
- An index C cannot address statically (a run-time slice bound, an array or
  bool inside a tuple) keeps its ``IndexT``/``index`` type and is rejected
  by ``c99._check_scalars`` at the user's line.
"""
import dataclasses
from collections import Counter

from ..ir import Assign, Const, For, If, Var, While
from ..ir.walk import atoms_read, vars_written, walk
from ..ir.types import Array, IndexT
from .c_bounds import TOP, atom_interval, int_intervals
from .c_ops import MUL, NoCForm, paren
from .c_shapes import offset, shape_of, strides


@dataclasses.dataclass(frozen=True)
class IndexArray(Array):
    """The run-time parts of an index tuple as a ``long[k]``; ``parts`` its template."""
    parts: tuple = ()


def addressable(t):
    """Whether an ``IndexT`` has only int run-time parts (so a static region)."""
    return isinstance(t, IndexT) and all(
        p == "int" or p is None or p is Ellipsis or isinstance(p, int) or
        (isinstance(p, tuple) and p[:1] == ("slice",)) for p in t.parts)


def retype(node, change):
    """``node`` with every ``Var`` replaced by ``change(var)`` (a Var, or None to keep
    it); unchanged subtrees are returned as they are."""
    if isinstance(node, Var):
        return change(node) or node
    if isinstance(node, (list, tuple)):
        return type(node)(retype(x, change) for x in node)
    if dataclasses.is_dataclass(node) and not isinstance(node, type):
        changes = {f.name: retype(getattr(node, f.name), change)
                   for f in dataclasses.fields(node)}
        if isinstance(node, Assign) and isinstance(changes["target"].type, IndexArray) and \
                node.op == "copy" and isinstance(node.args[0], Const):
            changes["args"] = (Const(0),)    # the placeholder before a first push
        if all(changes[k] is getattr(node, k) for k in changes):
            return node
        return dataclasses.replace(node, **changes)
    return node


def index_arrays(fn):
    """``fn`` with its addressable ``IndexT`` variables retyped as ``IndexArray``."""
    def change(v):
        if addressable(v.type):
            k = sum(p == "int" for p in v.type.parts)
            return Var(v.name, IndexArray("int64", (k,), v.type.parts))
        return None
    return retype(fn, change)


def inplace_setitems(fn):
    """``fn`` with whole-array ``setitem`` + ``copy`` pairs written in place."""
    uses = Counter(v.name for s in walk(fn.body) for v in atoms_read(s))

    def block(stmts):
        out = []
        for s in stmts:
            if isinstance(s, If):
                s = dataclasses.replace(s, body=block(s.body), orelse=block(s.orelse))
            elif isinstance(s, (For, While)):
                s = dataclasses.replace(s, body=block(s.body))
            out.append(s)
        for j, s in enumerate(out):
            src = s.args[0] if isinstance(s, Assign) and s.op == "copy" else None
            if not isinstance(src, Var) or uses[src.name] != 1:
                continue
            i = next((i for i in range(j) if isinstance(out[i], Assign) and
                      out[i].target == src), None)
            if i is None or out[i].op != "setitem" or out[i].args[0] != s.target:
                continue
            written = {v.name for b in out[i + 1:j] if b is not None
                       for st in walk([b]) for v in vars_written(st)}
            if not written & {a.name for a in out[i].args if isinstance(a, Var)}:
                out[j] = Assign(s.target, "setitem", out[i].args, s.loc)
                out[i] = None
        return tuple(s for s in out if s is not None)
    return dataclasses.replace(fn, body=block(fn.body))


INDEXED = {"getitem": (0, 1), "getitem_copy": (0, 1), "setitem": (0, 1),
           "getitem_vjp": (1, 2)}        # op -> positions of the array and its index


def _expand(raw, ndim):
    """``raw`` index parts with a single Ellipsis replaced by full slices."""
    if sum(p is Ellipsis for p in raw) == 1:
        i = raw.index(Ellipsis)
        fill = ndim - (len(raw) - 1 - sum(p is None for p in raw))
        raw = raw[:i] + [slice(None)] * fill + raw[i + 1:]
    return raw


def _join(a, b):
    return b if a is None else (min(a[0], b[0]), max(a[1], b[1]))


def _part_intervals(fn, env):
    """(IndexArray variable, k) -> interval of its k-th run-time part, over all
    definitions (copies chase their source; anything else is unknown)."""
    defs = [s for s in walk(fn.body) if isinstance(s, Assign) and
            isinstance(s.target.type, IndexArray)]
    parts = {}
    for _ in range(len(defs) + 1):
        before = dict(parts)
        for s in defs:
            t, n = s.target, s.target.type.shape[0]
            src = s.args[0] if s.op == "copy" else None
            if s.op == "index":
                ivs = [atom_interval(a, env) for a, p in zip(s.args, t.type.parts) if p == "int"]
            elif isinstance(src, Const):
                ivs = [(0, 0)] * n
            elif isinstance(src, Var) and isinstance(src.type, IndexArray):
                ivs = [parts.get((src.name, k)) for k in range(n)]
            else:
                ivs = [TOP] * n
            for k, iv in enumerate(ivs):
                if iv is not None:
                    parts[(t.name, k)] = _join(parts.get((t.name, k)), iv)
        if parts == before:
            return parts
    return {key: TOP for key in parts}


def risky_accesses(fn):
    """id(statement) -> [(part, n)]: run-time index parts not proven within [-n, n);
    ``part`` is the int Var of ``x[i]`` or (IndexArray variable name, k)."""
    env = int_intervals(fn)
    parts = _part_intervals(fn, env)
    out = {}
    for s in walk(fn.body):
        if not (isinstance(s, Assign) and s.op in INDEXED):
            continue
        xpos, ipos = INDEXED[s.op]
        x, idx = s.args[xpos], s.args[ipos]
        if not isinstance(idx, Var) or not isinstance(x.type, Array):
            continue
        xs = shape_of(x.type)
        found = []
        if idx.type == "int" and xs:
            found.append((idx, xs[0], atom_interval(idx, env)))
        elif isinstance(idx.type, IndexArray):
            raw = _expand([("int",) if p == "int" else p for p in idx.type.parts], len(xs))
            dim, k = -1, 0
            for p in raw:
                if p is None:
                    continue
                dim += 1
                if p == ("int",) and dim < len(xs):
                    found.append(((idx.name, k), xs[dim], parts.get((idx.name, k), TOP)))
                    k += 1
        risky = [(ref, n) for ref, n, (lo, hi) in found if not (-n <= lo and hi <= n - 1)]
        if risky:
            out[id(s)] = risky
    return out


class IndexPrinting:
    """Mixin of ``c_function.FunctionPrinter``: index tuples and indexed regions."""

    def index_assign(self, s, env, dest, pad, lines):
        """``t = index(i, slice(..), j)``: store the run-time parts ``t[0] = i; t[1] = j``."""
        k = 0
        for a, p in zip(s.args, s.target.type.parts):
            if p == "int":
                lines.append(f"{pad}{dest}[{k}] = {self.atom(a, env)[0]};")
                k += 1

    def index_guard(self, s, env, pad, lines):
        """Return the index error before an access ``risky_accesses`` could not prove."""
        risky = self.ctx.layout.risky.get(self.fn.name, {}).get(id(s))
        if not risky:
            return
        tests = []
        for ref, n in risky:
            if isinstance(ref, Var):
                text = paren(self.atom(ref, env), MUL)
            else:
                text = f"{self.names[ref[0]]}[{ref[1]}]"
            tests.append(f"{text} < -{n} || {text} >= {n}")
        lines.append(f"{pad}if ({' || '.join(tests)}) {{")
        lines.append(f"{pad}    return {self.error_value(self.ctx.status_index)};")
        lines.append(f"{pad}}}")

    def region(self, x, idx, env):
        """(shape of x[idx], function from loop indices to the flat offset into x)."""
        xs = shape_of(x.type)
        if isinstance(idx, Var) and isinstance(idx.type, IndexArray):
            raw, k = [], 0
            for p in idx.type.parts:
                if p == "int":
                    raw.append(("var", f"{self.names[idx.name]}[{k}]"))
                    k += 1
                else:
                    raw.append(slice(*p[1:]) if isinstance(p, tuple) else p)
        elif isinstance(idx, Var):
            if idx.type != "int":
                raise NoCForm(f"an index of type {idx.type} (ints and constant slices only)")
            raw = [("var", paren(self.atom(idx, env), MUL))]
        else:
            raw = list(idx.value) if isinstance(idx.value, tuple) else [idx.value]
        raw = _expand(raw, len(xs))
        if len([p for p in raw if p is not None]) > len(xs):
            raise NoCForm(f"too many indices for an array of shape {xs}")
        comps, reg = [], []
        dim = -1
        for p in raw:
            if p is None:
                comps.append(("new",))
                reg.append(1)
                continue
            dim += 1
            n = xs[dim]
            if isinstance(p, tuple):
                comps.append(("int", f"({p[1]} < 0 ? {p[1]} + {n} : {p[1]})"))
            elif isinstance(p, bool) or not isinstance(p, (int, slice)):
                raise NoCForm(f"the index {p!r} (ints and constant slices only)")
            elif isinstance(p, int):
                if not -n <= p < n:
                    raise NoCForm(f"the index {p} out of bounds for size {n}")
                comps.append(("int", str(p % n)))
            else:
                r = range(*p.indices(n))
                comps.append(("slice", r.start, r.step, len(r)))
                reg.append(len(r))
        for dim in range(dim + 1, len(xs)):
            comps.append(("slice", 0, 1, xs[dim]))
            reg.append(xs[dim])

        def at(ks):
            terms, j = [], 0
            sts = iter(strides(xs))
            for c in comps:
                if c[0] == "new":
                    j += 1
                    continue
                s = next(sts)
                if c[0] == "int":
                    terms.append((c[1], s))
                else:
                    k = ks[j]
                    j += 1
                    start, step = c[1], c[2]
                    text = k if step == 1 else f"{k} * {step}"
                    if step < 0:
                        text = f"{start} - {k} * {-step}"
                    elif start:
                        text = f"{start} + {text}"
                    terms.append((text, s))
            return offset(terms)
        return tuple(reg), at
