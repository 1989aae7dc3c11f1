"""Activity: which variables carry derivatives.

A variable is *varied* if it depends differentiably on an active input and
*useful* if the output depends differentiably on it; it is *active* if both.
Only float and complex variables are active.  An active complex value (a complex
intermediate of a real loss) is differentiated with JAX's convention (rules/complex.py)
only where every primitive it reaches has a complex rule (``COMPLEX_RULES``) and the
backend is Python (``COMPLEX``); anywhere else it is rejected at the line that makes
or reads it, never dropped as a zero.  The analysis is flow-insensitive per name
(the frontend's versioning makes that precise for straight-line code) and
iterates to a fixpoint, so loops need no special case.  A call is treated as
differentiable in every float argument; the callee is analysed again for the
activity pattern of each call site.

    def f(x, n):            active: x, t1, y      (n is an int, k never reaches y)
        k = n * 2
        t1 = sin(x)
        y = t1 * 3.0
        return y
"""
from contextvars import ContextVar

import numpy as np

from ..errors import UnsupportedError
from ..ir import Assign, Call, Pop, Push, Return, Var
from ..ir.types import Array, is_differentiable
from ..ir.walk import walk
from ..rules import PRIMITIVES
from ..rules.registry import COMPLEX_RULES

# False while a backend that differentiates real floats only (Numba, C) is derived
COMPLEX = ContextVar("complex_derivatives", default=True)


def diff_args(stmt):
    """The argument positions through which an Assign propagates derivatives."""
    if stmt.op == "copy":
        return [0]
    return PRIMITIVES[stmt.op].diff_positions()


def _float(a):
    # generated code (forward over reverse): tapes and residuals hold derivative carriers
    return isinstance(a, Var) and (is_differentiable(a.type) or a.type in ("tape", "residual")
                                   or _complex(a))


def _complex(a):
    return isinstance(a.type, Array) and np.dtype(a.type.dtype).kind == "c"


def active_vars(fn, active_params, known_items=None):
    """``known_items``: flags of residual parameters whose items' tangents are known
    (transforms/residual_items.py): an item unpacked at an unflagged position is not
    varied by its residual."""
    known_items = known_items or {}
    varied = {p.name for p in fn.params if p.name in active_params and _float(p)}
    useful = set()
    stmts = list(walk(fn.body))
    for s in stmts:
        if isinstance(s, Return):
            useful |= {a.name for a in s.values if _float(a)}
    edges = []          # (differentiable inputs, outputs) per statement, in order
    for s in stmts:
        if isinstance(s, Assign) and _float(s.target):
            if s.op == "item" and _unflagged(s.args, known_items):
                continue
            ins = list(s.args) if s.op in ("pack", "item") else \
                [s.args[i] for i in diff_args(s)]
            outs = [s.target]
        elif isinstance(s, (Push, Pop)):
            ins, outs = ([s.value], [s.tape]) if isinstance(s, Push) else ([s.tape], [s.target])
        elif isinstance(s, Call):
            ins, outs = list(s.args), [t for t in s.targets if _float(t)]
        else:
            continue
        edges.append(([a.name for a in ins if _float(a)], [o.name for o in outs]))
    # varied flows forward and useful backward: reachability over the edges, each edge
    # followed once (the least fixpoint of sweeping both ways until nothing changes)
    by_in, by_out = {}, {}
    for k, (ins, outs) in enumerate(edges):
        for a in ins:
            by_in.setdefault(a, []).append(k)
        for o in outs:
            by_out.setdefault(o, []).append(k)
    varied, useful = _reach(varied, by_in, edges, 1), _reach(useful, by_out, edges, 0)
    _reject_unknown(stmts, varied, useful)
    active = varied & useful
    _check_complex(stmts, active)
    _check_constant_of_complex(stmts, varied, useful)
    return active


def _unflagged(args, known_items):
    res, index = args
    flags = known_items.get(res.name) if isinstance(res, Var) else None
    return flags is not None and not flags[index.value]


def _check_constant_of_complex(stmts, varied, useful):
    """A primitive declared constant (``np.sign``: zero derivative) is not constant
    in a complex argument (``sign(z) = z / |z|``): rejected, never a zero."""
    for s in stmts:
        prim = PRIMITIVES.get(s.op) if isinstance(s, Assign) else None
        if prim is None or s.op in COMPLEX_RULES or s.target.name not in useful or \
                not (_complex(s.target) or is_differentiable(s.target.type)):
            continue
        if any(isinstance(a, Var) and a.name in varied and _complex(a) for a in s.args) and \
                (prim.zero_derivative or not prim.differentiable):
            raise UnsupportedError.at(s.loc, f"cannot differentiate '{prim.syntax.text or s.op}' "
                                      "of a complex value: it has no rule for complex "
                                      "arguments", "complex")


def _check_complex(stmts, active):
    """An active complex value made or read by a primitive without a complex rule, or on
    a backend without complex derivatives: an error at that line."""
    for s in stmts:
        if not isinstance(s, Assign) or s.target.name not in active:
            continue
        seen = [a for a in (s.target,) + tuple(s.args) if isinstance(a, Var)
                and a.name in active and _complex(a)]
        if not seen:
            continue
        if not COMPLEX.get():
            raise UnsupportedError.at(s.loc, f"cannot differentiate through a complex value "
                                      f"({seen[0].type}) here: this backend differentiates "
                                      "real floats only (backend='python' differentiates "
                                      "complex intermediates)", "complex")
        prim = PRIMITIVES.get(s.op)
        made = prim is not None and prim.zero_derivative and seen == [s.target]
        if s.op not in COMPLEX_RULES and not made:    # (np.zeros of a complex adjoint: made)
            name = prim.syntax.text if prim is not None else s.op
            raise UnsupportedError.at(s.loc, f"cannot differentiate '{name or s.op}' of a "
                                      f"complex value ({seen[0].type}): it has no rule for "
                                      "complex arguments", "complex")


def _reject_unknown(stmts, varied, useful):
    """A derivative that flows through a parameter declared ``NO_RULE`` (its rule is
    not known, e.g. gammainc in ``a``) is an error at the line, not a silent zero."""
    for s in stmts:
        prim = PRIMITIVES.get(s.op) if isinstance(s, Assign) else None
        if prim is None or s.target.name not in useful:
            continue
        for i in prim.no_rule_positions():
            a = s.args[i]
            if isinstance(a, Var) and a.name in varied:
                name = prim.syntax.text or s.op
                raise UnsupportedError.at(
                    s.loc, f"no derivative of '{name}' with respect to its argument "
                    f"'{prim.params[i]}' is known: make that argument a constant, or "
                    "declare a rule for it", s.op)


def _reach(found, index, edges, side):
    """``found`` closed under: a name in found reaches ``edges[k][side]`` for each k
    in ``index[name]`` (side 1: outputs of edges it enters; 0: inputs of edges it leaves)."""
    todo, seen = list(found), set()
    while todo:
        for k in index.get(todo.pop(), ()):
            if k not in seen:
                seen.add(k)
                for n in edges[k][side]:
                    if n not in found:
                        found.add(n)
                        todo.append(n)
    return found
