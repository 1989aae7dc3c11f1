"""Reverse mode through a call marked with a custom rule (``ir.CustomRule``): the
split pair ``f_fwd``/``f_rev`` is built from the user's rule instead of ``f``'s body,
so the generated code calls the rule as the user wrote it.

custom_vjp (``fwd``, ``bwd``):

    def log1pexp_fwd(x):                     def log1pexp_rev(residual, out_bar):
        t1, r = fwd(x)                           r = residual[0]
        residual = (r,)                          x_bar = bwd(r, out_bar)
        return t1, residual                      return x_bar

custom_jvp (``jvp``, linear in the tangents): the transpose of a linear map is its
reverse-mode derivative, so ``f_rev`` calls the split pair of the rule itself with
respect to the tangents of the active arguments (asked for like any callee's):

    def f_fwd(x):                            def f_rev(residual, out_bar):
        y, y_t, r = jvp_fwd(x, 0.0)              r = residual[0]
        residual = (r,)                          x_t_bar = jvp_rev(r, 0.0, out_bar)
        return y, residual                       return x_t_bar

Invariants: the pair has the calling convention of a differentiated callee (the
outputs then one residual; residual and output cotangents in, the cotangents of the
active arguments out), so ``transforms/reverse.py`` treats the call like any other;
nothing here differentiates the rule's own residual path, which a later forward
layer (Hessians) does through the ordinary calls left in the pair.
"""
from ..analysis.activity import active_vars
from ..analysis.linearity import nonlinear
from ..errors import UnsupportedError
from ..ir import Assign, Call, Const, Function, Return, Var, dtype_arg
from ..ir.names import Names
from ..ir.types import STATIC, is_array


class Synth:
    """Statements of one synthesized function: fresh typed names, zeros of a type."""

    def __init__(self, taken=()):
        self.names = Names(set(taken))
        self.body = []

    def var(self, base, type_):
        return Var(self.names.fresh(base), type_)

    def vars_like(self, atoms, base):
        return tuple(self.var(a.name if isinstance(a, Var) else base, a.type) for a in atoms)

    def zero(self, type_, like=None):
        """0.0, or an array of zeros where the callee reads a shape: of ``like``'s shape
        where the type does not fix it (a rule called on arrays of two shapes: a 0.0
        stand-in would sum the cotangent it is transposed for down to a number)."""
        if is_array(type_) and type_.static:
            z = self.var("zeros", type_)
            self.body.append(Assign(z, "zeros", (Const(type_.shape), dtype_arg(type_))))
            return z
        if is_array(type_) and like is not None:
            z = self.var("zeros", type_)
            self.body.append(Assign(z, "zeros_like", (like, Const(None))))
            return z
        return Const(0.0)

    def call(self, func, args, result_types, base="t"):
        targets = tuple(self.var(base, t) for t in result_types)
        self.body.append(Call(targets, func, tuple(args)))
        return targets

    def function(self, name, params, results, loc):
        return Function(name, tuple(params), tuple(self.body) + (Return(tuple(results)),), loc)


def results(module, name):
    """The types of the values function ``name`` returns."""
    return [getattr(v, "type", None) or Const(0.0).type for v in module.get(name).body[-1].values]


def custom_pair(module, rule, callee, amask, fwd_name, rev_name, ask):
    """(``f_fwd``, ``f_rev``) for a call of ``callee`` with activity ``amask``."""
    fn = module.get(callee)
    nout = len(fn.body[-1].values)
    fwd = Synth(p.name for p in fn.params)
    params = fn.params
    if rule.kind == "vjp":
        got = fwd.call(rule.fwd, params, results(module, rule.fwd), "out")
        outs, saved = got[:nout], got[nout:]
    else:       # the rule's split pair with respect to the active arguments' tangents
        lin = (False,) * len(params) + tuple(amask)
        require_captured(module, rule, amask)
        require_linear(module, rule.jvp, lin, rule, "JVP rule", "tangents", "reverse")
        jfwd, jrev = ask(rule.jvp, lin)
        tangents = [fwd.zero(p.type, p) for p in params]
        got = fwd.call(jfwd, tuple(params) + tuple(tangents),
                       results(module, rule.jvp) + ["residual"], "out")
        outs, saved = got[:nout], got[-1:]
    res = fwd.var("residual", "residual")
    fwd.body.append(Assign(res, "pack", tuple(saved)))
    fwd_fn = fwd.function(fwd_name, params, tuple(outs) + (res,), fn.loc)

    rev = Synth()
    res_in = rev.var("residual", "residual")
    seeds = tuple(rev.var("out_bar" if nout == 1 else f"out{i}_bar", _cotangent(o.type))
                  for i, o in enumerate(outs))
    kept = rev.vars_like(saved, "r")
    rev.body += [Assign(v, "item", (res_in, Const(i))) for i, v in enumerate(kept)]
    if rule.kind == "vjp":
        cts = rev.call(rule.bwd, kept + seeds, results(module, rule.bwd), "ct")
        cts = [c for c, m in zip(cts, amask) if m]
        grads = [Const(0.0) if c.type == STATIC else c for c in cts]
    else:
        zeros = [rev.zero(t) for t in results(module, rule.jvp)[:nout]]
        grads = rev.call(jrev, kept + tuple(zeros) + seeds,
                         [_cotangent(p.type) for p, m in zip(params, amask) if m], "ct")
    rev_fn = rev.function(rev_name, (res_in,) + seeds, grads, fn.loc)
    return fwd_fn, rev_fn


def require_captured(module, rule, amask):
    """Reject a JVP rule whose outputs ignore the tangent of an active value that a
    function argument captures: the rule sees that value only inside the function
    (JAX asks for ``closure_convert`` there), so ignoring it would be a silent zero."""
    fn = module.get(rule.jvp)
    n = len(fn.params) // 2
    for k, arg in rule.captures:
        if k < len(amask) and amask[k]:
            t = fn.params[n + k]
            if t.name not in active_vars(fn, {t.name}):
                raise UnsupportedError.at(
                    rule.loc, f"the JVP rule defined at {rule.loc} ignores the tangent of "
                    f"argument {arg}, a function that captures a value the derivative "
                    "depends on; use that argument's tangent in the rule (as "
                    "pullback.jvp(lambda f, ...: f(...), (f, ...), (f_dot, ...)) does), "
                    "or pass the value as an argument of its own", "custom rule capture")


def require_linear(module, name, mask, rule, what, of, mode):
    """Reject a rule that is not linear where it is transposed, at the offending line."""
    bad = nonlinear(module, module.get(name), mask)
    if bad is not None:
        loc = bad.loc or rule.loc
        raise UnsupportedError.at(loc, f"{mode} mode transposes the {what} defined at "
                                       f"{rule.loc}, but it is not linear in its {of} here",
                                  "nonlinear custom rule")


def _cotangent(t):
    return t if t in ("float",) or is_array(t) else "float"


__all__ = ["Synth", "custom_pair", "require_captured", "require_linear", "results"]
