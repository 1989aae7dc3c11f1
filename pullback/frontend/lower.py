"""Lowering of statements: Python AST -> three-address IR with structured flow.

Invariants of the output (see ``ir.nodes``): one primitive per ``Assign``;
``break``/``continue``/``return`` become flags (``stop``, ``skip``, ``ret``)
and guards ``if flag: pass else: <rest of block>``; at the top level of a
function a reassigned name gets a fresh version (``x``, ``x_1``) so straight
line code never overwrites a value; inside loops and branches a name keeps
one variable.
"""
import ast
from dataclasses import replace

from ..errors import UnsupportedError
from ..ir import Assign, Const, If, Loc, Return, Var, literal
from ..ir.names import Names
from .bindings import (BuilderB, ConstB, DictB, FuncB, PyObj, RecordB, TupleB, flatten,
                       is_atom, unflatten, with_lists)
from .arrays import ArrayLowerer
from .calls import CallLowerer, ContainerLowerer
from .custom_calls import CustomCallLowerer
from .pullback_calls import PullbackCallLowerer
from .dict_writes import DictWriteLowerer
from .effects import EffectLowerer
from .expansions import ExpansionLowerer
from .extremes import ExtremeLowerer
from .sorting import SortLowerer
from .functional import FunctionalLowerer, PartialB
from .generators import GeneratorLowerer, is_generator
from .genexps import GenexpLowerer
from .objects import MethodB, ObjectLowerer
from .ufunc_at import UfuncAtLowerer
from .randomness import RandomLowerer
from .closures import ClosureLowerer, LocalDef
from .expressions import ExpressionLowerer
from .fence import check, reject
from .loops import LoopLowerer
from .scan import appended_names, binding_counts, exits, facts, spelled


RETURNED = "returned"    # stmt_If folded a constant test and the branch taken returned
STAYED = "stayed"        # stmt_If folded it and the branch taken cannot leave the block


class FunctionLowerer(ExpressionLowerer, ClosureLowerer, CallLowerer, PullbackCallLowerer,
                      CustomCallLowerer, EffectLowerer, FunctionalLowerer, ObjectLowerer,
                      ArrayLowerer, ContainerLowerer, ExpansionLowerer, RandomLowerer,
                      GeneratorLowerer, GenexpLowerer, LoopLowerer, DictWriteLowerer,
                      UfuncAtLowerer, ExtremeLowerer, SortLowerer):
    def __init__(self, program, fb, site=None):
        self.program = program
        self.fb = fb
        self.src = fb.source
        self.site = site        # an expansion's body: the user's call it is placed at
        self.entry = False      # the function differentiated (Program sets it): returns numbers
        self.frame = object()   # this lowering's token on the closures it binds
        self.defined = set()    # sources of the nested defs run here
        self.rebound = set()    # names given a new binding after their first (closures.py)
        self.ctx = fb.context
        check(self.src)
        self.names = Names()
        self.used = self.names.taken
        self.temps = set()
        self.ntemp = 0
        self.blocks = [[]]
        self.loops = []
        self.counts = binding_counts(self.src.node) if isinstance(self.src.node, ast.FunctionDef) \
            else {}
        self.ret_flag = None
        self.ret_vals = None
        # user names, bound or read, and attribute names (a global array, or a module's
        # ``m.t``, is read by its own name in the generated code): temporaries avoid them
        self.reserved = set(self.counts) | spelled(self.src.node)
        self.shape_source = {}              # temp holding x.shape -> x
        self.lists = appended_names(self.src.node) if isinstance(self.src.node, ast.FunctionDef) \
            else set()
        self.may_be_none = set()    # variables a None was stored in (expressions.expr_Compare)
        # names a '+=', '*=' or an item assignment may change in place (a list's object:
        # ``check_list_unshared``; a second holder is refused where it is bound)
        self.augmented = {n.target.id for n in ast.walk(self.src.node) if isinstance(
            n, ast.AugAssign) and isinstance(n.target, ast.Name) and isinstance(
            n.op, (ast.Add, ast.Mult))} | {
            t.value.id for n in ast.walk(self.src.node) if isinstance(n, ast.Assign)
            for t in n.targets if isinstance(t, ast.Subscript) and isinstance(t.value, ast.Name)}
        self.static_in = {}     # loop target bound to a constant item -> the block it was bound in
        self.own_loop_reads = None  # names read only inside their own loops (loops.py)

    # -- names ------------------------------------------------------------
    def param_names(self):
        args = self.src.node.args
        return [a.arg for a in args.args + args.kwonlyargs] + \
            [a.arg for a in (args.vararg, args.kwarg) if a is not None]

    def new_var(self, base):
        if "." in base:      # an attribute set in a constructor (objects.field_write)
            base = base.replace(".", "_")
            while base in self.reserved:
                base += "_"
        return Var(self.names.fresh(base))

    def temp(self):
        self.ntemp += 1
        while f"t{self.ntemp}" in self.used or f"t{self.ntemp}" in self.reserved:
            self.ntemp += 1
        t = self.new_var(f"t{self.ntemp}")
        self.temps.add(t.name)
        return t

    def loc(self, node):
        if self.site is None:
            return self.src.loc(node)
        return Loc(self.site.file, self.site.line, self.site.col, via=self.expansion_line(node))

    def expansion_line(self, node):
        return (f"pullback's expansion '{self.src.name}', "
                f"{self.src.filename}:{getattr(node, 'lineno', 0)}")

    def error(self, node, what):
        if self.site is None:
            return reject(self.src, node, what)
        return UnsupportedError.at(self.loc(node), f"cannot differentiate {what}", what)

    # -- emission -----------------------------------------------------------
    def emit(self, stmt):
        self.blocks[-1].append(stmt)

    def nested(self, fn, *args):
        self.blocks.append([])
        fn(*args)
        return tuple(self.blocks.pop())

    @property
    def top(self):
        return len(self.blocks) == 1

    # -- entry --------------------------------------------------------------
    def lower(self, env):
        self.env = dict(env)
        self.entry_bindings = tuple(env.values())    # the caller's: never changed in place
        # an __init__ making an object (objects.construct): it returns the record it built
        self.building = next((b for b in env.values() if isinstance(b, BuilderB)), None)
        self.fields = {}
        for v in list(self.used):
            self.used.add(v)
        node = self.src.node
        if isinstance(node, ast.Lambda):
            b = self.current(self.expr(node.body), node)
            self.check_returnable(b, node)
            _, atoms = flatten(b)
            self.emit(Return(tuple(atoms), self.loc(node)))
            return self.blocks[0], flatten(b)[0]
        body = node.body
        if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
            body = body[1:]
        if is_generator(node):      # its items, all computed at the call (generators.py)
            b = TupleB(tuple(self.lower_generator(body)))
            self.check_returnable(b, node)
            skel, atoms = flatten(b)
            self.emit(Return(tuple(atoms), self.loc(node)))
            return self.blocks[0], skel
        direct = body and isinstance(body[-1], ast.Return) and facts(node).returns == 1 \
            and self.building is None
        if direct:
            self.block(body[:-1])
            value = body[-1].value
            b = self.current(self.expr(value), value) if value is not None else Const(0.0)
            if isinstance(b, Var) and self._is_temp(b):
                result = self.new_var("result")
                self.store(result, b, self.loc(body[-1]))
                b = result
            self.check_returnable(b, body[-1])
            skel, atoms = flatten(b)
            self.emit(Return(tuple(atoms), self.loc(body[-1])))
            return self.blocks[0], skel
        self.ret_flag = self.new_var("ret")
        self.emit(Assign(self.ret_flag, "copy", (Const(False),)))
        self.block(body)
        if self.building is not None:
            self.ret_vals = self.built()
        elif self.ret_vals is None:   # a procedure (it plots, prints): None, known here
            self.ret_vals = ConstB(None)    # (Program rejects it for the entry function)
        skel, atoms = flatten(self.ret_vals)
        self.emit(Return(tuple(atoms), self.loc(node)))
        return self.blocks[0], skel

    def check_returnable(self, b, node):
        """A callee may return static values (a closure with the values it captured, a
        partial, a module): its return skeleton carries them and the caller rebuilds them,
        so a helper that makes and returns functions works as in Python.  The entry
        function returns numbers only.  Checked before flatten, which has no skeleton for
        a bound method or a pending draw."""
        if self.entry and any(isinstance(x, (FuncB, PyObj, LocalDef, PartialB, MethodB))
                              for x in _leaves(b)):
            raise self.error(node, "returning a function or module")
        if not _returnable(b) or not all(isinstance(x, (Var, Const)) for x in flatten(b)[1]):
            raise self.error(node, "returning a bound method or an object of this kind")

    # -- blocks and guards ----------------------------------------------------
    def block(self, stmts):
        for i, s in enumerate(stmts):
            done = self.stmt(s)
            if done is RETURNED:            # a folded branch returned: the rest never runs
                return RETURNED
            rest = stmts[i + 1:]
            if rest and exits(s) and done is not STAYED:   # (the untaken branch might)
                flag = self.loops[-1].skip if self.loops else self.ret_flag
                self.emit(If(flag, (), self.nested(self.block, rest), self.loc(rest[0])))
                return

    def stmt(self, s):
        method = getattr(self, "stmt_" + type(s).__name__, None)
        if method is None:
            raise self.error(s, None)
        return method(s)

    def stmt_Pass(self, s):
        pass

    def stmt_Expr(self, s):
        if isinstance(s.value, ast.Yield):
            return self.stmt_yield(s)
        if isinstance(s.value, ast.Constant) or self.ufunc_at(s):
            return
        self.expr(s.value)

    def stmt_Assert(self, s):
        """Checked in the forward sweep only (``rules.effects``)."""
        cond = self.atom(s.test)
        msg = self.atom(s.msg) if s.msg is not None else Const(None)
        self.op("check_assert", (cond, msg), s)

    def stmt_FunctionDef(self, s):
        self.bind(s.name, self.local_def(s), s)

    def stmt_Assign(self, s):
        if isinstance(s.value, ast.Lambda):   # like a def: captures are read when it is used
            value = self.local_def(s.value)
        else:
            value = self.expr(s.value)
        for i, t in enumerate(s.targets):
            self.assign(t, value, s)
            if i == 0 and len(s.targets) > 1 and isinstance(t, ast.Name):
                value = self.env[t.id]     # `y = x = e`: the others copy the first

    def stmt_AnnAssign(self, s):
        if s.value is None:
            return
        self.assign(s.target, self.expr(s.value), s)

    def stmt_AugAssign(self, s):
        if isinstance(s.target, ast.Subscript):
            load = ast.Subscript(s.target.value, s.target.slice, ast.Load(), lineno=s.lineno,
                                 col_offset=s.col_offset)
            old = self.expr(load)
            value = self.binop(s.op, old, self.expr(s.value), s)
            base = self.expr(s.target.value)
            if isinstance(base, (DictB, TupleB, RecordB)) or (
                    isinstance(base, Var) and base.name in self.lists):
                # an item of a container: on an array NumPy writes in place, seen by every
                # name for it (``d["a"] += x`` changes ``y`` of ``d = {"a": y}``)
                value = self.written_in_place(old, value, s)
            return self.store_subscript(s.target, value, s)
        if isinstance(s.target, ast.Attribute):
            load = ast.Attribute(s.target.value, s.target.attr, ast.Load(), lineno=s.lineno,
                                 col_offset=s.col_offset)
            if isinstance(self.env.get(getattr(s.target.value, "id", None)), BuilderB):
                old = self.expr(load)       # ``self.w *= 2`` writes the caller's array too
                value = self.written_in_place(old, self.binop(s.op, old, self.expr(s.value), s), s)
                if self.field_write(s.target, value, s):
                    return
            raise self.attribute_write(s.target)
        if not isinstance(s.target, ast.Name):
            raise self.error(s.target, "an augmented assignment to this target")
        self.augment(s.target, s.op, self.expr(s.value), s)

    def augment(self, target, op, operand, s):
        """``name op= operand`` (``operand`` lowered already)."""
        load = ast.Name(target.id, ast.Load(), lineno=s.lineno, col_offset=s.col_offset)
        old = self.expr(load)
        if isinstance(old, TupleB) and old.is_list and isinstance(op, (ast.Add, ast.Mult)):
            self.check_list_unshared(target.id, old, s)
        self.assign(target, self.written_in_place(old, self.binop(op, old, operand, s), s), s)

    def written_in_place(self, old, value, s):
        """``old op= v``'s value ``value``: on an array NumPy writes in place, seen by every
        alias; the alias analysis checks that, then makes it the rebinding it is on numbers
        (analysis/alias.py)."""
        if isinstance(old, Var) and is_atom(value):
            return self.op("inplace", (old, value), s)
        return value

    def check_list_unshared(self, name, old, s, what="an in-place '+=' or '*='"):
        """``L += items``, ``L *= k`` and ``L[k] = v`` change the list object itself;
        lowered as a rebinding of ``L``, so no other holder may see that object: another
        name, a container holding it, or the caller (a parameter's list, or a part of one)."""
        held = [n for n, b in self.env.items() if n != name and _holds(b, old)]
        if held or any(_holds(b, old) for b in self.entry_bindings):
            who = f"'{held[0]}' holds it too" if held else "it is the caller's list"
            raise self.error(s, f"{what} on the list '{name}' while {who} (Python changes "
                             f"the one list both see; make a copy first: {name} = "
                             f"list({name}))")

    # -- assignment -------------------------------------------------------------
    def assign(self, target, value, node):
        if isinstance(target, ast.Name):
            return self.bind(target.id, value, node)
        if isinstance(target, (ast.Tuple, ast.List)):
            stars = [k for k, e in enumerate(target.elts) if isinstance(e, ast.Starred)]
            if stars:                       # a, *rest = items: rest is a list of the middle
                if len(stars) > 1 or not isinstance(value, TupleB):
                    raise self.error(node, "starred unpacking of a value that is not a tuple "
                                     "or list of known length")
                k, m = stars[0], len(target.elts) - stars[0] - 1
                if len(value.items) < k + m:
                    raise self.error(node, "unpacking a value that is not a tuple of "
                                     "matching length")
                mid = value.items[k:len(value.items) - m]
                value = TupleB(value.items[:k] + (TupleB(mid, is_list=True),) +
                               value.items[len(value.items) - m:], value.is_list)
                target = ast.Tuple([e.value if isinstance(e, ast.Starred) else e
                                    for e in target.elts], ast.Store())
            if is_atom(value):
                value = self.unpack_atom(value, len(target.elts), node)
            if not isinstance(value, TupleB) or len(value.items) != len(target.elts):
                raise self.error(node, "unpacking a value that is not a tuple of matching length")
            written = {b.name for t in target.elts for b in self._target_vars(t)}
            value = self.snapshot(value, written)
            for t, v in zip(target.elts, value.items):
                self.assign(t, v, node)
            return
        if isinstance(target, ast.Subscript):
            return self.store_subscript(target, value, node)
        if isinstance(target, ast.Attribute):
            if self.field_write(target, value, node):
                return
            raise self.attribute_write(target)
        raise self.error(target, "an assignment to this target")

    def _target_vars(self, t):
        if isinstance(t, ast.Name):
            return [x for x in flatten(self.env.get(t.id, Const(0)))[1] if isinstance(x, Var)]
        if isinstance(t, (ast.Tuple, ast.List)):
            return [v for e in t.elts for v in self._target_vars(e)]
        return []

    def snapshot(self, b, names):
        """Copy the leaves of ``b`` that are about to be overwritten (``a, b = b, a``)."""
        if isinstance(b, Var) and b.name in names:
            t = self.temp()
            self.emit(Assign(t, "copy", (b,)))
            return t
        if isinstance(b, TupleB):
            return TupleB(tuple(self.snapshot(x, names) for x in b.items), b.is_list)
        if isinstance(b, (DictB, RecordB)):
            return replace(b, items=tuple(self.snapshot(x, names) for x in b.items))
        return b

    def bind(self, name, value, node):
        old = self.env.get(name)
        if old is not None and self.top:
            self.rebound.add(name)
        loc = self.loc(node)
        if name in self.lists and isinstance(value, TupleB) and \
                any(b is value for n, b in self.env.items() if n != name):
            # M = L, then M.append(...): Python grows the one list both names read
            raise self.error(node, f"a second name '{name}' for a list that is then grown "
                             f"by append (Python shares the list; make a copy: "
                             f"{name} = list(...))")
        sharers = [n for n, b in self.env.items() if n != name and _shares_list(b, value)] \
            if isinstance(value, TupleB) else []
        if sharers and (name in self.augmented or any(n in self.augmented for n in sharers)):
            # M = L (or [L], or L[0]), then L += [v]: Python changes the one list both see;
            # a binding is a copy of the list's items, so the other would keep the old ones
            raise self.error(node, f"a second holder '{name}' of a list that '+=', '*=' or "
                             "an item assignment then changes in place (Python shares the "
                             f"list; make a copy: {name} = list(...))")
        if name in self.lists and isinstance(value, TupleB):     # a list that grows
            # made and grown under its own name: every append to one list writes the same
            # variable, which the reverse sweep's list adjoints rely on (one final length;
            # a temporary's list_append into the name was summed down to the temporary's)
            items = [self.atom_of(item, node) for item in value.items]
            var = old if isinstance(old, Var) and not self.top else self.new_var(name)
            self.env[name] = var
            self.emit(Assign(var, "list_new", (), loc))
            for item in items:
                self.list_append(var, item, node)
            return
        if is_atom(value):
            if isinstance(value, Var) and value.name in self.lists:
                self.lists.add(name)        # ys = [... for ...]: a run-time list by its name
            if isinstance(old, Var) and not self.top:
                return self.store(old, value, loc)
            if old is not None and not isinstance(old, Var) and not self.top:
                raise self.error(node, f"rebinding '{name}' from a tuple or function to a "
                                 "number inside a loop or branch")
            var = self.new_var(name)
            self.env[name] = var
            return self.store(var, value, loc)
        if isinstance(value, (TupleB, DictB, RecordB)) and \
                not any(isinstance(x, (FuncB, PyObj, LocalDef)) for x in _leaves(value)):
            if old is not None and not self.top and flatten(old)[0] == flatten(value)[0]:
                # ``t = (new, t[0])``: each item reads the old tuple, so an item about to be
                # overwritten before a later item reads it is copied first
                dsts, srcs = flatten(old)[1], list(flatten(value)[1])
                for j, src in enumerate(srcs):
                    if isinstance(src, Var) and any(d == src for d in dsts[:j]):
                        srcs[j] = self.snapshot(src, {src.name})
                for dst, src in zip(dsts, srcs):
                    if dst != src:      # (an item kept as it is: no statement)
                        self.store(dst, src, loc)
                return
            if old is not None and not self.top:
                raise self.error(node, f"rebinding '{name}' to a tuple of another shape "
                                 "inside a loop or branch")
            skel, atoms = flatten(value)
            fresh = [self.new_var(f"{name}_{i}") for i in range(len(atoms))]
            for dst, src in zip(fresh, atoms):
                self.store(dst, src, loc)
            self.env[name] = with_lists(unflatten(skel, iter(fresh)), value)
            return
        if old is not None and old != value and not self.top:
            raise self.error(node, f"rebinding '{name}' to another function inside a loop or branch")
        self.env[name] = value

    def store(self, var, value, loc):
        """``var = value``, retargeting the statement that just computed a temp."""
        if value == Const(None):
            self.may_be_none.add(var.name)      # ``var is None`` is then a run-time test
        blk = self.blocks[-1]
        if isinstance(value, Var) and value.name.startswith("t") and blk and \
                isinstance(blk[-1], Assign) and blk[-1].target == value and self._is_temp(value):
            last = blk[-1]
            blk[-1] = Assign(var, last.op, last.args, last.loc or loc)
            return
        self.emit(Assign(var, "copy", (value,), loc))

    def _is_temp(self, v):
        return v.name in self.temps     # not the user's own t0, t1 (named like temporaries)

    # -- control flow -------------------------------------------------------------
    def stmt_If(self, s):
        cond = self.atom(s.test)
        if literal(cond):
            # known while lowering (a static argument): only the branch Python runs, so
            # the other may hold what this call could not run (eigh(a, eigvals_only=True))
            chosen = s.body if cond.value else s.orelse
            ended = self.block(chosen)
            if ended is RETURNED or (chosen and isinstance(chosen[-1], ast.Return)):
                return RETURNED
            return None if any(exits(c) for c in chosen) else STAYED
        body = self.nested(self.block, s.body)
        orelse = self.nested(self.block, s.orelse)
        self.emit(If(cond, body, orelse, self.loc(s)))

    def stmt_Return(self, s):
        value = self.current(self.expr(s.value), s) if s.value is not None else Const(0.0)
        self.check_returnable(value, s)
        loc = self.loc(s)
        if self.ret_vals is None:
            skel, atoms = flatten(value)
            self.ret_vals = unflatten(skel, iter(self.new_var("retval") for _ in atoms))
        if flatten(self.ret_vals)[0] != flatten(value)[0]:
            raise self.error(s, "returns of different shapes")
        for dst, src in zip(flatten(self.ret_vals)[1], flatten(value)[1]):
            self.store(dst, src, loc)
        self.emit(Assign(self.ret_flag, "copy", (Const(True),), loc))
        for ctx in self.loops:
            self.emit(Assign(ctx.stop, "copy", (Const(True),), loc))
            if ctx.skip != ctx.stop:
                self.emit(Assign(ctx.skip, "copy", (Const(True),), loc))


def _returnable(b):
    """Has ``b`` a skeleton (``bindings.flatten``): atoms, containers, functions with
    their captured values, partials and Python objects, all the way down."""
    if isinstance(b, (Var, Const, PyObj, ConstB)):
        return True
    if isinstance(b, (TupleB, DictB, RecordB)):
        return all(_returnable(x) for x in b.items)
    if isinstance(b, FuncB):
        return all(_returnable(x) for _, x in b.captured)
    if isinstance(b, PartialB):
        return all(_returnable(x) for x in (b.func,) + b.args + tuple(v for _, v in b.kwargs))
    return False


def _holds(b, item):
    """Whether binding ``b`` is ``item`` or holds it at any depth (by identity)."""
    if b is item:
        return True
    if isinstance(b, (TupleB, DictB, RecordB)):
        return any(_holds(x, item) for x in b.items)
    return False


def _lists_in(b):
    """The list bindings ``b`` is or holds, at any depth."""
    if isinstance(b, (TupleB, DictB, RecordB)):
        own = [b] if isinstance(b, TupleB) and b.is_list else []
        return own + [x for item in b.items for x in _lists_in(item)]
    return []


def _shares_list(a, b):
    """Whether bindings ``a`` and ``b`` hold one list object (one inside the other too)."""
    return any(_holds(a, x) for x in _lists_in(b)) or any(_holds(b, x) for x in _lists_in(a))


def _leaves(b):
    if isinstance(b, (TupleB, DictB, RecordB)):
        for x in b.items:
            yield from _leaves(x)
    else:
        yield b


__all__ = ["FunctionLowerer", "UnsupportedError"]
