"""``pullback.defvjp(fun, *makers)``: a derivative for a library function (autograd's form).

    pullback.defvjp(scipy.special.kv, None,
                    lambda ans, v, z: lambda g: -g * (kv(v - 1, z) + kv(v + 1, z)) / 2)

Existing code that calls ``scipy.special.kv(v, z)`` then differentiates: one maker per
positional argument, ``maker(ans, *args)`` returning the map ``g -> cotangent`` (None:
no derivative through that argument).  The library function becomes a primitive that
prints as itself (``scipy.special.kv(v, z)``), and a ``custom_vjp`` is written for it as
Python source (registered with ``linecache``, so the frontend reads it like any user
function); the frontend consults these rules before it rejects calls into libraries, so
every mode and order goes through the custom-rule machinery.  The makers are the user's
own functions: they are lowered from the user's file and errors name its lines.

Invariants: one rule per library function (a later ``defvjp`` replaces it); the forward
rule calls the rule itself, so the function differentiates again where the makers do.
"""
from __future__ import annotations

import importlib
import linecache
from typing import Callable, Optional

from .custom import custom_vjp
from .rules.registry import (LIBRARY_MODULES, LIBRARY_RULES, Syntax, changed, numpy_result,
                             register)


def defvjp(fun: Callable, *makers: Optional[Callable]) -> Callable:
    """Give library function ``fun`` a reverse-mode rule: ``makers[i](ans, *args)`` returns
    ``g -> cotangent of argument i`` (None: argument ``i`` has no derivative; one taken with
    respect to it is an error at the call)."""
    name = getattr(fun, "__name__", None)
    if not callable(fun) or not name:
        raise TypeError(f"defvjp needs a named library function, not {fun!r}")
    if not makers:
        raise TypeError("defvjp needs one maker (or None) per positional argument")
    module = _home(fun, name)
    LIBRARY_MODULES.add(module)
    params = ", ".join(f"x{i}" for i in range(len(makers)))

    def raw(*args):
        return fun(*args)
    register(f"lib_{module.replace('.', '_')}_{name}", fun, [f"x{i}" for i in range(len(makers))],
             None, numpy_result, Syntax("call", f"{module}.{name}"), python=(raw,))
    cts = ", ".join("0.0 * x%d" % i if m is None else f"_maker{i}(ans, {params})(g)"
                    for i, m in enumerate(makers))
    text = (f"def {name}({params}):\n    return _raw({params})\n\n\n"
            f"def {name}_fwd({params}):\n    ans = _rule({params})\n"
            f"    return ans, (ans, {params})\n\n\n"
            f"def {name}_bwd(res, g):\n    ans, {params} = res\n    return ({cts},)\n")
    filename = f"<pullback.defvjp rule for {module}.{name}>"
    linecache.cache[filename] = (len(text), None, text.splitlines(True), filename)
    rule = custom_vjp.__new__(custom_vjp)
    namespace = {"_raw": raw, "_rule": rule}
    namespace.update({f"_maker{i}": m for i, m in enumerate(makers) if m is not None})
    exec(compile(text, filename, "exec"), namespace)
    rule.__init__(namespace[name])
    rule.defvjp(namespace[f"{name}_fwd"], namespace[f"{name}_bwd"])
    rule.undefined = tuple(i for i, m in enumerate(makers) if m is None)   # refused if needed
    LIBRARY_RULES[fun] = rule
    changed()
    return fun


def _home(fun, name):
    """The public module the generated code reaches ``fun`` through."""
    own = getattr(fun, "__module__", None) or ""
    public = ".".join(p for p in own.split(".") if not p.startswith("_"))
    for candidate in (public, own, "scipy.special", "numpy", "math"):
        if not candidate:
            continue
        try:
            if getattr(importlib.import_module(candidate), name, None) is fun:
                return candidate
        except ImportError:
            continue
    raise TypeError(f"defvjp: {fun!r} is not reachable as module.{name} for the generated "
                    "code to call; wrap it in a def and use pullback.custom_vjp")


__all__ = ["defvjp"]
