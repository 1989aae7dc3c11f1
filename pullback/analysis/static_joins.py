"""Names that hold a constant of no numeric type (None, a string) on one path and a
number or an array on another.

Python lets ``y = None`` be followed by ``y = 2.0 * x``.  A variable's IR type is the
join of everything assigned to it, and a static constant joined with a number is
``any``: a type no derivative flows through, so the number's derivative would be
dropped without a word (``grad`` gave 0.0).  Two steps make that sound:

- ``drop_dead_static_stores``, before typing: a store of such a constant that no read
  can see (overwritten on every path first: the declare-first style
  ``y = None; if c: y = a else: y = b``) is removed, so ``y`` types as what it holds;

      y = copy(None)              t1 = gt(x, 0)
      t1 = gt(x, 0)        ->     if t1:
      if t1:                        y = mul(x, 2.0)
        y = mul(x, 2.0)           else:
      else:                         y = mul(x, 3.0)
        y = mul(x, 3.0)           return y
      return y

- ``check_static_joins``, after typing: a variable typed ``any`` that is also assigned
  a differentiable value (``prev = None`` before a loop that sets ``prev = v``; a
  value that stays None on some path) is rejected at that constant's line.

Invariant: after both, no variable both holds a value of another kind (a static
constant, a list) and is assigned a number or an array while typed ``any``: such a
function was rejected.  (An array joined with None types as the array: ``y is None``
on it stays a run-time test, ``types._fold_shapes``.)
"""
from dataclasses import replace

from ..errors import UnsupportedError
from ..ir import Assign, Const, For, If, While
from ..ir.nodes import type_of_value
from ..ir.types import ANY, STATIC, is_differentiable
from ..ir.walk import walk
from .liveness import live_before_stmt, loop_head


def _static_store(s):
    return type(s) is Assign and s.op == "copy" and isinstance(s.args[0], Const) and \
        type_of_value(s.args[0].value) == STATIC


def drop_dead_static_stores(module):
    """``module`` without the stores of static constants that no read sees."""
    if not any(_static_store(s) for fn in module.functions for s in walk(fn.body)):
        return module
    return replace(module, functions=tuple(replace(fn, body=_pruned(fn.body, set()))
                                           for fn in module.functions))


def _pruned(stmts, after):
    out, live = [], set(after)
    for s in reversed(stmts):
        if _static_store(s) and s.target.name not in live:
            continue
        if isinstance(s, If):
            s = replace(s, body=_pruned(s.body, live), orelse=_pruned(s.orelse, live))
        elif isinstance(s, (For, While)):
            s = replace(s, body=_pruned(s.body, loop_head(s, live)))
        live = live_before_stmt(s, live)
        out.append(s)
    return tuple(reversed(out))


def check_static_joins(module):
    """Raise where a variable typed ``any`` is also assigned a differentiable value: at
    the static constant it holds on another path, else at the differentiable value
    (``[items] and 2.0 * x``: a list on one path, a number on the other)."""
    for fn in module.functions:
        stores = {}
        for s in walk(fn.body):
            if type(s) is Assign and s.target.type == ANY:
                stores.setdefault(s.target.name, []).append(s)
        for name, group in stores.items():
            active = next((s for s in group if not _static_store(s) and any(
                is_differentiable(getattr(a, "type", None)) for a in s.args)), None)
            if active is None or not any(_other_kind(s) for s in group):
                continue        # (one operation typed 'any' is no join of two kinds)
            const = next((s for s in group if _static_store(s)), None)
            if const is not None:
                raise UnsupportedError.at(
                    const.loc or active.loc,
                    f"'{name}' holds {const.args[0].value!r} here and a number or array on "
                    f"another path (line {_line(active)}): a name holds one kind of value "
                    "for its derivative to follow (mark 'not set yet' with a separate flag, "
                    "or give it a value on every path)", "a name that is None on some paths")
            raise UnsupportedError.at(
                active.loc or next((s.loc for s in group if s.loc is not None), fn.loc),
                "a value that is a number or array on one path and of another "
                "kind (a list, a string, None) on another: its derivative cannot follow it",
                "a value of two kinds")
    return module


def _other_kind(s):
    """A store of a value of no number or array type: a static constant, a list."""
    if _static_store(s):
        return True
    t = getattr(s.args[0], "type", None) if s.op == "copy" and s.args else None
    return t is not None and not is_differentiable(t) and t not in ("int", "bool")


def _line(s):
    return s.loc.line if s.loc is not None else "?"
