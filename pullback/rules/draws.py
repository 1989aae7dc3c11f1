"""Draws from a random generator object: ``rng.normal(size=3)``, ``rs.randn(2, 3)``.

``draw<k>(rng, spec, a0 .. ak-1)`` calls ``getattr(rng, method)(*pos, **kw)`` with the
method and keyword names spelled in ``spec`` (``helpers.run_draw``).  It is impure (never
folded, reordered, dropped or recomputed), so it runs once, in the forward sweep, and the
generator ends in the state the original function leaves it in.  Its value is a
constant of the derivative: the draw's own arguments get ``NO_RULE``, so a derivative
that would flow through them is rejected at the user's line rather than silently zero.

Location-scale draws are reparameterised (``FAMILIES``): ``rng.normal(mu, sigma)`` is
``mu + sigma * z`` for the standard draw z the generator makes inside, so
``draw_<family>(rng, spec, p, q)`` has the derivative of that expression in its
parameters, written over the output y (z = (y - mu) / sigma), as the legacy
``np.random.normal`` has (``numpy_nondiff.py``); what finite differences with a fixed
seed measure.  The frontend uses it when the parameters are run-time values and the
size a constant (``frontend/randomness.py``).
"""
import ast

import numpy as np

from ..ir.types import INT, Array, Type, dummy, of_value
from .helpers import run_draw
from .registry import NO_RULE, Syntax, register

MAX_VALUES = 6
STAND_INS = {"Generator": lambda: np.random.default_rng(0),
             "RandomState": lambda: np.random.RandomState(0)}


def _shape(rng, spec, *args):
    """The draw's type, from a stand-in generator of the same kind (never the real one,
    whose state type inference must not advance)."""
    kind = ast.literal_eval(spec)[0]
    values = [dummy(a) if isinstance(a, Type) else a for a in args]
    if any(v is None for v in values):
        return Array("float64", None)
    try:
        out = run_draw(STAND_INS[kind](), spec, *values)
    except Exception as e:        # noqa: BLE001 -- reported at the user's line
        raise TypeError(str(e)) from None
    t = of_value(out)
    if t is None:
        raise TypeError(f"the draw returns a value pullback does not type ({type(out).__name__})")
    if isinstance(t, Array) and any(a == INT for a in args if isinstance(a, Type)):
        t = Array(t.dtype, tuple(None for _ in t.shape))    # sized at run time
    return t


for _k in range(MAX_VALUES + 1):
    _params = ["rng", "spec"] + [f"a{i}" for i in range(_k)]
    register(f"draw{_k}", run_draw, _params, None, _shape, Syntax("call", "run_draw"),
             helper="run_draw", shape=_shape, pure=False,
             vjps=(None, None) + (NO_RULE,) * _k)


# method -> (family, parameter names, defaults); the generator computes each of these
# from one standard variate per element: loc + scale * z, low + (high - low) * u,
# scale * e, exp(mean + sigma * z)
FAMILIES = {m: ("loc_scale", ("loc", "scale"), (0.0, 1.0))
            for m in ("normal", "laplace", "logistic", "gumbel")}
FAMILIES.update(uniform=("low_high", ("low", "high"), (0.0, 1.0)),
                exponential=("scale", ("scale",), (1.0,)),
                lognormal=("lognormal", ("mean", "sigma"), (0.0, 1.0)))
_RULES = {      # family -> (reverse rules over g, forward rules over t), per parameter
    "loc_scale": (("g", "g * (y - a) / b"), ("t", "t * (y - a) / b")),
    "low_high": (("g * (b - y) / (b - a)", "g * (y - a) / (b - a)"),
                 ("t * (b - y) / (b - a)", "t * (y - a) / (b - a)")),
    "scale": (("g * y / a",), ("t * y / a",)),
    "lognormal": (("g * y", "g * y * (log(y) - a) / b"), ("t * y", "t * y * (log(y) - a) / b")),
}
for _family, (_vjps, _jvps) in _RULES.items():
    register(f"draw_{_family}", run_draw, ["rng", "spec", "a", "b"][:2 + len(_vjps)], None,
             _shape, Syntax("call", "run_draw"), helper="run_draw", shape=_shape, pure=False,
             vjps=(None, None) + _vjps, jvps=(None, None) + _jvps)
