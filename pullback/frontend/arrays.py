"""Lowering of NumPy usage: calls bound by signature, array methods and
attributes, indexing, and in-place writes.

    y = np.sum(x * w, axis=0)   ->  t1 = mul(x, w); y = sum(t1, 0, False)
    x[i, 1:] = v                ->  t = index(i, slice(1, None, None)); x = setitem(x, t, v)
    for row in X: ...           ->  for k in range(len(X)): row = getitem(X, k); ...

Static arguments (axis, shape, keepdims, dtype, ...) become constants; a
tuple literal of constants is one constant.  Lists of numbers passed to
``np.array`` build the array with ``zeros`` and element writes.
"""
import ast

import numpy as np

from ..ir import Assign, Const, Extern, Var, literal
from ..rules import PRIMITIVES, registry
from ..rules import builtins as rules_builtins
from ..rules import numpy_arrangement as NE
from .bindings import DictB, PyObj, TupleB, extern_name, is_atom
import copy

VARARG_SHAPE = {"reshape", "transpose"}
# pure methods of str, run on a constant string while compiling
STRING_METHODS = {"startswith", "endswith", "upper", "lower", "strip", "lstrip", "rstrip",
                  "replace", "split", "isdigit", "isalpha", "count", "find", "format",
                  "removeprefix", "removesuffix", "capitalize", "title", "zfill"}
# the join of a run-time sequence (an array's rows, a list grown at run time)
_ROWS = {np.concatenate: NE.concatenate_rows, np.vstack: NE.vstack_rows,
         np.hstack: NE.hstack_rows}


class ArrayLowerer:
    # -- static arguments ------------------------------------------------------
    def static_arg(self, b, node):
        """A binding as an IR argument: tuples of constants become one constant (an
        array read by name, ``Extern``, is a value at run time: ``A[np.triu_indices(3)]``)."""
        if isinstance(b, TupleB):
            items = [self.static_arg(x, node) for x in b.items]
            if all(map(literal, items)):
                return Const(tuple(x.value for x in items))
            return self.op("index", items, node)
        if isinstance(b, PyObj):
            return Const(b.obj)
        return b

    def call_bound(self, name, args, kwargs, node):
        """Call primitive ``name`` binding positional and keyword args to its params."""
        prim = PRIMITIVES[name]
        params = list(prim.params)
        nreq = len(params) - len(prim.defaults)
        if len(args) > len(params):
            raise self.error(node, f"too many arguments to '{name}'")
        bound = dict(zip(params, args))
        for k, v in kwargs.items():
            if k not in params or k in bound:
                raise self.error(node, f"the keyword argument '{k}' here")
            bound[k] = v
        atoms = []
        diff = set(prim.diff_positions())
        for i, p in enumerate(params):
            if p in bound and i in diff:
                atoms.append(self.array_arg(bound[p], node))
            elif p in bound:
                atoms.append(self.static_arg(bound[p], node))
            elif i >= nreq:
                atoms.append(Const(prim.defaults[i - nreq]))
            else:
                raise self.error(node, f"a missing argument '{p}' to '{name}'")
        return self.op(name, atoms, node)

    def array_arg(self, b, node):
        """A binding where NumPy reads an array through which derivatives flow: a list
        or tuple literal with run-time elements is the array NumPy would make of it
        (``np.sum([x, 2.0 * x])``), typed by the join of its elements, so an active
        element makes it active; never a static index tuple, which carries none."""
        if isinstance(b, TupleB):
            static = self.static_arg(b, node)
            return static if isinstance(static, Const) else self.array_literal(b.items, node)
        return b

    def call_numpy(self, obj, args, kwargs, node):
        """NumPy functions that need more than a binding; None if not one of them."""
        if obj is np.einsum and len(args) > 1 and isinstance(args[1], TupleB):
            return self.call_python(obj, _einsum_subscripts(self, args, node), kwargs, node)
        if obj in (np.array, np.asarray) and args and isinstance(args[0], TupleB):
            arr = self.array_literal(args[0].items, node)   # then its dtype=, as NumPy casts
            return self.call_python(obj, [arr, *args[1:]], kwargs, node) \
                if len(args) > 1 or kwargs else arr
        if obj is np.array and args and len(args) <= 2 and set(kwargs) <= {"dtype"}:
            # np.array copies where np.asarray may share: np.copy, or astype's new array
            dtype = args[1] if len(args) > 1 else kwargs.get("dtype")
            if dtype is None or isinstance(dtype, Const) and dtype.value is None:
                return self.call_bound("copy_array", args[:1], {}, node)
            return self.call_bound("astype", [args[0], dtype], {}, node)
        if obj in (np.concatenate, np.stack, np.hstack, np.vstack) and args and \
                isinstance(args[0], TupleB):
            return self.concatenate(obj, args[0].items, self.joining_axis(obj, args, kwargs, node),
                                    node)
        if obj in _ROWS and args and is_atom(args[0]) and not isinstance(args[0], Const):
            return self.call_python(_ROWS[obj], args, kwargs, node)  # an array's rows, a list
        if obj is np.split or obj is np.array_split:    # (array_split: unequal parts)
            sections = args[1] if len(args) > 1 else kwargs.get("indices_or_sections")
            axis = args[2] if len(args) > 2 else kwargs.get("axis", Const(0))
            sec = self.static_arg(sections, node)
            if not isinstance(sec, Const):
                raise self.error(node, "np.split with run-time sections")
            n = sec.value if isinstance(sec.value, int) else len(sec.value) + 1
            prim = "split_part" if obj is np.split else "array_split_part"
            return TupleB(tuple(self.op(prim, (args[0], sec, Const(k), axis), node)
                                for k in range(n)))
        if obj is np.flatnonzero and len(args) == 1 and not kwargs:
            return self.call_bound("flatnonzero", args, kwargs, node)
        parts = next((v for k, v in registry.TUPLE_RESULTS.items() if k is obj), None)
        single = registry.TUPLE_SINGLE.get(obj) if parts else None
        if single is not None:      # svd(x, compute_uv=False): one array, not a tuple
            key, pos, value, name = single
            given = kwargs.get(key, args[pos] if len(args) > pos else None)
            if isinstance(given, Const) and given.value == value and \
                    type(given.value) is type(value):
                return self.call_bound(name, args, kwargs, node)
        if parts:      # slogdet, eigh, qr: one primitive per element of the result
            return TupleB(tuple(self.call_bound(p, args, kwargs, node) for p in parts))
        return None

    def index_concatenate(self, obj, node):
        """np.r_[a, 2.0, 0:3] is np.concatenate of 1-d pieces (a constant slice an
        np.arange); np.c_[a, b] is np.column_stack.  String directives are rejected."""
        elts = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        pieces = []
        for e in elts:
            if isinstance(e, ast.Slice):
                bounds = [None if p is None else self.atom(p) for p in (e.lower, e.upper, e.step)]
                if not all(b is None or (isinstance(b, Const) and type(b.value) is int)
                           for b in bounds):
                    raise self.error(e, "a slice in np.r_ other than integer constants")
                start, stop, step = [b and b.value for b in bounds]
                pieces.append(self.op("arange", (Const(start or 0), Const(stop),
                                                 Const(step or 1), Const(None)), e))
                continue
            piece = self.expr(e)
            if isinstance(piece, Const) and isinstance(piece.value, str):
                raise self.error(e, "a string directive in np.r_ (write np.concatenate)")
            pieces.append(self.op("atleast_1d_piece", (self.atom_of(piece, e),), e)
                          if obj is np.r_ else piece)
        if obj is np.c_:
            return self.call_python(np.column_stack, [TupleB(tuple(pieces), True)], {}, node)
        return self.call_python(np.concatenate, [TupleB(tuple(pieces), True)], {}, node)

    def array_literal(self, items, node, room="zeros_for"):
        """NumPy's array of the nested ``items``: its room, then one write an element.
        ``room="tuple_for"``: a Python tuple kept as one value, whose items the alias
        analysis treats as the leaves themselves (a later write to one shows in it)."""
        shape, leaves = _shape_and_leaves(items)
        if any(not is_atom(x) for x in leaves):
            return self.concatenate(np.stack, items, Const(0), node)
        if all(map(literal, leaves)):   # NumPy's dtype of the values (not global arrays)
            dtype = np.asarray([x.value for x in leaves]).dtype   # (np.array([0, 3]) indexes)
            arr = self.op("zeros", (Const(shape), Const(None if dtype == np.float64 else
                                                          dtype.name)), node)
        else:       # its elements may be arrays; its dtype joins all of them (int, float)
            arr = self.op(room, (Const(shape),) + tuple(leaves), node)
        for flat, leaf in enumerate(leaves):
            idx = Const(tuple(int(i) for i in np.unravel_index(flat, shape)))
            self.emit(Assign(arr, "setitem", (arr, idx, leaf), self.loc(node)))
        return arr

    def joining_axis(self, obj, args, kwargs, node):
        """The axis of np.concatenate/np.stack (by position or keyword, as NumPy binds it;
        hstack/vstack have none); any other argument is rejected, never ignored."""
        name = obj.__name__
        takes_axis = obj in (np.concatenate, np.stack)
        given = dict(kwargs)
        if len(args) > 1 and takes_axis:
            if "axis" in given:
                raise self.error(node, f"np.{name} with the axis given twice")
            given["axis"] = args[1]
        if len(args) > (2 if takes_axis else 1):
            raise self.error(node, f"np.{name} with more than {2 if takes_axis else 1} "
                                   "positional arguments (out=)")
        axis = given.pop("axis", Const(0)) if takes_axis else Const(0)
        if given:
            raise self.error(node, f"the keyword argument '{sorted(given)[0]}' to np.{name}")
        if not is_atom(axis) or isinstance(axis, Const) and not (
                type(axis.value) is int or axis.value is None and obj is np.concatenate):
            raise self.error(node, f"np.{name} with an axis that is not an integer")
        return axis

    def concatenate(self, obj, items, axis, node):
        items = [self.atom_of(x, node) for x in items]
        if isinstance(axis, Const) and axis.value is None:    # np.concatenate(..., axis=None): of the raveled arrays
            items, axis = [self.op("ravel", (x,), node) for x in items], Const(0)
        if obj is np.stack:
            items = [self.op("expand_dims", (x, axis), node) for x in items]
        elif obj is np.vstack:
            items = [self.op("atleast_2d", (x,), node) for x in items]
        acc = items[0]
        for x in items[1:]:
            acc = self.op("hstack2", (acc, x), node) if obj is np.hstack else \
                self.op("concat2", (acc, x, axis), node)
        return acc

    def atom_of(self, b, node):
        if isinstance(b, TupleB):
            return self.array_literal(b.items, node, "tuple_for")
        if not is_atom(b):
            raise self.error(node, "a function or module where an array is expected")
        return b

    # -- methods and attributes on run-time values ---------------------------------
    def array_attribute(self, base, node):
        attr = node.attr
        if attr == "T":
            return self.op("transpose", (base, Const(None)), node)
        if attr in ("shape", "ndim", "size"):
            t = self.op({"shape": "shape_of"}.get(attr, attr), (base,), node)
            if attr == "shape":
                self.shape_source[t.name] = base
            return t
        if attr in ("real", "imag"):       # complex-aware primitives (rules/complex.py)
            return self.op("c" + attr, (base,), node)
        raise self.error(node, f"the attribute '.{attr}'")

    def expr_ListComp(self, node):
        """``[e for x in seq if c]``: unrolled over a tuple, else a loop that appends.
        The loop variable is renamed so it cannot clobber a variable outside."""
        if len(node.generators) != 1 or node.generators[0].is_async:
            raise self.error(node, "a comprehension with several 'for' clauses")
        gen = node.generators[0]
        names = {n.id for n in ast.walk(gen.target) if isinstance(n, ast.Name)}
        fresh = {n: self.new_var(f"{n}_c").name for n in names}
        rename = _Rename(fresh)
        target, elt = rename.visit(_copy(gen.target)), rename.visit(_copy(node.elt))
        ifs = [rename.visit(_copy(c)) for c in gen.ifs]
        self.note_copies([elt] + ifs)       # generator expressions inside: generators.py
        it = gen.iter                   # zip/enumerate of arrays by name: a loop (functional.py)
        rows = any(_is_call_to(it, f) for f in ("zip", "enumerate")) and \
            all(isinstance(a, ast.Name) for a in it.args) and \
            any(is_atom(self.env.get(a.id)) for a in it.args)
        seq = None if _is_call_to(it, "range") or rows else self.expr(it)
        if isinstance(seq, Const) and isinstance(seq.value, str):     # for g in "ifo"
            seq = TupleB(tuple(Const(c) for c in seq.value))
        if isinstance(seq, TupleB) and not ifs:
            items = []
            for item in seq.items:
                self.alias(target, item, node)     # a constant stays one (a dict key)
                items.append(self.expr(elt))
            return TupleB(tuple(items), is_list=True)
        acc = self.new_var("items")
        self.lists.add(acc.name)
        self.emit(Assign(acc, "list_new", (), self.loc(node)))
        self.env[acc.name] = acc
        append = ast.Expr(ast.Call(ast.Attribute(ast.Name(acc.name, ast.Load()), "append",
                                                 ast.Load()), [elt], []))
        body = [append]
        for c in reversed(ifs):
            body = [ast.If(c, body, [])]
        loop = ast.For(target, gen.iter, body, [])
        for n in ast.walk(loop):
            if not hasattr(n, "lineno"):
                n.lineno, n.col_offset = node.lineno, node.col_offset
        self.stmt_For(loop)
        return acc

    def string_method(self, text, attr, args, kwargs, node):
        """A method of a constant string (a dict key: ``k.startswith("W")``), run while
        compiling: its arguments must be constants too."""
        values = [a.value for a in args if literal(a)]
        if attr not in STRING_METHODS or len(values) != len(args) or kwargs:
            raise self.error(node, f"the string method '.{attr}()' with arguments not known "
                                   "while compiling" if attr in STRING_METHODS else
                             f"the string method '.{attr}()'")
        out = getattr(text, attr)(*values)
        if isinstance(out, list):
            return TupleB(tuple(Const(x) for x in out), is_list=True)
        return Const(out)

    def list_append(self, xs, v, node):
        k = self.op("len", (xs,), node)
        self.emit(Assign(xs, "list_append", (xs, v, k), self.loc(node)))

    def array_method(self, base, attr, args, kwargs, node):
        if isinstance(base, Const) and isinstance(base.value, str):
            return self.string_method(base.value, attr, args, kwargs, node)
        if attr == "item" and not args and not kwargs:      # x.item(): its one element
            return self.call_expansion(rules_builtins.item_of, [base], {}, node)
        if attr == "append" and len(args) == 1 and not kwargs:
            self.list_append(base, self.atom_of(args[0], node), node)
            return Const(None)
        if attr == "extend" and len(args) == 1 and not kwargs and isinstance(args[0], TupleB):
            for item in [self.atom_of(x, node) for x in args[0].items]:    # appends, in order
                self.list_append(base, item, node)
            return Const(None)
        if attr == "pop":
            # a stack: pullback's own reverse-mode output pops its tapes
            raise self.error(node, "a list used as a stack ('.pop()'); to differentiate a "
                                   "gradient, compose derivatives (pullback.hessian, "
                                   "jacobian(grad(f)), jvp(grad(f), ...))")
        if attr == "sort" and isinstance(base, Var) and base.name not in self.lists:
            return self.sort_in_place(base, args, kwargs, node)
        if attr not in registry.METHODS:      # declared with the rule (``method=``)
            raise self.error(node, f"the array method '.{attr}()'")
        name = registry.METHODS[attr]
        if attr in VARARG_SHAPE and len(args) > 1:
            args = [TupleB(tuple(args))]
        if attr == "clip":
            return self.op("clip", [base] + [self.array_arg(a, node) for a in args], node)
        return self.call_bound(name, [base] + list(args), kwargs, node)

    def sort_in_place(self, base, args, kwargs, node):
        """``x.sort(axis=-1)``: the write ``x[:] = np.sort(x, axis)`` (the sort kind
        changes no value; the in-place write is checked as any other)."""
        kwargs = {k: v for k, v in kwargs.items() if k != "kind"}
        if len(args) > 1 or set(kwargs) - {"axis"} or \
                not isinstance(node.func.value, ast.Name):
            raise self.error(node, "the array method '.sort()' other than x.sort(axis)")
        axis = args[0] if args else kwargs.get("axis", Const(-1))
        value = self.call_bound("sort", [base, axis], {}, node)
        target = ast.Subscript(node.func.value, ast.Slice(), ast.Store())   # x[:] = ...
        ast.copy_location(target, node)
        ast.copy_location(target.slice, node)
        self.store_subscript(target, value, node)
        return Const(None)

    # -- indexing ------------------------------------------------------------------
    def index_of(self, node):
        """An index expression as one IR atom (a constant when static)."""
        if isinstance(node, ast.Call) and len(node.args) == 1 and not node.keywords and \
                getattr(node.func, "attr", getattr(node.func, "id", None)) in \
                ("where", "nonzero") and \
                getattr(self.expr(node.func), "obj", None) in (np.where, np.nonzero):
            # x[np.where(m)] is x[m != 0]: the same elements in the same (row-major) order
            # (the whole index only: a tuple of index arrays nested in another index is not)
            return self.op("ne", (self.atom(node.args[0]), Const(0)), node)
        parts = node.elts if isinstance(node, ast.Tuple) else [node]
        atoms = [self.index_part(p) for p in parts]
        if isinstance(node, ast.Tuple):
            if all(isinstance(a, Const) for a in atoms):
                return Const(tuple(a.value for a in atoms))
            return self.op("index", [self.list_as_array(a) for a in atoms], node)
        return atoms[0]

    def list_as_array(self, a):
        """A constant list of ints in a run-time index tuple (``A[np.arange(3), [0, 1, 1]]``)
        as the int array NumPy makes of it, a global the generated code reads by name: an
        index type holds the types of its run-time parts (a list is no type)."""
        if not (isinstance(a, Const) and isinstance(a.value, list)):
            return a
        value = np.array(a.value)
        if value.dtype.kind != "i":         # a list of bools is a mask: NumPy's meaning
            return a                        # differs, left to the checks that reject it
        return Const(Extern(extern_name("index", value, self), value))

    def index_part(self, p):
        if isinstance(p, ast.Slice):
            bounds = [Const(None) if b is None else self.atom(b) for b in (p.lower, p.upper, p.step)]
            if all(isinstance(b, Const) for b in bounds):
                return Const(slice(*[b.value for b in bounds]))
            return self.op("slice", bounds, p)
        if isinstance(p, ast.Constant) and (p.value is None or p.value is Ellipsis):
            return Const(p.value)
        if _is_call_to(p, "range") and not p.keywords and 1 <= len(p.args) <= 3 and \
                getattr(self.expr(p.func), "obj", None) is range:
            # p[range(n), y] (cs231n): the integer-array index np.arange(n) is
            bounds = [self.atom(a) for a in p.args]
            start, stop, step = ([Const(0)] + bounds + [Const(1)])[:3] if len(bounds) == 1 \
                else (bounds + [Const(1)])[:3]
            return self.op("arange", (start, stop, step, Const(None)), p)
        b = self.expr(p)
        if isinstance(b, TupleB) and b.is_list:     # x[[0, 2]]: an integer-array index
            value = _constant_list(b)
            if value is None:       # [i, j] of run-time ints: built when the code runs
                return self.op("index_list", [self.atom_of(x, p) for x in b.items], p)
            return Const(value)
        if isinstance(b, TupleB):
            return self.static_arg(b, p)
        return b

    def unpack_atom(self, value, n, node):
        """``a, b = x.shape`` or ``row0, row1 = X``: a run-time value split in ``n``."""
        if isinstance(value, Var) and value.name in self.shape_source:
            src = self.shape_source[value.name]
            return TupleB(tuple(self.op("dim", (src, Const(k)), node) for k in range(n)))
        return TupleB(tuple(self.op("getitem", (value, Const(k)), node) for k in range(n)))

    def array_getitem(self, base, node):
        if isinstance(base, Var) and base.name in self.shape_source:
            idx = self.atom(node.slice)
            return self.op("dim", (self.shape_source[base.name], idx), node)
        return self.op("getitem", (base, self.index_of(node.slice)), node)

    def store_subscript(self, target, value, node):
        """``x[idx] = value``: an in-place write to the array variable ``x``."""
        if not isinstance(target.value, ast.Name):
            raise self.error(target, "an in-place write to this expression")
        name = target.value.id
        arr = self.env.get(name)
        if isinstance(arr, DictB):
            return self.store_dict_item(target, arr, value, node)
        k = self.atom(target.slice) if isinstance(arr, TupleB) and arr.is_list else None
        if isinstance(k, Const) and type(k.value) is int and -len(arr.items) <= k.value < \
                len(arr.items):
            # state[1] = v of a list of known length: the list with that item replaced,
            # rebound; Python changes the one list every holder sees, so none may
            self.check_list_unshared(name, arr, node, "an item assignment")
            items = list(arr.items)
            items[k.value] = self.atom_of(value, node)
            return self.bind(name, TupleB(tuple(items), is_list=True), node)
        if not isinstance(arr, Var):
            raise self.error(target, f"an item assignment to '{name}', which is not an array")
        idx = self.index_of(target.slice)
        value = self.atom_of(value, node)
        self.emit(Assign(arr, "setitem", (arr, idx, value), self.loc(node)))


class _Rename(ast.NodeTransformer):
    def __init__(self, names):
        self.names = names

    def visit_Name(self, node):
        if node.id in self.names:
            return ast.copy_location(ast.Name(self.names[node.id], node.ctx), node)
        return node


def _copy(node):
    return copy.deepcopy(node)


def _is_call_to(node, name):
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == name


def _constant_list(b):
    """A list literal of constants as a (nested) Python list; None if not constant."""
    if isinstance(b, TupleB):
        items = [_constant_list(x) for x in b.items]
        return None if any(x is None for x in items) else items
    return b.value if literal(b) else None      # (a global array is read at run time)


def _shape_and_leaves(items):
    if all(isinstance(x, TupleB) for x in items) and items:
        subs = [_shape_and_leaves(x.items) for x in items]
        if len({s for s, _ in subs}) != 1:
            raise ValueError("ragged nested list")
        return (len(items),) + subs[0][0], [leaf for _, ls in subs for leaf in ls]
    return (len(items),), list(items)


__all__ = ["ArrayLowerer", "registry"]


def _einsum_subscripts(low, args, node):
    """np.einsum(a, [0, 1], b, [1, 2], [0, 2]) as np.einsum("ab,bc->ac", a, b): each
    axis number a letter, Ellipsis "..."; the sublists must be constants."""
    def letters(sub):
        out = ""
        for k in sub.items:
            if not isinstance(k, (Const, PyObj)):
                raise low.error(node, "np.einsum with a run-time sublist")
            v = k.value if isinstance(k, Const) else k.obj
            if v is Ellipsis:
                out += "..."
            elif isinstance(v, (int, np.integer)) and 0 <= v < 52:
                out += "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"[v]
            else:
                raise low.error(node, f"np.einsum with the axis label {v!r} in a sublist")
        return out
    operands, subs = list(args[0::2]), [letters(s) for s in args[1::2]]
    if len(args) % 2:       # the last sublist names the output
        operands = operands[:-1]
        spec = ",".join(subs) + "->" + letters(args[-1])
    else:
        spec = ",".join(subs)
    return [Const(spec)] + operands
