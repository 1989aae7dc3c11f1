"""scipy.special (imported by ``rules`` only when SciPy is installed).

The functions print as ``scipy.special.f(...)`` for scalars and
arrays alike (the Python backend imports ``scipy.special`` when a module
uses it); their partials are written with other primitives, so the rules
themselves differentiate again.
"""
import numpy as np
import scipy.special as sp

from . import np_helpers as H
from .expansions import expands
from .registry import NO_RULE, Syntax, alias, always, array_op, nondiff, register, scalar


def special(name, partials, params="x", impl=None, python=None):
    """An elementwise scipy.special function ``name`` with one partial per param."""
    fn = impl or getattr(sp, name)
    return scalar(f"sp_{name}", fn, *partials, params=params, python=python or (fn,),
                  syntax=Syntax("call", f"scipy.special.{name}"))


# -- elementwise scipy.special ---------------------------------------------------------
special("expit", ["y * (1 - y)"])
special("logit", ["1 / (x * (1 - x))"])
special("erf", ["1.1283791670955126 * exp(-x * x)"])
special("erfc", ["-1.1283791670955126 * exp(-x * x)"])
special("erfinv", ["0.886226925452758 * exp(y * y)"])
special("erfcinv", ["-0.886226925452758 * exp(y * y)"])
special("ndtr", ["0.3989422804014327 * exp(-0.5 * x * x)"])
special("log_ndtr", ["0.3989422804014327 * exp(-0.5 * x * x - y)"])
special("gammaln", ["sp_digamma(x)"])
special("digamma", ["sp_polygamma(1, x)"], python=(sp.digamma, sp.psi))
special("polygamma", [None, "sp_polygamma(n + 1, x)"], params="n x")
# d/db is a / b, 0 at a == b == 0 only (guarding a == 0 alone lost d2/da db = 1 / b there)
special("xlogy", ["log(b)", "a / select(a == 0, select(b == 0, 1.0, b), b)"], params="a b")
special("xlog1py", ["log1p(b)", "a / select(a == 0, select(b == -1, 1.0, 1 + b), 1 + b)"],
        params="a b")
special("gamma", ["y * sp_digamma(x)"])
special("rgamma", ["-y * sp_digamma(x)"])
special("loggamma", ["sp_digamma(x)"])
nondiff("sp_gammasgn", sp.gammasgn, python=(sp.gammasgn,),
        syntax=Syntax("call", "scipy.special.gammasgn"))
special("beta", ["y * (sp_digamma(a) - sp_digamma(a + b))",
                 "y * (sp_digamma(b) - sp_digamma(a + b))"], params="a b")
special("betaln", ["sp_digamma(a) - sp_digamma(a + b)", "sp_digamma(b) - sp_digamma(a + b)"],
        params="a b")
special("log_expit", ["sp_expit(-x)"])
special("erfcx", ["2 * x * y - 1.1283791670955126"])
special("ndtri", ["2.5066282746310002 * exp(0.5 * y * y)"])
special("dawsn", ["1 - 2 * x * y"])
special("expi", ["exp(x) / x"])
special("exp1", ["-exp(-x) / x"])
# log(x) / (1 - x) is 0/0 at x = 1: there its series in u = x - 1, exact in value and in
# the derivatives a Hessian (and two more orders) takes
special("spence", ["select(x == 1, -1 + (x - 1) * (0.5 - (x - 1) * (1 / 3 - (x - 1) / 4)), "
                   "log(x) / select(x == 1, 1.0, 1 - x))"])
special("entr", ["-log(x) - 1"])
special("rel_entr", ["log(a / b) + 1", "-a / b"], params="a b")
special("kl_div", ["log(a / b)", "1 - a / b"], params="a b")
# Regularised incomplete gamma and beta functions and Student's t CDF: the derivative
# in the shape parameters (a, b, df) is a series nobody here has written; NO_RULE
# rejects it where it is needed instead of a silent zero.
_GAMMA_PDF = "exp(sp_xlogy(a - 1, x) - x - sp_gammaln(a))"
special("gammainc", [NO_RULE, _GAMMA_PDF], params="a x")
special("gammaincc", [NO_RULE, f"-{_GAMMA_PDF}"], params="a x")
_BETA_PDF = "exp(sp_xlogy(a - 1, x) + sp_xlog1py(b - 1, -x) - sp_betaln(a, b))"
special("betainc", [NO_RULE, NO_RULE, _BETA_PDF], params="a b x")
special("betaincc", [NO_RULE, NO_RULE, f"-{_BETA_PDF}"], params="a b x")
special("stdtr", [NO_RULE, "exp(sp_gammaln((df + 1) / 2) - sp_gammaln(df / 2) - "
                           "0.5 * log(df * 3.141592653589793) - "
                           "(df + 1) / 2 * log1p(t * t / df))"], params="df t")
# Hurwitz zeta: in q DLMF 25.11.17; in the exponent x the Euler-Maclaurin sum
# differentiated term by term (special_helpers.zeta_dx, whose own derivative is not written);
# Riemann's zeta (q=None) is zeta(x, 1).  SciPy's Hurwitz zeta is NaN outside its domain
# (x < 1), where the series still continues analytically: both partials are NaN there,
# as the value (and central differences) are, never the continuation's finite slope
scalar("zeta_dx", H.zeta_dx, NO_RULE, NO_RULE, params="x q", helper="zeta_dx",
       syntax=Syntax("call", "zeta_dx"))
special("zeta", ["select(y != y, y, zeta_dx(x, q))", "select(y != y, y, -x * sp_zeta(x + 1, q))"],
        params="x q")
scalar("sp_zeta1", sp.zeta, "zeta_dx(x, 1.0)", python=(sp.zeta,),
       syntax=Syntax("call", "scipy.special.zeta"))
# Bessel functions of a fixed order v (recurrences DLMF 10.6.2, 10.29.2); the
# exponentially scaled ones (``ive``, ``kve``, ``i0e``, ``i1e``) add the scale's derivative.
special("jv", [NO_RULE, "0.5 * (sp_jv(v - 1, x) - sp_jv(v + 1, x))"], params="v x")
special("yv", [NO_RULE, "0.5 * (sp_yv(v - 1, x) - sp_yv(v + 1, x))"], params="v x")
special("yn", [NO_RULE, "0.5 * (sp_yv(n - 1, x) - sp_yv(n + 1, x))"], params="n x")  # yv of int n
special("iv", [NO_RULE, "0.5 * (sp_iv(v - 1, x) + sp_iv(v + 1, x))"], params="v x")
special("kv", [NO_RULE, "-0.5 * (sp_kv(v - 1, x) + sp_kv(v + 1, x))"], params="v x")
special("ive", [NO_RULE, "0.5 * (sp_ive(v - 1, x) + sp_ive(v + 1, x)) - sign(x) * y"],
        params="v x")
special("kve", [NO_RULE, "-0.5 * (sp_kve(v - 1, x) + sp_kve(v + 1, x)) + y"], params="v x")
special("j0", ["-sp_j1(x)"])
special("j1", ["0.5 * (sp_j0(x) - sp_jv(2, x))"])
special("y0", ["-sp_y1(x)"])
special("y1", ["0.5 * (sp_y0(x) - sp_yv(2, x))"])
special("k0", ["-sp_k1(x)"])
special("k1", ["-0.5 * (sp_k0(x) + sp_kv(2, x))"])
special("i0", ["sp_i1(x)"])
special("i1", ["0.5 * (sp_i0(x) + sp_iv(2, x))"])
special("i0e", ["sp_i1e(x) - sign(x) * y"])
special("i1e", ["0.5 * (sp_i0e(x) + sp_ive(2, x)) - sign(x) * y"])
# the same functions as NumPy's: one primitive each
for _np_name, _sp_name in (("expm1", "expm1"), ("log1p", "log1p"), ("exp2", "exp2"),
                           ("cbrt", "cbrt")):
    alias(_np_name, getattr(sp, _sp_name), nargs=1)

# -- reductions -----------------------------------------------------------------------------
# its forward rules give logsumexp a Hessian (forward over reverse): linear in g, and
# d exp(a - lse) = exp(a - lse) (a_dot - lse_dot); b only broadcasts here; y: the output
array_op("logsumexp_grad", H.logsumexp_grad, "g a b lse axis keepdims", helper="logsumexp_grad",
         zero_in_zero_out=True,
         jvps=("logsumexp_grad(t, a, b, lse, axis, keepdims)", "y * t", None,
               "-y * expand_to(t, a, axis, keepdims)", None, None))
nondiff("logsumexp_weight", H.logsumexp_weight, params="b", helper="logsumexp_weight",
        syntax=Syntax("call", "logsumexp_weight"))
_LSE = "logsumexp_grad(g, a, b, y, axis, keepdims)"
_W = "exp(a - expand_to(y, a, axis, keepdims))"
register("logsumexp", sp.logsumexp, ("a", "axis", "b", "keepdims", "return_sign"), None,
         always("float"), Syntax("call", "scipy.special.logsumexp"), python=(sp.logsumexp,),
         vjps=(f"{_LSE} * logsumexp_weight(b)", None, _LSE, None, None),
         numpy="scipy.special.logsumexp", defaults=(None, None, False, False), bind=True,
         jvps=(f"sum({_W} * logsumexp_weight(b) * t, axis, keepdims)", None,
               f"sum({_W} * t, axis, keepdims)"))
register("softmax", sp.softmax, ("x", "axis"), None, always("float"),
         Syntax("call", "scipy.special.softmax"), python=(sp.softmax,),
         vjps=("y * (g - sum(g * y, axis, True))", None), numpy="scipy.special.softmax",
         defaults=(None,), bind=True,
         jvps=("y * (t - sum(t * y, axis, True))",))
register("log_softmax", sp.log_softmax, ("x", "axis"), None, always("float"),
         Syntax("call", "scipy.special.log_softmax"), python=(sp.log_softmax,),
         vjps=("g - exp(y) * sum(g, axis, True)", None), numpy="scipy.special.log_softmax",
         defaults=(None,), bind=True,
         jvps=("t - sum(exp(y) * t, axis, True)",))


# -- scipy.special functions written in Python in SciPy: expansions ------------------------
@expands(sp.multigammaln)
def multigammaln(a, d):
    """log of the multivariate gamma function of dimension ``d`` (a constant)."""
    out = 0.25 * d * (d - 1) * 1.1447298858494002
    for j in range(d):
        out = out + sp.gammaln(a - 0.5 * j)
    return out


if hasattr(sp, "softplus"):     # SciPy >= 1.15
    @expands(sp.softplus)
    def softplus(x):
        return np.logaddexp(0.0, x)
