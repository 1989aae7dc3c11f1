"""``pullback.jvp`` inside differentiated code: calls of tangent functions.

The frontend lowers ``y, y_dot = pullback.jvp(f, (x, c), (x_dot, 0.0))`` to a
``Call`` marked ``jvp`` whose arguments end with the tangents and whose targets
end with the outputs' tangents.  Once types are known, this pass builds ``f``'s
tangent function (``transforms.forward``, one direction, every float parameter
carrying a tangent) into the module and calls it instead:

    t1, t2 = call jvp f(x, c, x_dot, 0.0)     ->     t1, t2 = call f_jvp(x, c, x_dot)

Invariants of the output: no ``Call`` is marked ``jvp``; the tangent functions
are ordinary typed IR (no tapes), so any transform (reverse, forward) applies to
the result — ``grad`` of a function that calls ``jvp`` is reverse over forward.
``jvp`` of a function that itself calls ``jvp`` is forward over forward: callees are
expanded first.  Tangents given for int or bool parameters are dropped (their tangent is 0).
Values ``f`` captures from enclosing functions are parameters without
tangents: ``jvp`` does not differentiate them, an outer derivative does.
"""
from dataclasses import replace

from ..errors import UnsupportedError
from ..ir import Call, Module
from ..ir.types import is_differentiable
from ..ir.walk import blocks, map_blocks, reachable, walk


def has_jvp_calls(module):
    return any(isinstance(s, Call) and s.jvp for f in module.functions for s in walk(f.body))


def expand_jvp_calls(module, tangents):
    """The module with every ``jvp`` call replaced by a call of a tangent function;
    ``tangents(module, mask)``: the pipeline's finished tangent module of the entry.

    A function is expanded after every function it calls (depth first), so the callee
    of a ``jvp`` call, and what it reaches, has no ``jvp`` call left when its tangent is
    built: ``jvp`` of a function that calls ``jvp`` is forward over forward, to any
    depth.  Only a ``jvp`` call on a cycle of calls (recursion through ``jvp``) is
    rejected."""
    made = {}                  # (callee, mask) -> tangent function name
    state = {}                 # function name -> "busy" (on the current path) | "done"

    def tangent_of(callee, mask, loc):
        nonlocal module
        key = (callee, mask)
        if key not in made:
            fn = module.get(callee)
            rest = tuple(f for f in module.functions if f.name != callee)
            whole = Module((fn,) + rest, module.result)
            if has_jvp_calls(reachable(whole)):     # only on a cycle: the rest were expanded
                raise UnsupportedError.at(loc, "pullback.jvp of a function that reaches "
                                               "pullback.jvp through recursion",
                                          "recursive jvp")
            # the whole module, so that the new tangent functions' names are not those
            # of tangent functions made before (which the merge below would keep instead)
            tm = tangents(whole, list(mask))
            have = {f.name for f in module.functions}
            module = Module(module.functions + tuple(f for f in tm.functions
                                                     if f.name not in have), module.result)
            made[key] = tm.functions[0].name
        return made[key]

    def stmt(s):
        if isinstance(s, Call) and s.jvp:
            callee = module.get(s.func)
            n = len(callee.params)
            primals, dots = s.args[:n], s.args[n:]
            # the tangents follow the primal leaves; captured values (last) have none
            mask = tuple(i < len(dots) and is_differentiable(p.type)
                         for i, p in enumerate(callee.params))
            kept = tuple(d for d, m in zip(dots, mask) if m)
            return Call(s.targets, tangent_of(s.func, mask, s.loc), primals + kept, s.loc)
        if blocks(s):
            return map_blocks(s, lambda b: tuple(map(stmt, b)))
        return s

    def expand(name):
        nonlocal module
        if name in state:
            return
        state[name] = "busy"
        fn = module.get(name)
        for s in walk(fn.body):
            if isinstance(s, Call):
                for c in s.callees:
                    expand(c)
        new = replace(fn, body=tuple(map(stmt, module.get(name).body)))
        module = Module(tuple(new if f.name == name else f for f in module.functions),
                        module.result)
        state[name] = "done"

    for fn in list(module.functions):
        expand(fn.name)
    return reachable(module)


__all__ = ["expand_jvp_calls", "has_jvp_calls"]
