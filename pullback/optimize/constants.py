"""Constant and copy propagation with folding; this is what removes zero adjoints.

A forward dataflow tracks variables known to hold a constant or a copy of
another variable; operands are replaced by what they are known to hold and
the statement folded (``x * 1.0`` is ``x``, ``0.0 + c`` is ``c``).  The
reverse transform starts every adjoint at zero and accumulates, so this pass
turns

    x_bar = 0.0                          x_bar = 0.0          (dead, removed by DCE)
    x_bar = x_bar + cos(x) * y_bar   ->  x_bar = cos(x) * y_bar

At a loop head only the facts that hold on entry and after every iteration
survive (iterated to a fixpoint); after a branch, those that hold on both sides.
"""
from dataclasses import replace

from ..ir import Assign, Call, Const, For, If, NewTape, Pop, Push, Return, Var, While
from ..ir.names import is_temp
from ..ir.types import IndexT, is_array, is_differentiable
from ..transforms.emit_rule import fold


def propagate_constants(fn):
    body, _ = _block(fn.body, Facts())
    return replace(fn, body=body)


def _sub(a, known):
    return known.get(a.name, a) if isinstance(a, Var) else a


class Facts(dict):
    """name -> the constant or variable it is known to hold, with a reverse index
    so that assigning a variable forgets the copies of it in O(copies)."""

    def __init__(self, *args):
        super().__init__(*args)
        self.users = {}
        for k, v in self.items():
            self._index(k, v)

    def _index(self, k, v):
        if isinstance(v, Var):
            self.users.setdefault(v.name, set()).add(k)

    def __setitem__(self, k, v):
        self.pop(k, None)
        super().__setitem__(k, v)
        self._index(k, v)

    def pop(self, k, *default):
        v = super().pop(k, *default)
        if isinstance(v, Var):
            self.users.get(v.name, set()).discard(k)
        return v

    def copy(self):
        return Facts(self)


def _block(stmts, known):
    known = known.copy()
    out = []
    for s in stmts:
        s, known = _stmt(s, known)
        out.extend(s if isinstance(s, tuple) else (s,))
    return tuple(out), known


def _meet(a, b):
    return Facts({k: v for k, v in a.items() if k in b and b[k] == v and type(b[k]) is type(v)
                  and (not isinstance(v, Const) or type(b[k].value) is type(v.value))})


def _kill(known, names):
    """Forget what ``names`` held and every copy of them (in place)."""
    for n in names:
        known.pop(n, None)
        for k in list(known.users.pop(n, ())):
            known.pop(k, None)
    return known


def _stmt(s, known):
    if isinstance(s, Assign):
        args = tuple(_sub(a, known) for a in s.args)
        # statements with a source position are the user's: fold them as floats compute
        value = args[0] if s.op == "copy" else fold(s.op, args, exact=s.loc is not None)
        if isinstance(value, tuple):
            s, value = Assign(s.target, value[0], value[1], s.loc), None
            args = s.args
        if value is not None and _fits(value, s.target):
            s = Assign(s.target, "copy", (value,), s.loc)
        else:
            s = replace(s, args=args)
        known = _kill(known, [s.target.name])
        if s.op == "copy":
            v = s.args[0]
            if v == s.target:
                return (), known
            # keep user-named copies of temporaries: the temporary folds away instead
            if _fits(v, s.target) and not (isinstance(v, Var) and is_temp(v.name)
                                           and not is_temp(s.target.name)):
                known[s.target.name] = v
        return s, known
    if isinstance(s, Call):
        s = replace(s, args=tuple(_sub(a, known) for a in s.args))
        return s, _kill(known, [t.name for t in s.targets])
    if isinstance(s, Pop):
        return s, _kill(known, [s.target.name])
    if isinstance(s, Push):
        return replace(s, value=_sub(s.value, known)), known
    if isinstance(s, NewTape):
        return s, _kill(known, [s.tape.name])
    if isinstance(s, Return):
        return replace(s, values=tuple(_sub(a, known) for a in s.values)), known
    if isinstance(s, If):
        cond = _sub(s.cond, known)
        if isinstance(cond, Const):
            return _block(s.body if cond.value else s.orelse, known)
        body, kb = _block(s.body, known)
        orelse, ko = _block(s.orelse, known)
        return replace(s, cond=cond, body=body, orelse=orelse), _meet(kb, ko)
    if isinstance(s, (For, While)):
        entry = known
        if isinstance(s, For):
            entry = _kill(known, [s.var.name])
        head = entry
        while True:
            body, end = _block(s.body, head)
            new = _meet(head, end)
            if new == head:
                break
            head = new
        if isinstance(s, For):
            s = replace(s, start=_sub(s.start, known), stop=_sub(s.stop, known),
                        step=_sub(s.step, known), body=body)
            after = _kill(head, [s.var.name])
        else:
            s = replace(s, body=body)
            after = _meet(head, end)
        return s, after
    return s, known


def _fits(value, target):
    """Whether ``target`` may be replaced by ``value`` without changing its type."""
    if isinstance(value, Var):
        if is_array(value.type) and is_array(target.type):    # shapes may be known to one only
            return value.type.dtype == target.type.dtype
        return value.type == target.type and target.type not in ("tape", "residual", "any")
    kinds = {"float": float, "int": int, "bool": bool}
    if target.type in ("index", "static", "shape") or isinstance(target.type, IndexT):
        return True         # indices, shapes: any constant
    if is_array(target.type):      # a float constant stands for a broadcast array of it
        return isinstance(value.value, float) and is_differentiable(target.type)
    return type(value.value) is kinds.get(target.type)
