"""Statements with no numerical effect: ``print``, ``logging.info`` and friends, ``assert``,
and (``effect<k>``, from ``frontend/effects.py``) f-strings, keywords, ``warnings.warn``,
``raise`` and ``with np.errstate``.

They run in the forward sweep only, in the user's order: each is a primitive
with ``pure=False`` (never folded, reordered or dropped as dead code) whose
derivative is zero, so no transform gives it an adjoint or a tangent.  One
primitive per number of arguments (``print2`` is ``print(a, b)``); keyword
arguments (``sep=``, ``end=``) are not taken.

    print("x =", x)          ->  forward sweep: print("x =", x);  reverse sweep: nothing
    assert x > 0, "x > 0"    ->  forward sweep: check_assert(x > 0, "x > 0")
"""
import ast
import logging

from . import helpers
from .helpers import check_assert, run_effect
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
# print with keywords, f-strings, warnings.warn, logging, raise, np.errstate: one helper
# call whose first argument spells the statement (``helpers.run_effect``)
for _k in range(MAX_ARGS + 1):
    nondiff(f"effect{_k}", run_effect, params=" ".join(["spec"] + [f"a{i}" for i in range(_k)]),
            syntax=Syntax("call", "run_effect"), result=_no_value, shape=_no_value, pure=False,
            helper="run_effect")
    EFFECTS.add(f"effect{_k}")
nondiff("check_assert", check_assert, params="cond message",
        syntax=Syntax("call", "check_assert"), result=_no_value, shape=_no_value, pure=False,
        helper="check_assert")
# pullback's own expansions that only the python backend runs (the ODE solvers, ode.py)
nondiff("python_only", helpers.python_only, params="what", python=(helpers.python_only,),
        syntax=Syntax("call", "python_only"), result=_no_value, shape=_no_value, pure=False,
        helper="python_only")
# a solver's failure (implicit.py): raised where SciPy raises, in python and Numba code
nondiff("solver_failed", helpers.solver_failed, params="failed kind message",
        python=(helpers.solver_failed,), syntax=Syntax("call", "solver_failed"),
        result=_no_value, shape=_no_value, pure=False, helper="solver_failed")
EFFECTS.add("solver_failed")


_SHOWN = {"print": "print(...) with keywords or an f-string", "warn": "warnings.warn(...)",
          "raise": "raise", "errstate": "with np.errstate(...)", "errstate_end": "with np.errstate(...)"}


def python_only(op, args):
    """What an ``effect<k>`` statement is, for a backend that cannot run it (None: another op)."""
    if op.startswith("draw") and op[4:].isdigit():
        return (f"a draw from a random generator ('.{ast.literal_eval(args[1].value)[1]}') "
                "runs on the python backend only (backend='python')")
    if op == "python_only":
        return f"{args[0].value} runs on the python backend only (backend='python')"
    if not (op.startswith("effect") and op[6:].isdigit()):
        return None
    kind, what = ast.literal_eval(args[0].value)[:2]
    shown = f"logging.{what}(...)" if kind == "log" else _SHOWN[kind]
    return f"{shown} runs on the python backend only (backend='python'); remove it or use print(a, b)"
