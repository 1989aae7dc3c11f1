"""Random NumPy expressions of a requested static shape, kept inside their domains.

``ArrayExprGen.array(s, shape)`` returns an expression whose value has exactly
``shape`` (``()`` is a float), so every program broadcasts, multiplies and
indexes compatible shapes by construction.  As in ``expressions``: every
expression is fully parenthesised; ``np.log``/``np.sqrt``/division get
arguments bounded away from zero (``1.0 + e * e``, ``2.0 + np.sin(e)``),
``np.exp`` a bounded argument; kinks (``np.abs``, ``np.maximum``, ``np.where``,
``np.max``) are generated freely and the oracle skips points near them.
Indices are in range by construction: a constant in ``[-n, n)``, a loop index
over ``range(n)`` for an axis of length ``n``, or ``i % n``.
"""
from dataclasses import dataclass, field

CONSTS = ("0.5", "1.5", "2.0", "-0.75", "0.25", "-1.25", "3.0")
BOUNDED = ("np.sin", "np.cos", "np.tanh")
SMOOTH = ("np.sin", "np.cos", "np.tanh", "np.arctan", "np.arcsinh")


@dataclass
class ASig:
    """A generated helper: ``kind`` is "array" (returns ``result``), "pair" (an
    (array, float) tuple) or "dict" ({"u": array, "t": float})."""
    name: str
    params: list            # shapes, () for a float
    result: tuple
    kind: str = "array"


@dataclass
class AScope:
    floats: list
    ints: list                           # [(name, n)]: indexes an axis of length n directly
    arrays: dict                         # name -> shape
    writable: set = field(default_factory=set)   # fresh arrays nothing else refers to
    funcs: list = field(default_factory=list)
    items: list = field(default_factory=list)    # [(read expression, shape)] of containers

    def child(self):
        return AScope(list(self.floats), list(self.ints), dict(self.arrays), set(self.writable),
                      list(self.funcs), list(self.items))

    def of_shape(self, shape):
        return [n for n, sh in self.arrays.items() if sh == shape] + \
            [e for e, sh in self.items if sh == shape]


def is_view(text):
    """A bare name, item, slice or transpose: a value that may share memory."""
    return text.replace(" ", "").replace("[", "").replace("]", "").replace(":", "").replace(
        ",", "").replace("-", "").replace('"', "").replace(".T", "").replace("%", "").isalnum()


class ArrayExprGen:
    def __init__(self, chooser, max_depth=3):
        self.c = chooser
        self.max_depth = max_depth

    def const(self):
        if self.c.coin(0.25):
            return repr(round(self.c.real(-2.0, 2.0), 3))
        return self.c.pick(CONSTS)

    def index(self, s, n):
        """An int expression in ``range(-n, n)``."""
        direct = [i for i, m in s.ints if m == n]
        options = [(3, "const"), (4 if direct else 0, "direct"), (2 if s.ints else 0, "mod"),
                   (1 if direct else 0, "flip")]
        kind = self.c.weighted(options)
        if kind == "const":
            return str(self.c.integer(-n, n - 1))
        if kind == "direct":
            return self.c.pick(direct)
        if kind == "flip":
            return f"{n - 1} - {self.c.pick(direct)}"
        i = self.c.pick(s.ints)[0]
        return self.c.pick((f"{i} % {n}", f"({i} + 1) % {n}"))

    # -- leaves ----------------------------------------------------------------------
    def leaf(self, s, shape):
        if shape == ():
            return self.scalar_leaf(s)
        names = s.of_shape(shape)
        views = self.views(s, shape)
        if names and (not views or self.c.coin(0.7)):
            return self.c.pick(names)
        if views:
            return self.c.pick(views)
        return f"({self.scalar_leaf(s)} * np.ones({_shape(shape)}))"

    def views(self, s, shape):
        """Reads of part of an array (slices, rows, columns, transposes) of ``shape``."""
        out = []
        for name, sh in list(s.arrays.items()) + [(e, sh) for e, sh in s.items]:
            if len(shape) == 1 and len(sh) == 1 and sh[0] > shape[0]:
                k = sh[0] - shape[0]
                out += [f"{name}[{k}:]", f"{name}[:-{k}]"] + \
                    ([f"{name}[1:{1 + shape[0]}]"] if k > 1 else [])
            elif len(shape) == 1 and sh == shape:
                out.append(f"{name}[::-1]")
            elif len(shape) == 1 and len(sh) == 2 and sh[1] == shape[0]:
                out.append(f"{name}[{self.index(s, sh[0])}" + self.c.pick(("]", ", :]")))
            elif len(shape) == 1 and len(sh) == 2 and sh[0] == shape[0]:
                out.append(f"{name}[:, {self.index(s, sh[1])}]")
            elif len(sh) == 2 and sh[::-1] == shape:
                out.append(f"{name}.T")
        return out

    def scalar_leaf(self, s):
        floats = s.floats + s.of_shape(())
        options = [(5 if floats else 0, "var"), (2, "const"), (4, "element"),
                   (1 if s.ints else 0, "int")]
        kind = self.c.weighted(options)
        arrays = list(s.arrays.items()) + s.items
        if kind == "var":
            return self.c.pick(floats)
        if kind == "element" and any(sh for _, sh in arrays):
            name, sh = self.c.pick([a for a in arrays if a[1]])
            return f"{name}[{', '.join(self.index(s, n) for n in sh)}]"
        if kind == "int":
            return f"float({self.c.pick(s.ints)[0]})"
        return self.const()

    # -- expressions of a shape --------------------------------------------------------
    def array(self, s, shape, depth=0):
        if depth >= self.max_depth or self.c.coin(0.25 + 0.15 * depth):
            return self.leaf(s, shape)
        d = depth + 1
        if shape == ():
            kind = self.c.weighted([(5, "arith"), (2, "smooth"), (2, "domain"), (2, "kink"),
                                    (5, "reduce"), (2, "dot"), (1, "div"), (1, "cast")])
        else:
            kind = self.c.weighted([(5, "arith"), (2, "smooth"), (2, "domain"), (3, "kink"),
                                    (2, "broadcast"), (2, "matmul"), (2, "axis"), (1, "div"),
                                    (2 if s.funcs else 0, "call"), (1, "cast")])
        return getattr(self, "e_" + kind)(s, shape, d)

    def scalar(self, s, depth=0):
        return self.array(s, (), depth)

    def e_arith(self, s, shape, d):
        op = self.c.weighted([(3, "+"), (2, "-"), (3, "*"), (1, "neg"), (1, "sq")])
        if op == "neg":
            return f"(-{self.array(s, shape, d)})"
        if op == "sq":
            e = self.array(s, shape, d)
            return self.c.pick((f"({e} ** 2)", f"np.square({e})"))
        return f"({self.array(s, shape, d)} {op} {self.array(s, shape, d)})"

    def e_broadcast(self, s, shape, d):
        """An array and a float, or a 2-D array and a row."""
        op = self.c.pick(("+", "*", "-"))
        if len(shape) == 2 and self.c.coin(0.4):
            return f"({self.array(s, shape, d)} {op} {self.array(s, shape[1:], d)})"
        a, b = self.array(s, shape, d), self.scalar(s, d)
        return f"({a} {op} {b})" if self.c.coin(0.5) else f"({b} {op} {a})"

    def e_cast(self, s, shape, d):
        """A float64 cast, spelled as people spell it: a copy of the same numbers."""
        e = self.array(s, shape, d)
        if shape == ():
            return self.c.pick((f"np.float64({e})", f"float({e})"))
        return self.c.pick((f"np.asarray({e}, dtype=float)", f"np.array({e}, dtype=np.float64)",
                            f"({e}).astype(np.float64)", f"np.asarray({e}, dtype=np.float64)"))

    def e_smooth(self, s, shape, d):
        if self.c.coin(0.3):
            return f"np.exp({self.bounded(s, shape, d)})"
        return f"{self.c.pick(SMOOTH)}({self.array(s, shape, d)})"

    def e_domain(self, s, shape, d):
        kind = self.c.weighted([(3, "log"), (2, "sqrt"), (1, "pow")])
        if kind == "log":
            return f"{self.c.pick(('np.log', 'np.log1p', 'np.log'))}({self.positive(s, shape, d)})"
        if kind == "sqrt":
            return f"np.sqrt({self.positive(s, shape, d)})"
        return f"({self.positive(s, shape, d)} ** {self.c.pick(('0.5', '1.5', '-1.0'))})"

    def e_div(self, s, shape, d):
        return f"({self.array(s, shape, d)} / {self.positive(s, shape, d)})"

    def e_kink(self, s, shape, d):
        kind = self.c.weighted([(2, "abs"), (2, "minmax"), (2, "where"), (1, "clip"),
                                (1 if shape == () else 0, "builtin")])
        if kind == "abs":
            return f"np.abs({self.array(s, shape, d)})"
        if kind == "minmax":
            other = self.array(s, shape, d) if self.c.coin(0.6) else self.const()
            return f"{self.c.pick(('np.maximum', 'np.minimum'))}({self.array(s, shape, d)}, {other})"
        if kind == "where":
            op = self.c.pick(("<", ">", ">=", "<="))
            right = self.const() if self.c.coin(0.5) else self.array(s, shape, d)
            return (f"np.where({self.array(s, shape, d)} {op} {right}, {self.array(s, shape, d)},"
                    f" {self.array(s, shape, d)})")
        if kind == "clip":
            return f"np.clip({self.array(s, shape, d)}, -1.0, 1.0)"
        return f"{self.c.pick(('max', 'min'))}({self.scalar(s, d)}, {self.scalar(s, d)})"

    def e_reduce(self, s, shape, d):
        """A float from an array of any shape."""
        src = self.c.pick(((3,), (4,), (2, 3), (3,), (2,)))
        fn = self.c.weighted([(4, "np.sum"), (2, "np.mean"), (2, "np.max"), (1, "np.min"),
                              (1, "np.prod"), (2, "method")])
        if fn == "np.prod":      # a product of bounded factors stays bounded
            return f"np.prod({self.bounded(s, src, d)} + 1.5)"
        if fn == "method":
            return f"{self.array(s, src, d)}.{self.c.pick(('sum', 'mean', 'max'))}()"
        return f"{fn}({self.array(s, src, d)})"

    def e_dot(self, s, shape, d):
        n = self.c.pick((3, 4, 2))
        a, b = self.array(s, (n,), d), self.array(s, (n,), d)
        return f"np.dot({a}, {b})" if self.c.coin(0.5) else f"({a} @ {b})"

    def e_matmul(self, s, shape, d):
        """Products with the program's one matrix shape, (2, 3), or its transpose."""
        if len(shape) == 2:
            return f"np.outer({self.array(s, shape[:1], d)}, {self.array(s, shape[1:], d)})"
        n = shape[0]
        if n not in (2, 3):
            return self.e_broadcast(s, shape, d)
        m = 5 - n
        if self.c.coin(0.5):
            return f"({self.array(s, (n, m), d)} @ {self.array(s, (m,), d)})"
        return f"np.dot({self.array(s, (m,), d)}, {self.array(s, (m, n), d)})"

    def e_axis(self, s, shape, d):
        fn = self.c.pick(("np.sum", "np.mean", "np.max", "np.sum", "np.min"))
        if len(shape) == 2 or shape[0] not in (2, 3):
            return self.e_broadcast(s, shape, d)
        src, axis = self.c.pick((((2, 3), 0), ((3, 2), 1)) if shape[0] == 3 else
                                (((2, 3), 1), ((3, 2), 0)))
        if self.c.coin(0.3):
            return f"{self.array(s, src, d)}.{fn[3:]}(axis={axis})"
        return f"{fn}({self.array(s, src, d)}, axis={axis})"

    def e_call(self, s, shape, d):
        fits = [f for f in s.funcs if f.result == shape]
        if not fits:
            return self.leaf(s, shape)
        sig = self.c.pick(fits)
        call = f"{sig.name}({', '.join(self.array(s, p, d) for p in sig.params)})"
        if sig.kind == "pair":
            return f"{call}[0]"
        if sig.kind == "dict":
            return f'{call}["u"]'
        return call

    # -- restricted expressions ----------------------------------------------------------
    def positive(self, s, shape, d):
        """Elementwise > 0, bounded away from zero."""
        kind = self.c.weighted([(4, "square"), (2, "sin"), (1, "exp"), (1, "abs")])
        e = self.array(s, shape, d)
        if kind == "square":
            return f"({self.c.pick(('1.0', '0.5', '2.0'))} + {e} * {e})"
        if kind == "sin":
            return f"(2.0 + {self.c.pick(BOUNDED)}({e}))"
        if kind == "exp":
            return f"np.exp({self.c.pick(BOUNDED)}({e}))"
        return f"(1.0 + np.abs({e}))"

    def bounded(self, s, shape, d):
        return f"{self.c.pick(BOUNDED)}({self.array(s, shape, d)})"

    def cond(self, s, d=1):
        kind = self.c.weighted([(4, "cmp"), (1, "all"), (1, "boolop")])
        if kind == "all":
            sh = self.c.pick(((3,), (4,), (2, 3)))
            return f"{self.c.pick(('np.all', 'np.any'))}({self.array(s, sh, d)} > {self.const()})"
        if kind == "boolop":
            return f"({self.cond(s, d + 1)} {self.c.pick(('and', 'or'))} {self.cond(s, d + 1)})"
        right = self.const() if self.c.coin(0.5) else self.scalar(s, d)
        return f"({self.scalar(s, d)} {self.c.pick(('<', '>', '<=', '>='))} {right})"


def _shape(shape):
    return str(shape[0]) if len(shape) == 1 else repr(shape)
