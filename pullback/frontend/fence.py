"""The language fence: every ``ast`` node kind is supported or rejected here.

``check(source)`` walks a whole function (nested definitions included) before
lowering and raises ``UnsupportedError`` at the first construct outside the
subset, with file:line:col and the construct's name.  Lowering may reject
further (a name that resolves to something without a rule); this table is
the syntactic part.

Every concrete node class of ``ast`` in Python 3.10 to 3.13 is in exactly one
of ``SUPPORTED``, ``REJECTED`` (with the words the error uses) and
``OBSOLETE`` (deprecated classes the parser no longer produces);
tests/test_fence.py holds an example program for each and fails on a node
class it does not know.  Beyond node kinds the fence rejects: positional-only
parameters (of nested functions and lambdas too), ``while ... else``, decorated
nested functions, constants other than numbers, strings, ``None`` and ``...``,
async comprehensions, and ``yield`` other than as a statement (``x = yield``,
``f((yield v))``); ``yield from`` is rejected as a node kind.  A generator
(``yield v`` statements) passes the fence; ``generators.py`` decides whether
running it eagerly is exact, and rejects it otherwise.
"""
import ast

from ..errors import UnsupportedError

SUPPORTED = {
    # statements
    "FunctionDef", "Return", "Assign", "AugAssign", "AnnAssign", "For", "While", "If",
    "Expr", "Pass", "Break", "Continue", "Assert", "Raise", "With", "withitem",
    # expressions
    "BoolOp", "BinOp", "UnaryOp", "Lambda", "IfExp", "Compare", "Call", "Constant",
    "Is", "IsNot",      # only as 'x is None' / 'x is not None' (problem() checks)
    "In", "NotIn",      # decided while compiling: 'key in cfg' (expressions.membership)
    "Attribute", "Subscript", "Name", "Tuple", "List", "Slice", "MatMult", "Dict",
    "ListComp", "comprehension", "JoinedStr", "FormattedValue", "GeneratorExp",
    "DictComp",
    "Yield",            # only as a statement in a def (problem()); see generators.py
    # operators, contexts and helpers
    "And", "Or", "Add", "Sub", "Mult", "Div", "FloorDiv", "Mod", "Pow", "UAdd", "USub",
    "Not", "Eq", "NotEq", "Lt", "LtE", "Gt", "GtE", "Load", "Store", "keyword",
    "BitAnd", "BitOr", "BitXor", "Invert",      # of masks and ints (no derivative)
    "arguments", "arg", "Starred",      # Starred: only as a call's argument (problem())
}

REJECTED = {
    # roots: never inside a function, rejected should one appear
    "Module": "a module", "Interactive": "an interactive statement",
    "Expression": "an expression", "FunctionType": "a function type comment",
    "TypeIgnore": "a type comment",
    # statements
    "AsyncFunctionDef": "an 'async def'", "ClassDef": "a class definition",
    "Delete": "a 'del' statement", "TypeAlias": "a 'type' alias",
    "AsyncFor": "an 'async for' loop",
    "AsyncWith": "an 'async with' statement", "Match": "a 'match' statement",
    "Try": "a 'try' statement",
    "TryStar": "a 'try/except*' statement",
    "Import": "an 'import' inside a function", "ImportFrom": "an 'import' inside a function",
    "Global": "a 'global' statement", "Nonlocal": "a 'nonlocal' statement",
    # expressions
    "NamedExpr": "an assignment expression (':=')",
    "Set": "a set", "SetComp": "a set comprehension",
    "Await": "an 'await'",
    "YieldFrom": "a 'yield from' (generator)",
    # operators and contexts
    "Del": "a 'del' target",
    "LShift": "the '<<' operator", "RShift": "the '>>' operator",
    # parts of rejected statements (their statement is reported first)
    "ExceptHandler": "an 'except' clause", "alias": "an import alias",
    "match_case": "a 'match' case",
    "MatchValue": "a 'match' pattern", "MatchSingleton": "a 'match' pattern",
    "MatchSequence": "a 'match' pattern", "MatchMapping": "a 'match' pattern",
    "MatchClass": "a 'match' pattern", "MatchStar": "a 'match' pattern",
    "MatchAs": "a 'match' pattern", "MatchOr": "a 'match' pattern",
    # type parameters (Python 3.12: def f[T](x))
    "TypeVar": "a type parameter", "ParamSpec": "a type parameter",
    "TypeVarTuple": "a type parameter",
}

# Deprecated since Python 3.8/3.9: constructing one gives a Constant, a Subscript's
# slice or nothing the parser emits.  Rejected like any unknown node should one appear.
OBSOLETE = {"Num", "Str", "Bytes", "NameConstant", "Ellipsis", "Index", "ExtSlice", "Suite",
            "AugLoad", "AugStore", "Param"}

CONSTANTS = (int, float, bool, str, type(None), type(Ellipsis))


def describe(node):
    name = type(node).__name__
    return REJECTED.get(name, f"a '{name}' node")


def reject(source, node, what=None):
    what = what or describe(node)
    return UnsupportedError(f"cannot differentiate {what}", source.filename,
                            getattr(node, "lineno", 0), getattr(node, "col_offset", 0), what)


def check(source):
    """Raise at the first construct outside the subset (in ``ast.walk`` order)."""
    from .scan import facts
    if facts(source.node).fenced:      # one walk, shared with the scan and kept on the node
        return
    fn = source.node
    for node in ast.walk(fn):
        found = problem(node, fn)
        if found is not None:
            raise reject(source, *found)


def problem(node, root):
    """``(node to report, words)`` when ``node`` (inside ``root``) is outside the subset."""
    name = type(node).__name__
    if name not in SUPPORTED:
        # operators and contexts carry no position; report their parent expression
        return _positioned(root, node), describe(node)
    if isinstance(node, (ast.FunctionDef, ast.Lambda)):
        args = node.args
        if args.posonlyargs:
            return node, "positional-only parameters"
    if isinstance(node, ast.Starred) and not any(
            (isinstance(c, ast.Call) and any(a is node for a in c.args)) or
            (isinstance(c, (ast.Tuple, ast.List)) and any(a is node for a in c.elts))
            for c in ast.walk(root)):       # (a call's arguments, a literal, a, *rest = t)
        return node, "a starred expression ('*args') outside a call's arguments or a literal"
    if isinstance(node, ast.Constant) and not isinstance(node.value, CONSTANTS):
        return node, f"a {type(node.value).__name__} constant"
    if isinstance(node, ast.Compare) and any(isinstance(o, (ast.Is, ast.IsNot)) for o in node.ops) \
            and not (len(node.ops) == 1 and isinstance(node.comparators[0], ast.Constant)
                     and node.comparators[0].value is None):
        return node, "an 'is' comparison other than 'x is None' or 'x is not None'"
    if isinstance(node, ast.While) and node.orelse:
        return node, "an 'else' clause on a 'while' loop"
    if isinstance(node, ast.FunctionDef) and node is not root and node.decorator_list:
        return node, "a decorated nested function"
    if isinstance(node, ast.Yield) and not any(
            isinstance(p, ast.Expr) and p.value is node for p in ast.walk(root)):
        return node, "a 'yield' used as a value ('x = yield ...'; only 'yield v' statements)"
    if isinstance(node, ast.comprehension) and node.is_async:
        return _positioned(root, node), "an async comprehension"
    return None


# what a walk may skip ``problem`` for: supported classes without further conditions
SUPPORTED_TYPES = frozenset(getattr(ast, n) for n in SUPPORTED if hasattr(ast, n))
LOOK = frozenset((ast.FunctionDef, ast.Lambda, ast.Constant, ast.While, ast.comprehension,
                  ast.Starred, ast.Compare, ast.Yield))


def _positioned(root, target):
    """The innermost node with a position whose subtree holds ``target``."""
    best = root
    for node in ast.walk(root):
        if hasattr(node, "col_offset") and any(c is target for c in ast.walk(node)):
            if not hasattr(best, "col_offset") or \
                    (node.lineno, node.col_offset) >= (best.lineno, best.col_offset):
                best = node
    return best
