"""Instantiate a rule's partial-derivative expression as IR statements.

The expression (a Python string in ``rules``) is lowered with the rule's
parameter names bound to the call's atoms and ``y`` to its output, using
the same primitives as user code; constants fold on the way (``1 * g`` is
``g``), so linear rules cost nothing.
"""
import ast

from ..ir import Assign, Const
from ..analysis.types import result_type
from ..rules.algebra import fold
from ..rules import PRIMITIVES

_OPS = {ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul", ast.Div: "truediv",
        ast.Pow: "pow", ast.Lt: "lt", ast.LtE: "le", ast.Gt: "gt", ast.GtE: "ge",
        ast.Eq: "eq", ast.NotEq: "ne"}


class RuleEmitter:
    """Emits statements through ``emit`` and names temporaries with ``temp``."""

    def __init__(self, emit, temp):
        self.emit = emit
        self.temp = temp
        self.loc = None     # the user's line the rule is applied for: errors name it

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
        self.emit(Assign(t, op, args, self.loc))
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
