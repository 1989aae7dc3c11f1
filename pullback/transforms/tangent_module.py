"""The forward-mode module driver: the entry point's tangent function, then one tangent
function per (callee, activity pattern, custom rule) the tangents call, each optimised.

Invariants: the entry's tangent comes first; a callee asked for twice with the same
pattern gets one function (so recursion terminates); functions that inactive calls
still use are kept untransformed; tangent names (``_dot``, ``_ddot``, ...) never clash
with a name the module already has.
"""
from ..ir import Call, Module
from ..ir.names import name_allocator
from ..ir.walk import all_read, all_written, walk
from ..optimize.pipeline import optimize
from .custom_tangents import custom_tangent
from .forward import ForwardFunction


def tangent_module(module, mask, directions=1, verify=None):
    """The tangent of a module's entry point (``f_jvp``, first), the tangent functions
    of the callees it reaches with their activity patterns, and the untransformed
    functions that inactive calls still use.  Works on user modules and on
    reverse-mode output alike (``f_grad`` -> ``f_grad_jvp``)."""
    unique = name_allocator(f.name for f in module.functions)
    suffix = _module_suffix(module)
    names, queue = {}, []

    def ask(callee, amask, rule=None):
        key = (callee, tuple(amask), rule)
        if key not in names:
            names[key] = unique(callee + "_jvp")
            queue.append(key)
        return names[key]

    def build(fn, fmask, name):
        ff = ForwardFunction(fn, fmask, directions, ask, suffix)
        return optimize(ff.function(name), verify)

    entry = module.functions[0]
    out = [build(entry, mask, unique(entry.name + "_jvp"))]
    while queue:
        key = queue.pop(0)
        callee, amask, rule = key
        if rule is None:
            out.append(build(module.get(callee), amask, names[key]))
            continue
        module, made = custom_tangent(module, rule, callee, amask, directions, names[key], unique)
        out.append(optimize(made, verify))
    have = {f.name for f in out}
    todo = list(out)
    while todo:
        for name in (n for s in walk(todo.pop().body) if isinstance(s, Call) for n in s.callees):
            if name not in have:
                have.add(name)
                todo.append(module.get(name))
                out.append(todo[-1])
    n = len(out[0].body[-1].values)
    return Module(tuple(out), ("tuple",) + (("atom",),) * n)    # outputs, then tangents


def _module_suffix(module):
    suffixes = [tangent_suffix(f) for f in module.functions]
    return max(suffixes, key=len)


def tangent_suffix(fn):
    """``dot`` for the first forward layer, ``ddot``, ``dddot`` for the next."""
    names = {p.name for p in fn.params} | all_written(fn.body) | all_read(fn.body)
    suffix = "dot"
    while any("_" + suffix in n for n in names):
        suffix = "d" + suffix
    return suffix
