"""Arguments read only for their type point at a value that is there anyway.

A reverse rule passes the primal ``x`` to ``expand_to(g, x, axis, keepdims)`` only so the
helper knows ``np.shape(x)``; without this pass that one read keeps the forward value alive,
and gradient-only code computes it although its other use (the primal result) is gone::

    t12 = add(t7, t11)                           (only read below, for its shape (20,))
    t_5 = expand_to(-1.0, t12, None, False)  ->  t_5 = expand_to(-1.0, y, None, False)

where ``y`` is a parameter of the very same type ``float64[20]``; dead-code elimination
then drops ``t12`` and everything only it read.  A scalar in such a place becomes a
constant of its type (``0.0``).

Invariant: an argument is replaced only at a position listed in ``TYPE_ONLY`` (the helper
reads nothing of it but its shape, ndim and dtype: see ``rules/np_helpers.py``), only when
its type is a scalar or an array of static shape, and only by an atom of an equal type (a
parameter, or a constant), so every backend prints the same result for the same types and
the helper's value is unchanged.  Nothing else is rewritten; run again it changes nothing.
"""
from dataclasses import replace

from ..ir import Assign, Const, For, If, While
from ..ir.types import is_array

# op -> positions read only for their type (shape, ndim, dtype)
TYPE_ONLY = {
    "unbroadcast": (1,), "expand_like": (1,), "expand_to": (1,), "count": (0,),
    "getitem_vjp": (1,), "like": (1,), "matmul_vjp_a": (1,), "matmul_vjp_b": (2,),
    "concat_first": (1,), "concat_second": (1,), "hstack_first": (1,), "hstack_second": (1,),
    "tile_vjp": (1,), "repeat_vjp": (1,), "pad_vjp": (1,), "take_vjp": (1,),
    "take_along_axis_vjp": (1,), "astype_like": (1,), "diag_vjp": (1,), "trace_vjp": (1,),
    "split_part_vjp": (1,), "array_split_part_vjp": (1,), "dim": (0,),
}
_ZERO = {"float": 0.0, "int": 0, "bool": False}


def free_type_only_args(fn):
    """``fn`` with each type-only read of a computed value moved to an equal-typed
    parameter or constant (the function itself when nothing moves)."""
    params = {}
    for p in fn.params:
        if _static(p.type):
            params.setdefault(p.type, p)
    body, changed = _block(fn.body, params)
    return replace(fn, body=body) if changed else fn


def _static(t):
    return (is_array(t) and t.static) or t in _ZERO


def _stand_in(a, params):
    t = getattr(a, "type", None)
    if isinstance(a, Const) or not _static(t) or a in params.values():
        return None
    if not is_array(t):
        return Const(_ZERO[str(t)])
    return params.get(t)


def _block(stmts, params):
    out, changed = [], False
    for s in stmts:
        new = _stmt(s, params)
        changed = changed or new is not s
        out.append(new)
    return (tuple(out), True) if changed else (stmts, False)


def _stmt(s, params):
    if isinstance(s, Assign) and s.op in TYPE_ONLY:
        args = list(s.args)
        for i in TYPE_ONLY[s.op]:
            if i < len(args):
                new = _stand_in(args[i], params)
                if new is not None:
                    args[i] = new
        return replace(s, args=tuple(args)) if args != list(s.args) else s
    if isinstance(s, If):
        body, c1 = _block(s.body, params)
        orelse, c2 = _block(s.orelse, params)
        return replace(s, body=body, orelse=orelse) if c1 or c2 else s
    if isinstance(s, (For, While)):
        body, c = _block(s.body, params)
        return replace(s, body=body) if c else s
    return s
