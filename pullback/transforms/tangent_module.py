"""The forward-mode module driver: the entry point's tangent function, then one tangent
function per (callee, activity pattern, custom rule) the tangents call, as an
``ir.Transformed`` the pipeline finishes (optimises and links).

Invariants: the entry's tangent comes first; a callee asked for twice with the same
pattern gets one function (so recursion terminates); functions that inactive calls
still use are kept untransformed; tangent names (``_dot``, ``_ddot``, ...) never clash
with a name the module already has.
"""
from ..ir import Call, Transformed
from ..ir.names import name_allocator
from ..ir.walk import all_read, all_written, called_from, walk
from .custom_tangents import custom_tangent
from .forward import ForwardFunction, tangent_activity
from .residual_items import flagged_params, returned_items


def tangent_module(module, mask, directions=1, transpose=None, rows=False):
    """The tangent of a module's entry point (``f_jvp``, first) and the tangent functions
    of the callees it reaches with their activity patterns; the module (with what custom
    rules add to it) is the library the pipeline links the untransformed functions that
    inactive calls still use from.  Works on user modules and on reverse-mode output
    alike (``f_grad`` -> ``f_grad_jvp``).  ``transpose(module, mask)``: the pipeline's
    finished split reverse derivative, for custom rules given as ``bwd`` only; ``rows``:
    a later reverse layer differentiates this module (``transforms/custom_tangents.py``)."""
    unique = name_allocator(f.name for f in module.functions)
    suffix = _module_suffix(module)
    names, queue = {}, []

    def ask(callee, amask, rule=None):
        key = (callee, tuple(amask), rule)
        if key not in names:
            names[key] = unique(callee + "_jvp")
            queue.append(key)
        return names[key]

    flags = {}

    def items_of(callee, amask, rule):
        """Per return position, the flags of the residual the callee's tangent returns."""
        if rule is not None:
            return None
        key = (callee, tuple(amask))
        if key not in flags:
            fn = module.get(callee)
            seeds = {p.name for p, m in zip(fn.params, amask) if m}
            flags[key] = returned_items(fn, tangent_activity(fn, seeds,
                                                             flagged_params(fn, amask)))
        return flags[key]

    # inside a custom rule's own functions and what they call (a bwd differentiated again,
    # for a Hessian) the arguments' masks are conservative: the reverse layer checked them
    rule_functions = called_from(module, {n for f in module.functions for s in walk(f.body)
                                          if isinstance(s, Call) and s.rule
                                          for n in s.rule.functions})

    def build(fn, fmask, name):
        return ForwardFunction(fn, fmask, directions, ask, suffix, items_of,
                               check_rules=fn.name not in rule_functions).function(name)

    entry = module.functions[0]
    out = [build(entry, mask, unique(entry.name + "_jvp"))]
    while queue:
        key = queue.pop(0)
        callee, amask, rule = key
        if rule is None:
            out.append(build(module.get(callee), amask, names[key]))
            continue
        module, made = custom_tangent(module, rule, callee, amask, directions, names[key],
                                      unique, transpose, rows)
        out.append(made)
    n = len(out[0].body[-1].values)
    return Transformed(tuple(out), module, (), ("tuple",) + (("atom",),) * n)  # outputs, tangents


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
