"""Lists grown by ``append`` under the Numba backend.

A list stays a native Numba list (``[]``, ``.append``, ``xs[i]``, ``xs[i] = v``,
``len``): nopython mode types it from its appends, elements of one static
shape.  The adjoint of a list is an array over its final length
(``transforms/reverse.py``), typed ``float64[?]`` in the IR, and the helpers'
reverse-rule shapes come from a two-element dummy list, so neither can be
trusted.  ``list_shapes`` recovers them from the data flow instead:

- a *list adjoint* (joined with its list through ``getitem_vjp(g, xs, i)``,
  ``unbroadcast(g, xs)`` and copies, adds, subtractions and ``setitem`` of it)
  has shape ``(len(xs),) + E``, ``E`` the element shape; its length is only
  known at run time, so it is printed by ``list_expr`` and never reaches the
  shape-specialised helpers of ``numba_arrays.py`` (which reject it at its line);
- an element read from a list adjoint (``getitem(xs_bar, i)``) has shape ``E``.

Invariant: every list in one class has the same length when the reverse sweep
starts (they are the same list object, or copies of it), so ``len`` of any of
them sizes the class's zero adjoint.
"""
from ..errors import UnsupportedError
from ..ir import Assign, Const, Var
from ..ir.types import is_array, is_list
from ..ir.walk import walk
from ..rules import PRIMITIVES
from .python import ATOM
import numpy as np

# op -> the arguments that have the target's shape when one of them comes from a list
JOINING = {"copy": (0,), "add": (0, 1), "sub": (0, 1), "setitem": (0,), "unbroadcast": (0, 1),
           "getitem_vjp": (1,)}


class ListAdjoint:
    """The shape of an array over a list's elements: ``len(lst)`` rows of ``elem``."""

    def __init__(self, lst, elem):
        self.lst, self.elem = lst, elem

    def __repr__(self):
        return f"(len({self.lst}),) + {self.elem}"


def _elem_shape(t, stmts):
    """The static shape of list type ``t``'s elements; else an error at the line that puts
    an element of no static shape into such a list (this scan runs before any statement is
    printed, so no printer's location is there to carry)."""
    e = t.elem
    if is_array(e):
        if not e.static:
            loc = next((s.loc for s in stmts if getattr(s, "loc", None) is not None and (
                is_list(s.target.type) and s.target.type.elem == e)
                and any(is_array(getattr(a, "type", None)) and a.type == e for a in s.args)),
                None) or next((s.loc for s in stmts if getattr(s, "loc", None) is not None
                               and s.target.type == t), None)
            raise UnsupportedError.at(loc, "the numba backend needs list elements of a static "
                                      f"shape (got {e})", "numba")
        return tuple(e.shape)
    return ()


HELPERS = {
    "_list_append": '''
def _list_append(xs, v):
    """A new list: ``xs`` then ``v``."""
    out = list(xs)
    out.append(v)
    return out''',
    "_list_add_row": '''
def _list_add_row(z, g, i):
    """A copy of ``z`` with ``g`` added to row ``i``."""
    out = z.copy()
    out[i] += g
    return out''',
    "_list_add_into": '''
def _list_add_into(z, g, i):
    """``z`` with ``g`` added to row ``i``, in place (numba_list_updates.py)."""
    z[i] += g
    return z''',
    "_list_sum": '''
def _list_sum(xs):
    acc = 0.0
    for v in xs:
        acc += v
    return acc''',
    "_list_sum_rows": '''
def _list_sum_rows(xs):
    acc = xs[0].copy()
    for k in range(1, len(xs)):
        acc += xs[k]
    return acc''',
    "_list_rows": '''
def _list_rows(g, n):
    """``n`` rows, each ``g``."""
    out = np.empty((n,) + g.shape)
    for k in range(n):
        out[k] = g
    return out''',
    "_list_scatter": '''
def _list_scatter(z, g, i):
    """``z`` with ``z[i] = g`` (a row of a list's adjoint)."""
    z[i] = g
    return z''',
}


def classes():
    """(parent, find): a union-find over names; ``parent[find(a)] = find(b)`` joins."""
    parent = {}

    def find(n):
        while parent.setdefault(n, n) != n:
            parent[n] = parent[parent[n]]
            n = parent[n]
        return n
    return parent, find


def list_shapes(fn):
    """{variable name: ListAdjoint or shape tuple} for ``fn``'s ``float64[?]`` arrays that
    come from lists (see the module docstring)."""
    parent, find = classes()
    stmts = [s for s in walk(fn.body) if isinstance(s, Assign)]
    for s in stmts:
        lead = [s.args[i] for i in JOINING.get(s.op, ()) if isinstance(s.args[i], Var)]
        if _joins(s.target) or any(_joins(a) for a in lead):
            for a in lead:
                if is_list(a.type) or is_array(a.type):
                    parent[find(a.name)] = find(s.target.name)
    lists = {}
    for s in stmts:
        for v in (s.target, *s.args):
            if isinstance(v, Var) and is_list(v.type):
                lists.setdefault(find(v.name), (v.name, _elem_shape(v.type, stmts)))
    out = {n: ListAdjoint(*lists[find(n)]) for n in parent if find(n) in lists}
    out = {n: v for n, v in out.items() if not any(
        isinstance(x, Var) and x.name == n and is_list(x.type) for s in stmts for x in s.args)}
    for _ in range(3):              # forward propagation; loops may need a second pass
        for s in stmts:
            t = s.target
            if t.name in out or not (is_array(t.type) and t.type.shape is None):
                continue
            got = _result_shape(s, out)
            if got is not None:
                out[t.name] = got
    return out


def is_row(i):
    """An index that picks one row (a run-time or constant int)."""
    return (isinstance(i, Var) and i.type in ("int", "bool")) or \
        (isinstance(i, Const) and type(i.value) is int)


def _joins(a):
    return isinstance(a, Var) and (is_list(a.type) or (is_array(a.type) and a.type.shape is None))


def _known(a, out):
    if isinstance(a, Var) and a.name in out:
        return out[a.name]
    t = getattr(a, "type", None)
    if is_array(t):
        return tuple(t.shape) if t.static else None
    return () if isinstance(a, Const) or t in ("float", "int", "bool") else None


def _result_shape(s, out):
    """The shape of ``s``'s target from its arguments' shapes, or None when unknown."""
    args = s.args
    if s.op == "getitem" and isinstance(out.get(getattr(args[0], "name", None)), ListAdjoint) \
            and ((isinstance(args[1], Var) and args[1].type in ("int", "bool"))
                 or (isinstance(args[1], Const) and isinstance(args[1].value, int))):
        return out[args[0].name].elem
    if s.op == "unbroadcast":
        return _known(args[1], out)
    if s.op == "copy" and isinstance(args[0], Const):
        return None     # an array's zero start: its shape is the other assignments' (a loop's)
    prim = PRIMITIVES.get(s.op)
    if s.op == "copy" or (prim is not None and prim.partials is not None and prim.vjps is None):
        shapes = [_known(a, out) for a in args]
        if any(sh is None or isinstance(sh, ListAdjoint) for sh in shapes):
            return None
        return tuple(np.broadcast_shapes(*shapes))
    return None


def _const(a):
    return a.value if isinstance(a, Const) else None


def _first_elem(fn, xs):
    """The element type of list ``xs``, or of the first value appended to it."""
    if xs.type.elem is not None:
        return xs.type.elem
    return next((s.args[1].type for s in walk(fn.body) if isinstance(s, Assign) and
                 s.op == "list_append" and s.args[0] == xs and s.args[1].type), None)


def _placeholder(t):
    """A value of element type ``t`` (only its type matters)."""
    if is_array(t) and t.static:
        return f"np.zeros({tuple(t.shape)}, np.{'bool_' if t.dtype == 'bool' else t.dtype})"
    return {"int": "0", "bool": "False"}.get(t, "0.0")


OPS = ("list_new", "list_append")     # the helper primitives list_expr prints


def list_expr(p, s, env, text):
    """(text, precedence) for a statement that touches a list or a list adjoint, else None.
    ``text(a, prec)`` renders an atom."""
    op, args = s.op, s.args
    shape = p.lists.get(s.target.name)
    if op == "list_new" and args:       # a recursive residuals' store (numba_recursion.py)
        return f"[{args[0].value}][:0]", ATOM
    if op == "list_new":
        elem = _first_elem(p.fn, s.target)
        return (f"[{_placeholder(elem)}][:0]", ATOM) if elem else ("[]", ATOM)  # typed, empty
    if op == "sum" and is_list(args[0].type) and _const(args[1]) == 0 and not _const(args[2]):
        if is_array(args[0].type.elem):
            p.helpers.add("_list_sum_rows")
            return f"_list_sum_rows({text(args[0])})", ATOM
        p.helpers.add("_list_sum")
        return f"_list_sum({text(args[0])})", ATOM
    if op == "list_append":
        if args[0] == s.target:
            return "None", ATOM          # printed in place: ``xs.append(v)``
        p.helpers.add("_list_append")
        return f"_list_append({text(args[0])}, {text(args[1])})", ATOM
    if op == "getitem" and getattr(args[0], "name", None) in p.row_copies and \
            is_row(args[1]) and getattr(p.lists.get(args[0].name), "elem", None):  # (a
        # number read from a list of numbers is no view)
        return f"{text(args[0], ATOM)}[{text(args[1])}].copy()", ATOM   # not a view of it
    if not isinstance(shape, ListAdjoint):
        return None
    in_place = id(s) in p.in_place
    rows = f"(len({shape.lst}),{''.join(f' {d},' for d in shape.elem)})"
    if op == "copy" and isinstance(args[0], Const):
        return f"np.full({rows}, {text(args[0])})", ATOM
    p.helpers.add("_list_scatter")
    if op == "getitem_vjp":
        return f"_list_scatter(np.zeros({rows}), {text(args[0])}, {text(args[2])})", ATOM
    if op == "setitem":
        if in_place and args[0].name == s.target.name:
            return None                     # printed as the write it is: xs_bar[i] = v
        into = text(args[0]) if in_place else f"{text(args[0], ATOM)}.copy()"
        return f"_list_scatter({into}, {text(args[2])}, {text(args[1])})", ATOM
    if op == "unbroadcast":
        return text(args[0]), ATOM
    if op == "expand_to" and is_list(getattr(args[1], "type", None)):   # sum(xs)'s adjoint
        if shape.elem:
            p.helpers.add("_list_rows")
            return f"_list_rows({text(args[0])}, len({shape.lst}))", ATOM
        return f"np.full({rows}, {text(args[0])})", ATOM
    if op == "add":
        for acc, part in (args, args[::-1]):
            row = _scattered_row(p, part)
            if row is not None and isinstance(p.lists.get(getattr(acc, "name", None)),
                                              ListAdjoint):
                helper = "_list_add_into" if in_place else "_list_add_row"   # one copy, not
                p.helpers.add(helper)                                 # zeros + scatter + add
                return f"{helper}({text(acc)}, {text(row[0])}, {text(row[1])})", ATOM
    return None


def _scattered_row(p, v):
    """(g, i) when ``v`` is a folded ``getitem_vjp(g, xs, i)`` (through ``unbroadcast``)."""
    s = p.inlined.get(getattr(v, "name", None))
    if s is not None and s.op == "unbroadcast" and is_list(getattr(s.args[1], "type", None)):
        s = p.inlined.get(getattr(s.args[0], "name", None))
    if s is not None and s.op == "getitem_vjp" and is_list(getattr(s.args[1], "type", None)):
        return s.args[0], s.args[2]
    return None
