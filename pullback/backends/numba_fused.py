"""A fused loop nest (``loopnest.Nest``) as a generated Numba function and its call.

The nest becomes one ``@njit`` function of its inputs that returns its outputs
(arrays it allocates, arrays it writes in place, reduced scalars); the
statements it replaces become one call::

    result, x_bar = _fused_1d2a(x)

Invariants
- NumPy's semantics, not Python's, for the scalar operations: the function is
  compiled with ``error_model="numpy"`` (``1.0 / 0.0`` is ``inf`` as it was on the
  arrays, not ZeroDivisionError);
- an array the statements wrote in place is copied, written and returned (its
  buffer may be shared with a name the loop reads: a slice or an alias printed
  for ``copy``), so the call site rebinds every name the nest changed;
- the function's name is a hash of its text: equal nests share one function.

No ``prange``: on the project's 2 shared cores Numba's parallel mode halved the
best time of a 1e5..1e6-element loop but multiplied the median (threads wait
for busy cores), so loops stay serial.
"""
import hashlib
import math

from ..ir import Assign, Call, Var
from .loopnest import Load, Reduce, Store, folded, index_text
from .python import ATOM, _paren, _Printer, render_atom

DTYPES = {"float64": "np.float64", "int64": "np.int64", "bool": "np.bool_"}
START = {"sum": "0", "mean": "0", "prod": "1", "amax": "-np.inf", "amin": "np.inf"}


def fused_call(p, item):
    """Register ``item.nest``'s function in ``p.generated``; the ``Call`` printed in place
    of the statements it replaces."""
    nest = item.nest
    ks = [f"k{d}" for d in range(len(nest.shape))]
    params = [v.name for v in nest.inputs]
    # an array written in place is copied first: a name printed as a view or an alias of
    # it (``b = a`` for a copy) is read by the loop after earlier iterations wrote it
    lines = [f"    {v.name} = np.copy({v.name})" for v in nest.updates]
    for a in nest.allocs:
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
    for d, n in enumerate(nest.shape):
        lines.append(f"{pad}for {ks[d]} in range({n}):")
        pad += "    "
    lines += _body(p, nest, ks, pad)
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


def _body(p, nest, ks, pad):
    fold = folded(nest.body)
    env, lines = {}, []
    taken = {v.name for v in nest.inputs + nest.outputs} | set(ks)
    local = {}          # body scalar -> e0, e1, ... (the function is its own namespace)

    def name(v):
        if v.name not in local:
            n = len(local)
            while f"e{n}" in taken:
                n += 1
            local[v.name] = f"e{n}"
            taken.add(local[v.name])
        return local[v.name]

    def text(a, prec=0):
        t = env[a.name] if isinstance(a, Var) and a.name in env else render_atom(a)
        return _paren(t, prec)
    for b in nest.body:
        if isinstance(b, Load):
            idx = ", ".join(index_text(i, ks) for i in b.access.index)
            got = (f"{b.access.array}[{idx}]", ATOM)
        elif isinstance(b, Assign):
            got = _Printer.expr(p, b, env)
        elif isinstance(b, Store):
            idx = ", ".join(index_text(i, ks) for i in b.access.index)
            sym = "+=" if b.accumulate else "="
            lines.append(f"{pad}{b.access.array}[{idx}] {sym} {text(b.value)}")
            continue
        else:
            lines += _reduce(b, text(b.value), pad, taken)
            continue
        if b.target.name in fold:
            env[b.target.name] = got
        else:
            env[b.target.name] = (name(b.target), ATOM)
            lines.append(f"{pad}{env[b.target.name][0]} = {got[0]}")
    return lines


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
    """Fuse where at least two operations share the loop (one alone is as fast as NumPy's)."""
    return sum(isinstance(b, (Assign, Reduce)) or isinstance(b, Store) and b.accumulate
               for b in nest.body) >= 2
