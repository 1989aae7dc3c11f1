"""Algebraic identities and constant folding of one primitive application.

``fold(op, args)`` is the one place that knows ``1 * g`` is ``g``, that a pure
primitive of constants is a constant, and that a zero cotangent through a linear
helper is zero; ``transforms/emit_rule.py`` folds as it instantiates a rule, the
optimiser's constant propagation and adjoint scaling fold what the transforms wrote.

Invariant: a fold never changes a value the user's own arithmetic computes (``exact``
keeps ``0 * y`` and ``0 + y``, which differ from ``0`` and ``y`` for floats).
"""
import math

from ..ir import Const, Var, literal
from ..ir.types import IndexT, is_differentiable
from .registry import PRIMITIVES, ZERO_IN_ZERO_OUT


def fold(op, args, exact=False):
    """Algebraic identities and constant folding: an atom the result equals, an
    ``(op, args)`` pair to compute instead, or None when nothing folds.  With
    ``exact`` (the user's own arithmetic) ``0 * y`` and ``0 + y`` stay: for floats
    they are not ``0`` and ``y`` (``0.0 * -0.5`` is ``-0.0``, ``0.0 * inf`` is nan)."""
    if op in ("getitem", "getitem_copy") and args and type(args[0]) is Const and \
            type(args[0].value) is float and args[0].value == 0.0:
        return args[0]      # a part of a zero adjoint (0.0 stands for the array) is zero
    if op in ZERO_IN_ZERO_OUT and args and type(args[0]) is Const and \
            type(args[0].value) is float and args[0].value == 0.0:
        return Const(0.0)   # before evaluating: np.roll(0.0, -1) is a 0-d array (audit 33)
    if op == "neg" and literal(args[0]) and type(args[0].value) is tuple:
        return Const(tuple(-v for v in args[0].value))     # np.roll's shift of several axes
    for a in args:      # (a loop, not all(...): this runs for every statement of every pass)
        if not literal(a):      # a global array (an Extern) is read at run time
            break
    else:
        prim = PRIMITIVES.get(op)
        if op == "setitem":     # a zero adjoint (0.0 for a whole array) with 0.0 written
            same = type(args[0].value) is float and args[0].value == args[2].value
            return args[0] if same else None
        if prim is not None and prim.pure:
            try:
                return Const(prim.impl(*[a.value for a in args]))
            except Exception:   # noqa: BLE001 -- a scalar standing for an array: not folded
                return None
    if op not in _IDENTITIES and op not in ZERO_IN_ZERO_OUT:
        return None         # (most statements: no identity below can apply)
    a = args[0] if args else None
    b = args[1] if len(args) > 1 else None
    # the identities of mul and add need a constant operand
    some_const = type(a) is Const or type(b) is Const
    if op == "mul" and some_const:
        for x, y in ((a, b), (b, a)):
            if _is(x, 1) and _float(y):
                return y
            if _is(x, 0) and _float(y) and not exact:
                return Const(0.0)
    if op == "mul" and some_const:
        for x, y in ((a, b), (b, a)):
            if _is(x, -1) and _float(y):
                return None if isinstance(y, Const) else ("neg", (y,))
    if op == "pow" and _is(b, 1) and _float(a):
        return a
    if op == "add" and not exact and some_const:
        for x, y in ((a, b), (b, a)):
            if _is(x, 0) and _float(y):
                return y
    if op == "add" and not exact and type(a) is Var and a == b and _float(a):
        return ("mul", (Const(2.0), a))     # a contribution counted twice (``x * x``)
    if op == "sub" and _is(b, 0) and _float(a):
        return a
    if op == "truediv" and _is(b, 1) and _float(a):
        return a
    if op == "neg" and literal(a):
        return Const(-a.value)
    if op == "unbroadcast" and isinstance(a, Var) and isinstance(b, Var) and a.type == b.type \
            and (a.type == "float" or getattr(a.type, "static", False)):
        return a
    if op in ZERO_IN_ZERO_OUT:       # declared with the rule (``zero_in_zero_out=True``)
        if _is(a, 0) and isinstance(a.value, float):   # a zero cotangent: a zero adjoint
            return Const(0.0)
    if op == "getitem_vjp" and _new_axes_only(args[2]) and _same_size(a, b):
        return ("like", (a, b))     # x[None, :] read every element once: a reshape back
    if op == "last_write_vjp" and basic_index(b):
        return ("getitem", (a, b))  # no element written twice: the plain read
    if op in _SELF_COMPARED and type(a) is Var and a == b and a.type in ("int", "bool", "float"):
        # n < n is False for every number, nan included; n <= n only for ints (nan <= nan
        # is False). C compilers reject the self-comparison under -Werror.
        always = _SELF_COMPARED[op]
        if a.type != "float" or op in ("lt", "gt"):
            return Const(always)
    if op == "select" and literal(a):
        # (a global array's truth is per element and read at call time: never folded)
        return args[1] if a.value else args[2]
    return None


# the operations with an identity in ``fold`` besides ZERO_IN_ZERO_OUT (keep in step)
_SELF_COMPARED = {"lt": False, "gt": False, "ne": False, "le": True, "ge": True, "eq": True}
_IDENTITIES = frozenset(("mul", "pow", "add", "sub", "truediv", "neg", "unbroadcast",
                         "getitem_vjp", "last_write_vjp", "select")) | frozenset(_SELF_COMPARED)


def _new_axes_only(idx):
    if not isinstance(idx, Const):
        return False
    parts = idx.value if isinstance(idx.value, tuple) else (idx.value,)
    return all(p is None or p == slice(None) for p in parts)


def _same_size(g, x):
    shapes = [getattr(getattr(v, "type", None), "shape", None) for v in (g, x)]
    return isinstance(g, Var) and all(s is not None and None not in s for s in shapes) and \
        math.prod(shapes[0]) == math.prod(shapes[1])


def _is(a, v):
    return isinstance(a, Const) and not isinstance(a.value, bool) and a.value == v


def _float(a):
    return (isinstance(a, Var) and is_differentiable(a.type)) or \
        (isinstance(a, Const) and isinstance(a.value, float))


def basic_index(idx):
    """Whether ``idx`` (an index atom) is basic indexing: ints, slices, None, Ellipsis."""
    if type(idx) is Const:
        parts = idx.value if type(idx.value) is tuple else (idx.value,)
        return all(p is None or p is Ellipsis or type(p) in (int, bool, slice) for p in parts)
    t = getattr(idx, "type", None)
    if t == "int":
        return True
    return isinstance(t, IndexT) and all(
        p is None or p == "int" or type(p) is int or (type(p) is tuple and p[:1] == ("slice",))
        for p in t.parts)
