"""Lowering of expressions to atoms, emitting one primitive per statement.

``and``/``or``, chained comparisons and conditional expressions become
``If`` statements so evaluation stays lazy, as in Python.  Names resolve in
this order: locals, captured locals, closure cells, globals, builtins.
Calls are lowered in ``calls.py``; ``static`` here turns a Python object found
by name into its binding (guarded where it was read).
"""
import ast
import builtins
import math
import operator
import types

import numpy as np

from ..errors import TransformError
from ..ir import Assign, Const, Extern, If, Var, literal
from ..ir.types import odd_array, odd_array_words
from .effects import FSTRING_ELSEWHERE, FormatB
from .objects import SuperB, class_data, is_user_class, is_user_instance
from .randomness import is_generator
from .bindings import BuilderB, DictB, PyObj, RecordB, TupleB, extern_name, is_atom
from .expansions import frozen_binding
from .guards import Ref, active
from .closures import LocalDef
from .tables import number_table, read_table

BINOPS = {ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul", ast.Div: "truediv",
          ast.FloorDiv: "floordiv", ast.Mod: "mod", ast.Pow: "pow", ast.MatMult: "matmul",
          ast.BitAnd: "bitand", ast.BitOr: "bitor", ast.BitXor: "bitxor"}
CMPOPS = {ast.Lt: "lt", ast.LtE: "le", ast.Gt: "gt", ast.GtE: "ge", ast.Eq: "eq",
          ast.NotEq: "ne"}


class ExpressionLowerer:  # noqa: PLR0904  (one method per expression kind)
    def expr(self, node):
        method = getattr(self, "expr_" + type(node).__name__, None)
        if method is None:
            raise self.error(node, None)
        return method(node)

    def atom(self, node):
        b = self.expr(node)
        if isinstance(b, FormatB):
            raise self.error(node, FSTRING_ELSEWHERE)
        if not is_atom(b):
            raise self.error(node, "a tuple, function or module where a number is expected")
        return b

    def op(self, name, args, node):
        if name == "clip" and Const(None) in tuple(args)[1:]:
            name, args = _one_sided_clip(args, lambda: self.error(node, "np.clip with "
                                                                  "neither bound"))
        t = self.temp()
        self.emit(Assign(t, name, tuple(args), self.loc(node)))
        return t

    # -- leaves -------------------------------------------------------------
    def expr_Constant(self, node):
        if isinstance(node.value, (bool, int, float, str)) or node.value is None \
                or node.value is Ellipsis:
            return Const(node.value)
        raise self.error(node, f"a {type(node.value).__name__} constant")

    def expr_Name(self, node):
        b = self.lookup(node.id, node)
        return self.bind_closure(b) if isinstance(b, LocalDef) else b

    def lookup(self, name, node):
        if name in self.env:
            return self.env[name]
        if name == self.src.name and self.src.pyfunc is None and \
                isinstance(self.src.node, ast.FunctionDef):
            return self.fb                # a nested function calling itself
        ctx = self.ctx
        code = ctx.__code__
        if ctx.__closure__ and name in code.co_freevars:
            cell = ctx.__closure__[code.co_freevars.index(name)]
            try:
                value = cell.cell_contents
            except ValueError:
                pass
            else:
                return static(value, self, node, Ref("cell", cell, name))
        if name in ctx.__globals__:
            return static(ctx.__globals__[name], self, node, Ref("global", ctx.__globals__, name))
        if hasattr(builtins, name):
            return PyObj(getattr(builtins, name))
        raise TransformError(f"name '{name}' is not defined", self.src.filename,
                             node.lineno, node.col_offset)

    def expr_Attribute(self, node):
        base = self.expr(node.value)
        if is_atom(base):
            return self.array_attribute(base, node)
        expansion = self.expansion_attribute(base, node)    # norm.logpdf, frozen.pdf
        if expansion is not None:
            return expansion
        if isinstance(base, BuilderB):
            return self.builder_attribute(base, node)
        if isinstance(base, SuperB):
            return self.super_attribute(base, node)
        if isinstance(base, PyObj) and isinstance(base.obj, type) and is_user_class(base.obj):
            got = self.class_attribute(base.obj, node)
            if got is not None:
                return got
            data = class_data(base.obj, node.attr)
            if data is not None:
                return static(data, self, node, Ref("lookup", base.obj, node.attr))
        if isinstance(base, RecordB):
            if node.attr == "_replace" and hasattr(base.cls, "_fields"):
                return self.container_attribute(base, node)   # a NamedTuple's copy
            if node.attr not in base.fields:
                return self.object_attribute(base, node)      # a method or property
            return base.get(node.attr)
        if isinstance(base, PyObj) and is_user_instance(base.obj):
            return self.object_attribute(base, node)
        if isinstance(base, PyObj) and is_generator(base.obj):
            return self.generator_attribute(base, node)
        if isinstance(base, DictB):
            return self.container_attribute(base, node)
        if isinstance(base, PyObj) and isinstance(base.obj, types.ModuleType):
            if not hasattr(base.obj, node.attr):
                raise TransformError(f"module '{base.obj.__name__}' has no attribute "
                                     f"'{node.attr}'", self.src.filename, node.lineno,
                                     node.col_offset)
            value = getattr(base.obj, node.attr)
            # data and Python functions are guarded; numpy's functions and submodules are not
            ref = None if _library(value) else Ref("attr", base.obj, node.attr)
            return static(value, self, node, ref)
        if isinstance(base, PyObj) and isinstance(base.obj, (np.finfo, np.iinfo)):
            value = getattr(base.obj, node.attr, None)              # np.finfo(float).eps
            if isinstance(value, (int, float, np.number)):
                return Const(value.item() if isinstance(value, np.number) else value)
        raise self.error(node, f"the attribute '.{node.attr}' here")

    def expr_Tuple(self, node):
        return TupleB(self.spliced(node.elts))

    def expr_Dict(self, node):
        keys = []
        for k in node.keys:
            key = self.expr(k) if k is not None else None
            if not isinstance(key, Const):
                raise self.error(node, "a dict with keys not known at compile time")
            keys.append(key.value)
        return DictB(tuple(keys), tuple(self.expr(v) for v in node.values))

    def expr_List(self, node):
        return TupleB(self.spliced(node.elts), is_list=True)

    def expr_Subscript(self, node):
        base = self.expr(node.value)
        if is_atom(base):
            return self.array_getitem(base, node)
        if isinstance(base, PyObj) and (base.obj is np.r_ or base.obj is np.c_):
            return self.index_concatenate(base.obj, node)
        if isinstance(base, DictB):
            key = self.expr(node.slice)
            if isinstance(key, Const) and key.value not in base.keys:    # as Python says it
                raise KeyError(f"{self.loc(node)}: {key.value!r} is not a key of the dict "
                               f"(its keys: {', '.join(map(repr, base.keys))})")
            if not isinstance(key, Const):
                raise self.error(node, "a dict lookup with a key not known at compile time")
            return base.get(key.value)
        if isinstance(base, RecordB):
            base = TupleB(base.items)
        if not isinstance(base, TupleB):
            raise self.error(node, "indexing a value that is not a tuple or list")
        if isinstance(node.slice, ast.Slice):
            parts = [None if p is None else self.atom(p) for p in
                     (node.slice.lower, node.slice.upper, node.slice.step)]
            if not all(p is None or isinstance(p, Const) for p in parts):
                raise self.error(node, "a slice with run-time bounds")
            return TupleB(base.items[slice(*[p and p.value for p in parts])], base.is_list)
        idx = self.atom(node.slice)
        table = None if isinstance(idx, Const) else number_table(base, node.value, self)
        if table is not None:     # coefficients indexed in a loop: a constant array
            return read_table(self, table, idx, node)
        if not isinstance(idx, Const) or isinstance(idx.value, float):
            raise self.error(node, "indexing a tuple or list with a run-time index")
        try:
            return base.items[idx.value]
        except IndexError:
            raise self.error(node, "an index out of range") from None

    def expr_Lambda(self, node):
        return self.bind_closure(self.local_def(node))

    # -- operators ------------------------------------------------------------
    def expr_BinOp(self, node):
        return self.binop(node.op, self.expr(node.left), self.expr(node.right), node)

    def binop(self, op, a, b, node):
        if isinstance(a, TupleB) and isinstance(b, TupleB) and isinstance(op, ast.Add):
            return TupleB(a.items + b.items, a.is_list)
        if isinstance(a, TupleB) and isinstance(op, ast.Mult) and literal(b) and \
                type(b.value) in (int, bool):
            return TupleB(a.items * b.value, a.is_list)
        if isinstance(a, Const) and isinstance(a.value, str) and literal(b) and \
                isinstance(op, (ast.Mod, ast.Add)):         # "W%d" % i, "W" + s: a key
            return Const(a.value % b.value if isinstance(op, ast.Mod) else a.value + b.value)
        if not (is_atom(a) and is_atom(b)):
            raise self.error(node, "arithmetic on a tuple, function or module")
        return self.op(BINOPS[type(op)], (a, b), node)

    def expr_UnaryOp(self, node):
        x = self.atom(node.operand)
        if isinstance(node.op, ast.USub):
            if literal(x) and not isinstance(x.value, bool):     # not a global array
                return Const(-x.value)
            return self.op("neg", (x,), node)
        if isinstance(node.op, ast.UAdd):
            return x
        if isinstance(node.op, ast.Not):
            if _known(x):       # a constant flag: decided while lowering
                return Const(not x.value)
            return self.op("not_", (x,), node)
        if isinstance(node.op, ast.Invert):
            return self.op("invert", (x,), node)
        raise self.error(node, None)

    def lazy(self, first, rest, node, keep_if_true):
        """``r = first; if r (or not r): r = rest()`` -- Python's short circuit."""
        r = self.temp()
        self.emit(Assign(r, "copy", (first,), self.loc(node)))

        def tail():
            v = rest()
            self.emit(Assign(r, "copy", (v,), self.loc(node)))
        inner = self.nested(tail)
        self.emit(If(r, inner, (), self.loc(node)) if keep_if_true else If(r, (), inner, self.loc(node)))
        return r

    def expr_BoolOp(self, node):
        values = node.values
        acc = self.atom(values[0])
        for v in values[1:]:
            if _known(acc):     # a constant: Python's short circuit, decided while lowering
                if bool(acc.value) != isinstance(node.op, ast.And):
                    return acc
                acc = self.atom(v)
                continue
            acc = self.lazy(acc, lambda v=v: self.atom(v), node, isinstance(node.op, ast.And))
        return acc

    def expr_Compare(self, node):
        if isinstance(node.ops[0], (ast.In, ast.NotIn)):
            return self.membership(node)
        if isinstance(node.ops[0], (ast.Is, ast.IsNot)):    # 'x is None' (the fence allows no other)
            left = self.expr(node.left)
            if isinstance(left, Var) and left.name in self.may_be_none:
                # bound to None, then maybe to a value: decided at run time
                return self.op("is_" if isinstance(node.ops[0], ast.Is) else "is_not",
                               (left, Const(None)), node)
            # any other run-time value (an argument, a number computed) is never None, nor
            # is a container; a constant is None or not
            return Const((left == Const(None)) == isinstance(node.ops[0], ast.Is))
        left = self.atom(node.left)
        right = self.atom(node.comparators[0])
        if len(node.ops) == 1 and _known(left) and _known(right):
            try:        # two constants (an expansion's axis=None): decided while lowering
                return Const(_COMPARE[type(node.ops[0])](left.value, right.value))
            except TypeError:       # None < 1: Python's error, at run time as before
                pass
        acc = self.op(CMPOPS[type(node.ops[0])], (left, right), node)
        for op, comp in zip(node.ops[1:], node.comparators[1:]):
            prev = right

            def step(op=op, comp=comp, prev=prev):
                nonlocal right
                right = self.atom(comp)
                return self.op(CMPOPS[type(op)], (prev, right), node)
            acc = self.lazy(acc, step, node, True)
        return acc

    def membership(self, node):
        """``key in cfg`` / ``not in``: a constant key in a dict (its keys are known while
        compiling: a dict argument's are part of its type, a global's are guarded), a
        tuple of constants or a string; anything decided only at run time is rejected."""
        what = "an 'in' test" if isinstance(node.ops[0], ast.In) else "a 'not in' test"
        if len(node.ops) != 1:
            raise self.error(node, f"{what} in a chain of comparisons")
        key, seq = self.expr(node.left), self.expr(node.comparators[0])
        items = seq.keys if isinstance(seq, DictB) else \
            [x.value for x in seq.items] if isinstance(seq, TupleB) and \
            all(_known(x) for x in seq.items) else \
            seq.value if isinstance(seq, Const) and isinstance(seq.value, str) else None
        if not _known(key) or items is None:
            raise self.error(node, f"{what} of a value known only at run time (a constant "
                             "in a dict, a tuple of constants or a string is decided while "
                             "compiling)")
        try:
            found = key.value in items
        except TypeError:               # 1 in "abc": Python's error, at this line
            raise self.error(node, f"{what} of a {type(key.value).__name__} in a string") \
                from None
        return Const(found == isinstance(node.ops[0], ast.In))

    def expr_IfExp(self, node):
        cond = self.atom(node.test)
        if literal(cond):
            return self.expr(node.body if cond.value else node.orelse)   # as Python: one side
        r = self.temp()
        body = self.nested(lambda: self.emit(Assign(r, "copy", (self.atom(node.body),))))
        orelse = self.nested(lambda: self.emit(Assign(r, "copy", (self.atom(node.orelse),))))
        self.emit(If(cond, body, orelse, self.loc(node)))
        return r

_COMPARE = {ast.Lt: operator.lt, ast.LtE: operator.le, ast.Gt: operator.gt,
            ast.GtE: operator.ge, ast.Eq: operator.eq, ast.NotEq: operator.ne}


def _known(a):
    return isinstance(a, Const) and (a.value is None or type(a.value) in (bool, int, str))


def _library(value):
    """numpy's (or another extension's) functions, types and modules: not guarded."""
    return isinstance(value, (types.ModuleType, types.BuiltinFunctionType, type, np.ufunc)) or \
        (callable(value) and not isinstance(value, types.FunctionType))


def static(value, low, node, ref=None):
    """The binding of a Python object found while resolving a name; ``ref`` (where it
    was read) makes it a guard of the derivative being compiled (``guards``)."""
    guards = active()
    if guards is not None and ref is not None and ref.kind != "item":
        guards.record(ref, value)
    return _binding(value, low, node, ref, guards)


def constant_binding(value, low, node):
    """The binding of a value computed while compiling (no global it could go stale with)."""
    return _binding(value, low, node, None, None)


def _binding(value, low, node, ref, guards):
    if isinstance(value, (bool, int, float, str)) or value is None or value is Ellipsis:
        return Const(value)
    if isinstance(value, (tuple, list)):
        return TupleB(tuple(_binding(v, low, node, ref and ref.item(i), guards)
                            for i, v in enumerate(value)), isinstance(value, list))
    if isinstance(value, dict) and all(isinstance(k, (str, int, bool)) for k in value):
        return DictB(tuple(value), tuple(_binding(v, low, node, ref and ref.item(k), guards)
                                         for k, v in value.items()))
    frozen = frozen_binding(value, lambda v, path: _binding(
        v, low, node, ref and _path_ref(ref, path), guards))
    if frozen is not None:      # a frozen scipy.stats distribution: a record of its args
        return frozen
    if isinstance(value, (types.ModuleType, types.BuiltinFunctionType, type)) or callable(value):
        return PyObj(value)
    if isinstance(value, np.generic):
        return Const(value.item())
    if odd_array(value):    # np.matrix, a masked array: not differentiated as an ndarray
        raise low.error(node, _odd_outside(value, node))
    if isinstance(value, np.ndarray):     # read by name at call time, never folded
        if guards is not None and ref is not None:
            return Const(Extern(guards.extern_name(ref), value))
        base = getattr(node, "id", None) or getattr(node, "attr", None) or "array"   # W, self.W
        return Const(Extern(extern_name(base, value, low), value))
    if guards is not None and is_user_instance(value):      # obj.__class__ = ... recompiles
        guards.record(Ref("attr", value, "__class__"), type(value))
    if is_generator(value) or is_user_instance(value) or value is np.r_ or value is np.c_:
        return PyObj(value)     # randomness.py, objects.py; np.r_[...] (arrays.py)
    raise low.error(node, f"a global of type '{type(value).__name__}'")


def _odd_outside(value, node):
    """The error's words for an ndarray subclass read from outside the function."""
    if isinstance(node, (ast.Name, ast.Attribute)):
        text = ast.unparse(node)
        where = f"'{text}'"
    else:                       # a default argument (``node``: the function's def)
        text = "the default"
        where = f"a default argument of '{getattr(node, 'name', '?')}'"
    return (f"{where}, which holds an {odd_array_words(value)} (an ndarray subclass whose "
            f"operations are not ndarray's: np.matrix's * is a matrix product, a masked "
            f"array skips its masked entries); pass np.asarray({text}), or the plain "
            f"array it stands for, instead")


def _path_ref(ref, path):
    """Where the argument at ``path`` of a frozen distribution read at ``ref`` lives."""
    attr, key = path
    inner = Ref("attr", ref.get(), attr)
    return inner if key is None else inner.item(key)


__all__ = ["ExpressionLowerer", "math"]


def _one_sided_clip(args, neither):
    """``np.clip(x, lo, None)`` is ``np.maximum(x, lo)`` and ``np.clip(x, None, hi)``
    ``np.minimum(x, hi)`` (ReLU as ``np.clip(x, 0, None)``): the same value and, at a
    tie, the same split adjoint as clip's rule."""
    x, lo, hi = args
    if lo == Const(None) and hi == Const(None):
        raise neither()
    return ("minimum", (x, hi)) if lo == Const(None) else ("maximum", (x, lo))
