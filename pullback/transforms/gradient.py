"""Whole-module reverse mode: the entry point plus every callee it needs.

``gradient_module(module, mask, split)`` returns the new functions (``ir.Transformed``,
not yet optimised: the pipeline runs the pass lists): first the derivative of the entry
point (``f_grad``, or ``f_fwd`` and ``f_rev`` when ``split``), then the split derivatives
of callees with the activity pattern of each call site; the original (primal) functions
that inactive calls still use are the library the pipeline links from.  The module given
is the primal, already optimised (``optimize.pipeline.PRIMAL``): what folds there is
neither taped nor differentiated.  ``checkpoint``: the entry point's top-level loops are
reversed from snapshots (``transforms/checkpoint.py``), and so are those of the callees
it calls at its top level (recursively); callees called inside a loop or a branch are
taped (one split pair per (callee, activity, rule, checkpoint)).  With
``value=False`` ``f_grad`` returns the gradients only (what ``grad`` needs) and computes
nothing just for the value.
"""
from ..ir import Transformed
from ..ir.names import name_allocator
from .custom_adjoints import custom_pair
from .reverse import ReverseFunction


def gradient_module(module, mask, split=False, value=True, checkpoint=None, seeded=None):
    """``seeded``: only the first this many outputs of ``f_grad`` are differentiated
    (``has_aux``: the rest are returned, never differentiated)."""
    unique = name_allocator(f.name for f in module.functions)
    pairs, queue = {}, []

    def ask(callee, amask, rule=None, checkpoint=None):
        key = (callee, amask, rule, checkpoint)
        if key not in pairs:
            pairs[key] = (unique(callee + "_fwd"), unique(callee + "_rev"))
            queue.append(key)
        return pairs[key]

    entry = module.functions[0]
    rf = ReverseFunction(entry, tuple(mask), ask, checkpoint)
    if split:
        out = list(rf.split(unique(entry.name + "_fwd"), unique(entry.name + "_rev")))
        split_pairs = [(out[0].name, out[1].name)]
    else:
        out = [rf.combined(unique(entry.name + "_grad"), value, seeded)]
        split_pairs = []
    while queue:
        key = queue.pop(0)
        callee, amask, rule, snaps = key
        pair = custom_pair(module, rule, callee, amask, *pairs[key], ask) if rule else \
            ReverseFunction(module.get(callee), amask, ask, snaps).split(*pairs[key])
        out += pair
        split_pairs.append((pair[0].name, pair[1].name))
    return Transformed(tuple(out), module, tuple(split_pairs))
