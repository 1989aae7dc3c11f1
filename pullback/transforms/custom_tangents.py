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

Under a later reverse layer (``rows``: a ``pullback.jvp`` or ``grad`` call in the user's
code, which the outer derivative differentiates again) the transposed pair would carry
``r`` between two calls in a residual tuple, which reverse mode cannot differentiate; so
there the tangent is built from ``bwd`` itself, called once per output element ``i`` with
the unit cotangent ``e_i`` (``bwd`` is linear in it): ``y_dot[i] = sum_k <bwd(r, e_i)[k],
x_dot_k>``.  That is ordinary code in ``r``, so every later layer differentiates the
residual's dependence on the inputs too.  Outputs of more than ``MAX_ELEMENTS`` elements
(or not of float type) keep the transposed pair, and reverse mode rejects the residual
flow at the line (``transforms/reverse.py``), never a silent zero.

Invariants: ``f_jvp`` has the calling convention of a tangent function (arguments, then K
tangents per active argument; outputs, then K tangents per output); the functions the
transposition adds get names no function of the module has.
"""
import numpy as np

from ..ir import Assign, Const, Module, Var, dtype_arg
from ..ir.types import STATIC, Array
from .custom_adjoints import Synth, require_captured, require_linear, results
from .emit_rule import RuleEmitter
from .grad_calls import MAX_ELEMENTS


def custom_tangent(module, rule, callee, amask, directions, name, unique, transpose,
                   rows=False):
    """(module with what the tangent function calls, ``f_jvp``) for a call of ``callee``
    with activity ``amask`` and ``directions`` tangents per active argument; ``rows``:
    a custom_vjp's tangent from ``bwd`` per output element where it can (docstring)."""
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
        if rows and _rows_apply(outs):
            nres = len(saved)
            bwd = module.get(rule.bwd)
            mask = (False,) * nres + (True,) * (len(bwd.params) - nres)
            require_linear(module, rule.bwd, mask, rule, "backward rule", "cotangents",
                           "forward")
            out_dots = _by_rows(syn, module, rule, saved, outs, dots, directions)
            made = syn.function(name, params + [d for i in sorted(dots) for d in dots[i]],
                                list(outs) + [d[j] for j in range(nout) for d in out_dots],
                                fn.loc)
            return module, made
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


def _elements(t):
    """The elements of an output of type ``t``: its index tuples, or None."""
    if t == "float":
        return [()]
    if isinstance(t, Array) and t.static and t.dtype == "float64":
        return list(np.ndindex(t.shape))
    return None


def _rows_apply(outs):
    sizes = [_elements(o.type) for o in outs]
    return all(s is not None for s in sizes) and sum(map(len, sizes)) <= MAX_ELEMENTS


def _by_rows(syn, module, rule, saved, outs, dots, directions):
    """Per direction, the output tangents ``y_dot[i] = sum_k <bwd(r, e_i)[k], x_dot_k>``."""
    emit = RuleEmitter(syn.body.append, lambda t: syn.var("t", t))
    kinds = results(module, rule.bwd)

    def unit(o, index):
        if o.type == "float":
            return Const(1.0)
        e = syn.zero(o.type)
        syn.body.append(Assign(e, "setitem", (e, Const(_index(index)), Const(1.0))))
        return e

    out_dots = [[] for _ in range(directions)]
    for j, o in enumerate(outs):
        targets = [None] * directions
        if o.type != "float":
            targets = [syn.zero(o.type) for _ in range(directions)]
        for index in _elements(o.type):
            seeds = [unit(o, index) if m == j else syn.zero(p.type)
                     for m, p in enumerate(outs)]
            cts = syn.call(rule.bwd, list(saved) + seeds, kinds, "ct")
            for k in range(directions):
                terms = [_vdot(emit, c, dots[i][k]) for i, c in enumerate(cts)
                         if i in dots and c.type != STATIC]
                total = Const(0.0)
                for t in terms:
                    total = emit.apply("add", (total, t))
                if o.type == "float":
                    targets[k] = total
                else:
                    syn.body.append(Assign(targets[k], "setitem",
                                           (targets[k], Const(_index(index)), total)))
        for k in range(directions):
            out_dots[k].append(targets[k])
    return out_dots


def _vdot(emit, ct, dot):
    """``sum(ct * dot)``: a cotangent paired with a tangent."""
    product = emit.apply("mul", (ct, dot))
    return emit.apply("sum", (product,)) if isinstance(product, Var) and \
        isinstance(product.type, Array) else product


def _index(k):
    return k[0] if len(k) == 1 else tuple(k)


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
