"""Forward mode through a call marked with a custom rule (``ir.CustomRule``): the
callee's tangent function ``f_jvp`` is built from the user's rule instead of ``f``'s body.

custom_jvp: the rule is the tangent function, called once per direction (an inactive
argument's tangent is zero):

    def f_jvp(x, c, x_dot):
        y, y_dot = jvp(x, c, x_dot, 0.0)
        return y, y_dot

custom_vjp (``fwd``, ``bwd``): ``bwd`` is linear in the output cotangent ``g``, so the
tangent is the transpose of ``g -> bwd(r, g)`` applied to the argument tangents, which is
that function's reverse-mode derivative with respect to ``g`` (``transpose``: the
pipeline's finished split ``gradient_module``; ``g`` is zero where the pair is evaluated, as linearity allows):

    def f_jvp(x, x_dot):
        y, r = fwd(x)
        x_ct, bwd_res = bwd_fwd(r, 0.0)
        y_dot = bwd_rev(bwd_res, x_dot)
        return y, y_dot

Invariants: ``f_jvp`` has the calling convention of a tangent function (arguments, then K
tangents per active argument; outputs, then K tangents per output); the functions the
transposition adds get names no function of the module has.
"""
from ..ir import Module
from .custom_adjoints import Synth, require_captured, require_linear, results


def custom_tangent(module, rule, callee, amask, directions, name, unique, transpose):
    """(module with what the tangent function calls, ``f_jvp``) for a call of ``callee``
    with activity ``amask`` and ``directions`` tangents per active argument."""
    fn = module.get(callee)
    params = list(fn.params)
    nout = len(fn.body[-1].values)
    syn = Synth(p.name for p in params)
    dots = {i: [syn.var(f"{p.name}_dot", p.type) for _ in range(directions)]
            for i, (p, m) in enumerate(zip(params, amask)) if m}

    def tangents(k):
        return [dots[i][k] if i in dots else syn.zero(p.type, p) for i, p in enumerate(params)]
    out_dots = []
    if rule.kind == "jvp":
        require_captured(module, rule, amask)
        kinds = results(module, rule.jvp)
        for k in range(directions):
            got = syn.call(rule.jvp, params + tangents(k), kinds, "out")
            out_dots.append(got[nout:])
            if k == 0:
                outs = got[:nout]
    else:
        got = syn.call(rule.fwd, params, results(module, rule.fwd), "out")
        outs, saved = got[:nout], got[nout:]
        module, bfwd, brev = _transpose(module, rule, rule.bwd, len(saved), unique, transpose)
        g0 = [syn.zero(p.type) for p in module.get(rule.bwd).params[len(saved):]]
        kinds = results(module, bfwd)
        bres = syn.call(bfwd, list(saved) + g0, kinds, "ct")[-1]
        for k in range(directions):
            out_dots.append(syn.call(brev, [bres] + tangents(k),
                                     [o.type for o in outs], "out_dot"))
    made = syn.function(name, params + [d for i in sorted(dots) for d in dots[i]],
                        list(outs) + [d[j] for j in range(nout) for d in out_dots], fn.loc)
    return module, made


def _transpose(module, rule, bwd, nres, unique, transpose):
    """The module with the split pair of ``bwd`` w.r.t. its cotangent parameters."""
    fn = module.get(bwd)
    mask = (False,) * nres + (True,) * (len(fn.params) - nres)
    require_linear(module, bwd, mask, rule, "backward rule", "cotangents", "forward")
    rest = tuple(f for f in module.functions if f.name != bwd)
    pair = transpose(Module((fn,) + rest, module.result), mask)
    have = {f.name for f in module.functions}
    new = tuple(f for f in pair.functions if f.name not in have)
    for f in new:
        assert unique(f.name) == f.name, f.name     # the tangent module's names stay unique
    return Module(module.functions + new, module.result), new[0].name, new[1].name


__all__ = ["custom_tangent"]
