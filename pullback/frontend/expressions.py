"""Lowering of expressions to atoms, emitting one primitive per statement.

``and``/``or``, chained comparisons and conditional expressions become
``If`` statements so evaluation stays lazy, as in Python.  Names resolve in
this order: locals, captured locals, closure cells, globals, builtins.
"""
import ast
import builtins
import math
import types
from dataclasses import dataclass

from ..errors import TransformError, UnsupportedError
import numpy as np

from ..ir import Assign, Call, Const, Extern, If, Var
from ..rules import registry
from dataclasses import fields as dc_fields
from dataclasses import is_dataclass

from .bindings import DictB, FuncB, PyObj, RecordB, TupleB, flatten, is_atom, unflatten
from .scan import free_names
from .guards import Ref, active
from .source import Source, source_of
from .bindings import n_atoms

BINOPS = {ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul", ast.Div: "truediv",
          ast.FloorDiv: "floordiv", ast.Mod: "mod", ast.Pow: "pow", ast.MatMult: "matmul"}
CMPOPS = {ast.Lt: "lt", ast.LtE: "le", ast.Gt: "gt", ast.GtE: "ge", ast.Eq: "eq",
          ast.NotEq: "ne"}


@dataclass(frozen=True)
class LocalDef:
    """A nested ``def``/``lambda`` of the function being lowered."""
    source: Source


class ExpressionLowerer:  # noqa: PLR0904  (one method per expression kind)
    def expr(self, node):
        method = getattr(self, "expr_" + type(node).__name__, None)
        if method is None:
            raise self.error(node, None)
        return method(node)

    def atom(self, node):
        b = self.expr(node)
        if not is_atom(b):
            raise self.error(node, "a tuple, function or module where a number is expected")
        return b

    def op(self, name, args, node):
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

    def bind_closure(self, d, busy=()):
        """A nested function, with the current values of the locals it reads (nested
        functions it calls included; ``busy``: those being bound, to stop at recursion)."""
        captured = []
        for n in sorted(free_names(d.source.node)):
            b = self.env.get(n)
            if isinstance(b, LocalDef):
                if b.source == d.source or b.source in busy:
                    continue
                b = self.bind_closure(b, busy + (d.source,))
            if b is not None:
                captured.append((n, b))
        return FuncB(d.source, self.ctx, tuple(captured))

    def expr_Attribute(self, node):
        base = self.expr(node.value)
        if is_atom(base):
            return self.array_attribute(base, node)
        if isinstance(base, RecordB):
            if node.attr not in base.fields:
                raise self.error(node, f"the attribute '.{node.attr}' (not a field)")
            return base.get(node.attr)
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
        raise self.error(node, f"the attribute '.{node.attr}' here")

    def expr_Tuple(self, node):
        return TupleB(tuple(self.expr(e) for e in node.elts))

    def expr_Dict(self, node):
        keys = []
        for k in node.keys:
            key = self.expr(k) if k is not None else None
            if not isinstance(key, Const):
                raise self.error(node, "a dict with keys not known at compile time")
            keys.append(key.value)
        return DictB(tuple(keys), tuple(self.expr(v) for v in node.values))

    def expr_List(self, node):
        return TupleB(tuple(self.expr(e) for e in node.elts), is_list=True)

    def expr_Subscript(self, node):
        base = self.expr(node.value)
        if is_atom(base):
            return self.array_getitem(base, node)
        if isinstance(base, DictB):
            key = self.expr(node.slice)
            if not isinstance(key, Const) or key.value not in base.keys:
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
        if not isinstance(idx, Const) or isinstance(idx.value, float):
            raise self.error(node, "indexing a tuple or list with a run-time index")
        try:
            return base.items[idx.value]
        except IndexError:
            raise self.error(node, "an index out of range") from None

    def expr_Lambda(self, node):
        return self.bind_closure(LocalDef(Source(node, self.src.filename)))

    # -- operators ------------------------------------------------------------
    def expr_BinOp(self, node):
        return self.binop(node.op, self.expr(node.left), self.expr(node.right), node)

    def binop(self, op, a, b, node):
        if isinstance(a, TupleB) and isinstance(b, TupleB) and isinstance(op, ast.Add):
            return TupleB(a.items + b.items, a.is_list)
        if isinstance(a, TupleB) and isinstance(op, ast.Mult) and isinstance(b, Const):
            return TupleB(a.items * b.value, a.is_list)
        if not (is_atom(a) and is_atom(b)):
            raise self.error(node, "arithmetic on a tuple, function or module")
        return self.op(BINOPS[type(op)], (a, b), node)

    def expr_UnaryOp(self, node):
        x = self.atom(node.operand)
        if isinstance(node.op, ast.USub):
            if isinstance(x, Const) and not isinstance(x.value, bool):
                return Const(-x.value)
            return self.op("neg", (x,), node)
        if isinstance(node.op, ast.UAdd):
            return x
        if isinstance(node.op, ast.Not):
            return self.op("not_", (x,), node)
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
            acc = self.lazy(acc, lambda v=v: self.atom(v), node, isinstance(node.op, ast.And))
        return acc

    def expr_Compare(self, node):
        left = self.atom(node.left)
        right = self.atom(node.comparators[0])
        acc = self.op(CMPOPS[type(node.ops[0])], (left, right), node)
        for op, comp in zip(node.ops[1:], node.comparators[1:]):
            prev = right

            def step(op=op, comp=comp, prev=prev):
                nonlocal right
                right = self.atom(comp)
                return self.op(CMPOPS[type(op)], (prev, right), node)
            acc = self.lazy(acc, step, node, True)
        return acc

    def expr_IfExp(self, node):
        cond = self.atom(node.test)
        r = self.temp()
        body = self.nested(lambda: self.emit(Assign(r, "copy", (self.atom(node.body),))))
        orelse = self.nested(lambda: self.emit(Assign(r, "copy", (self.atom(node.orelse),))))
        self.emit(If(cond, body, orelse, self.loc(node)))
        return r

    # -- calls --------------------------------------------------------------------
    def expr_Call(self, node):
        method_of = None
        if isinstance(node.func, ast.Attribute):
            base = self.expr(node.func.value)
            if is_atom(base):
                method_of = base
            else:
                callee = self.expr_Attribute(node.func)
        else:
            callee = self.expr(node.func)
        args = [self.expr(a) for a in node.args]
        kwargs = {k.arg: self.expr(k.value) for k in node.keywords}
        if None in kwargs:
            raise self.error(node, "a '**kwargs' argument")
        if method_of is not None:
            return self.array_method(method_of, node.func.attr, args, kwargs, node)
        if isinstance(callee, BoundMethod):
            return self.container_method(callee, args, node)
        if isinstance(callee, FuncB):
            return self.call_user(callee, args, kwargs, node)
        if isinstance(callee, PyObj):
            return self.call_python(callee.obj, args, kwargs, node)
        raise self.error(node, "calling a value that is not a function")

    def call_python(self, obj, args, kwargs, node):
        name = getattr(obj, "__qualname__", repr(obj))
        if _is_pullback(obj) and not registry.has_python(obj):
            return self.call_pullback(obj, args, kwargs, node)
        if isinstance(obj, types.FunctionType) and not registry.has_python(obj):
            return self.call_user(FuncB(source_of(obj), obj), args, kwargs, node)
        if obj is len and len(args) == 1 and isinstance(args[0], (TupleB, DictB, RecordB)):
            return Const(len(args[0].items))
        if obj in (tuple, list) and len(args) == 1 and isinstance(args[0], (TupleB, DictB)):
            return TupleB(args[0].keys) if isinstance(args[0], DictB) else args[0]
        if obj is dict and not args:
            return DictB(tuple(kwargs), tuple(kwargs.values()))
        if isinstance(obj, type) and (hasattr(obj, "_fields") or is_dataclass(obj)):
            return self.record(obj, args, kwargs, node)
        if obj in (min, max) and len(args) == 1 and isinstance(args[0], TupleB):
            args = list(args[0].items)
            if len(args) == 1 and is_atom(args[0]):
                return args[0]            # min((a,)) is a
        if obj is sum and len(args) == 1 and isinstance(args[0], TupleB):
            args = [Const(0)] + list(args[0].items)
            obj = "sum"
        if obj is float and not args:
            return Const(0.0)
        if obj is len and len(args) == 1 and is_atom(args[0]):
            return self.op("len", args, node)
        if obj is sum and len(args) == 1 and is_atom(args[0]):
            return self.op("sum", (args[0], Const(0), Const(False)), node)
        special = self.call_numpy(obj, args, kwargs, node)
        if special is not None:
            return special
        bound = registry.lookup_python(obj, None)
        if bound is not None and (kwargs or registry.lookup_python(obj, len(args)) is None):
            return self.call_bound(bound, args, kwargs, node)
        if kwargs:
            raise self.error(node, f"keyword arguments to '{name}'")
        if not all(is_atom(a) for a in args):
            args = [self.atom_of(a, node) for a in args]
        if obj in (min, max, "sum") and len(args) > 2:
            prim = "add" if obj == "sum" else obj.__name__
            acc = args[0]
            for a in args[1:]:
                acc = self.op(prim, (acc, a), node)
            return acc
        if obj == "sum":
            return self.op("add", args, node) if len(args) == 2 else args[0]
        prim = registry.lookup_python(obj, len(args))
        if prim is not None:
            return self.op(prim, args, node)
        raise UnsupportedError(f"cannot differentiate a call to '{name}' with {len(args)} "
                               "argument(s): it has no derivative rule and no Python source",
                               self.src.filename, node.lineno, node.col_offset, f"call to {name}")

    def call_pullback(self, obj, args, kwargs, node):
        """``pullback.jvp(f, primals, tangents)`` in differentiated code: a call of
        ``f``'s tangent function (``Call.jvp``); other pullback objects are rejected.
        ``pullback.jvp`` is known by its marker attribute ``lowers_to_jvp_call``."""
        if not getattr(obj, "lowers_to_jvp_call", False):
            name = getattr(obj, "__name__", type(obj).__name__)
            raise self.error(node, f"a call to pullback's '{name}' inside differentiated code "
                                   "(compose derivatives instead: grad(grad(f)), "
                                   "jacobian(grad(f)), or call pullback.jvp)")
        if kwargs or len(args) != 3 or not all(isinstance(a, TupleB) for a in args[1:]):
            raise self.error(node, "pullback.jvp other than jvp(f, (primals...), (tangents...))")
        f, primals, tangents = args
        if isinstance(f, PyObj) and isinstance(f.obj, types.FunctionType):
            f = FuncB(source_of(f.obj), f.obj)
        if not isinstance(f, FuncB):
            raise self.error(node, "pullback.jvp of something that is not a Python function")
        nparams = len(f.source.node.args.args) + len(f.source.node.args.kwonlyargs)
        if len(primals.items) != nparams or \
                [flatten(p)[0] for p in primals.items] != [flatten(t)[0] for t in tangents.items]:
            raise self.error(node, "pullback.jvp whose primals and tangents do not match the "
                                   "parameters of the function one to one")
        dots = [a for t in tangents.items for a in flatten(t)[1]]
        return self.call_user(f, list(primals.items), {}, node, dots)

    def call_user(self, fb, args, kwargs, node, dots=None):
        fdef = fb.source.node
        a = fdef.args
        names = [p.arg for p in a.args + a.kwonlyargs]
        if len(args) > len(a.args):
            raise self.error(node, f"too many arguments to '{fb.source.name}'")
        bound = dict(zip(names, args))
        for k, v in kwargs.items():
            if k not in names or k in bound:
                raise self.error(node, f"an unexpected keyword argument '{k}'")
            bound[k] = v
        defaults = self.defaults(fb)
        for n in names:
            if n not in bound:
                if n not in defaults:
                    raise self.error(node, f"a missing argument '{n}' to '{fb.source.name}'")
                bound[n] = defaults[n]
        ordered = [bound[n] for n in names]
        skels, atoms = [], []
        for b in ordered:
            s, at = flatten(b)
            skels.append(s)
            atoms += at
        name, ret = self.program.function(fb, skels, node)
        _, cap_atoms = flatten(fb)
        if dots is not None:        # pullback.jvp: tangents in, tangents of the outputs out
            targets = tuple(self.temp() for _ in range(2 * n_atoms(ret)))
            self.emit(Call(targets, name, tuple(atoms + cap_atoms + dots), self.loc(node), True))
            it = iter(targets)
            return TupleB((unflatten(ret, it), unflatten(ret, it)))
        targets = tuple(self.temp() for _ in range(n_atoms(ret)))
        self.emit(Call(targets, name, tuple(atoms + cap_atoms), self.loc(node)))
        return unflatten(ret, iter(targets))

    def defaults(self, fb):
        a = fb.source.node.args
        pos = a.args[len(a.args) - len(a.defaults):]
        out = {}
        # the live function being called (factories share one Source per code object)
        py = fb.context if fb.source.pyfunc is not None else None
        if py is not None:      # the live values, guarded (a replaced __defaults__ recompiles)
            given = static(py.__defaults__, self, fb.source.node, Ref("attr", py, "__defaults__"))
            if isinstance(given, TupleB):
                out.update((p.arg, b) for p, b in
                           zip(pos[len(pos) - len(given.items):], given.items))
            kw = static(py.__kwdefaults__, self, fb.source.node, Ref("attr", py, "__kwdefaults__"))
            if isinstance(kw, DictB):
                out.update(zip(kw.keys, kw.items))
            return out
        # a def nested in the function being lowered: its defaults are constants in its text
        for p, d in list(zip(pos, a.defaults)) + [
                (p, d) for p, d in zip(a.kwonlyargs, a.kw_defaults) if d is not None]:
            try:
                out[p.arg] = static(ast.literal_eval(d), self, d)
            except ValueError:
                raise self.error(d, "a default value that is not a constant") from None
        return out


@dataclass(frozen=True)
class BoundMethod:
    """``d.items`` and friends on a static container, awaiting their call."""
    owner: object
    name: str


class ContainerLowerer:
    def container_attribute(self, base, node):
        if isinstance(base, DictB) and node.attr in ("items", "keys", "values"):
            return BoundMethod(base, node.attr)
        raise self.error(node, f"the attribute '.{node.attr}'")

    def container_method(self, m, args, node):
        d = m.owner
        if m.name == "keys":
            return TupleB(tuple(Const(k) for k in d.keys))
        if m.name == "values":
            return TupleB(d.items)
        return TupleB(tuple(TupleB((Const(k), v)) for k, v in zip(d.keys, d.items)))

    def record(self, cls, args, kwargs, node):
        names = tuple(cls._fields) if hasattr(cls, "_fields") else \
            tuple(f.name for f in dc_fields(cls))
        bound = dict(zip(names, args))
        bound.update(kwargs)
        defaults = getattr(cls, "_field_defaults", {})
        missing = [n for n in names if n not in bound and n not in defaults]
        if missing or len(bound) > len(names):
            raise self.error(node, f"constructing {cls.__name__} with these arguments")
        items = tuple(bound[n] if n in bound else
                      static(defaults[n], self, node, Ref("attr", cls, "_field_defaults").item(n))
                      for n in names)
        return RecordB(cls, names, items)


def _is_pullback(obj):
    """pullback's own API (``pullback.jvp``, a ``grad`` object): never lowered as user code."""
    module = getattr(obj, "__module__", None) or ""
    if not isinstance(obj, (types.FunctionType, types.BuiltinFunctionType)):
        module = type(obj).__module__
    return module == "pullback" or module.startswith("pullback.")


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


def _binding(value, low, node, ref, guards):
    if isinstance(value, (bool, int, float, str)) or value is None:
        return Const(value)
    if isinstance(value, (tuple, list)):
        return TupleB(tuple(_binding(v, low, node, ref and ref.item(i), guards)
                            for i, v in enumerate(value)), isinstance(value, list))
    if isinstance(value, dict) and all(isinstance(k, (str, int, bool)) for k in value):
        return DictB(tuple(value), tuple(_binding(v, low, node, ref and ref.item(k), guards)
                                         for k, v in value.items()))
    if isinstance(value, (types.ModuleType, types.BuiltinFunctionType, type)) or callable(value):
        return PyObj(value)
    if isinstance(value, np.generic):
        return Const(value.item())
    if isinstance(value, np.ndarray):     # read by name at call time, never folded
        if guards is not None and ref is not None:
            return Const(Extern(guards.extern_name(ref), value))
        return Const(Extern(_unique(getattr(node, "id", "array"), value, low), value))
    raise low.error(node, f"a global of type '{type(value).__name__}'")


def _unique(base, value, low):
    """Without guards (``emit_c``): a name per array object, so two never share one."""
    names = low.program.__dict__.setdefault("extern_names", {})
    for name, obj in names.items():
        if obj is value:
            return name
    name, k = base, 1
    while name in names:
        k += 1
        name = f"{base}_{k}"
    names[name] = value
    return name


__all__ = ["ExpressionLowerer", "LocalDef", "math"]
