"""User generator functions: run to the end when called, their yields a static tuple.

A mixin of ``lower.FunctionLowerer``.  A ``def`` whose own body holds ``yield``
statements is lowered like any helper (its own IR function), returning the
tuple of the values it yields, in order.  Python runs a generator lazily, one
step per item the consumer takes; pullback runs it eagerly, all steps at the
call.  The two agree exactly when nothing the consumer does between two steps
can change what a later step computes, nothing a later step does can change an
item already taken, and the consumer always takes every item.  Both sides are
checked here, syntactically and conservatively; anything else is rejected at
the user's line with the reason.

The generator (``check_generator``): ``yield`` only as a statement (the fence
rejects ``x = yield``, ``yield from``); no ``return`` (it would end the
iteration early), no ``yield`` inside a ``while`` (a generator that may not
end), no ``raise``/``assert``/``print`` (a step would fail or print at another
time than in Python), and no write in place (``x[i] = v``, ``x op= v``, a
mutating method, ``out=``, ``ufunc.at``): an item already yielded, or an array
the consumer reads, would change under it.  Every ``yield`` runs at the top
level of the lowered body: straight-line code, loops over static tuples and
lists (unrolled), ``range`` with bounds known when compiling (unrolled here)
and branches whose test is known when compiling; a ``yield`` in a loop or
branch decided at run time is rejected (the number of items must be static).
Each item is copied at its ``yield`` (a later loop decided at run time stores
into the variable a name keeps there), so it is the value at its ``yield``; a
yielded closure reading a name the generator binds again is rejected (Python's
reads it when called, as far as the generator has run by then).

The consumer (``check_consumer``): the call must be the iterable of a ``for``
loop or of a list/dict comprehension or of a generator expression passed
straight to a call, or the argument of ``list``/``tuple``/``sum``/``min``/``max``,
directly or through ``zip``/``enumerate`` (``CONSUMERS``), or unpacked
(``a, b = gen(x)``); stored in a name, passed to another function or
``next``-ed, it is rejected.  A consuming ``for`` loop body
must not write in place (as above), must not rebind a name the generator reads
from its enclosing scope, directly or through a function it calls or is passed
(``reads_through``: ``yield scale(x)`` reads what ``scale`` reads), and must not
``break`` or ``return`` (Python would never run the remaining steps, which could fail).  ``zip``/``map`` that would
stop before a generator ends are rejected where they are lowered
(``check_zip``).  The arguments are evaluated at the call in both semantics.

A generator expression is lazy too and is computed whole where it is written, so it
follows the same rules (``genexps.py``): consumed at once where it stands, or the
iterable of a ``for`` loop whose body passes ``check_lazy_loop``; kept in a name, it
is rejected.
"""
import ast

from ..ir import Assign, Call, Const, Var
from ..ir.walk import walk
from ..rules import PRIMITIVES
from .bindings import DictB, FuncB, PartialB, RecordB, TupleB, flatten
from .closures import LocalDef
from .scan import facts, free_names, own_nodes

CONSUMERS = ("list", "tuple", "sum", "min", "max")
THROUGH = ("zip", "enumerate")
MUTATORS = frozenset((
    "append", "extend", "insert", "pop", "remove", "clear", "sort", "reverse", "fill",
    "put", "resize", "itemset", "setflags", "update", "setdefault", "popitem",
    "partition", "byteswap", "at", "setfield"))
MAX_UNROLL = 10000


def is_generator(fdef):
    """Whether ``fdef``'s own body (not a nested definition) yields."""
    return isinstance(fdef, ast.FunctionDef) and facts(fdef).first_yield is not None


def first_yield(fdef):
    return facts(fdef).first_yield


def in_place_write(nodes):
    """The first node among ``nodes`` (and their subtrees) that may write in place."""
    for top in nodes:
        for n in ast.walk(top):
            if isinstance(n, ast.AugAssign):
                return n, "an augmented assignment ('x op= v' writes an array in place)"
            targets = n.targets if isinstance(n, ast.Assign) else \
                [n.target] if isinstance(n, (ast.AnnAssign, ast.For)) else []
            for t in targets:
                if any(isinstance(x, (ast.Subscript, ast.Attribute)) for x in ast.walk(t)):
                    return n, "a write in place ('x[i] = v')"
            if isinstance(n, ast.Call):
                if isinstance(n.func, ast.Attribute) and n.func.attr in MUTATORS:
                    return n, f"a call to '.{n.func.attr}()', which may write in place"
                if any(k.arg == "out" for k in n.keywords):
                    return n, "a call with 'out='"
    return None


def _called(node, names):
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and \
        node.func.id in names


def consumed_sites(root):
    """``id(call) -> consumer`` for each call in ``root`` sitting where a generator
    is consumed whole (the consumer: a ``For``, a comprehension or the call)."""
    parents = {id(c): p for p in ast.walk(root) for c in ast.iter_child_nodes(p)}
    sites = {}

    def mark(it, consumer):
        if isinstance(it, ast.Call):
            sites[id(it)] = consumer
            if _called(it, THROUGH):
                for a in it.args:
                    if isinstance(a, ast.Call):
                        sites[id(a)] = consumer
    for n in ast.walk(root):
        if isinstance(n, ast.For):
            mark(n.iter, n)
        elif isinstance(n, (ast.ListComp, ast.DictComp)) or (
                isinstance(n, ast.GeneratorExp) and isinstance(parents.get(id(n)), ast.Call)):
            mark(n.generators[0].iter, n)
        elif isinstance(n, ast.Assign) and len(n.targets) == 1 and \
                isinstance(n.targets[0], (ast.Tuple, ast.List)):
            mark(n.value, n)        # a, b = gen(x): unpacked at once
        elif _called(n, CONSUMERS) and len(n.args) == 1 and not n.keywords:
            mark(n.args[0], n)
    return sites


def free_reads(fdef):
    """Names the generator reads from its enclosing scope (may they be rebound?)."""
    a = fdef.args
    bound = {p.arg for p in a.args + a.kwonlyargs + a.posonlyargs} | \
        {p.arg for p in (a.vararg, a.kwarg) if p is not None}
    loads = set()
    for n in own_nodes(fdef):
        if isinstance(n, ast.Name):
            (loads if isinstance(n.ctx, ast.Load) else bound).add(n.id)
        elif isinstance(n, (ast.FunctionDef, ast.ClassDef)):
            bound.add(n.name)
            loads |= {x.id for x in ast.walk(n) if isinstance(x, ast.Name)}
        elif isinstance(n, ast.Lambda):
            loads |= {x.id for x in ast.walk(n) if isinstance(x, ast.Name)}
    return loads - bound


class GeneratorLowerer:
    # -- the generator's side ---------------------------------------------------
    def check_generator(self, fdef):
        for n in own_nodes(fdef):
            if isinstance(n, ast.Return):
                raise self.error(n, "a 'return' inside a generator (it ends the iteration)")
            if isinstance(n, (ast.Raise, ast.Assert)):
                raise self.error(n, "a 'raise' or 'assert' inside a generator (pullback runs "
                                    "all its steps at the call)")
            if _called(n, ("print",)):
                raise self.error(n, "a print inside a generator (pullback runs all its "
                                    "steps at the call)")
            if isinstance(n, ast.While) and any(isinstance(y, ast.Yield) for y in ast.walk(n)):
                raise self.error(n, "a 'yield' inside a 'while' loop (a generator that may "
                                    "not end)")
        found = in_place_write(fdef.body)
        if found is not None:
            raise self.error(found[0], found[1] + " inside a generator (pullback runs all its "
                                       "steps at the call)")

    def lower_generator(self, body):
        self.check_generator(self.src.node)
        self.yields = []
        self.block(body)
        items = self.yields
        self.yields = None
        return items

    def stmt_yield(self, s):
        if getattr(self, "yields", None) is None or not self.top:
            raise self.error(s, "a 'yield' inside a loop or branch decided at run time (the "
                                "number of items must be known when compiling: loop over "
                                "a tuple, a list or a range with constant bounds)")
        v = s.value.value
        item = self.expr(v) if v is not None else Const(None)
        for f in _functions(item):
            stale = sorted(self.cells_read(f) & self.moving())
            if stale:       # Python's closure reads the cell when it is called, which
                # sees the generator as far as the consumer has run it by then
                raise self.error(s, f"a yielded function that reads '{stale[0]}', which the "
                                    "generator binds again (its value depends on when the "
                                    "consumer calls it): pass the value as a default "
                                    f"argument ({stale[0]}={stale[0]})")
        # a copy: a later loop decided at run time may store into the same variable
        self.yields.append(self.snapshot(item, {x.name for x in flatten(item)[1]
                                                if isinstance(x, Var)}))

    def generator_range(self, s, call, args):
        """``for i in range(a, b, c)`` with constant bounds around a ``yield``: unrolled,
        so the yields stay at the top level; ``None`` when not applicable."""
        if getattr(self, "yields", None) is None or \
                not any(isinstance(n, ast.Yield) for b in s.body for n in ast.walk(b)):
            return None
        if not all(type(getattr(a, "value", None)) is int for a in args):
            return None
        r = range(*[a.value for a in args])
        if len(r) > MAX_UNROLL:
            raise self.error(call, f"a generator yielding more than {MAX_UNROLL} items")
        return [Const(i) for i in r]

    # -- the consumer's side --------------------------------------------------------
    def check_consumer(self, fdef, node):
        root = self.src.node
        cache = getattr(self, "_gen_sites", None)
        if cache is None or cache[0] is not root:
            cache = self._gen_sites = (root, consumed_sites(root))
        consumer = cache[1].get(id(node))
        if consumer is None:
            raise self.error(node, f"a generator ('{fdef.name}') used other than as the "
                                   "iterable of a 'for' loop or comprehension or the argument "
                                   "of list/tuple/sum/min/max (directly or through zip/enumerate)")
        if isinstance(consumer, ast.For):
            reads = free_reads(fdef) | lambda_reads(node.args + [k.value for k in node.keywords])
            for a in ast.walk(node):
                if isinstance(a, ast.Name) and isinstance(a.ctx, ast.Load) and a is not node.func:
                    reads |= _function_reads(self.env.get(a.id))
            self.check_lazy_loop(consumer, self.reads_through(reads), f"the generator "
                                 f"'{fdef.name}'")
        elif not isinstance(consumer, (ast.Call, ast.Assign)):
            found = in_place_write([consumer])
            if found is not None:
                raise self.error(found[0], found[1] + f" in a comprehension over the "
                                 f"generator '{fdef.name}'")

    def consumed_at_once(self, node):
        """Is the generator call ``node`` consumed with nothing running between its steps
        (``a, b = gen(x)``, ``sum(gen(x))``)?  (``check_consumer`` ran first.)"""
        consumer = self._gen_sites[1].get(id(node))
        return isinstance(consumer, ast.Assign) or \
            isinstance(consumer, ast.Call) and any(a is node for a in consumer.args)

    def reads_through(self, names):
        """``names`` and, for each bound here to a function (or a container holding one),
        the names that function reads, transitively: a later step of the generator
        calling it reads them then."""
        seen, todo = set(names), list(names)
        while todo:
            for n in _function_reads(self.env.get(todo.pop())):
                if n not in seen:
                    seen.add(n)
                    todo.append(n)
        return seen

    def check_lazy_loop(self, loop, reads, what):
        """A ``for`` loop over ``what``, which Python runs one step per item and pullback
        all at once before the loop: its body must not write in place, end the loop early,
        or rebind a name in ``reads`` (what the later steps read)."""
        found = in_place_write(loop.body)
        if found is not None:
            raise self.error(found[0], found[1] + f" in a loop over {what} (pullback runs "
                                       "its steps before the loop)")
        for n in (x for b in loop.body for x in ast.walk(b)):
            if isinstance(n, (ast.Break, ast.Return)):
                raise self.error(n, f"a '{'break' if isinstance(n, ast.Break) else 'return'}'"
                                    f" in a loop over {what} (pullback runs all its steps "
                                    "before the loop)")
        for n in [loop.target] + [x for b in loop.body for x in ast.walk(b)]:
            for x in ast.walk(n):
                name = x.id if isinstance(x, ast.Name) and isinstance(x.ctx, ast.Store) \
                    else x.name if isinstance(x, ast.FunctionDef) else None
                if name in reads:
                    raise self.error(x, f"rebinding '{name}', which {what} reads, in a loop "
                                        "over it")

    def check_draws(self, stmts, at_once, node, what):
        """Random draws in the steps of ``what`` (lowered to ``stmts``) come in another
        order than Python's when its consumer runs code between two steps (a loop's body,
        a comprehension's element may draw too): then rejected at ``node``."""
        if not at_once and self.draws(stmts):
            raise self.error(node, f"a random draw in {what} consumed step by step (Python "
                                   "interleaves its draws with the consumer's, pullback makes "
                                   "them all first): draw into a list first")

    def draws(self, stmts, seen=()):
        """Does any of ``stmts`` (or a function they call) draw a random number?"""
        for s in walk(stmts):
            if isinstance(s, Assign) and s.op.startswith(("draw", "random_")) and \
                    not PRIMITIVES[s.op].pure:
                return True
            if isinstance(s, Call) and s.func not in seen:
                fn = next((f for k, f in self.program.done.items()
                           if self.program.names.get(k) == s.func), None)
                if fn is not None and self.draws(fn.body, seen + (s.func,)):
                    return True
        return False

    def note_generated(self, items):
        if not hasattr(self, "_generated"):
            self._generated = []
        self._generated.append(items)       # kept alive: identity marks a generator's items

    def check_zip(self, args, seqs, node):
        """``zip``/``map`` stop at the shortest: a longer generator would stop early."""
        shortest = min(map(len, seqs), default=0)
        for a, s in zip(args, seqs):
            if len(s) > shortest and any(a is g for g in getattr(self, "_generated", ())):
                raise self.error(node, "zip/map stopping before a generator ends (pullback "
                                       "runs all its steps)")


def _function_reads(b):
    """Names a function binding may read from the scope that made it (a nested
    ``def``'s free names, a closure's captured names), over containers and partials."""
    if isinstance(b, FuncB):
        return free_names(b.source.node) | {k for k, _ in b.captured}
    if isinstance(b, PartialB):
        return _function_reads(b.func).union(*map(_function_reads, b.args),
                                             *(_function_reads(v) for _, v in b.kwargs))
    if isinstance(b, (TupleB, DictB, RecordB)):
        return set().union(*map(_function_reads, b.items))
    if isinstance(b, LocalDef):
        return free_names(b.source.node)
    return set()


def lambda_reads(args):
    """Names read by the lambdas and generator expressions among a call's arguments:
    a lazy consumer runs them at each step."""
    reads = set()
    for a in args:
        for n in ast.walk(a):
            if isinstance(n, (ast.Lambda, ast.GeneratorExp)):
                reads |= {x.id for x in ast.walk(n) if isinstance(x, ast.Name) and
                          isinstance(x.ctx, ast.Load)}
    return reads


def _functions(b):
    """The closures in binding ``b`` (through containers and partials)."""
    if isinstance(b, FuncB):
        return [b]
    if isinstance(b, PartialB):
        return _functions(b.func) + [f for x in b.args + tuple(v for _, v in b.kwargs)
                                     for f in _functions(x)]
    if isinstance(b, (TupleB, DictB, RecordB)):
        return [f for x in b.items for f in _functions(x)]
    return []
