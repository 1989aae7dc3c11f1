"""Whole-module reverse mode: the entry point plus every callee it needs.

``gradient_module(module, mask, split)`` returns a new module whose first
function is the derivative of the entry point (``f_grad``, or ``f_fwd`` and
``f_rev`` when ``split``), followed by the split derivatives of callees with
the activity pattern of each call site, and the original (primal) functions
that inactive calls still use.  ``checkpoint``: the entry point's top-level loops
are reversed from snapshots (``transforms/checkpoint.py``); callees are taped.  With ``value=False`` ``f_grad`` returns the
gradients only (what ``grad`` needs) and computes nothing just for the value.
"""
from dataclasses import replace

from ..ir import Assign, Call, Const, Module, Var
from ..ir.types import is_array
from ..ir.names import name_allocator
from ..ir.walk import blocks, map_blocks, vars_written, walk
from ..optimize.pipeline import optimize_primal, optimize_reverse as optimize
from ..optimize.zero_arrays import dtype_arg
from .custom_adjoints import custom_pair
from .reverse import ReverseFunction


def gradient_module(module, mask, split=False, verify=None, value=True, checkpoint=None,
                    seeded=None):
    """``seeded``: only the first this many outputs of ``f_grad`` are differentiated
    (``has_aux``: the rest are returned, never differentiated)."""
    module = Module(tuple(optimize_primal(f, verify) for f in module.functions))
    unique = name_allocator(f.name for f in module.functions)
    pairs, queue = {}, []

    def ask(callee, amask, rule=None):
        key = (callee, amask, rule)
        if key not in pairs:
            pairs[key] = (unique(callee + "_fwd"), unique(callee + "_rev"))
            queue.append(key)
        return pairs[key]

    entry = module.functions[0]
    rf = ReverseFunction(entry, tuple(mask), ask, checkpoint)
    if split:
        out = list(_pruned(*rf.split(unique(entry.name + "_fwd"), unique(entry.name + "_rev")),
                           verify))
    else:
        out = [optimize(rf.combined(unique(entry.name + "_grad"), value, seeded), verify)]
    while queue:
        key = queue.pop(0)
        callee, amask, rule = key
        pair = custom_pair(module, rule, callee, amask, *pairs[key], ask) if rule else \
            ReverseFunction(module.get(callee), amask, ask).split(*pairs[key])
        out += _pruned(*pair, verify)
    have = {f.name for f in out}
    todo = [f for f in out]
    while todo:
        f = todo.pop()
        for name in (n for s in walk(f.body) if isinstance(s, Call) for n in s.callees):
            if name not in have:
                have.add(name)
                primal = optimize(module.get(name), verify)
                out.append(primal)
                todo.append(primal)
    return _zero_array_arguments(Module(tuple(out)))


def _zero_array_arguments(module):
    """A call passing the constant 0.0 for an array parameter (the cotangent of a
    result the caller never used) passes zeros of its shape: the callee's reverse
    rules need it (``optimize/zero_arrays.py`` does the same within a function)."""
    params = {f.name: f.params for f in module.functions}

    def block(body, fresh):
        out = []
        for s in body:
            if isinstance(s, Call) and s.func in params:
                args = list(s.args)
                for k, (a, p) in enumerate(zip(s.args, params[s.func])):
                    if isinstance(a, Const) and a.value == 0 and not isinstance(a.value, bool) \
                            and is_array(p.type) and p.type.static:
                        z = Var(fresh(p.name + "_zero"), p.type)
                        out.append(Assign(z, "zeros", (Const(p.type.shape), dtype_arg(p.type))))
                        args[k] = z
                s = replace(s, args=tuple(args))
            elif blocks(s):
                s = map_blocks(s, lambda b: block(b, fresh))
            out.append(s)
        return tuple(out)

    functions = []
    for fn in module.functions:
        fresh = name_allocator({v.name for st in walk(fn.body) for v in vars_written(st)}
                               | {p.name for p in fn.params})
        functions.append(replace(fn, body=block(fn.body, fresh)))
    return Module(tuple(functions), module.result)


def _pruned(fwd, rev, verify):
    """Optimise a split pair, then keep in the residual only what ``rev`` still reads."""
    rev = optimize(rev, verify)
    res = rev.params[0]
    kept = [s for s in rev.body if isinstance(s, Assign) and s.op == "item" and s.args[0] == res]
    index = {s.args[1].value: k for k, s in enumerate(kept)}
    body = tuple(replace(s, args=(res, Const(index[s.args[1].value])))
                 if s in kept else s for s in rev.body)
    rev = replace(rev, body=body)
    fbody = list(fwd.body)
    pack = next(i for i, s in enumerate(fbody) if isinstance(s, Assign) and s.op == "pack")
    old = fbody[pack]
    fbody[pack] = replace(old, args=tuple(old.args[k] for k in sorted(index)))
    return optimize(replace(fwd, body=tuple(fbody)), verify), rev
