"""scipy.special (imported by ``rules`` only when SciPy is installed).

The functions print as ``scipy.special.f(...)`` for scalars and
arrays alike (the Python backend imports ``scipy.special`` when a module
uses it); their partials are written with other primitives, so the rules
themselves differentiate again.
"""
import scipy.special as sp

from . import np_helpers as H
from .registry import Syntax, always, array_op, nondiff, register, scalar


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
special("xlogy", ["log(b)", "select(a == 0, 0.0, a / select(a == 0, 1.0, b))"],
        params="a b")
special("xlog1py", ["log1p(b)", "select(a == 0, 0.0, a / select(a == 0, 1.0, 1 + b))"],
        params="a b")

# -- reductions -----------------------------------------------------------------------------
array_op("logsumexp_grad", H.logsumexp_grad, "g a b y axis keepdims", helper="logsumexp_grad")
nondiff("logsumexp_weight", H.logsumexp_weight, params="b", helper="logsumexp_weight",
        syntax=Syntax("call", "logsumexp_weight"))
_LSE = "logsumexp_grad(g, a, b, y, axis, keepdims)"
register("logsumexp", sp.logsumexp, ("a", "axis", "b", "keepdims", "return_sign"), None,
         always("float"), Syntax("call", "scipy.special.logsumexp"), python=(sp.logsumexp,),
         vjps=(f"{_LSE} * logsumexp_weight(b)", None, _LSE, None, None),
         numpy="scipy.special.logsumexp", defaults=(None, None, False, False), bind=True)
register("softmax", sp.softmax, ("x", "axis"), None, always("float"),
         Syntax("call", "scipy.special.softmax"), python=(sp.softmax,),
         vjps=("y * (g - sum(g * y, axis, True))", None), numpy="scipy.special.softmax",
         defaults=(None,), bind=True)
register("log_softmax", sp.log_softmax, ("x", "axis"), None, always("float"),
         Syntax("call", "scipy.special.log_softmax"), python=(sp.log_softmax,),
         vjps=("g - exp(y) * sum(g, axis, True)", None), numpy="scipy.special.log_softmax",
         defaults=(None,), bind=True)
