"""Which way every decision of a program went: to tell when finite differences lie.

Central differences are no oracle where a step crosses a branch threshold or a
kink -- and none either when the point itself sits on a threshold that both
neighbours are on the same side of (``if x:`` at ``x == 0``: AD follows the
branch taken, differences see the other one).  ``traced(source)`` returns an
instrumented copy of a program whose ``trace()`` lists every decision of the
last call: branch and loop tests, ``and``/``or`` operands, comparisons, which
argument ``min``/``max`` chose, the sign ``abs``/``fabs``/``copysign`` saw,
and the integer ``floor``/``ceil``/``trunc``/``round``/``int``/``%``/``//``
produced.  Points where the trace changes within the finite-difference steps
are not judged by finite differences (JAX still judges them).
"""
import ast
import math
import types
import warnings


class _Instrument(ast.NodeTransformer):
    def _wrap(self, node):
        return ast.Call(ast.Name("__br__", ast.Load()), [node], [])

    def visit_If(self, node):
        self.generic_visit(node)
        node.test = self._wrap(node.test)
        return node

    visit_While = visit_If
    visit_IfExp = visit_If

    def visit_BoolOp(self, node):
        self.generic_visit(node)
        node.values = [self._wrap(v) for v in node.values[:-1]] + node.values[-1:]
        return node

    def visit_Compare(self, node):
        self.generic_visit(node)
        return self._wrap(node)

    def visit_BinOp(self, node):
        self.generic_visit(node)
        if isinstance(node.op, (ast.Mod, ast.FloorDiv)):
            name = "__mod__" if isinstance(node.op, ast.Mod) else "__floordiv__"
            return ast.Call(ast.Name(name, ast.Load()), [node.left, node.right], [])
        return node


def traced(source, filename):
    """(namespace of the instrumented program, trace function)."""
    tree = _Instrument().visit(ast.parse(source))
    ast.fix_missing_locations(tree)
    log = []

    def br(value):
        log.append(bool(value))
        return value

    def chooser(fn):
        def wrapped(*args):
            items = list(args[0]) if len(args) == 1 else list(args)
            out = fn(*args)
            log.append(("choose", fn.__name__, items.index(out) if out in items else -1))
            return out
        return wrapped

    def sign(fn):
        def wrapped(x, *rest):
            log.append(("sign", fn.__name__, x >= 0))
            return fn(x, *rest)
        return wrapped

    def integer(fn):
        def wrapped(*args):
            out = fn(*args)
            log.append(("int", fn.__name__, out))
            return out
        return wrapped

    def mod(a, b):
        log.append(("int", "//", a // b))
        return a % b

    def floordiv(a, b):
        log.append(("int", "//", a // b))
        return a // b

    shim = types.SimpleNamespace(**{k: getattr(math, k) for k in dir(math) if not k.startswith("_")})
    for name in ("floor", "ceil", "trunc"):
        setattr(shim, name, integer(getattr(math, name)))
    shim.fabs = sign(math.fabs)
    shim.copysign = sign(math.copysign)
    ns = {"__name__": "fuzz_traced"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")       # shrunk programs may call a constant
        code = compile(tree, filename, "exec")
    exec(code, ns)
    ns.update({"math": shim, "__br__": br, "__mod__": mod, "__floordiv__": floordiv,
               "min": chooser(min), "max": chooser(max), "abs": sign(abs),
               "round": integer(round), "int": integer(int)})

    def trace():
        out = list(log)
        log.clear()
        return out
    return ns, trace
