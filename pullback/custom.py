"""User-defined derivatives, with JAX's names and semantics.

    @pullback.custom_vjp
    def log1pexp(x): return np.log1p(np.exp(x))
    def fwd(x): return log1pexp(x), x          # outputs and residuals
    def bwd(x, g): return (g * (1 - 1 / (1 + np.exp(x))),)   # one cotangent per argument
    log1pexp.defvjp(fwd, bwd)

    @pullback.custom_jvp
    def f(x): ...
    f.defjvp(lambda primals, tangents: (f(*primals), ...))     # outputs, output tangents

Called outside differentiated code these are the plain function.  Inside it the
frontend (``frontend/custom_calls.py``) lowers the function and its rule functions
like any user code and marks the call with an ``ir.CustomRule``; the transforms
(``transforms/custom_calls.py``) use the rule in every mode and order, and every
backend prints the rule functions like other user functions.

Invariant: an object here is recognised by its ``pullback_rule`` attribute ("vjp"
or "jvp"); a rule is required before the function is differentiated.
"""
import contextlib
import functools

from .rules.registry import changed

_RECORDING = []     # while check_grad runs f: [(rule object, its first call's arguments)]


@contextlib.contextmanager
def recording():
    """Note the arguments of each custom function's first call (``rule_check.py``)."""
    calls = []
    _RECORDING.append(calls)
    try:
        yield calls
    finally:
        _RECORDING.remove(calls)


def _note(rule, args):
    for calls in _RECORDING:
        if not any(r is rule for r, _ in calls):
            calls.append((rule, tuple(args)))


class custom_vjp:
    """A function whose reverse-mode derivative is ``bwd`` (``defvjp``)."""
    pullback_rule = "vjp"

    def __init__(self, fun):
        functools.update_wrapper(self, fun)
        self.fun = fun
        self.fwd = self.bwd = None

    def defvjp(self, fwd, bwd):
        """``fwd(*args) -> (output, residuals)``; ``bwd(residuals, g) -> tuple`` with
        one cotangent per argument (None for an argument without a derivative)."""
        self.fwd, self.bwd = fwd, bwd
        changed()       # derivatives made with the old rule are made again
        return self

    def __call__(self, *args, **kwargs):
        if not kwargs:
            _note(self, args)
        return self.fun(*args, **kwargs)


class custom_jvp:
    """A function whose forward-mode derivative is ``jvp`` (``defjvp``)."""
    pullback_rule = "jvp"

    def __init__(self, fun):
        functools.update_wrapper(self, fun)
        self.fun = fun
        self.jvp = None

    def defjvp(self, jvp):
        """``jvp(primals, tangents) -> (output, output tangent)``, linear in the tangents."""
        self.jvp = jvp
        changed()
        return jvp

    def __call__(self, *args, **kwargs):
        if not kwargs:
            _note(self, args)
        return self.fun(*args, **kwargs)


__all__ = ["custom_jvp", "custom_vjp"]
