"""Activity: which variables carry derivatives.

A variable is *varied* if it depends differentiably on an active input and
*useful* if the output depends differentiably on it; it is *active* if both.
Only float variables are active.  Complex values take part in the reachability
(a complex intermediate of a real loss carries a derivative) but pullback does
not differentiate them: an active complex variable is rejected at the line
that makes it, never dropped as a zero.  The analysis is flow-insensitive per name
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
import numpy as np

from ..errors import UnsupportedError
from ..ir import Assign, Call, Pop, Push, Return, Var
from ..ir.types import Array, is_differentiable
from ..ir.walk import walk
from ..rules import PRIMITIVES


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


def active_vars(fn, active_params):
    varied = {p.name for p in fn.params if p.name in active_params and _float(p)}
    useful = set()
    stmts = list(walk(fn.body))
    for s in stmts:
        if isinstance(s, Return):
            useful |= {a.name for a in s.values if _float(a)}
    edges = []          # (differentiable inputs, outputs) per statement, in order
    for s in stmts:
        if isinstance(s, Assign) and _float(s.target):
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
    for s in stmts:
        if isinstance(s, Assign) and s.target.name in active and _complex(s.target):
            raise UnsupportedError.at(s.loc, f"cannot differentiate through a complex value "
                                      f"({s.target.type}) made here: pullback "
                                      "differentiates real floats only", "complex")
    return active


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
