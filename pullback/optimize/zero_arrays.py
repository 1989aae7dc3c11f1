"""Zero array adjoints become real arrays where their shape matters.

Reverse mode starts an array's adjoint as the constant ``0.0``, which stands
for a whole array of zeros: elementwise arithmetic broadcasts it, and constant
propagation folds it away wherever it is known.  Where it is not known (a
branch or an early return left the adjoint untouched on one path only), the
``0.0`` may reach an operation that needs the shape — a product's reverse rule,
a reduction, an index, a call — and NumPy raises.  Such adjoints start as
zeros of their static shape instead:

    x_bar = 0.0                        x_bar = np.zeros((3,))
    if not ret:                        if not ret:
        x_bar = x                          x_bar = x
    g = dot_vjp_a(x_bar, a, b)    ->   g = dot_vjp_a(x_bar, a, b)

A variable needs its shape if an operation other than an elementwise one (or
a call) reads it, or if an elementwise operation computing such a variable
reads it; only assignments of a constant to a variable of static array type
with more than one element change.
"""
from dataclasses import replace

from ..ir import Assign, Call, Const, Var
from ..ir.types import is_array
from ..ir.walk import map_blocks, walk
from ..rules import PRIMITIVES

ELEMENTWISE_OK = ("copy",)


def materialize_zero_arrays(fn):
    # (generated assignments only: the user's own ``y = 0.0`` keeps its Python meaning)
    consts = {s.target.name for s in walk(fn.body) if isinstance(s, Assign) and s.op == "copy"
              and isinstance(s.args[0], Const) and _sized(s.target.type) and s.loc is None}
    if not consts:
        return fn
    needs = _needs_shape(fn)
    todo = consts & needs
    if not todo:
        return fn

    def stmt(s):
        if isinstance(s, Assign) and s.target.name in todo and s.op == "copy" and \
                isinstance(s.args[0], Const) and s.loc is None:
            t = s.target.type
            dtype = Const(None if t.dtype == "float64" else t.dtype)
            if s.args[0].value == 0:
                return Assign(s.target, "zeros", (Const(t.shape), dtype), s.loc)
            return Assign(s.target, "full", (Const(t.shape), s.args[0], dtype), s.loc)
        return map_blocks(s, lambda b: tuple(map(stmt, b)))
    return replace(fn, body=tuple(map(stmt, fn.body)))


def _sized(t):
    return is_array(t) and t.static and any(d != 1 for d in t.shape)


def _needs_shape(fn):
    """Array variables whose value must have its shape at run time."""
    needs = set()
    elementwise = []
    for s in walk(fn.body):
        if isinstance(s, Call):
            needs |= {a.name for a in s.args if isinstance(a, Var) and is_array(a.type)}
        elif isinstance(s, Assign) and s.op not in ELEMENTWISE_OK:
            prim = PRIMITIVES.get(s.op)
            arrays = {a.name for a in s.args if isinstance(a, Var) and is_array(a.type)}
            if prim is not None and prim.partials is not None:
                elementwise.append((s.target.name, arrays))
            else:
                needs |= arrays
        elif isinstance(s, Assign):
            elementwise.append((s.target.name, {a.name for a in s.args if isinstance(a, Var)}))
    changed = True
    while changed:
        changed = False
        for target, arrays in elementwise:
            if target in needs and not arrays <= needs:
                needs |= arrays
                changed = True
    return needs


__all__ = ["materialize_zero_arrays"]
