"""Statements with no numerical effect: ``print``, ``logging.info`` and friends, ``assert``.

They run in the forward sweep only, in the user's order: each is a primitive
with ``pure=False`` (never folded, reordered or dropped as dead code) whose
derivative is zero, so no transform gives it an adjoint or a tangent.  One
primitive per number of arguments (``print2`` is ``print(a, b)``); keyword
arguments (``sep=``, ``end=``) are not taken.

    print("x =", x)          ->  forward sweep: print("x =", x);  reverse sweep: nothing
    assert x > 0, "x > 0"    ->  forward sweep: check_assert(x > 0, "x > 0")
"""
import logging

from .helpers import check_assert
from .registry import Syntax, nondiff

MAX_ARGS = 8


def _no_value(*types):
    return "float"          # the statement's value (None) is never read


for _k in range(MAX_ARGS + 1):
    _params = " ".join(f"a{i}" for i in range(_k))
    nondiff(f"print{_k}", print, params=_params, python=(print,),
            syntax=Syntax("call", "print"), result=_no_value, shape=_no_value, pure=False)
    for _level in ("debug", "info", "warning", "error"):
        nondiff(f"log_{_level}{_k}", getattr(logging, _level), params=_params,
                python=(getattr(logging, _level),), syntax=Syntax("call", f"logging.{_level}"),
                result=_no_value, shape=_no_value, pure=False)
EFFECTS = {f"{kind}{k}" for k in range(MAX_ARGS + 1)
           for kind in ("print", "log_debug", "log_info", "log_warning", "log_error")}
EFFECTS.add("check_assert")
nondiff("check_assert", check_assert, params="cond message",
        syntax=Syntax("call", "check_assert"), result=_no_value, shape=_no_value, pure=False,
        helper="check_assert")
