"""Lowering of loops: ``for`` over a range, an array's rows, or a static sequence
(unrolled), ``while``, and ``break``/``continue`` as flags.

A mixin of ``lower.FunctionLowerer``.  Invariants: a loop that may stop early gets a
``stop`` flag set before it and tested by the IR's ``For.exit``/``While.exit``;
``continue`` sets ``skip``, which guards the rest of the body (``skip`` is ``stop``
when the body has no ``continue``); ``self.loops`` holds the flags of the enclosing
loops, which ``return`` sets too.
"""
import ast
import operator
from dataclasses import dataclass
from typing import Optional

from ..ir import Assign, Const, For, If, Var, While
from ..ir.walk import all_written
from .bindings import DictB, PyObj, TupleB, flatten, is_atom
from .scan import body_exits


MAX_INDEXING = 256        # steps of a range loop unrolled to index a tuple (indexing_range)
_INT_OPS = {"add": operator.add, "sub": operator.sub, "mul": operator.mul,
            "neg": operator.neg, "floordiv": operator.floordiv, "copy": lambda v: v}


@dataclass
class LoopCtx:
    stop: Optional[Var]
    skip: Optional[Var]


class LoopLowerer:
    def new_loop(self, body_stmts, force_stop=False):
        ex = body_exits(body_stmts)
        stop = self.new_var("stop") if force_stop or ex & {"break", "return"} else None
        skip = self.new_var("skip") if "continue" in ex else stop
        if stop is not None:
            self.emit(Assign(stop, "copy", (Const(False),)))
        return LoopCtx(stop, skip)

    def loop_body(self, ctx, stmts, prefix=()):
        self.loops.append(ctx)
        try:
            for p in prefix:
                self.emit(p)
            if ctx.skip is not None and ctx.skip != ctx.stop:
                self.emit(Assign(ctx.skip, "copy", (Const(False),)))
            self.block(stmts)
        finally:
            self.loops.pop()

    def stmt_For(self, s):
        if not isinstance(s.target, ast.Name) and not isinstance(s.target, ast.Tuple):
            raise self.error(s.target, "this loop target")
        it = s.iter
        rev = False
        if isinstance(it, ast.Call) and self._is_builtin(it.func, reversed) and len(it.args) == 1:
            rev, it = True, it.args[0]
        if isinstance(it, ast.Call) and self._is_builtin(it.func, range):
            return self.range_loop(s, it, rev)
        seq = self.loop_sequence(s, it) if not rev else self.expr(it)
        if seq is None:           # zip/enumerate over arrays: lowered as a range loop
            return None
        if isinstance(seq, DictB):
            seq = TupleB(tuple(Const(k) for k in seq.keys))
        if isinstance(seq, Const) and isinstance(seq.value, str):      # for g in "ifo"
            seq = TupleB(tuple(Const(c) for c in seq.value))
        if isinstance(seq, TupleB):
            items = seq.items[::-1] if rev else seq.items
            return self.unrolled_loop(s, items)
        if is_atom(seq):     # rows of an array
            return self.rows_loop(s, seq, rev)
        raise self.error(it, "a loop over this iterable (only range(...) and tuples/lists)")

    def _is_builtin(self, node, obj):
        if not isinstance(node, ast.Name):
            return False
        b = self.lookup(node.id, node)
        return isinstance(b, PyObj) and b.obj is obj

    def indexing_range(self, s, args):
        """``for i in range(len(ws))`` whose body reads ``ws[i]`` of a tuple or list:
        unrolled (constant bounds, at most ``MAX_INDEXING`` steps), as a JAX trace does,
        so ``ws[i]`` is the item itself (an array of its own shape, written through as
        Python would); None when not applicable."""
        args = [self.static_int(a) for a in args]
        if not isinstance(s.target, ast.Name) or \
                not all(type(getattr(a, "value", None)) is int for a in args):
            return None
        steps = range(*[a.value for a in args])
        if not 0 < len(steps) <= MAX_INDEXING:
            return None
        i = s.target.id
        for n in (x for b in s.body for x in ast.walk(b)):
            if isinstance(n, ast.Subscript) and isinstance(n.slice, ast.Name) and \
                    n.slice.id == i and self._sequence(n.value):
                return [Const(k) for k in steps]
            if isinstance(n, ast.Subscript) and self._mapping(n.value) and any(
                    isinstance(q, ast.Name) and q.id == i for q in ast.walk(n.slice)):
                return [Const(k) for k in steps]        # params["W%d" % i]: a key per step
        return None

    def static_int(self, a):
        """``a``, or the constant it is when this block computed it from int constants
        (``range(len(ws) - 1, -1, -1)``: Python's int arithmetic, exactly)."""
        if not isinstance(a, Var):
            return a
        s = next((x for x in reversed(self.blocks[-1]) if a.name in all_written((x,))), None)
        if not (isinstance(s, Assign) and s.target == a and s.op in _INT_OPS):
            return a        # (written inside a branch or loop since: not known here)
        parts = [self.static_int(v) for v in s.args]
        if not all(type(getattr(v, "value", None)) is int for v in parts):
            return a
        return Const(_INT_OPS[s.op](*[v.value for v in parts]))

    def _mapping(self, node):
        """Is ``node`` a name bound to a dict (an argument's or a global config's)?"""
        return isinstance(node, ast.Name) and isinstance(
            self.env[node.id] if node.id in self.env else self._global(node.id), DictB)

    def _sequence(self, node):
        """Is ``node`` a name bound to a tuple or list, or ``obj.name`` of an object's own
        tuple or list (``self.layers``; not a property, which runs code)?  Deciding to
        unroll reads nothing: the unrolled body reads ``node`` as before."""
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            b = self.env[node.value.id] if node.value.id in self.env else \
                self._global(node.value.id)
            own = getattr(getattr(b, "obj", None), "__dict__", None) \
                if isinstance(b, PyObj) else None
            return isinstance(own, dict) and isinstance(own.get(node.attr), (tuple, list))
        return isinstance(node, ast.Name) and isinstance(
            self.env[node.id] if node.id in self.env else self._global(node.id), TupleB)

    def _global(self, name):
        try:
            return self.lookup(name, None)
        except Exception:       # noqa: BLE001 -- a name bound later in the body
            return None

    def rows_loop(self, s, seq, rev):
        n = self.op("len", (seq,), s)
        k = self.new_var("k")
        ctx = self.new_loop(s.body)   # an else clause needs a flag only with a break

        def body():
            self.loops.append(ctx)
            row = self.op("getitem", (seq, k), s)
            self.loops.pop()
            self.assign(s.target, row, s)
            self.loop_body(ctx, s.body)
        self.emit(For(k, Const(0), n, Const(1), self.nested(body), ctx.stop, rev, self.loc(s)))
        self.loop_else(s, ctx)

    def range_loop(self, s, call, rev):
        if call.keywords or not 1 <= len(call.args) <= 3:
            raise self.error(call, "this call to range")
        args = [self.atom(a) for a in call.args]
        items = self.generator_range(s, call, args)   # a generator's: unrolled (generators.py)
        if items is None:
            items = self.indexing_range(s, args)
        if items is not None:
            return self.unrolled_loop(s, items[::-1] if rev else items)
        start, stop, step = ([Const(0)] + args + [Const(1)])[:3] if len(args) == 1 else \
            (args + [Const(1)])[:3]
        if not isinstance(s.target, ast.Name):
            raise self.error(s.target, "unpacking a range element")
        name = s.target.id
        ctx = self.new_loop(s.body)   # an else clause needs a flag only with a break
        prefix = []
        if self.counts.get(name, 0) <= 1 and name not in self.env:
            var = self.new_var(name)
            self.env[name] = var
        else:
            var = self.new_var(name + "_i")
            if not isinstance(self.env.get(name), Var):
                if name in self.env:
                    self.rebound.add(name)          # closures.py
                self.env[name] = self.new_var(name)
            prefix = [Assign(self.env[name], "copy", (var,), self.loc(s))]
        body = self.nested(self.loop_body, ctx, s.body, prefix)
        self.emit(For(var, start, stop, step, body, ctx.stop, rev, self.loc(s)))
        self.loop_else(s, ctx)

    def unrolled_loop(self, s, items):
        # the items are values taken before the loop, even if the body assigns their variables
        leaves = {v.name for v in flatten(TupleB(tuple(items)))[1] if isinstance(v, Var)}
        items = self.snapshot(TupleB(tuple(items)), leaves).items
        ctx = self.new_loop(s.body)   # an else clause needs a flag only with a break
        bound = _bound_in(s.body)
        targets = _loop_targets(self.src.node)
        if self.own_loop_reads is None:           # computed at the first unrolled loop
            self.own_loop_reads = _read_in_own_loops(self.src.node) \
                if isinstance(self.src.node, ast.FunctionDef) else set()
        own = self.own_loop_reads
        static = {                          # names that may hold constant items (bind_item)
            n.id for n in ast.walk(s.target) if isinstance(n, ast.Name) and n.id not in bound
            and n.id in targets and (self.top or n.id not in self.env or n.id in own
                                     or self.static_in.get(n.id) is self.blocks[-1])
            and all(isinstance(_bound_to(s.target, item, n.id), Const) for item in items)
        } if ctx.stop is None else set()

        def iterations(k):
            self.loops.append(ctx)
            if ctx.skip is not None and ctx.skip != ctx.stop:
                self.emit(Assign(ctx.skip, "copy", (Const(False),)))
            self.loops.pop()
            self.bind_item(s.target, items[k], s, static)
            self.loop_body(ctx, s.body)
            if k + 1 < len(items):
                if ctx.stop is not None:
                    self.emit(If(ctx.stop, (), self.nested(iterations, k + 1), self.loc(s)))
                else:
                    iterations(k + 1)
        if items:
            iterations(0)
        self.loop_else(s, ctx)

    def bind_item(self, target, item, s, static):
        """One item of an unrolled loop.  A constant item (a dict's key from ``for k in
        sorted(d)``, a name from a literal tuple) stays a constant where the name means it
        on every path (``static``, decided before the loop): the loop runs to its end
        (after it the name is the last item on every path), the body never rebinds the
        name, and at the top level or unbound before, no branch can leave another value
        in place, or it was bound so in the same block (a loop unrolled inside an unrolled
        loop inside a branch: every path here passed that binding), or every read of the
        name is inside a loop that binds it (``_read_in_own_loops``); and the function binds
        the name only as a loop's target, so no later loop or branch assigns a number to it
        (which needs a variable).  So ``d[k]`` and ``t[k]`` in the body resolve while compiling.
        Anything else is the copy into a variable it always was."""
        if isinstance(target, ast.Name) and isinstance(item, Const) and target.id in static:
            self.env[target.id] = item
            self.static_in[target.id] = self.blocks[-1]
            return
        if isinstance(target, (ast.Tuple, ast.List)) and isinstance(item, TupleB) \
                and len(item.items) == len(target.elts) and not any(
                    isinstance(e, ast.Starred) for e in target.elts):
            written = {v.name for t in target.elts if isinstance(t, ast.Name)
                       for v in flatten(self.env.get(t.id, Const(0)))[1] if isinstance(v, Var)}
            item = self.snapshot(item, written)       # ``a, b = b, a`` as in ``assign``
            for t, x in zip(target.elts, item.items):
                self.bind_item(t, x, s, static)
            return
        self.assign(target, item, s)

    def loop_else(self, s, ctx):
        """``for ... else``: the else block runs unless the loop was left early."""
        if not s.orelse:
            return
        if ctx.stop is None:
            return self.block(s.orelse)
        self.emit(If(ctx.stop, (), self.nested(self.block, s.orelse), self.loc(s.orelse[0])))

    def stmt_While(self, s):
        ctx = self.new_loop(s.body, force_stop=True)

        def body():
            self.loops.append(ctx)
            if ctx.skip != ctx.stop:
                self.emit(Assign(ctx.skip, "copy", (Const(False),)))
            cond = self.atom(s.test)
            self.loops.pop()
            inner = self.nested(self.loop_body, LoopCtx(ctx.stop, ctx.skip), s.body)
            self.emit(If(cond, inner, (Assign(ctx.stop, "copy", (Const(True),)),), self.loc(s)))
        self.emit(While(self.nested(body), ctx.stop, self.loc(s)))

    def stmt_Break(self, s):
        ctx = self.loops[-1]
        self.emit(Assign(ctx.stop, "copy", (Const(True),), self.loc(s)))
        if ctx.skip != ctx.stop:
            self.emit(Assign(ctx.skip, "copy", (Const(True),), self.loc(s)))

    def stmt_Continue(self, s):
        self.emit(Assign(self.loops[-1].skip, "copy", (Const(True),), self.loc(s)))


def _bound_in(stmts):
    """Names a block assigns (its own loops' targets included)."""
    return {n.id for s in stmts for n in ast.walk(s)
            if isinstance(n, ast.Name) and isinstance(n.ctx, (ast.Store, ast.Del))}


def _bound_to(target, item, name):
    """What ``name`` in ``target`` is bound to by ``item`` (None where it does not match)."""
    if isinstance(target, ast.Name):
        return item if target.id == name else None
    if isinstance(target, (ast.Tuple, ast.List)) and isinstance(item, TupleB) and \
            len(item.items) == len(target.elts):
        for t, x in zip(target.elts, item.items):
            found = _bound_to(t, x, name)
            if found is not None:
                return found
    return None


def _read_in_own_loops(fn):
    """Names every read of which is inside the body of a ``for`` that has the name as its
    target: each read follows the binding of its own iteration, on every path (a target
    never read at all too: its value matters nowhere)."""
    inside, outside, targets = set(), set(), set()

    def visit(node, bound):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            (inside if node.id in bound else outside).add(node.id)
        if isinstance(node, ast.For):
            visit(node.target, bound)
            visit(node.iter, bound)
            names = {n.id for n in ast.walk(node.target) if isinstance(n, ast.Name)}
            targets.update(names)
            for b in node.body:
                visit(b, bound | names)
            for b in node.orelse:
                visit(b, bound)
            return
        for child in ast.iter_child_nodes(node):
            visit(child, bound)
    visit(fn, frozenset())
    return (inside | targets) - outside


def _loop_targets(fn):
    """Names ``fn`` binds only as ``for`` targets (no assignment, parameter or def)."""
    if not isinstance(fn, ast.FunctionDef):
        return set()
    in_target, other = set(), set()
    for node in ast.walk(fn):
        if isinstance(node, (ast.For, ast.comprehension)):
            in_target |= {id(n) for n in ast.walk(node.target)}
    for node in ast.walk(fn):
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load) and \
                id(node) not in in_target:
            other.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.Lambda)) and node is not fn:
            other.add(getattr(node, "name", None))
    a = fn.args
    other |= {p.arg for p in a.posonlyargs + a.args + a.kwonlyargs} | \
        {p.arg for p in (a.vararg, a.kwarg) if p is not None}
    return {n.id for n in ast.walk(fn) if isinstance(n, ast.Name) and id(n) in in_target} - \
        other
