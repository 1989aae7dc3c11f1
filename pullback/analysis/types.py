"""Type inference: one type per variable, the join over all its assignments.

Scalar types form a chain ``bool < int < float``.  Parameters of the entry
function take the types of the example arguments; a callee's parameters take
the join over its call sites.  The result is the module with every ``Var``
carrying its type, so later stages (activity, backends) read types from the
IR itself.
"""
from dataclasses import replace

import numpy as np

from ..errors import TransformError
from ..ir import Assign, Call, Const, Extern, For, Function, Module, Pop, Return, Var
from ..ir.types import (SCALAR_ORDER, SHORT_LENGTHS, Array, ListT, as_type, dummy, holds_int,
                        is_differentiable, join, of_value)
from ..ir.walk import all_written, blocks, reachable, walk
from ..rules import PRIMITIVES
from ..rules.numpy_nondiff import largest_finite
from ..ir.walk import map_blocks
from .split_callees import split_callees


WHOLE_REDUCTIONS = ("sum", "mean", "prod", "amax", "amin")


def result_type(op, args, types):
    """The type of ``op(*args)``: the rule's own answer for scalars, else NumPy's
    answer on stand-in values of the argument types."""
    types = [as_type(t) for t in types]     # (the table may hold a name: "int")
    if op == "copy":
        return types[0]
    if op == "pack":        # generated code typed again (a jvp call's transposed rule)
        return as_type("residual")
    if op == "inplace":     # ``w op= v`` (the value's type); alias.py lowers it to a copy
        # but a 0-d array stays one: NumPy writes it in place, seen by its aliases and views
        return types[0] if isinstance(types[0], Array) and not isinstance(types[1], Array) \
            and types[1] in ("float", "int", "bool") else types[1]
    if op == "getitem" and isinstance(types[0], ListT) and types[1] in ("int", "bool"):
        # an item of a run-time list is its element type, whatever the index: the list's
        # length is not in its type, so stand-in lists of two items must not judge L[2]
        return types[0].elem if types[0].elem is not None else as_type("float")
    if op in WHOLE_REDUCTIONS and isinstance(types[0], Array) and types[0].shape is None \
            and len(args) == 3 and args[1] == Const(None) and args[2] == Const(False) \
            and np.dtype(types[0].dtype).kind in "fiub":
        # over every axis: a number whatever the (unknown) shape, not an unknown array
        kind = np.dtype(types[0].dtype).kind
        return "float" if op == "mean" or kind == "f" else \
            "bool" if kind == "b" and op in ("amax", "amin") else "int"
    prim = PRIMITIVES[op]
    if prim.syntax.kind in ("infix", "prefix") and any(isinstance(t, ListT) for t in types) \
            and not any(isinstance(t, Array) for t in types):
        # printed as Python's operator, which joins (+), repeats (*) or compares whole lists,
        # while the rules are NumPy's elementwise ones (an array operand makes it NumPy's)
        raise TypeError(f"'{prim.syntax.text}' on a list made at run time (Python joins or "
                        "repeats lists; for NumPy's arithmetic make it an array first, "
                        "np.array(...); to join lists, np.concatenate)")
    if op == "pow" and isinstance(args[1], Const) and isinstance(args[1].value, int) \
            and args[1].value < 0 and all(t in ("int", "bool") for t in types):
        return "float"      # Python's 2 ** -1 is 0.5 (Numba's int ** int would raise)
    if all(t in SCALAR_ORDER for t in types):
        t = prim.result(*types)
        if t is None:       # a NumPy function: evaluate it (np.zeros(3) is an array)
            try:
                t = _evaluated(op, prim, args, types)
            except TypeError:
                t = "float"
            if isinstance(t, Array) and t.shape == ():      # 0-d: a scalar, as before
                t = {"b": "bool", "i": "int", "u": "int"}.get(np.dtype(t.dtype).kind, "float")
        return t
    return _evaluated(op, prim, args, types)


def _value(v):
    """A constant as the value it stands for: a global array read by name is its array,
    also inside an index tuple (``Z[R, C]`` of two global index arrays)."""
    if isinstance(v, Extern):
        return v.obj
    if type(v) is tuple and any(isinstance(q, Extern) for q in v):
        return tuple(_value(q) for q in v)
    return v


def _evaluated(op, prim, args, types):
    if prim.shape is not None:    # constants as values (shapes, axes), the rest as types
        return prim.shape(*[_value(a.value) if isinstance(a, Const) else t
                            for a, t in zip(args, types)])
    partial = any(isinstance(x, ListT) or isinstance(x, Array) and x.shape is not None
                  and None in x.shape for x in types)
    try:
        t = _evaluated_at(op, prim, args, types, 2, partial)
    except TypeError:
        t = _at_other_ints(op, prim, args, types, partial)
        if t is not None:
            return t
        if op == "reshape" and isinstance(types[0], Array) and \
                _run_time_ints(args, types, holds_int):
            # to a shape of run-time ints (an argument ``(2, 3)`` or ``n``): no stand-in
            # fits every size; the array's own elements, in a shape known when it runs
            return Array(types[0].dtype, None)
        if not partial:
            raise
        return Array("float64", None)   # stand-in lengths that do not fit: shape unknown
    t = _int_dependent(op, prim, args, types, partial, t)
    if not partial or not isinstance(t, Array) or t.shape is None:
        return t
    # a list's length (an unknown dimension) is not in the type: evaluated at lengths 2 and
    # 3, and at SHORT_LENGTHS where NumPy computes it there, the dimensions that change unknown
    try:
        others = [_evaluated_at(op, prim, args, types, 3, partial)]
    except TypeError:
        return Array(t.dtype, None)
    for length in SHORT_LENGTHS:    # (x[:2] is 2 long at lengths 2 and 3, not at 1)
        try:
            others.append(_evaluated_at(op, prim, args, types, length, partial))
        except TypeError:
            pass
    return _unknown_where_changed(t, others)


def _at_other_ints(op, prim, args, types, partial):
    """The type of ``op`` where the stand-in 1 of its run-time ints does not fit (``p[i]``
    of a ``p`` one long, in a loop of one trip, and its adjoint): evaluated at 0, then with
    each run-time int at -1 in turn, the dimensions that differ unknown; None where any
    fails too, or no argument is a run-time int."""
    moving = _run_time_ints(args, types, lambda ty: ty == "int")
    if not moving:
        return None
    try:
        t = _evaluated_at(op, prim, args, types, 2, partial, ints=0)
        others = [_evaluated_at(op, prim, args, types, 2, partial, ints=0, moved=(j, -1, 0))
                  for j in moving]
    except TypeError:
        return None
    return _unknown_where_changed(t, others) if isinstance(t, Array) else \
        (t if all(o == t for o in others) else None)


def _int_dependent(op, prim, args, types, partial, t):
    """``t`` with the dimensions that depend on a run-time int argument unknown.

    The stand-in of an int is 1; ``np.repeat(x, n)``, ``np.zeros(n)``, ``reshape(x, (n,
    -1))`` typed at n = 1 would claim a static shape that holds only for n = 1 (and
    ``h.shape[0]`` would fold to 1 in the same pass that folds n: a wrong derivative).
    Evaluated again with each run-time int at 0 in turn (valid as an index or axis wherever
    1 is; one at a time, since ints that move together, ``swapaxes(x, a, 1 - a)``, can hide
    a dependence), the dimensions that change are unknown; once n folds to a constant the
    next pass types them exactly.  An int inside an index tuple (the widths of ``np.pad``)
    moves from its stand-in 0 to 1."""
    moving = _run_time_ints(args, types, holds_int)
    if not isinstance(t, Array) or t.shape is None or not moving:
        return t
    try:
        others = [_evaluated_at(op, prim, args, types, 2, partial, moved=(j, 0, 1))
                  for j in moving]
    except TypeError:
        return Array(t.dtype, None)
    return _unknown_where_changed(t, others)


def _run_time_ints(args, types, test):
    return [j for j, (a, ty) in enumerate(zip(args, types)) if not isinstance(a, Const)
            and test(ty)]


def _unknown_where_changed(t, others):
    """``t`` with the dimensions that differ in any of ``others`` unknown (all of them
    where a rank differs)."""
    if t.shape is None or any(not isinstance(o, Array) or o.shape is None or
                              len(o.shape) != len(t.shape) for o in others):
        return Array(t.dtype, None)
    return Array(t.dtype, tuple(d if all(o.shape[k] == d for o in others) else None
                                for k, d in enumerate(t.shape)))


def _evaluated_at(op, prim, args, types, length, partial=False, ints=None, moved=None):
    """The type of ``op`` on stand-in values, lists (and unknown dimensions) ``length``
    long; run-time ints stand in as ``ints`` where given; ``moved = (j, n, m)``: argument
    ``j``'s run-time ints as ``n`` (inside an index tuple as ``m``) instead."""
    def stand_in(j, a, t):
        if isinstance(a, Const):
            return _value(a.value)
        n, m = (moved[1], moved[2]) if moved is not None and moved[0] == j else (ints, 0)
        return n if n is not None and t == "int" else dummy(t, length, partial, m)
    values = [stand_in(j, a, t) for j, (a, t) in enumerate(zip(args, types))]
    if any(v is None for a, v in zip(args, values) if not isinstance(a, Const)):
        return Array("float64", None)
    try:
        with np.errstate(all="ignore"):     # stand-ins may sit at a pole (arctanh(1.0))
            out = prim.call(*values)
    except Exception as e:     # noqa: BLE001 -- reported at the user's line by the caller
        raise TypeError(f"{op}: {e}") from None
    t = of_value(out)
    if t is None:
        raise TypeError(f"{op} returns a {type(out).__name__}")
    return t


def infer_types(module, entry_types, simplify):
    """Type the module; shape queries of statically shaped arrays fold to
    constants, and typing runs again so shapes flow through them.  ``simplify``
    (function -> function: the optimiser's constant propagation, passed in because
    the optimiser sits above analysis) carries the folded shapes to their uses."""
    errors = []
    splits = 0
    folded_last = False     # a fold's constants reach their uses in the next simplify
    for _ in range(8):
        module = reachable(module)
        errors = []
        first, bound = {}, {}
        typed = _infer(module, entry_types, errors, first, bound)
        while splits < 4:       # a callee passed a number here and an array there: copies
            split = split_callees(module, typed, first)
            if split is None:
                break
            splits += 1
            module = split
            first, bound = {}, {}
            typed = _infer(module, entry_types, errors, first, bound)
        if not any(isinstance(v.type, Array) or getattr(s, "op", None) in TYPE_TESTS
                   for f in typed.functions for s in walk(f.body)
                   for v in getattr(s, "args", ()) if isinstance(v, Var)) and not folded_last:
            break
        try:
            folded = Module(tuple(_fold_shapes(simplify(f), bound) for f in typed.functions),
                            typed.result)
        except Exception:     # noqa: BLE001 -- code that did not type: its own error first
            if errors:
                break
            raise
        if folded == typed:
            break
        module, folded_last = folded, True
    if errors:          # a statement that does not type, and folding did not remove it
        raise errors[0]
    return typed


TYPE_TESTS = ("is_ndarray", "is_", "is_not", "largest_finite", "float")  # decided by an
# argument's type (_fold_shapes)
SHAPE_QUERIES = {"dim": lambda s, k: s[k], "len": lambda s: s[0], "ndim": len,
                 "size": lambda s: int(np.prod(s)), "shape_of": tuple}


def _fold_shapes(fn, bound):
    """Shape queries of statically shaped arrays become constants.  A parameter read
    before anything rebinds it (``n = x.shape[0]`` above a loop that grows ``x``) has the
    parameter's own shape there, though the name's type, a join over every binding,
    may have widened to an unknown shape."""
    def stmt(s, entry):
        shape = _known_shape(s.args[0], entry) if isinstance(s, Assign) and s.args else None
        if shape is not None and s.op in SHAPE_QUERIES:
            extra = [a.value for a in s.args[1:] if isinstance(a, Const)]
            value = _answer(s.op, shape, extra) if len(extra) == len(s.args) - 1 else None
            if value is not None:
                return Assign(s.target, "copy", (Const(value),), s.loc)
        if isinstance(s, Assign) and s.op == "ndim" and s.args[0].type in ("float", "int",
                                                                           "bool"):
            return Assign(s.target, "copy", (Const(0),), s.loc)     # a scalar's np.ndim
        if isinstance(s, Assign) and s.op == "largest_finite":  # decided by the dtype
            return Assign(s.target, "copy", (Const(largest_finite(np.empty(
                0, s.args[0].type.dtype) if isinstance(s.args[0].type, Array) else 0.0)),), s.loc)
        if isinstance(s, Assign) and s.op == "float" and s.args[0].type == "float":
            return Assign(s.target, "copy", s.args, s.loc)  # (math.f's, rules/scalar.py)
        if isinstance(s, Assign) and s.op == "ndim" and isinstance(s.args[0].type, ListT):
            rank = _list_rank(s.args[0].type)       # np.ndim of a list grown by append
            if rank is not None:
                return Assign(s.target, "copy", (Const(rank),), s.loc)
        if isinstance(s, Assign) and s.op in ("iscomplexobj", "is_inexact", "abs"):
            return _complex_form(s)
        if isinstance(s, Assign) and s.op in ("is_", "is_not") and \
                s.args[0].type in ("float", "int", "bool"):
            # a number is not None (a name that also held None is typed 'any'); an array
            # type may hide a None joined into it, so its test stays at run time
            return Assign(s.target, "copy", (Const(s.op == "is_not"),), s.loc)
        if isinstance(s, Assign) and s.op == "is_ndarray" and (
                isinstance(s.args[0].type, (Array, ListT)) or
                s.args[0].type in ("float", "int", "bool")):
            return Assign(s.target, "copy", (Const(isinstance(s.args[0].type, Array)),), s.loc)
        if blocks(s):
            inner = {k: t for k, t in entry.items() if k not in all_written((s,))}
            return map_blocks(s, lambda b: tuple(stmt(q, inner) for q in b))
        return s
    entry, body = {p.name: bound.get((fn.name, p.name), p.type) for p in fn.params}, []
    for s in fn.body:
        body.append(stmt(s, entry))
        entry = {k: t for k, t in entry.items() if k not in all_written((s,))}
    return Function(fn.name, fn.params, tuple(body), fn.loc, fn.doc)


def _list_rank(t):
    """np.ndim of a run-time list of type ``t``: one axis more than its items have."""
    if t.elem in ("float", "int", "bool"):
        return 1
    if isinstance(t.elem, Array) and t.elem.shape is not None:
        return 1 + len(t.elem.shape)
    return None


def _answer(op, shape, extra):
    """A shape query's answer where the known dimensions decide it (``ndim`` needs only
    the rank), else None."""
    try:
        value = SHAPE_QUERIES[op](shape, *extra)
    except (TypeError, IndexError):         # (the size of a shape with an unknown dimension)
        return None
    return None if value is None or type(value) is tuple and None in value else value


def _known_shape(a, entry):
    """The shape of an array value, unknown dimensions as None: a typed name (a parameter
    not yet rebound by its type in ``entry``), or a global array read by name (its shape is
    guarded, ``frontend.guards``, so ``len(X)`` folds as NumPy's would)."""
    t = entry.get(a.name, a.type) if isinstance(a, Var) else None
    if isinstance(t, Array):
        return t.shape
    if isinstance(a, Const) and isinstance(a.value, Extern) and isinstance(a.value.obj, np.ndarray):
        return a.value.obj.shape
    return None


def _complex_form(s):
    """``np.iscomplexobj`` and ``is_inexact`` (rules/builtins.py) of a typed argument fold
    (an expansion's branch picks the complex primitive, or the NaN-aware form); ``abs``
    of a complex array is ``cabs``, whose rule is complex."""
    t = s.args[0].type if isinstance(s.args[0], Var) else None
    t = t.elem if isinstance(t, ListT) else t
    kind = np.dtype(t.dtype).kind if isinstance(t, Array) else None
    if s.op == "is_inexact" and (t in ("float", "int", "bool") or kind is not None):
        return Assign(s.target, "copy", (Const(t == "float" or kind in ("f", "c")),), s.loc)
    if s.op == "abs":
        return Assign(s.target, "cabs", s.args, s.loc) if kind == "c" else s
    if t in ("float", "int", "bool") or kind is not None:
        return Assign(s.target, "copy", (Const(kind == "c"),), s.loc)
    return s


def _infer(module, entry_types, errors, first=None, bound=None):
    """Types by fixpoint.  A statement that does not type is recorded in ``errors``
    and left untyped (its target too): it may lie in a branch that folding removes
    (``if np.ndim(x) == 1:`` in an expansion); ``infer_types`` raises it if it stays.
    ``first``: filled with each call's argument types at the first visit that typed
    them all, by (function, n-th call in ``walk`` order) -- before the join over a
    callee's call sites can flow back into them through its result (``split_callees``).
    ``bound``: filled with each parameter's type as passed (the entry's example, the join
    over a callee's call sites), before the body's own rebindings join in."""
    first = {} if first is None else first
    bound = {} if bound is None else bound
    table = {f.name: {} for f in module.functions}
    rets = {f.name: None for f in module.functions}
    entry = module.functions[0]
    for p, t in zip(entry.params, entry_types):
        table[entry.name][p.name] = t
        bound[entry.name, p.name] = t
    known = {}      # id(Assign) -> (argument types, result type) at its last visit
    changed = True
    while changed:
        changed = False
        errors.clear()      # only the last pass's: earlier ones saw partial types

        def setvar(fname, name, t):
            nonlocal changed
            old = table[fname].get(name)
            new = join(old, t)
            if new != old:
                table[fname][name] = new
                changed = True

        for fn in module.functions:
            env = table[fn.name]

            def ty(a):
                return a.type if isinstance(a, Const) else env.get(a.name)
            calls = 0
            for s in walk(fn.body):
                if isinstance(s, Assign):
                    ts = [ty(a) for a in s.args]
                    if None in ts:
                        continue
                    last = known.get(id(s))
                    if last is not None and last[0] == ts:     # (a pure function of them)
                        t = last[1]
                    else:
                        try:
                            t = result_type(s.op, s.args, ts)
                        except TypeError as e:
                            errors.append(TransformError.at(s.loc, str(e)))
                            continue
                        known[id(s)] = (ts, t)
                    setvar(fn.name, s.target.name, t)
                elif isinstance(s, For):
                    setvar(fn.name, s.var.name, "int")
                elif isinstance(s, Call):
                    calls += 1
                    arg_types = tuple(ty(a) for a in s.args)
                    if None not in arg_types:
                        first.setdefault((fn.name, calls - 1), arg_types)
                    callee = module.get(s.func)
                    for p, a in zip(callee.params, s.args):
                        if ty(a) is not None:
                            setvar(callee.name, p.name, ty(a))
                            bound[callee.name, p.name] = join(bound.get((callee.name, p.name)),
                                                              ty(a))
                    outs = rets[s.func] or ()
                    if s.jvp:       # tangents of the outputs follow them (ints get float 0)
                        outs = tuple(outs) + tuple(t if is_differentiable(t) else "float"
                                                   for t in outs)
                    elif s.grad is not None:    # the value, then one gradient per wrt
                        grads = tuple(ty(s.args[i]) for i in s.grad.wrt)
                        if None in grads or ((s.grad.with_value or s.grad.jac) and not outs):
                            continue
                        grads = tuple(t if is_differentiable(t) else "float" for t in grads)
                        if s.grad.jac:      # blocks of shape output shape + argument shape
                            grads = tuple(_block(outs[0], t) for t in grads)
                            if None in grads:       # (shapes not known yet: a later round)
                                continue
                        outs = (tuple(outs) if s.grad.with_value else ()) + grads
                    for t, r in zip(s.targets, outs):
                        if r is not None:
                            setvar(fn.name, t.name, r)
                    if s.rule is not None:
                        _rule_params(module, s, [ty(a) for a in s.args], rets, setvar)
                elif isinstance(s, Return):
                    ts = tuple(ty(a) for a in s.values)
                    old = rets[fn.name]
                    new = ts if old is None else tuple(join(x, y) for x, y in zip(old, ts))
                    if new != old:
                        rets[fn.name] = new
                        changed = True
    return Module(tuple(_annotate(f, table[f.name], bool(errors)) for f in module.functions),
                  module.result)


def _block(out, arg):
    """The type of a Jacobian block of an output of type ``out`` w.r.t. ``arg``; None
    until both are known (a partial type would join into an unknown shape)."""
    if out is None or arg is None:
        return None
    so, sa = (t.shape if isinstance(t, Array) else () for t in (out, arg))
    if so is None or sa is None or None in so + sa:
        return None
    return Array("float64", so + sa) if so + sa else as_type("float")


def _rule_params(module, s, arg_types, rets, setvar):
    """A custom rule's functions are called by the transforms only: their parameters
    take the types the call site implies (``ir.CustomRule``).  Tangents and cotangents
    of int or bool values are floats."""
    rule = s.rule

    def tangent(t):
        return t if t is None or is_differentiable(t) else "float"

    def seed(fname, types):
        for p, t in zip(module.get(fname).params, types):
            if t is not None:
                setvar(fname, p.name, t)
    outs = list(rets[s.func] or [None] * len(s.targets))
    if rule.kind == "vjp":
        seed(rule.fwd, arg_types)
        residuals = list(rets[rule.fwd] or [None] * (len(outs) + rule.residuals))[len(outs):]
        seed(rule.bwd, residuals + [tangent(t) for t in outs])
    else:
        seed(rule.jvp, arg_types + [tangent(t) for t in arg_types])


def _annotate(fn, env, lenient=False):
    typed = {}          # name -> its typed Var (one object per name)

    def var(v):
        found = typed.get(v.name)
        if found is not None:
            return found
        t = env.get(v.name)
        if t is None and lenient:       # after a type error: a stand-in until it is raised
            t = "float"
        if t is None:
            raise TransformError.at(fn.loc, f"cannot infer the type of '{v.name}' in "
                                    f"'{fn.name}' (is it used before assignment, or does "
                                    f"'{fn.name}' call itself with no base case?)")
        found = typed[v.name] = Var(v.name, t)
        return found

    def atom(a):
        return var(a) if isinstance(a, Var) else a

    def stmt(s):
        if type(s) is Assign:
            s = Assign(var(s.target), s.op, tuple(map(atom, s.args)), s.loc)
        elif isinstance(s, Call):
            s = replace(s, targets=tuple(map(var, s.targets)), args=tuple(map(atom, s.args)))
        elif isinstance(s, Return):
            s = replace(s, values=tuple(map(atom, s.values)))
        elif isinstance(s, For):
            s = replace(s, var=var(s.var), start=atom(s.start), stop=atom(s.stop),
                        step=atom(s.step), exit=s.exit and var(s.exit))
        elif hasattr(s, "cond"):
            s = replace(s, cond=atom(s.cond))
        elif hasattr(s, "exit"):
            s = replace(s, exit=var(s.exit))
        if blocks(s):
            s = map_blocks(s, lambda b: tuple(map(stmt, b)))
        return s
    return Function(fn.name, tuple(map(var, fn.params)), tuple(map(stmt, fn.body)), fn.loc, fn.doc)


__all__ = ["infer_types", "join", "Pop", "SCALAR_ORDER"]
