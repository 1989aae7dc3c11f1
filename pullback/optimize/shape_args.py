"""Arguments read only for their type point at a value that is there anyway.

A reverse rule passes the primal ``x`` to ``expand_to(g, x, axis, keepdims)`` only so the
helper knows ``np.shape(x)``; without this pass that one read keeps the forward value alive,
and gradient-only code computes it although its other use (the primal result) is gone::

    t12 = add(t7, t11)                           (only read below, for its shape (20,))
    t_5 = expand_to(-1.0, t12, None, False)  ->  t_5 = expand_to(-1.0, y, None, False)

where ``y`` is a parameter of the very same type ``float64[20]``; dead-code elimination
then drops ``t12`` and everything only it read.  A scalar in such a place becomes a
constant of its type (``0.0``).  Where no parameter has the type, the stand-in is a
variable of that type which something other than a type-only read keeps alive, defined
on every path to the read (earlier in the same block, or in a block around it): the
MLP's ``logz = log(t9) + zmax`` (float64[64, 1]) read by ``unbroadcast(t_3, logz)``
becomes ``unbroadcast(t_3, zmax_bar)``, and ``logz`` goes.

Invariant: an argument is replaced only at a position listed in ``TYPE_ONLY`` (the helper
reads nothing of it but its shape, ndim and dtype: see ``rules/np_helpers.py``), only when
its type is a scalar or an array of static shape, and only by an atom of an equal type (a
parameter, a constant, or a variable every write of which has that type and which is
assigned before the read on every path), so every backend prints the same result for the
same types and the helper's value is unchanged.  An argument that a parameter can't stand
for and that is live anyway stays, and a stand-in is always live anyway, so run again it
changes nothing.
"""
from dataclasses import replace

from ..ir import Assign, Const, For, If, While
from ..ir.types import is_array
from ..ir.walk import atoms_read, vars_written, walk

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
    parameter, constant or live-anyway variable (the function itself when nothing moves)."""
    if not any(type(s) is Assign and s.op in TYPE_ONLY for s in walk(fn.body)):
        return fn           # (scalar code: no type-only read to move, no analysis to run)
    params = {}
    for p in fn.params:
        if _static(p.type):
            params.setdefault(p.type, p)
    kept = _kept_anyway(fn)
    body, changed = _block(fn.body, _Scope(params, kept, {}))
    return replace(fn, body=body) if changed else fn


class _Scope:
    """What may stand in at a point: ``params`` (by type), ``kept`` (names live anyway,
    each written with one static type only) and ``defined`` (those of them assigned on
    every path to the point, by type, the latest first)."""

    def __init__(self, params, kept, defined):
        self.params, self.kept, self.defined = params, kept, defined

    def inner(self):
        return _Scope(self.params, self.kept, dict(self.defined))

    def define(self, stmt):
        for v in vars_written(stmt):
            if v.name in self.kept:
                self.defined[v.type] = v    # the latest: its value lives the shortest


def _kept_anyway(fn):
    """Names read other than for their type alone whose every write is sure to make an
    array of one static type (``_arrays``)."""
    writes, read = {}, set()
    for s in walk(fn.body):
        for v in vars_written(s):
            writes.setdefault(v.name, []).append((v.type, s))
        skip = TYPE_ONLY.get(s.op, ()) if isinstance(s, Assign) else ()
        if skip:
            read.update(a.name for i, a in enumerate(s.args)
                        if i not in skip and hasattr(a, "name"))
        else:
            read.update(v.name for v in atoms_read(s))
    return read & _arrays(fn.params, writes)


def _arrays(params, writes):
    """Names sure to hold an array of their one static type: array parameters never
    assigned, and names each write of which is an operation reading such a name.  A
    variable typed as an array can hold a scalar: a zero adjoint is ``copy(0.0)`` until
    zero_arrays.py makes it an array, and an operation on nothing but such a value and
    constants is a scalar too; the least fixpoint keeps only what an array argument makes."""
    sure = {p.name for p in params if is_array(p.type) and p.type.static and p.name not in writes}
    grew = True
    while grew:
        grew = False
        for name, ws in writes.items():
            if name not in sure and len({t for t, _ in ws}) == 1 and \
                    is_array(ws[0][0]) and ws[0][0].static and \
                    all(isinstance(s, Assign) and any(getattr(a, "name", None) in sure
                                                      for a in s.args) for _, s in ws):
                sure.add(name)
                grew = True
    return sure


def _static(t):
    return (is_array(t) and t.static) or t in _ZERO


def _stand_in(a, scope):
    t = getattr(a, "type", None)
    if isinstance(a, Const) or not _static(t) or a in scope.params.values():
        return None
    if not is_array(t):
        return Const(_ZERO[str(t)])
    if t in scope.params:
        return scope.params[t]
    if a.name in scope.kept:
        return None
    return scope.defined.get(t)


def _block(stmts, scope):
    out, changed = [], False
    for s in stmts:
        new = _stmt(s, scope)
        changed = changed or new is not s
        out.append(new)
        scope.define(new)
    return (tuple(out), True) if changed else (stmts, False)


def _stmt(s, scope):
    if isinstance(s, Assign) and s.op in TYPE_ONLY:
        args = list(s.args)
        for i in TYPE_ONLY[s.op]:
            if i < len(args):
                new = _stand_in(args[i], scope)
                if new is not None:
                    args[i] = new
        return replace(s, args=tuple(args)) if args != list(s.args) else s
    if isinstance(s, If):
        body, c1 = _block(s.body, scope.inner())
        orelse, c2 = _block(s.orelse, scope.inner())
        return replace(s, body=body, orelse=orelse) if c1 or c2 else s
    if isinstance(s, (For, While)):
        inner = scope.inner()
        inner.define(s)                 # a For's index
        body, c = _block(s.body, inner)
        return replace(s, body=body) if c else s
    return s
