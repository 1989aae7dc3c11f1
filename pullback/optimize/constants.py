"""Constant and copy propagation with folding; this is what removes zero adjoints.

A forward dataflow tracks variables known to hold a constant or a copy of
another variable; operands are replaced by what they are known to hold and
the statement folded (``x * 1.0`` is ``x``, ``0.0 + c`` is ``c``).  The
reverse transform starts every adjoint at zero and accumulates, so this pass
turns

    x_bar = 0.0                          x_bar = 0.0          (dead, removed by DCE)
    x_bar = x_bar + cos(x) * y_bar   ->  x_bar = cos(x) * y_bar

Executed (tests/test_idempotent.py runs these examples):

    >>> from pullback.ir import Assign, Const, For, Function, If, Return, Var
    >>> from pullback.ir.printer import format_function
    >>> x, g, x_bar, t, t1 = (Var(n, "float") for n in ("x", "y_bar", "x_bar", "t", "t1"))
    >>> fn = Function("f", (x, g), (Assign(x_bar, "copy", (Const(0.0),)),
    ...     Assign(t, "cos", (x,)), Assign(t1, "mul", (t, g)),
    ...     Assign(x_bar, "add", (x_bar, t1)), Return((x_bar,))))
    >>> print(format_function(propagate_constants(fn)))
    def f(x, y_bar):
      x_bar = copy(0.0)
      t = cos(x)
      t1 = mul(t, y_bar)
      x_bar = copy(t1)
      return x_bar

At a loop head only the facts that hold on entry and after every iteration
survive (iterated to a fixpoint); after a branch, those that hold on both sides.
"""
from dataclasses import replace

from ..ir import (Assign, Call, Const, Extern, For, If, NewTape, Pop, Push, Return, Var,
                  While, derived, literal)
from ..ir.names import fresh_vars, is_temp
from ..ir.types import IndexT, is_array, is_differentiable
from ..ir.walk import walk
from ..rules import PRIMITIVES
from ..rules.algebra import fold
from .inplace_adjoints import owned_accumulations
from .zero_arrays import dtype_arg


def propagate_constants(fn):
    known = Facts()
    writes = [s for s in walk(fn.body) if type(s) is Assign and s.op == "setitem"]
    owned = owned_accumulations(fn) if any(derived(s) for s in writes) else ()
    # (an accumulation into a buffer proven to own its memory is seen by no copy)
    known.written = {s.target.name for s in writes if id(s) not in owned}
    known.temps = _Temps(fn)
    body, _ = _block(fn.body, known)
    return replace(fn, body=body)


def _sub(a, known):
    return known.get(a.name, a) if type(a) is Var else a


class Facts(dict):
    """name -> the constant or variable it is known to hold, with a reverse index
    (``users``: variable -> names holding a copy of it) so that assigning a
    variable forgets the copies of it in O(copies)."""

    written = frozenset()     # arrays written in place: an identity on one copies it
    temps = None              # the function's fresh names (``_Temps``)

    def __init__(self, *args):
        super().__init__(*args)
        self.users = {}
        for k, v in self.items():
            self._index(k, v)

    def _index(self, k, v):
        if type(v) is Var:
            self.users.setdefault(v.name, set()).add(k)

    def __setitem__(self, k, v):
        self.forget(k)
        dict.__setitem__(self, k, v)
        self._index(k, v)

    def forget(self, k):
        """Drop what ``k`` holds (its copies stay: see ``kill``)."""
        v = dict.pop(self, k, None)
        if type(v) is Var:
            users = self.users.get(v.name)
            if users:
                users.discard(k)

    def kill(self, n):
        """Forget what ``n`` held and every copy of it (in place)."""
        if n in self:           # (most targets are fresh: neither known nor copied)
            self.forget(n)
        copies = self.users.pop(n, None)
        if copies:
            for k in copies:
                self.forget(k)

    def copy(self):
        new = Facts()
        dict.update(new, self)
        new.users = {k: set(v) for k, v in self.users.items() if v}
        new.written = self.written
        new.temps = self.temps
        return new


class _Temps:
    """Fresh names from ``ir.names``, the function scanned only when one is asked for."""

    def __init__(self, fn):
        self.fn, self.fresh = fn, None

    def __call__(self, base, type_):
        if self.fresh is None:
            self.fresh = fresh_vars(self.fn)
        return self.fresh(base, type_)


def _block(stmts, known):
    known = known.copy()
    out = []
    for s in stmts:
        s, known = _stmt(s, known)
        if type(s) is tuple:
            out.extend(s)
        else:
            out.append(s)
    return tuple(out), known


def _meet(a, b):
    new = Facts({k: v for k, v in a.items() if k in b and b[k] == v and type(b[k]) is type(v)
                 and (not isinstance(v, Const) or type(b[k].value) is type(v.value))})
    new.written = a.written
    new.temps = a.temps
    return new


def _kill(known, names):
    """Forget what ``names`` held and every copy of them (in place)."""
    for n in names:
        known.kill(n)
    return known


def _assign(s, known):
    args, get, changed = [], known.get, False
    # an in-place write stays on the array it writes: substituting the array it copies
    # would hide that the write is seen through both names (analysis/alias.py)
    in_place = s.op == "setitem" and s.args[0] == s.target
    for i, a in enumerate(s.args):
        if type(a) is Var:
            b = get(a.name, a)
            if in_place and i == 0 and type(b) is Var:
                b = a
            elif s.op == "setitem" and i == 0 and type(b) is Const and is_array(a.type):
                b = a       # an array's 0.0 written into: zero_arrays.py gives it its shape
            changed = changed or b is not a
            a = b
        args.append(a)
    args = tuple(args)
    target = s.target
    # statements with a source position are the user's: fold them as floats compute
    value = args[0] if s.op == "copy" else fold(s.op, args, exact=not derived(s))
    if type(value) is tuple:
        s, value, changed = Assign(target, value[0], value[1], s.loc), None, False
        args = s.args
    lost = _shape_lost(s, value, args, target, known.temps)
    if lost:
        known.kill(target.name)
        return lost, known
    fits = value is not None and _fits(value, target)
    if fits and _needs_own_array(s, value, target, known.written):
        s, fits, changed = Assign(target, "copy_array", (value,), s.loc), False, False
        args = s.args
    if fits:
        if s.op != "copy" or changed:
            s = Assign(target, "copy", (value,), s.loc)
    elif changed:
        s = Assign(target, s.op, args, s.loc)
    known.kill(target.name)
    if s.op == "copy":
        v = s.args[0]
        if v == target:
            return (), known
        # keep user-named copies of temporaries: the temporary folds away instead
        if (fits if v is value else _fits(v, target)) and \
                not (type(v) is Var and is_temp(v.name) and not is_temp(target.name)):
            known[target.name] = v
    return s, known


def _needs_own_array(s, value, target, written):
    """Whether ``target = value`` must copy the array rather than share it."""
    if type(value) is not Var or not is_array(value.type) or value == target:
        return False
    beside_a_write = value.name in written or target.name in written
    if s.op == "copy":
        # a generated ``u_dot = t_dot`` next to a write would show it in both; the user's
        # own ``u = t`` shares, as in NumPy (the alias check rules on it)
        return derived(s) and beside_a_write
    # a folded identity: the user's ``u = t * 1.0`` is a new array (t may be a view of
    # an array written later), and so is a generated one next to a write
    return not derived(s) or beside_a_write


def _shape_lost(s, value, args, target, fresh):
    """An elementwise result of static array type whose operands are all scalars (the
    array ones became constants): ``y_dot = 0.0 + s_dot`` would be a scalar where
    ``np.sum`` needs the shape.  Only a zero may stand for a whole array; any other
    value is made full.  A global array (``Extern``) is an array operand like a variable:
    ``W * x`` keeps its shape (and is left alone, so the rewrite never fires on its own
    output)."""
    t = target.type
    if not is_array(t) or not t.static or s.op in ("copy", "full") or \
            all(d == 1 for d in t.shape):      # one element: a scalar stands for it exactly
        return None
    prim = PRIMITIVES.get(s.op)
    if prim is None or prim.partials is None or \
            any(type(a) is Var and is_array(a.type) or
                type(a) is Const and type(a.value) is Extern for a in args):
        return None     # (a global array is an array operand that never folds)
    if type(value) is Const and not (type(value.value) is float and value.value == 0.0) or \
            type(value) is Var and not is_array(value.type):
        return Assign(target, "full", (Const(t.shape), value, dtype_arg(t)), s.loc)
    if value is not None:
        return None
    tmp = fresh(target.name, "float")
    return (Assign(tmp, s.op, args, s.loc),
            Assign(target, "full", (Const(t.shape), tmp, dtype_arg(t)), s.loc))


def _stmt(s, known):
    t = type(s)
    if t is Assign:
        return _assign(s, known)
    if t is Call:
        s = replace(s, args=tuple(_sub(a, known) for a in s.args))
        return s, _kill(known, [v.name for v in s.targets])
    if t is Pop:
        known.kill(s.target.name)
        return s, known
    if t is Push:
        return replace(s, value=_sub(s.value, known)), known
    if t is NewTape:
        known.kill(s.tape.name)
        return s, known
    if t is Return:     # an array's zero stays a name: zero_arrays gives it its shape there
        return replace(s, values=tuple(a if type(a) is Var and is_array(a.type) else
                                       _sub(a, known) for a in s.values)), known
    if t is If:
        cond = _sub(s.cond, known)
        if literal(cond):       # (a global array's truth is read at run time)
            return _block(s.body if cond.value else s.orelse, known)
        body, kb = _block(s.body, known)
        orelse, ko = _block(s.orelse, known)
        return replace(s, cond=cond, body=body, orelse=orelse), _meet(kb, ko)
    if t is For or t is While:
        entry = known
        if t is For:
            entry = _kill(known, [s.var.name])
        head = entry
        while True:
            body, end = _block(s.body, head)
            new = _meet(head, end)
            if new == head:
                break
            head = new
        if t is For:
            s = replace(s, start=_sub(s.start, known), stop=_sub(s.stop, known),
                        step=_sub(s.step, known), body=body)
            after = _kill(head, [s.var.name])
        else:
            s = replace(s, body=body)
            after = _meet(head, end)
        return s, after
    return s, known


_KINDS = {"float": float, "int": int, "bool": bool}


def _fits(value, target):
    """Whether ``target`` may be replaced by ``value`` without changing its type."""
    if isinstance(value, Var):
        if is_array(value.type) and is_array(target.type):    # shapes may be known to one only
            return value.type.dtype == target.type.dtype
        return value.type == target.type and target.type not in ("tape", "residual", "any")
    if target.type in ("index", "static", "shape") or isinstance(target.type, IndexT):
        return True         # indices, shapes: any constant
    if is_array(target.type):      # a float constant stands for a broadcast array of it
        return isinstance(value.value, float) and is_differentiable(target.type)
    return type(value.value) is _KINDS.get(target.type)
