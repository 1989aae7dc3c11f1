"""Random programs: module constants, helper functions and an entry point ``f``.

The generator tracks which names are defined where, so every program is valid
Python that runs: a name made inside a loop or branch is used only inside it,
captured names are never assigned in the nested function, loops are bounded
(``range`` with small int bounds; ``while`` loops advance a counter first thing
in their body, so ``continue`` cannot skip it).  Constructs pullback rejects on
purpose (``break``/``return`` inside ``reversed(range(...))``) are not generated.

    programs()           a hypothesis strategy of ``Program``
    generate(chooser)    the same from any ``Chooser`` (``RandomChooser(seed)``)
"""
from dataclasses import dataclass, field, replace

from .choices import HypothesisChooser
from .expressions import ExpressionGen, Scope, Sig


@dataclass
class Program:
    source: str
    params: list            # [(name, "float" | "int")]
    args: tuple             # one evaluation point
    entry: str = "f"

    @property
    def argnums(self):
        return tuple(i for i, (_, kind) in enumerate(self.params) if kind == "float")


@dataclass
class Ctx:
    """Where a statement is: the loops around it (innermost last), the names it may
    not assign (captured by a nested function), and whether ``def`` is allowed."""
    loops: tuple = ()           # of (kind, reversed)
    frozen: frozenset = frozenset()
    defs: bool = True
    budget: list = field(default_factory=lambda: [0])
    pair: bool = False          # in a helper that returns a pair


class ProgramGen:
    def __init__(self, chooser, max_statements=14):
        self.c = chooser
        self.e = ExpressionGen(chooser)
        self.counts = {}
        self.max_statements = max_statements
        self.pairs = []           # helpers that return a pair

    def fresh(self, prefix):
        k = self.counts.get(prefix, 0)
        self.counts[prefix] = k + 1
        return f"{prefix}{k}"

    # -- the whole program ----------------------------------------------------------
    def program(self):
        lines = ["import math", ""]
        base = Scope([], [])
        if self.c.coin(0.3):
            lines.append(f"K0 = {self.e.const()}")
            base.consts = ["K0"]
        if self.c.coin(0.3):
            n = self.c.integer(1, 3)
            lines.append(f"W = ({', '.join(self.e.const() for _ in range(n))},)")
            base.tuples = [("W", n)]
        for _ in range(self.c.weighted([(3, 0), (3, 1), (1, 2)])):
            kind = self.c.weighted([(4, "plain"), (1, "recursive"), (1, "higher"),
                                    (1, "pair")])
            helper_lines, sig = getattr(self, "helper_" + kind)(base)
            lines += ["", ""] + helper_lines
            if sig.params:
                base.funcs = base.funcs + [sig]
        nfloat = self.c.weighted([(3, 1), (3, 2), (1, 3)])
        params = [(n, "float") for n in ("x", "y", "z")[:nfloat]]
        if self.c.coin(0.4):
            params.append(("n", "int"))
        s = base.child()
        s.floats = [p for p, k in params if k == "float"]
        s.ints = [(p, True) for p, k in params if k == "int"]
        ctx = Ctx(budget=[self.max_statements])
        body = []
        if self.c.coin(0.1):
            body.append('"""A generated program."""')
        body += self.block(s, ctx, self.c.integer(0, 6))
        body.append(f"return {self.e.expr(s)}")
        lines += ["", "", f"def f({', '.join(p for p, _ in params)}):"] + _indent(body)
        args = tuple(round(self.c.real(-2.0, 2.0), 6) if k == "float" else self.c.integer(0, 4)
                     for _, k in params)
        return Program("\n".join(lines) + "\n", params, args)

    # -- helpers --------------------------------------------------------------------
    def helper_plain(self, base):
        name = self.fresh("h")
        params = [("a", "float", None)]
        if self.c.coin(0.5):
            params.append(("b", "float", self.c.pick(("0.5", "-1.0", "2.0")) if self.c.coin(0.5)
                           else None))
        kwonly = [("k", "int", str(self.c.integer(0, 3)))] if self.c.coin(0.3) else []
        s = base.child()
        s.floats = [p for p, _, _ in params]
        s.ints = [("k", True)] if kwonly else []
        body = self.block(s, Ctx(budget=[4], defs=False), self.c.integer(0, 2))
        body.append(f"return {self.e.expr(s)}")
        head = ", ".join(p if d is None else f"{p}={d}" for p, _, d in params)
        if kwonly:
            head += f", *, k={kwonly[0][2]}"
        return [f"def {name}({head}):"] + _indent(body), Sig(name, params, kwonly)

    def helper_recursive(self, base):
        name = self.fresh("r")
        s = base.child()
        s.floats = ["a"]
        s.ints = [("d", True)]
        body = ["if d <= 0:", f"    return {self.e.expr(s, 1)}"]
        step = f"{name}({self.e.expr(s, 1)}, d - 1)"
        body.append(f"return {step} * {self.e.const()} + {self.e.expr(s, 1)}")
        return ([f"def {name}(a, d):"] + _indent(body),
                Sig(name, [("a", "float", None), ("d", "int", None)]))

    def helper_higher(self, base):
        name = self.fresh("ap")
        s = base.child()
        s.floats = ["v", "w"]
        s.funcs = s.funcs + [Sig("g", [("t", "float", None)])]
        body = [f"return g({self.e.expr(s, 1)}) * w + g({self.e.expr(s, 1)})"]
        return ([f"def {name}(g, v, w=0.5):"] + _indent(body),
                Sig(name, [("g", "func", None), ("v", "float", None), ("w", "float", "0.5")]))

    def helper_pair(self, base):
        """A helper returning a tuple; called as ``a, b = p(...)`` or ``p(...)[k]``."""
        name = self.fresh("p")
        s = base.child()
        s.floats = ["a", "b"]
        body = self.block(s, Ctx(budget=[3], defs=False, pair=True), self.c.integer(0, 2))
        body.append(f"return {self.e.expr(s)}, {self.e.expr(s)}")
        sig = Sig(name, [("a", "float", None), ("b", "float", "1.5")])
        self.pairs.append(sig)
        return [f"def {name}(a, b=1.5):"] + _indent(body), Sig(f"{name}_first", [])

    # -- statements -----------------------------------------------------------------
    def block(self, s, ctx, n):
        lines = []
        for _ in range(n):
            if ctx.budget[0] <= 0:
                break
            ctx.budget[0] -= 1
            lines += self.stmt(s, ctx)
        return lines

    def assignable(self, s, ctx):
        return [v for v in s.floats if v not in ctx.frozen]

    def stmt(self, s, ctx):
        depth = len(ctx.loops)
        targets = self.assignable(s, ctx)
        options = [(5, "assign"), (3 if targets else 0, "aug"), (2 if targets else 0, "reassign"),
                   (1, "tuple"), (1 if len(targets) >= 2 else 0, "swap"), (1, "int"),
                   (1, "bool"), (3, "if"), (3 if depth < 2 else 0, "for"),
                   (1 if depth < 2 else 0, "while"), (1, "return"),
                   (2 if ctx.loops else 0, "jump"), (2 if ctx.defs else 0, "def"), (1, "pass"),
                   (1, "tuplevar"), (1 if s.tuples else 0, "unpack"), (1, "expr"),
                   (1 if self.pairs else 0, "pair")]
        return getattr(self, "stmt_" + self.c.weighted(options))(s, ctx)

    def stmt_pass(self, s, ctx):
        return [self.c.pick(("pass", f"{self.fresh('v')}: float"))]

    def stmt_expr(self, s, ctx):
        """An expression statement: evaluated, result dropped."""
        return [self.e.expr(s) if not s.funcs else self.e.call(s, self.c.pick(s.funcs), 1)]

    def stmt_tuplevar(self, s, ctx):
        name = self.fresh("q")
        n = self.c.integer(1, 3)
        items = ", ".join(self.e.expr(s, 1) for _ in range(n))
        line = f"{name} = ({items},)" if self.c.coin(0.6) else f"{name} = [{items}]"
        s.tuples.append((name, n))
        return [line]

    def stmt_unpack(self, s, ctx):
        name, n = self.c.pick(s.tuples)
        names = [self.fresh("v") for _ in range(n)]
        s.floats += names
        return [f"{', '.join(names)}{',' if n == 1 else ''} = {name}"]

    def stmt_pair(self, s, ctx):
        sig = self.c.pick(self.pairs)
        call = self.e.call(s, sig, 1)
        if self.c.coin(0.3):
            v = self.fresh("v")
            s.floats.append(v)
            return [f"{v} = {call}[{self.c.integer(0, 1)}]"]
        a, b = self.fresh("v"), self.fresh("v")
        s.floats += [a, b]
        return [f"{a}, {b} = {call}"]

    def stmt_assign(self, s, ctx):
        v = self.fresh("v")
        value = self.e.expr(s)
        form = self.c.weighted([(8, "plain"), (1, "annotated"), (1, "chain")])
        s.floats.append(v)
        if form == "annotated":
            return [f"{v}: float = {value}"]
        if form == "chain":
            w = self.fresh("v")
            s.floats.append(w)
            return [f"{v} = {w} = {value}"]
        return [f"{v} = {value}"]

    def stmt_reassign(self, s, ctx):
        return [f"{self.c.pick(self.assignable(s, ctx))} = {self.e.expr(s)}"]

    def stmt_aug(self, s, ctx):
        v = self.c.pick(self.assignable(s, ctx))
        op = self.c.weighted([(3, "+="), (2, "-="), (2, "*="), (1, "/=")])
        if op == "/=":
            return [f"{v} /= {self.e.positive(s, 1)}"]
        if op == "*=" and self.c.coin(0.6):
            return [f"{v} *= (1.0 + 0.5 * {self.e.bounded(s, 1)})"]
        return [f"{v} {op} {self.e.expr(s)}"]

    def stmt_tuple(self, s, ctx):
        a, b = self.fresh("v"), self.fresh("v")
        line = f"{a}, {b} = {self.e.expr(s)}, {self.e.expr(s)}"
        s.floats += [a, b]
        return [line]

    def stmt_swap(self, s, ctx):
        targets = self.assignable(s, ctx)
        a = self.c.pick(targets)
        b = self.c.pick([t for t in targets if t != a])
        return [f"{a}, {b} = {b}, {a}"]

    def stmt_int(self, s, ctx):
        m = self.fresh("m")
        line = f"{m} = {self.e.small_int(s)}"
        s.ints.append((m, True))
        return [line]

    def stmt_bool(self, s, ctx):
        b = self.fresh("b")
        line = f"{b} = {self.e.cond(s)}"
        s.bools.append(b)
        return [line]

    def stmt_if(self, s, ctx):
        test = self.e.cond(s) if self.c.coin(0.9) else self.c.pick(s.floats or ["1.0"])
        lines = [f"if {test}:"] + _indent(self.sub(s, ctx))
        while self.c.coin(0.3):
            lines += [f"elif {self.e.cond(s)}:"] + _indent(self.sub(s, ctx))
        if self.c.coin(0.5):
            lines += ["else:"] + _indent(self.sub(s, ctx))
        return lines

    def sub(self, s, ctx, inner=None, loop=None):
        """A nested block: names it makes stay inside it."""
        inner = inner or s.child()
        if loop is not None:
            ctx = replace(ctx, loops=ctx.loops + (loop,))
        body = self.block(inner, ctx, self.c.integer(1, 3))
        return body or ["pass"]

    def stmt_for(self, s, ctx):
        inner = s.child()
        kind = self.c.weighted([(4, "range"), (2, "range2"), (1, "down"), (1, "reversed"),
                                (1, "tuple"), (1 if s.tuples else 0, "global")])
        i = self.fresh("i")
        if kind in ("tuple", "global"):
            c = self.fresh("c")
            items = ", ".join(self.e.expr(s, 1) for _ in range(self.c.integer(1, 3)))
            head = (f"for {c} in ({items},):" if kind == "tuple" else
                    f"for {c} in {self.c.pick(s.tuples)[0]}:")
            inner.floats.append(c)
        elif kind == "range":
            head = f"for {i} in range({self.e.small_int(s)}):"
            inner.ints.append((i, True))
        elif kind == "range2":
            step = self.c.pick(("", ", 2", ", 3"))
            head = f"for {i} in range({self.e.small_int(s)}, {self.e.small_int(s)}{step}):"
            inner.ints.append((i, True))
        elif kind == "down":
            head = f"for {i} in range({self.e.small_int(s)}, {self.c.pick(('-1', '0', '-2'))}, -1):"
            inner.ints.append((i, False))
        else:
            head = f"for {i} in reversed(range({self.e.small_int(s)})):"
            inner.ints.append((i, True))
        lines = [head] + _indent(self.sub(s, ctx, inner, ("for", kind == "reversed")))
        if self.c.coin(0.15):
            lines += ["else:"] + _indent(self.sub(s, ctx))
        return lines

    def stmt_while(self, s, ctx):
        k = self.fresh("k")
        bound = self.e.small_int(s)
        if self.c.coin(0.25):        # while True: ... break
            inner = s.child()
            inner.ints.append((k, True))
            body = [f"{k} += 1"] + self.sub(s, ctx, inner, ("while", False))
            body += [f"if {k} >= {bound} or {self.e.cond(inner)}:", "    break"]
            s.ints.append((k, True))
            return [f"{k} = 0", "while True:"] + _indent(body)
        test = f"{k} < {bound}"
        if self.c.coin(0.4):
            test += f" and {self.e.cond(s)}"
        inner = s.child()
        inner.ints.append((k, True))
        body = [f"{k} += 1"] + self.sub(s, ctx, inner, ("while", False))
        s.ints.append((k, True))
        return [f"{k} = 0", f"while {test}:"] + _indent(body)

    def stmt_return(self, s, ctx):
        if any(rev for _, rev in ctx.loops):
            return ["pass"]
        value = self.e.expr(s) + (f", {self.e.expr(s)}" if ctx.pair else "")
        return [f"if {self.e.cond(s)}:", f"    return {value}"]

    def stmt_jump(self, s, ctx):
        kind, rev = ctx.loops[-1]
        word = "continue" if rev or self.c.coin(0.5) else "break"
        if self.c.coin(0.2):
            return [word]
        return [f"if {self.e.cond(s)}:", f"    {word}"]

    def stmt_def(self, s, ctx):
        name = self.fresh("g")
        if self.c.coin(0.4):
            t = self.fresh("t")
            inner = s.child()
            inner.floats.append(t)
            inner.funcs = []
            s.funcs.append(Sig(name, [(t, "float", None)]))
            return [f"{name} = lambda {t}: {self.e.expr(inner)}"]
        t = self.fresh("t")
        params = [(t, "float", None)]
        if self.c.coin(0.4):
            params.append((self.fresh("u"), "float", self.e.const()))
        inner = s.child()
        inner.floats += [p for p, _, _ in params]
        frozen = frozenset(s.floats) | {n for n, _ in s.ints}
        body = self.block(inner, Ctx((), frozen, False, [3]), self.c.integer(0, 2))
        body.append(f"return {self.e.expr(inner)}")
        head = ", ".join(p if d is None else f"{p}={d}" for p, _, d in params)
        s.funcs.append(Sig(name, params))
        return [f"def {name}({head}):"] + _indent(body)


def _indent(lines):
    return ["    " + line for line in lines]


def generate(chooser, **kwargs):
    return ProgramGen(chooser, **kwargs).program()


def programs(generator=None, **kwargs):
    """The hypothesis strategy of random programs (of ``generator``, default ``generate``)."""
    from hypothesis import strategies as st

    @st.composite
    def strategy(draw):
        return (generator or generate)(HypothesisChooser(draw), **kwargs)
    return strategy()
