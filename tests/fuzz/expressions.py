"""Random expressions of pullback's scalar subset, kept inside their domains.

Every expression is emitted fully parenthesised, so precedence never matters.
Domain-restricted functions get arguments that are in the domain by
construction (``log`` of ``1.0 + e * e``, ``sqrt`` of a positive expression,
divisions by ``2.0 + sin(e)``); non-smooth ones (``abs``, ``min``, ``max``,
``floor``, ``%``, conditional expressions) are generated freely and the oracle
discards points too close to their kinks.
"""
import math
from dataclasses import dataclass, field

CONSTS = ("0.5", "1.5", "2.0", "-0.75", "3.0", "0.25", "-1.25")
UNARY_SMOOTH = ("math.sin", "math.cos", "math.tanh", "math.atan", "math.asinh", "math.erf",
                "math.erfc")
BOUNDED = ("math.sin", "math.cos", "math.tanh")


@dataclass
class Sig:
    """A callable the program may call: a helper, a local ``def`` or a lambda."""
    name: str
    params: list                  # [(name, kind, default or None)]; kind "float"/"int"/"func"
    kwonly: list = field(default_factory=list)


@dataclass
class Scope:
    floats: list
    ints: list                    # [(name, nonnegative?)]
    bools: list = field(default_factory=list)
    funcs: list = field(default_factory=list)
    consts: list = field(default_factory=list)    # module-level float constants
    tuples: list = field(default_factory=list)    # tuples of floats: (name, length)

    def child(self):
        return Scope(list(self.floats), list(self.ints), list(self.bools), list(self.funcs),
                     self.consts, list(self.tuples))


class ExpressionGen:
    def __init__(self, chooser, max_depth=3):
        self.c = chooser
        self.max_depth = max_depth
        self.fresh_lambda = 0

    # -- leaves ------------------------------------------------------------------
    def const(self):
        if self.c.coin(0.3):
            return repr(round(self.c.real(-3.0, 3.0), 3))
        return self.c.pick(CONSTS)

    def leaf(self, s):
        options = [(6, "var"), (2, "const")]
        if s.ints:
            options.append((1, "int"))
        if s.consts or s.tuples:
            options.append((2, "global"))
        if s.bools:
            options.append((1, "bool"))
        kind = self.c.weighted(options) if s.floats else "const"
        if kind == "var":
            return self.c.pick(s.floats)
        if kind == "int":
            name = self.c.pick(s.ints)[0]
            return name if self.c.coin(0.7) else f"float({name})"
        if kind == "global":
            if s.tuples and (not s.consts or self.c.coin(0.6)):
                name, n = self.c.pick(s.tuples)
                return f"{name}[{self.c.integer(-n, n - 1)}]"
            return self.c.pick(s.consts + ["math.pi"])
        if kind == "bool":        # a bool in arithmetic is 0 or 1
            return f"({self.c.pick(s.bools)} * {self.c.pick(s.floats)})"
        return self.const()

    # -- float expressions ----------------------------------------------------------
    def expr(self, s, depth=0):
        if depth >= self.max_depth or self.c.coin(0.3 + 0.15 * depth):
            return self.leaf(s)
        kind = self.c.weighted([(6, "arith"), (3, "smooth"), (2, "div"), (2, "pow"),
                                (2, "domain"), (3, "kink"), (2 if s.funcs else 0, "call"),
                                (1 if s.tuples else 0, "tuple")])
        d = depth + 1
        return getattr(self, "expr_" + kind)(s, d)

    def expr_arith(self, s, d):
        op = self.c.weighted([(3, "+"), (2, "-"), (3, "*"), (1, "neg")])
        if op == "neg":
            return f"(-{self.expr(s, d)})"
        return f"({self.expr(s, d)} {op} {self.expr(s, d)})"

    def expr_smooth(self, s, d):
        kind = self.c.weighted([(6, "unary"), (2, "exp"), (1, "hyper"), (1, "scale")])
        if kind == "unary":
            return f"{self.c.pick(UNARY_SMOOTH)}({self.expr(s, d)})"
        if kind == "exp":
            fn = self.c.pick(("math.exp", "math.expm1", "math.exp", "math.exp2")
                             if hasattr(math, "exp2") else ("math.exp", "math.expm1"))
            return f"{fn}({self.bounded(s, d)})"
        if kind == "hyper":
            return f"{self.c.pick(('math.sinh', 'math.cosh'))}({self.bounded(s, d)})"
        return f"{self.c.pick(('math.degrees', 'math.radians'))}({self.expr(s, d)})"

    def expr_div(self, s, d):
        kind = self.c.weighted([(3, "pos"), (1, "const"), (1, "aug")])
        if kind == "const":
            return f"({self.expr(s, d)} / {self.c.pick(('2.0', '-0.5', '3.0', '1.25'))})"
        return f"({self.expr(s, d)} / {self.positive(s, d)})"

    def expr_pow(self, s, d):
        kind = self.c.weighted([(3, "int"), (2, "real"), (1, "intvar"), (1, "base"),
                                (1, "mpow")])
        if kind == "int":
            return f"({self.expr(s, d)} ** {self.c.pick(('2', '3', '1', '0', '4'))})"
        if kind == "intvar":
            nonneg = [n for n, ok in s.ints if ok]
            if nonneg:
                return f"({self.expr(s, d)} ** {self.c.pick(nonneg)})"
        if kind == "base":
            return f"({self.c.pick(('2.0', '0.5', '1.5'))} ** {self.bounded(s, d)})"
        exponent = self.c.pick(("0.5", "1.5", "-0.5", "2.5", "-1.0"))
        if kind == "mpow":
            return f"math.pow({self.positive(s, d)}, {exponent})"
        if self.c.coin(0.25):
            exponent = f"(1.0 + {self.bounded(s, d)})"
        return f"({self.positive(s, d)} ** {exponent})"

    def expr_domain(self, s, d):
        kind = self.c.weighted([(3, "log"), (2, "sqrt"), (1, "log1p"), (1, "logb"),
                                (1, "acosh"), (1, "arc"), (1, "atanh"), (1, "lgamma"),
                                (1, "atan2"), (1, "hypot"), (1, "cbrt")])
        if kind == "log":
            return f"{self.c.pick(('math.log', 'math.log2', 'math.log10'))}({self.positive(s, d)})"
        if kind == "sqrt":
            return f"math.sqrt({self.positive(s, d)})"
        if kind == "log1p":
            e = self.expr(s, d)
            return f"math.log1p({e} * {e})"
        if kind == "logb":
            base = self.c.pick(("2.0", "10.0", f"(2.0 + {self.expr(s, d)} ** 2)"))
            return f"math.log({self.positive(s, d)}, {base})"
        if kind == "acosh":
            return f"math.acosh(1.0 + {self.positive(s, d)})"
        if kind == "arc":
            return f"{self.c.pick(('math.asin', 'math.acos'))}(0.9 * {self.bounded(s, d)})"
        if kind == "atanh":
            return f"math.atanh(0.9 * math.tanh({self.expr(s, d)}))"
        if kind == "lgamma":
            return f"math.lgamma(0.5 + {self.positive(s, d)})"
        if kind == "atan2":
            return f"math.atan2({self.expr(s, d)}, {self.positive(s, d)})"
        if kind == "hypot":
            second = self.c.pick(("1.0", None))
            return f"math.hypot({self.expr(s, d)}, {second or self.positive(s, d)})"
        if hasattr(math, "cbrt"):
            return f"math.cbrt({self.positive(s, d)})"
        return f"math.sqrt({self.positive(s, d)})"

    def expr_kink(self, s, d):
        kind = self.c.weighted([(3, "abs"), (3, "minmax"), (3, "ifexp"), (1, "floor"),
                                (1, "mod"), (1, "floordiv"), (1, "round"), (1, "copysign"),
                                (1, "sum"), (1, "boolop"), (1, "cmp")])
        if kind == "abs":
            return f"{self.c.pick(('abs', 'math.fabs'))}({self.expr(s, d)})"
        if kind == "minmax":
            fn = self.c.pick(("min", "max"))
            if self.c.coin(0.3):      # tuples compare lexicographically: the argmin idiom
                pairs = [f"({self.expr(s, d)}, {self.expr(s, d)})" for _ in range(2)]
                return f"{fn}({', '.join(pairs)})[{self.c.pick((0, 1))}]"
            args = [self.expr(s, d) for _ in range(self.c.pick((2, 2, 3)))]
            return f"{fn}({', '.join(args)})"
        if kind == "ifexp":
            return f"({self.expr(s, d)} if {self.cond(s, d)} else {self.expr(s, d)})"
        if kind == "floor":
            fn = self.c.pick(("math.floor", "math.ceil", "math.trunc"))
            return f"({fn}({self.expr(s, d)}) * {self.expr(s, d)})"
        if kind == "mod":
            return f"({self.expr(s, d)} % {self.c.pick(('1.5', '2.0', '0.7'))})"
        if kind == "floordiv":
            return f"(({self.expr(s, d)} // {self.c.pick(('1.5', '0.7'))}) * {self.expr(s, d)})"
        if kind == "round":
            fn = self.c.pick(("round", "int"))
            return f"({fn}({self.expr(s, d)}) + {self.expr(s, d)})"
        if kind == "copysign":
            return f"math.copysign({self.expr(s, d)}, {self.expr(s, d)})"
        if kind == "boolop":      # `a or b` is a or b, not a bool
            return f"({self.expr(s, d)} {self.c.pick(('or', 'and'))} {self.expr(s, d)})"
        if kind == "cmp":
            return f"({self.cond(s, d)} * {self.expr(s, d)})"
        return f"sum(({self.expr(s, d)}, {self.expr(s, d)}, {self.leaf(s)}))"

    def expr_tuple(self, s, d):
        name, n = self.c.pick(s.tuples)
        kind = self.c.weighted([(2, "sum"), (1, "minmax"), (1, "slice"), (1, "len")])
        if kind == "sum":
            return f"sum({name})"
        if kind == "minmax":
            return f"{self.c.pick(('min', 'max'))}({name})"
        if kind == "slice" and n > 1:
            return f"sum({name}[{self.c.integer(1, n - 1)}:])"
        return f"(len({name}) * {self.expr(s, d)})"

    def expr_call(self, s, d):
        return self.call(s, self.c.pick(s.funcs), d)

    def call(self, s, sig, d):
        args, by_keyword = [], False
        for name, kind, default in sig.params:
            if default is not None and self.c.coin(0.5):
                by_keyword = True
                if self.c.coin(0.5):
                    continue        # leave the default
            if by_keyword:
                args.append(f"{name}={self.arg(s, kind, d)}")
            else:
                args.append(self.arg(s, kind, d))
        for name, kind, _ in sig.kwonly:
            if self.c.coin(0.5):
                args.append(f"{name}={self.arg(s, kind, d)}")
        return f"{sig.name}({', '.join(args)})"

    def arg(self, s, kind, d):
        if kind == "int":
            return self.small_int(s)
        if kind == "func":
            return self.function_value(s, d)
        return self.expr(s, d)

    def function_value(self, s, d):
        """A one-argument function: a local def or lambda of the scope, or a new lambda."""
        unary = [f for f in s.funcs if len(f.params) == 1 and f.params[0][1] == "float"
                 and not f.kwonly]
        if unary and self.c.coin(0.5):
            return self.c.pick(unary).name
        inner = s.child()
        inner.funcs = []
        self.fresh_lambda += 1
        t = f"t{self.fresh_lambda}"
        inner.floats = inner.floats + [t]
        return f"(lambda {t}: {self.expr(inner, d)})"

    # -- restricted expressions ----------------------------------------------------
    def positive(self, s, d):
        """An expression > 0 (bounded away from zero)."""
        kind = self.c.weighted([(4, "square"), (2, "sin"), (1, "exp"), (1, "abs"),
                                (1, "cosh"), (1, "hypot")])
        if kind == "square":
            e = self.expr(s, d)
            return f"({self.c.pick(('1.0', '0.5', '2.0'))} + {e} * {e})"
        if kind == "sin":
            return f"(2.0 + {self.c.pick(BOUNDED)}({self.expr(s, d)}))"
        if kind == "exp":
            return f"math.exp({self.bounded(s, d)})"
        if kind == "abs":
            return f"(1.0 + abs({self.expr(s, d)}))"
        if kind == "cosh":
            return f"math.cosh({self.bounded(s, d)})"
        return f"math.hypot({self.expr(s, d)}, 1.0)"

    def bounded(self, s, d):
        """An expression in [-1, 1]."""
        return f"{self.c.pick(BOUNDED)}({self.expr(s, d)})"

    def small_int(self, s):
        """A small int expression (for loop bounds and int parameters)."""
        options = [(3, "const")]
        if s.ints:
            options.append((3, "var"))
        kind = self.c.weighted(options)
        if kind == "var":
            name = self.c.pick(s.ints)[0]
            return self.c.pick((name, f"({name} + 1)", f"min({name}, 3)", f"({name} % 3)"))
        return str(self.c.integer(0, 4))

    # -- conditions -----------------------------------------------------------------
    def cond(self, s, d=0):
        options = [(6, "cmp"), (1, "chain"), (1, "not"), (2, "boolop")]
        if s.ints:
            options.append((2, "int"))
        if s.bools:
            options.append((1, "bool"))
        kind = self.c.weighted(options) if d < self.max_depth else "cmp"
        d += 1
        if kind == "cmp":
            op = self.c.pick(("<", ">", "<=", ">=", "!=", "=="))
            right = self.const() if self.c.coin(0.4) else self.expr(s, d)
            return f"({self.expr(s, d)} {op} {right})"
        if kind == "chain":
            return f"({self.const()} < {self.expr(s, d)} < {self.c.pick(('1.0', '2.5'))})"
        if kind == "not":
            return f"(not {self.cond(s, d)})"
        if kind == "boolop":
            return f"({self.cond(s, d)} {self.c.pick(('and', 'or'))} {self.cond(s, d)})"
        if kind == "bool":
            return self.c.pick(s.bools)
        name = self.c.pick(s.ints)[0]
        return self.c.pick((f"({name} % 2 == 0)", f"({name} > 1)", f"({name} == 0)",
                            f"({name} < {self.small_int(s)})"))
