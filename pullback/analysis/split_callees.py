"""A callee passed arguments of different types at different calls (a number here and
an array there, an int here and a float there, arrays of two shapes or dtypes) gets a
copy per combination of argument types, as a JAX trace would.

Type inference gives a callee's parameter the join over its call sites.  The join of a
float with an ``Array`` is that array type: ``same(s)`` next to ``same(x)`` would type
``s`` as ``x``'s array inside ``same`` and give its adjoint that shape (a crash at best,
a wrong sum at worst); an int joined with a float stops indexing (``same(n) % 3``); two
shapes join to unknown dimensions, which Numba and C refuse.  Lists are one kind.

Invariants: every call of a split callee names a function whose parameters receive one
type per position over all of its call sites (at the sites typed so far); the entry
function, calls of a function inside itself and ``pullback.jvp`` calls are never
redirected; a custom-rule call is, with copies of its rule's functions (the rule's
derivative code is typed by its calls too); a copy calls itself where the original called
itself.  Copies are named ``g_k`` like the frontend's specialisations, never reusing a
module name.
"""
from dataclasses import replace

from ..ir import Call, Function, Module
from ..ir.types import SCALAR_ORDER, Array, ListT
from ..ir.walk import blocks, map_blocks, walk


def _kind(t):
    if isinstance(t, Array):
        return ("array", str(t.dtype), t.shape)
    if isinstance(t, ListT):
        return "list"
    return str(t) if t in SCALAR_ORDER else None


def split_callees(module, typed, first=None):
    """``module`` (untyped) with conflicting call sites redirected to copies of their
    callee, or None when no callee is passed two kinds at one position.  ``typed`` is
    ``module`` after one round of inference: the same statements, in the same order.
    ``first``: each call's argument types at its first typed visit (``types._infer``).
    A site is grouped by those and its final types together: a loop-carried number
    passed to the callee that also takes an array has, by the end of inference, the
    array type the callee's joined result gave it back (``t = same(t)`` beside
    ``same(x)`` in a loop), so its final type alone would hide the conflict."""
    entry = typed.functions[0].name
    first = first or {}
    sites = {}                      # callee -> [(function, n-th call, kinds)]
    for fn in typed.functions:
        for n, s in enumerate(c for c in walk(fn.body) if isinstance(c, Call)):
            if not s.jvp and s.grad is None and s.func not in (fn.name, entry):
                final = tuple(_kind(getattr(a, "type", None)) for a in s.args)
                seen = tuple(map(_kind, first.get((fn.name, n), ()))) or final
                kinds = tuple(None if (a, b) == (None, None) else (a, b)
                              for a, b in zip(seen, final))
                sites.setdefault((s.func, s.rule), []).append((fn.name, n, kinds))
    redirect, copies = {}, []
    here = {f.name for f in module.functions}
    taken = set(here)

    def fresh(base):
        name, k = base, 1
        while name in taken:
            k += 1
            name = f"{base}_{k}"
        taken.add(name)
        return name
    for (callee, rule), where in sites.items():
        groups = list(dict.fromkeys(k for _, _, k in where))
        if not any(len({g[p] for g in groups} - {None}) > 1 for p in range(len(groups[0]))):
            continue
        for kinds in groups[1:]:
            name = fresh(callee)
            copies.append(_renamed(module.get(callee), name))
            if rule is not None:        # a custom rule's functions are copied with it
                # (a rule's call inside its own rule names functions the module did not keep)
                names = {r: fresh(r) for r in rule.functions if r in here}
                copies += [_renamed(module.get(r), new) for r, new in names.items()]
                rule = replace(rule, **{k: names[getattr(rule, k)] for k in ("fwd", "bwd", "jvp")
                                        if getattr(rule, k) in names})
            redirect.update({(f, n): (name, rule) for f, n, ks in where if ks == kinds})
    if not copies:
        return None
    functions = tuple(_redirected(fn, redirect) for fn in module.functions)
    return Module(functions + tuple(copies), module.result)


def _renamed(fn, name):
    def stmt(s):
        if isinstance(s, Call) and s.func == fn.name:
            return replace(s, func=name)
        return map_blocks(s, lambda b: tuple(map(stmt, b))) if blocks(s) else s
    return Function(name, fn.params, tuple(map(stmt, fn.body)), fn.loc, fn.doc)


def _redirected(fn, redirect):
    """``fn`` with its n-th call (in ``walk`` order) calling ``redirect[(fn, n)]``."""
    count = [0]

    def block(body):
        out = []
        for s in body:
            if isinstance(s, Call):
                got = redirect.get((fn.name, count[0]))
                count[0] += 1
                if got is not None:
                    s = replace(s, func=got[0], rule=got[1])
            elif blocks(s):
                s = map_blocks(s, block)
            out.append(s)
        return tuple(out)
    return Function(fn.name, fn.params, block(fn.body), fn.loc, fn.doc)
