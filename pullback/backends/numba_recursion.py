"""Self-recursive derivatives on the Numba backend: residuals kept in a list, passed by index.

A recursive ``f_fwd`` returns a residual tuple holding the residual of its own recursive
call, a type that nests without bound, which Numba cannot type.  Here each such residual
goes into one typed list (the store) and travels as its index, an int::

    t3, rpow_res = rpow_fwd(x, n // 2)          t3, rpow_res = rpow_fwd(x, n // 2, rpow_store)
    residual = (half, ..., rpow_res, x)          residual = (half, ..., rpow_res, x)
    return retval, residual                      rpow_fwd_k = len(rpow_store)
                                                 rpow_store.append(residual)
                                                 return retval, rpow_fwd_k
    def rpow_rev(residual, out_bar):             def rpow_rev(rpow_store, residual_k, out_bar):
                                                     residual = rpow_store[residual_k]

The entry function creates the store (``[placeholder][:0]``: a typed empty list).  Numba
types the self-recursive calls from their non-recursive paths.

A recursive function that is not a split pair (the primal called where nothing is
differentiated, a forward-mode ``_jvp``) returns no residuals and compiles as it is.

Invariant: only a self-recursive ``fwd``/``rev`` pair whose residual fields are scalars,
arrays of a static shape or its own recursive residuals is rewritten; a function between
the entry and the pair (a helper calling it, not itself recursive) takes the store as a
last parameter; any other recursion (mutual recursion, tapes or arrays of a
run-time shape in a recursive residual, a split entry) is rejected at the function's line.  The rewritten IR only feeds the Numba
printer (it is not verified: the store's element is a tuple, which the IR has no type for).
"""
from dataclasses import replace

import numpy as np

from ..errors import TransformError
from ..ir import Assign, Call, Const, Return, Var
from ..ir.types import Array, ListT
from ..ir.walk import blocks, map_blocks, walk

_PLACEHOLDER = {"float": "0.0", "int": "0", "bool": "False"}


def store_recursive_residuals(module):
    """``module`` with each self-recursive fwd/rev pair's residuals in a store (the module
    itself when nothing recurses); TransformError for recursion it cannot rewrite."""
    calls = _call_graph(module)
    recursive = [fn for fn in module.functions if _reaches(calls, fn.name)]
    if not recursive:
        return module
    by_name = {fn.name: fn for fn in module.functions}
    entry = module.functions[0]
    plans = {}
    for fn in recursive:
        if fn.name.endswith("_fwd"):
            plans[fn.name] = _plan(fn, by_name.get(fn.name[:-4] + "_rev"), calls, entry)
    names = {fn.name for fn in module.functions}
    for fn in recursive:
        pair = fn.name[:-4] + "_fwd" if fn.name.endswith("_rev") else fn.name
        split = fn.name.endswith("_fwd") and fn.name[:-4] + "_rev" in names or \
            fn.name.endswith("_rev") and pair in names
        if not split:
            continue        # a primal or tangent function: no residuals, Numba recurses
        if pair not in plans or plans[pair] is None:
            _reject(fn)
    threaded = {fwd: _threaded(calls, fwd, plan[2], entry.name)
                for fwd, plan in plans.items()}
    functions = [_rewrite(fn, plans, fn is entry, threaded) for fn in module.functions]
    return replace(module, functions=tuple(functions))


def recurses(module):
    """Whether a function of ``module`` calls itself, directly or through others.  Numba
    cannot cache such a module's functions: the machine code it reads back from its disk
    cache crashes the process (numba/numba#6061, open), so they compile on each import."""
    calls = _call_graph(module)
    return any(_reaches(calls, fn.name) for fn in module.functions)


def _call_graph(module):
    """Function name -> the names of the functions it calls."""
    return {fn.name: {s.func for s in walk(fn.body) if isinstance(s, Call)}
            for fn in module.functions}


def _reaches(calls, name):
    return _calls_through(calls, name, name)


def _reject(fn):
    raise TransformError.at(fn.loc, f"the numba backend cannot differentiate the recursive "
                            f"function '{fn.name}' (its residuals would nest without bound: "
                            "arrays, tapes or mutual recursion); use backend='python'",
                            "recursion")


def _plan(fwd, rev, calls, entry):
    """(store name, placeholder text, own residual names) for a self-recursive pair, or None."""
    if rev is None or calls[fwd.name] - {fwd.name} & _cycle_names(calls, fwd.name) or \
            entry.name in (fwd.name, rev.name):
        return None
    for name in _threaded(calls, fwd.name, rev.name, entry.name):
        # a recursive caller would need a store too; one the entry does not call is
        # called from Python (a vjp's pullback), which passes no store
        if _reaches(calls, name) or not _calls_through(calls, entry.name, name):
            return None
    if (fwd.name in calls[rev.name] or rev.name in calls[fwd.name]) or not \
            _calls_through(calls, entry.name, fwd.name) or \
            not _calls_through(calls, entry.name, rev.name):
        return None
    ret = fwd.body[-1]
    if not isinstance(ret, Return) or not isinstance(ret.values[-1], Var):
        return None
    pack = next((s for s in walk(fwd.body) if isinstance(s, Assign) and s.op == "pack"
                 and s.target == ret.values[-1]), None)
    own = {s.targets[-1].name for s in walk(fwd.body) if isinstance(s, Call)
           and s.func == fwd.name}
    if pack is None:
        return None
    fields = []
    for a in pack.args:
        t = str(getattr(a, "type", ""))
        if isinstance(a, Var) and a.name in own:
            fields.append("0")
        elif t in _PLACEHOLDER:
            fields.append(_PLACEHOLDER[t])
        elif isinstance(a, Var) and isinstance(a.type, Array) and a.type.static:
            shape = tuple(a.type.shape)         # an array of one shape on every call
            fields.append(f"np.zeros({shape!r}, np.{np.dtype(a.type.dtype).name})")
        else:
            return None
    text = f"({', '.join(fields)}{',' if len(fields) == 1 else ''})"
    return Var(fwd.name[:-4] + "_store", ListT()), text, rev.name


def _threaded(calls, fwd, rev, entry):
    """The functions other than the pair and the entry that call ``fwd`` or ``rev``,
    directly or through others: the store is passed down to them as a parameter."""
    return {g for g in calls if g not in (fwd, rev, entry) and
            any(_calls_through(calls, g, h) for h in (fwd, rev))}


def _calls_through(calls, name, target):
    """Whether ``name`` calls ``target``, directly or through others."""
    seen, todo = set(), list(calls[name])
    while todo:
        g = todo.pop()
        if g == target:
            return True
        if g not in seen:
            seen.add(g)
            todo.extend(calls.get(g, ()))
    return False


def _cycle_names(calls, name):
    return {g for g in calls if g != name and _reaches(calls, g) and name in calls[g]}


def _rewrite(fn, plans, is_entry, threaded):
    stores = {fwd: plan for fwd, plan in plans.items()}
    revs = {plan[2]: (fwd, plan) for fwd, plan in stores.items()}
    own = {s.targets[-1].name for s in walk(fn.body) if isinstance(s, Call) and s.func in stores}

    def passed(name):
        """The stores a function between the entry and a pair takes, in plan order."""
        return tuple(plan[0] for fwd, plan in stores.items() if name in threaded[fwd])

    def stmt(s):
        if isinstance(s, Call) and s.func in stores:
            return [replace(s, args=s.args + (stores[s.func][0],))]
        if isinstance(s, Call) and s.func in revs:
            return [replace(s, args=(revs[s.func][1][0],) + s.args)]
        if isinstance(s, Call) and passed(s.func):
            return [replace(s, args=s.args + passed(s.func))]
        if isinstance(s, Assign) and s.op == "copy" and s.target.name in own and \
                isinstance(s.args[0], Const):
            return [replace(s, args=(Const(0),))]      # an index, not a residual
        return [s]
    def block(stmts):
        out = []
        for s in stmts:
            out += stmt(map_blocks(s, block) if blocks(s) else s)
        return tuple(out)
    body = block(fn.body)
    params = fn.params
    if fn.name in stores:
        store = stores[fn.name][0]
        ret = body[-1]
        k = Var(fn.name + "_k", "int")
        body = body[:-1] + (Assign(k, "len", (store,)),
                            Assign(store, "list_append", (store, ret.values[-1])),
                            replace(ret, values=ret.values[:-1] + (k,)))
        params = params + (store,)
    elif fn.name in revs:
        store = revs[fn.name][1][0]
        residual = params[0]
        k = Var(residual.name + "_k", "int")
        params = (store, k) + params[1:]
        body = (Assign(residual, "getitem", (store, k)),) + body
    params = params + passed(fn.name)
    if is_entry:
        body = tuple(Assign(store, "list_new", (Const(text),))
                     for store, text, _ in stores.values()) + body
    return replace(fn, params=params, body=body)
