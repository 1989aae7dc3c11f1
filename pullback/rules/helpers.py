"""Runtime helpers that generated code calls where Python has no builtin.

Each is plain Python over floats; the Python backend copies the source of the
ones a module uses into that module, so emitted files stand alone.  Each has
a primitive with its own rule in ``rules.scalar`` (so derivatives of
generated code differentiate too).
"""
import math

# checkpointed loops call these (rules/schedule.py); listed here so backends copy them
from .schedule import checkpoint_next, checkpoint_split, checkpoint_start  # noqa: F401


def stop_gradient(x):
    """``x``'s value, through which no derivative flows in any mode (pullback.stop_gradient);
    an array comes back as a new array, so writes to it never reach ``x``."""
    return +x


def real_pow(a, b):
    """``a ** b`` of scalars, raising where Python's value is complex (``(-2.0) ** 0.5``):
    pullback differentiates real numbers only (backends/float_checks.py).  A NumPy float
    (``float(x[0])`` whose float() typing dropped) is taken as the float it stands for,
    as Numba and C take it."""
    y = (float(a) if isinstance(a, float) else a) ** b      # (np.float64 is a float)
    if type(y) is complex:
        raise ValueError("a negative number to a non-integer power is a complex number in "
                         "Python, which pullback does not differentiate")
    return y


def sign(x):
    # float(...) first: a NumPy scalar's comparisons are np.bool_, which do not subtract
    return float(x > 0) - float(x < 0)


def np_maximum(a, b):
    """np.maximum of two numbers: NaN propagates, and at a tie (-0.0 against 0.0 too) the
    result is ``b``, as NumPy's loop ``(a > b || a != a) ? a : b``.  (Named np_: a user's
    ``maximum`` is a name in the generated code.)"""
    return a if a > b or a != a else b


def np_minimum(a, b):
    return a if a < b or a != a else b


def np_clip(x, lo, hi):
    """np.clip of numbers: NaN in any argument propagates; at a tie the result is ``x``
    (NumPy's scalar clip: ``x`` when it is NaN, else ``lo`` only where ``lo > x`` or ``lo``
    is NaN, then ``hi`` only where ``hi`` is below that or NaN)."""
    if x != x:
        return x
    t = lo if lo > x or lo != lo else x
    return hi if hi < t or hi != hi else t


def polygamma(n, x):
    """The n-th derivative of digamma, for integer n >= 0 and x > 0."""
    acc = 0.0
    while x < 10.0:
        # recurrence: psi^(n)(x) = psi^(n)(x + 1) - (-1)^n n! / x^(n+1)
        acc -= (-1.0) ** n * math.factorial(n) / x ** (n + 1)
        x += 1.0
    # asymptotic series in 1/x with Bernoulli numbers B2..B16; powers of 1/x, which
    # underflow to 0 where powers of a large x would raise OverflowError
    bern = (1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6, -3617 / 510)
    inv = 1.0 / x
    if n == 0:
        s = math.log(x) - 0.5 * inv
        for k, b in enumerate(bern, 1):
            s -= b * inv ** (2 * k) / (2 * k)
        return acc + s
    sg = (-1.0) ** (n + 1)
    s = math.factorial(n - 1) * inv ** n + math.factorial(n) * inv ** (n + 1) / 2
    for k, b in enumerate(bern, 1):
        s += b * math.factorial(2 * k + n - 1) / math.factorial(2 * k) * inv ** (2 * k + n)
    return acc + sg * s


def run_effect(spec, *values):
    """A statement with no numerical effect (``rules.effects``): ``spec`` is the literal
    text of ``(kind, what, args, keywords)``, each argument ``("v",)`` (the next of
    ``values``), ``("c", constant)`` or ``("f", template)`` (an f-string, formatted with
    the next values); ``kind`` is print, warn, log, raise, errstate or errstate_end."""
    import ast
    import builtins
    import logging
    import warnings
    import numpy as np
    kind, what, args, keywords = ast.literal_eval(spec)
    it = iter(values)

    def value(a):
        if a[0] == "v":
            return next(it)
        if a[0] == "c":
            return a[1]
        if a[0] == "t":
            return getattr(builtins, a[1])
        return a[1].format(*[next(it) for _ in range(a[2])])
    pos = [value(a) for a in args]
    kw = {k: value(a) for k, a in keywords}
    if kind == "print":
        print(*pos, **kw)
    elif kind == "warn":
        warnings.warn(*pos, **kw)
    elif kind == "log":
        getattr(logging, what)(*pos, **kw)
    elif kind == "raise":
        raise getattr(builtins, what)(*pos)
    elif kind == "errstate":
        run_effect.saved = getattr(run_effect, "saved", []) + [np.seterr(**kw)]
    elif kind == "errstate_end":
        np.seterr(**run_effect.saved.pop())


def run_draw(rng, spec, *values):
    """``rng.<method>(...)`` as ``spec`` spells it: ``(kind, method, args, keywords)``,
    each argument ``("c", constant)``, ``("v",)`` (the next of ``values``) or ``("s",)``
    (the next value, spread)
    (``rules.draws``)."""
    import ast
    _, method, args, keywords = ast.literal_eval(spec)
    it = iter(values)

    def value(a):
        return a[1] if a[0] == "c" else next(it)
    pos = []
    for a in args:              # ("s",): a run-time tuple spread (rs.randn(*x.shape))
        pos += list(next(it)) if a[0] == "s" else [value(a)]
    return getattr(rng, method)(*pos, **{k: value(a) for k, a in keywords})


def python_only(what):
    """Marks code that only the python backend runs (``rules.effects``): ``what`` names
    it in the other backends' rejection; nothing happens at run time."""


def solver_failed(failed, kind, message):
    """Where a SciPy solver raises (``implicit.py``, ``scipy_optimize.py``): ValueError
    for ``kind`` 'value', RuntimeError otherwise, as SciPy does."""
    if failed:
        raise ValueError(message) if kind == "value" else RuntimeError(message)


def check_assert(cond, message=None):
    """``assert cond, message`` as a call (``rules.effects``)."""
    if not cond:
        raise AssertionError(message) if message is not None else AssertionError()
