"""Instantiate a rule's partial-derivative expression as IR statements.

The expression (a Python string in ``rules``) is lowered with the rule's
parameter names bound to the call's atoms and ``y`` to its output, using
the same primitives as user code; constants fold on the way (``1 * g`` is
``g``), so linear rules cost nothing.
"""
import ast
import math

from ..ir import Assign, Const, Extern, Var
from ..analysis.types import result_type
from ..ir.types import is_differentiable
from ..rules import PRIMITIVES

_OPS = {ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul", ast.Div: "truediv",
        ast.Pow: "pow", ast.Lt: "lt", ast.LtE: "le", ast.Gt: "gt", ast.GtE: "ge",
        ast.Eq: "eq", ast.NotEq: "ne"}


class RuleEmitter:
    """Emits statements through ``emit`` and names temporaries with ``temp``."""

    def __init__(self, emit, temp):
        self.emit = emit
        self.temp = temp

    def apply(self, op, args, type_="float"):
        args = tuple(args)
        prim = PRIMITIVES.get(op)
        if prim is not None and prim.defaults and len(args) < len(prim.params):
            missing = len(prim.params) - len(args)      # trailing static params: defaults
            args += tuple(Const(d) for d in prim.defaults[len(prim.defaults) - missing:])
        folded = fold(op, args)
        if isinstance(folded, tuple):
            op, args = folded
        elif folded is not None:
            return folded
        t = self.temp(result_type(op, args, [a.type for a in args]) if op != "copy" else type_)
        self.emit(Assign(t, op, args))
        return t

    def expr(self, node, env):
        """Emit the rule expression ``node`` with names bound by ``env``; its value."""
        hit = _TEMPLATES.get(id(node))
        if hit is None or hit[0] is not node:
            hit = _TEMPLATES[id(node)] = (node, _template(node))
        return hit[1](self, env)

    def partial(self, prim, i, args, out):
        env = dict(zip(prim.params, args))
        env["y"] = out
        return self.expr(prim.partial_ast(i), env)


# id(rule AST) -> (the AST, its template): a rule is instantiated at every assignment of
# its primitive, so its expression is turned into closures once, not walked each time
_TEMPLATES = {}


def _template(node):
    """A function ``(emitter, env) -> atom`` that emits ``node`` as ``expr`` did by walking
    it: operands left to right, each operation through ``apply`` (which folds)."""
    if isinstance(node, ast.Constant):
        c = Const(node.value)
        return lambda em, env: c
    if isinstance(node, ast.Name):
        name = node.id
        return lambda em, env: env[name]
    if isinstance(node, ast.BinOp) or isinstance(node, ast.Compare):
        if isinstance(node, ast.BinOp):
            op, left, right = _OPS[type(node.op)], _template(node.left), _template(node.right)
        else:
            op = _OPS[type(node.ops[0])]
            left, right = _template(node.left), _template(node.comparators[0])
        return lambda em, env: em.apply(op, (left(em, env), right(em, env)))
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        operand = _template(node.operand)
        return lambda em, env: em.apply("neg", (operand(em, env),))
    if isinstance(node, ast.Call):
        func, args = node.func.id, [_template(a) for a in node.args]
        return lambda em, env: em.apply(func, [a(em, env) for a in args])
    message = f"unsupported rule syntax {ast.dump(node)}"

    def unsupported(em, env):
        raise TypeError(message)
    return unsupported


def fold(op, args, exact=False):
    """Algebraic identities and constant folding: an atom the result equals, an
    ``(op, args)`` pair to compute instead, or None when nothing folds.  With
    ``exact`` (the user's own arithmetic) ``0 * y`` and ``0 + y`` stay: for floats
    they are not ``0`` and ``y`` (``0.0 * -0.5`` is ``-0.0``, ``0.0 * inf`` is nan)."""
    if op in ("getitem", "getitem_copy") and args and type(args[0]) is Const and \
            type(args[0].value) is float and args[0].value == 0.0:
        return args[0]      # a part of a zero adjoint (0.0 stands for the array) is zero
    for a in args:      # (a loop, not all(...): this runs for every statement of every pass)
        if type(a) is not Const or type(a.value) is Extern:
            break
    else:
        prim = PRIMITIVES.get(op)
        if op == "setitem":     # a zero adjoint (0.0 for a whole array) with 0.0 written
            same = type(args[0].value) is float and args[0].value == args[2].value
            return args[0] if same else None
        if prim is not None and prim.pure:
            try:
                return Const(prim.impl(*[a.value for a in args]))
            except Exception:   # noqa: BLE001 -- a scalar standing for an array: not folded
                return None
    a = args[0] if args else None
    b = args[1] if len(args) > 1 else None
    # the identities of mul and add need a constant operand
    some_const = type(a) is Const or type(b) is Const
    if op == "mul" and some_const:
        for x, y in ((a, b), (b, a)):
            if _is(x, 1) and _float(y):
                return y
            if _is(x, 0) and _float(y) and not exact:
                return Const(0.0)
    if op == "mul" and some_const:
        for x, y in ((a, b), (b, a)):
            if _is(x, -1) and _float(y):
                return None if isinstance(y, Const) else ("neg", (y,))
    if op == "pow" and _is(b, 1) and _float(a):
        return a
    if op == "add" and not exact and some_const:
        for x, y in ((a, b), (b, a)):
            if _is(x, 0) and _float(y):
                return y
    if op == "sub" and _is(b, 0) and _float(a):
        return a
    if op == "truediv" and _is(b, 1) and _float(a):
        return a
    if op == "neg" and isinstance(a, Const):
        return Const(-a.value)
    if op == "unbroadcast" and isinstance(a, Var) and isinstance(b, Var) and a.type == b.type \
            and (a.type == "float" or getattr(a.type, "static", False)):
        return a
    if op in ZERO_IN_ZERO_OUT or op.startswith("einsum_vjp"):
        if _is(a, 0) and isinstance(a.value, float):   # a zero cotangent: a zero adjoint
            return Const(0.0)
    if op == "getitem_vjp" and _new_axes_only(args[2]) and _same_size(a, b):
        return ("like", (a, b))     # x[None, :] read every element once: a reshape back
    if op == "select" and isinstance(a, Const) and type(a.value) is not Extern:
        # (a global array's truth is per element and read at call time: never folded)
        return args[1] if a.value else args[2]
    return None


# helpers linear in their first argument, the cotangent: a zero in is a zero out (a
# float constant stands for a broadcast array of it)
ZERO_IN_ZERO_OUT = frozenset((
    "unbroadcast", "expand_like", "expand_to", "getitem_vjp", "like", "transpose_vjp",
    "cumsum_vjp", "split_part_vjp", "concat_first", "concat_second", "tile_vjp", "repeat_vjp",
    "pad_vjp", "take_vjp", "take_along_axis_vjp", "sort_vjp", "diag_vjp", "trace_vjp",
    "matmul_vjp_a", "matmul_vjp_b", "logsumexp_grad"))


def _new_axes_only(idx):
    if not isinstance(idx, Const):
        return False
    parts = idx.value if isinstance(idx.value, tuple) else (idx.value,)
    return all(p is None or p == slice(None) for p in parts)


def _same_size(g, x):
    shapes = [getattr(getattr(v, "type", None), "shape", None) for v in (g, x)]
    return isinstance(g, Var) and all(s is not None and None not in s for s in shapes) and \
        math.prod(shapes[0]) == math.prod(shapes[1])


def _is(a, v):
    return isinstance(a, Const) and not isinstance(a.value, bool) and a.value == v


def _float(a):
    return (isinstance(a, Var) and is_differentiable(a.type)) or \
        (isinstance(a, Const) and isinstance(a.value, float))
