"""Random array programs: NumPy over small static shapes, in-place writes, containers.

Parameters are float arrays of shape (3,), (4,) or (2, 3), floats, an int, a
(array, float) tuple and a {"w": array, "b": float} dict; the entry ``f``
returns a float.  Invariants, besides those of ``array_exprs``:

- names made inside a loop or branch are used only inside it; loops are
  bounded (``range`` of constants, lengths or the int parameter ``n <= 4``);
- only arrays the program allocated (``x.copy()``, ``np.zeros(...)``, an
  arithmetic result) are written in place, never a parameter;
- nothing shares memory with an array that is written later: a name bound to
  a view (``v = y[1:]``) makes ``y`` read-only from there on, and containers,
  appends and helper results never hold views.
  So the program means the same under NumPy's reference semantics and under
  JAX's value semantics, and ``jax_twin`` -- the same program over
  ``jax.numpy``, writes as ``y = y.at[i].set(v)`` -- is an oracle for it.

(pullback rejects a write that a live view would see: the rule above keeps
generated programs in its subset.)  Constructs that hit a known pullback bug
(tests/fuzz/array_cases, ``known``) are left out unless ``known=True``; none
is open now (``np.array(L)`` of a list, and of arrays from a helper, were).
Add an entry to ``KNOWN`` while a found bug is open.

    generate_array(chooser)   an ``ArrayProgram`` (``RandomChooser(seed)``)
    array_programs()          the same as a hypothesis strategy
"""
import re
from dataclasses import dataclass, replace

import numpy as np

from .array_exprs import ArrayExprGen, AScope, ASig, is_view
from .programs import Ctx, Program, ProgramGen, _indent
from .twin import jax_twin

KNOWN = ()
SHAPES = {"array:3": (3,), "array:4": (4,), "array:2x3": (2, 3)}


@dataclass
class ArrayProgram(Program):
    @property
    def argnums(self):
        return tuple(i for i, (_, kind) in enumerate(self.params) if kind != "int")

    @property
    def jax_source(self):
        return jax_twin(self.source)

    def simpler_args(self):
        """For ``shrink``: each argument rounded, or all 0.5 (an int: each smaller one)."""
        for i, (_, kind) in enumerate(self.params):
            old = self.args[i]
            if kind == "int":
                options = list(range(old))
            else:
                options = [make_arg(kind, _map(lambda v: round(v, 1), plain(old))),
                           make_arg(kind, _map(lambda v: 0.5, plain(old)))]
            for new in options:
                if plain(new) != plain(old):
                    yield replace(self, args=self.args[:i] + (new,) + self.args[i + 1:])


def _map(fn, value):
    if isinstance(value, (list, tuple)):
        return type(value)(_map(fn, v) for v in value)
    if isinstance(value, dict):
        return {k: _map(fn, v) for k, v in value.items()}
    return fn(value)


def make_arg(kind, values):
    """The argument of ``kind`` from nested lists (as a case file stores it)."""
    if kind in SHAPES:
        return np.array(values, dtype=float)
    if kind == "pair:3":
        return (np.array(values[0], dtype=float), float(values[1]))
    if kind == "dict:3":
        return {"w": np.array(values["w"], dtype=float), "b": float(values["b"])}
    return values


def plain(arg):
    """``make_arg``'s inverse: nested lists, tuples and dicts of Python numbers."""
    if isinstance(arg, np.ndarray):
        return arg.tolist()
    if isinstance(arg, tuple):
        return tuple(plain(a) for a in arg)
    if isinstance(arg, dict):
        return {k: plain(v) for k, v in arg.items()}
    return arg


class ArrayProgramGen:
    def __init__(self, chooser, max_statements=12, known=False):
        self.c = chooser
        self.e = ArrayExprGen(chooser)
        self.counts = {}
        self.max_statements = max_statements
        self.avoid = set() if known else set(KNOWN)

    fresh = ProgramGen.fresh

    def real(self):
        return round(self.c.real(-1.5, 1.5), 4)

    def program(self):
        lines = ["import numpy as np"]
        funcs = []
        for _ in range(self.c.weighted([(3, 0), (3, 1), (1, 2)])):
            helper_lines, sig = self.helper(funcs)
            lines += ["", ""] + helper_lines
            funcs.append(sig)
        params = [("x", "array:3")]
        for name, kind, p in (("z", "array:4", 0.4), ("A", "array:2x3", 0.5), ("s", "float", 0.6),
                              ("n", "int", 0.4), ("P", "pair:3", 0.15), ("D", "dict:3", 0.15)):
            if self.c.coin(p):
                params.append((name, kind))
        s = AScope([], [], {}, funcs=funcs)
        for name, kind in params:
            if kind in SHAPES:
                s.arrays[name] = SHAPES[kind]
            elif kind == "float":
                s.floats.append(name)
            elif kind == "int":
                s.ints.append((name, None))
            elif kind == "pair:3":
                s.items += [(f"{name}[0]", (3,)), (f"{name}[1]", ())]
            else:
                s.items += [(f'{name}["w"]', (3,)), (f'{name}["b"]', ())]
        body = self.block(s, Ctx(budget=[self.max_statements]), self.c.integer(1, 7))
        body.append(f"return {self.result(s)}")
        lines += ["", "", f"def f({', '.join(p for p, _ in params)}):"] + _indent(body)
        args = []
        for _, kind in params:
            if kind == "float":
                args.append(self.real())
            elif kind == "int":
                args.append(self.c.integer(0, 4))
            elif kind in SHAPES:
                args.append(make_arg(kind, self.reals(SHAPES[kind])))
            elif kind == "pair:3":
                args.append(make_arg(kind, (self.reals((3,)), self.real())))
            else:
                args.append(make_arg(kind, {"w": self.reals((3,)), "b": self.real()}))
        return ArrayProgram("\n".join(lines) + "\n", params, tuple(args))

    def reals(self, shape):
        if len(shape) == 1:
            return [self.real() for _ in range(shape[0])]
        return [self.reals(shape[1:]) for _ in range(shape[0])]

    def result(self, s):
        kind = self.c.weighted([(3, "sum"), (2, "scalar"), (1, "float")])
        if kind == "scalar":
            return self.e.scalar(s)
        total = f"np.sum({self.e.array(s, self.c.pick(((3,), (4,), (2, 3))))})"
        if kind == "float":
            return f"float({total})"
        return f"{total} + {self.e.scalar(s, 1)}"

    def helper(self, funcs):
        kind = self.c.weighted([(3, "array"), (1, "pair"), (1, "dict")])
        name = self.fresh({"array": "h", "pair": "p", "dict": "q"}[kind])
        shape = self.c.pick(((3,), (4,), (2, 3), (3,)))
        s = AScope(["c"], [], {"a": shape}, funcs=list(funcs))
        body = self.block(s, Ctx(budget=[4], defs=False), self.c.integer(0, 3))
        out = self.stored(s, self.e.array(s, shape))
        if kind == "array":
            body.append(f"return {out}")
        elif kind == "pair":
            body.append(f"return {out}, {self.e.scalar(s)}")
        else:
            body.append(f'return {{"u": {out}, "t": {self.e.scalar(s)}}}')
        return [f"def {name}(a, c):"] + _indent(body), ASig(name, [shape, ()], shape, kind)

    def stored(self, s, text):
        """``text`` made safe to keep: a view becomes a new array."""
        if not is_view(text):
            return text
        return self.c.pick((f"({text} * 1.0)", f"{text}.copy()"))

    # -- statements --------------------------------------------------------------------
    block = ProgramGen.block          # up to n statements of self.stmt, within ctx's budget

    def stmt(self, s, ctx):
        depth = len(ctx.loops)
        writable = bool(s.writable)
        calls = [f for f in s.funcs if f.kind != "array"]
        options = [(4, "assign"), (3, "scalar"), (2 if s.floats else 0, "aug"),
                   (3, "fresh"), (6 if writable else 0, "write"), (3 if depth < 2 else 0, "for"),
                   (1 if depth < 2 else 0, "while"), (3, "if"), (1, "ret"),
                   (2 if ctx.loops else 0, "jump"), (2 if depth < 2 else 0, "list"),
                   (2, "container"), (2 if calls else 0, "unpack"),
                   (1 if writable else 0, "augarray"),
                   (2 if depth < 2 and any(len(sh) == 2 for sh in s.arrays.values()) else 0,
                    "rows")]
        return getattr(self, "s_" + self.c.weighted(options))(s, ctx)

    def shape(self):
        return self.c.pick(((3,), (4,), (2, 3), (3,)))

    def s_assign(self, s, ctx):
        shape = self.shape()
        text = self.e.array(s, shape)
        v = self.fresh("v")
        if is_view(text):
            s.writable -= set(re.findall(r"[A-Za-z_]\w*", text))   # read-only from here on
        else:
            s.writable.add(v)
        s.arrays[v] = shape
        return [f"{v} = {text}"]

    def s_scalar(self, s, ctx):
        t = self.fresh("t")
        line = f"{t} = {self.e.scalar(s)}"
        s.floats.append(t)
        return [line]

    def s_aug(self, s, ctx):
        t = self.c.pick(s.floats)
        op = self.c.weighted([(3, "+="), (2, "-="), (1, "*=")])
        if op == "*=":
            return [f"{t} *= (1.0 + 0.5 * {self.e.bounded(s, (), 1)})"]
        return [f"{t} {op} {self.e.scalar(s)}"]

    def s_augarray(self, s, ctx):
        v = self.c.pick(sorted(s.writable))
        return [f"{v} {self.c.pick(('+=', '-=', '*='))} {self.e.bounded(s, s.arrays[v], 1)}"]

    def s_fresh(self, s, ctx):
        y = self.fresh("y")
        src = self.c.pick(sorted(n for n in s.arrays))
        shape = s.arrays[src]
        dims = str(shape[0]) if len(shape) == 1 else repr(shape)
        length = f"len({src})" if len(shape) == 1 and self.c.coin(0.5) else dims
        text = self.c.pick((f"{src}.copy()", f"np.zeros({length})", f"np.zeros_like({src})",
                            f"np.ones({dims})", f"np.copy({src})", f"np.full({dims}, 0.5)",
                            f"np.zeros({dims}, dtype=float)", f"np.array({src}, dtype=np.float64)"))
        s.arrays[y] = shape
        s.writable.add(y)
        return [f"{y} = {text}"]

    def s_write(self, s, ctx):
        y = self.c.pick(sorted(s.writable))
        shape = s.arrays[y]
        op = self.c.weighted([(3, "="), (3, "+="), (1, "-="), (1, "*=")])
        kind = self.c.weighted([(4, "element"), (2 if shape[0] > 1 else 0, "slice"),
                                (1, "recur")])
        if kind == "slice":
            n = shape[0]
            k = self.c.integer(1, n - 1)
            target, sub = self.c.pick(((f"{k}:", (n - k,) + shape[1:]),
                                       (f":-{k}", (n - k,) + shape[1:]), (":", shape)))
            if len(shape) == 2 and self.c.coin(0.5):
                target, sub = self.c.pick(((f":, {self.e.index(s, shape[1])}", shape[:1]),
                                           (f"{self.e.index(s, shape[0])}, :", shape[1:])))
            value = self.e.array(s, sub)
        else:
            index = [self.e.index(s, n) for n in shape]
            target = ", ".join(index)
            value = self.e.scalar(s)
            if kind == "recur":         # a value computed from the array's previous entry
                prev = ", ".join([f"({index[0]} - 1) % {shape[0]}"] + index[1:])
                value = f"{y}[{prev}] * {self.e.const()} + {value}"
        if op == "*=":
            value = f"(1.0 + 0.5 * np.tanh({value}))"
        return [f"{y}[{target}] {op} {value}"]

    def s_for(self, s, ctx):
        i = self.fresh("i")
        inner = s.child()
        writable = [y for y in sorted(s.writable) if len(s.arrays[y]) >= 1]
        kind = self.c.weighted([(4 if writable else 0, "write"), (2, "len"), (1, "from1"),
                                (1 if any(m is None for _, m in s.ints) else 0, "n"), (1, "const")])
        if kind in ("write", "len", "from1"):
            y = self.c.pick(writable) if kind == "write" else self.c.pick(sorted(s.arrays))
            n = s.arrays[y][0]
            start = "1, " if kind == "from1" or self.c.coin(0.2) else ""
            head = f"range({start}len({y}))" if len(s.arrays[y]) == 1 else f"range({start}{n})"
            inner.ints.append((i, n))
        elif kind == "n":
            head = f"range({self.c.pick([m for m, ln in s.ints if ln is None])})"
            inner.ints.append((i, None))
        else:
            m = self.c.integer(0, 4)
            head = f"range({m})"
            inner.ints.append((i, m))
        rev = self.c.coin(0.15)
        if rev:
            head = f"reversed({head})"
        body = self.block(inner, replace(ctx, loops=ctx.loops + (("for", rev),)),
                          self.c.integer(1, 3))
        return [f"for {i} in {head}:"] + _indent(body or ["pass"])

    def s_rows(self, s, ctx):
        """A per-layer loop: each row of a matrix bound to one name, read through slices."""
        m = self.c.pick(sorted(n for n, sh in s.arrays.items() if len(sh) == 2))
        rows, cols = s.arrays[m]
        i, w = self.fresh("i"), self.fresh("w")
        inner = s.child()
        inner.ints.append((i, rows))
        inner.arrays[w] = (cols,)
        inner.writable.discard(m)
        s.writable.discard(m)           # the loop's row names a view of m
        body = self.block(inner, replace(ctx, loops=ctx.loops + (("for", False),)),
                          self.c.integer(1, 3))
        return [f"for {i} in range({rows}):", f"    {w} = {m}[{i}]"] + _indent(body or ["pass"])

    def s_while(self, s, ctx):
        k = self.fresh("k")
        inner = s.child()
        inner.ints.append((k, None))
        test = f"{k} < {self.c.integer(1, 4)}"
        if self.c.coin(0.4):
            test += f" and {self.e.cond(s)}"
        body = self.block(inner, replace(ctx, loops=ctx.loops + (("while", False),)),
                          self.c.integer(1, 3))
        return [f"{k} = 0", f"while {test}:"] + _indent([f"{k} += 1"] + body)

    def s_if(self, s, ctx):
        lines = [f"if {self.e.cond(s)}:"] + _indent(self.sub(s, ctx))
        if self.c.coin(0.5):
            lines += ["else:"] + _indent(self.sub(s, ctx))
        return lines

    def sub(self, s, ctx):
        return self.block(s.child(), ctx, self.c.integer(1, 3)) or ["pass"]

    def s_ret(self, s, ctx):
        if not ctx.defs or any(rev for _, rev in ctx.loops):
            return ["pass"]           # helpers return one kind; no return out of reversed()
        return [f"if {self.e.cond(s)}:", f"    return {self.result(s)}"]

    def s_jump(self, s, ctx):
        kind, rev = ctx.loops[-1]
        if kind == "list":            # every iteration appends: the list's length is static
            return ["pass"]
        word = "continue" if rev or self.c.coin(0.5) else "break"
        return [f"if {self.e.cond(s)}:", f"    {word}"]

    def s_list(self, s, ctx):
        name, i = self.fresh("L"), self.fresh("i")
        count = self.c.weighted([(4, "const"), (1 if any(m is None for _, m in s.ints) else 0, "n")])
        k = self.c.integer(1, 4) if count == "const" else None
        head = str(k) if k else self.c.pick([m for m, ln in s.ints if ln is None])
        elem = self.c.pick(((), (), (3,), (4,)))
        inner = s.child()
        inner.ints.append((i, k))
        body = self.block(inner, replace(ctx, loops=ctx.loops + (("list", False),)),
                          self.c.integer(0, 1))
        body.append(f"{name}.append({self.stored(inner, self.e.array(inner, elem))})")
        lines = [f"{name} = []", f"for {i} in range({head}):"] + _indent(body)
        t = self.fresh("t")
        fn = self.c.pick(("np.array", "np.stack")) if elem and k else "np.array"
        typed = fn == "np.array" and self.c.coin(0.25)
        if k and self.c.coin(0.5) and (k == 2 or "list length" not in self.avoid) and \
                (elem == () or "stacked calls" not in self.avoid):
            s.arrays[t] = (k,) + elem
            s.writable.add(t)
            return lines + [f"{t} = {fn}({name}{', dtype=float' if typed else ''})"]
        s.floats.append(t)
        if elem == () and self.c.coin(0.5):
            return lines + [f"{t} = sum({name})"]
        return lines + [f"{t} = np.sum({fn}({name}))"]

    def s_container(self, s, ctx):
        name = self.fresh("d")
        shape = self.shape()
        a, b = self.stored(s, self.e.array(s, shape)), self.e.scalar(s)
        if self.c.coin(0.5):
            s.items += [(f"{name}[0]", shape), (f"{name}[1]", ())]
            return [f"{name} = ({a}, {b})"]
        s.items += [(f'{name}["u"]', shape), (f'{name}["c"]', ())]
        return [f'{name} = {{"u": {a}, "c": {b}}}']

    def s_unpack(self, s, ctx):
        sig = self.c.pick([f for f in s.funcs if f.kind != "array"])
        call = f"{sig.name}({', '.join(self.e.array(s, p, 1) for p in sig.params)})"
        if sig.kind == "pair":
            u, t = self.fresh("v"), self.fresh("t")
            s.arrays[u] = sig.result
            s.writable.add(u)
            s.floats.append(t)
            return [f"{u}, {t} = {call}"]
        r = self.fresh("r")
        s.items += [(f'{r}["u"]', sig.result), (f'{r}["t"]', ())]
        return [f"{r} = {call}"]


def generate_array(chooser, **kwargs):
    return ArrayProgramGen(chooser, **kwargs).program()


def array_programs(**kwargs):
    """The hypothesis strategy of random array programs."""
    from .programs import programs
    return programs(generate_array, **kwargs)
