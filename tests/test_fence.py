"""The language fence is complete: every ``ast`` node class, Python 3.10 to 3.13.

Each node class is supported (an example program using it differentiates and
matches finite differences), rejected (an example program raises
``UnsupportedError`` at the construct's file:line:col, naming it), or obsolete
(never produced by the parser; rejected should one appear).  The list of node
classes is the union of those of Python 3.10-3.13 and of the running Python,
so a new Python that adds a node fails here until it is classified.  Examples
that need a newer Python than the running one are checked with that Python if
it is installed (``python3.10`` .. ``python3.13``), on the fence alone.
"""
import ast
import glob
import importlib.util
import itertools
import json
import os
import shutil
import subprocess
import sys
import textwrap

import pytest

import pullback
from pullback.frontend import fence
from pullback.frontend.source import Source

# concrete node classes of Python 3.10, 3.11, 3.12 and 3.13 (3.13 adds none)
NODES = set("""
Add And AnnAssign Assert Assign AsyncFor AsyncFunctionDef AsyncWith Attribute AugAssign AugLoad
AugStore Await BinOp BitAnd BitOr BitXor BoolOp Break Bytes Call ClassDef Compare Constant
Continue Del Delete Dict DictComp Div Ellipsis Eq ExceptHandler Expr Expression ExtSlice
FloorDiv For FormattedValue FunctionDef FunctionType GeneratorExp Global Gt GtE If IfExp Import
ImportFrom In Index Interactive Invert Is IsNot JoinedStr LShift Lambda List ListComp Load Lt
LtE MatMult Match MatchAs MatchClass MatchMapping MatchOr MatchSequence MatchSingleton MatchStar
MatchValue Mod Module Mult Name NameConstant NamedExpr Nonlocal Not NotEq NotIn Num Or Param
ParamSpec Pass Pow RShift Raise Return Set SetComp Slice Starred Store Str Sub Subscript Suite
Try TryStar Tuple TypeAlias TypeIgnore TypeVar TypeVarTuple UAdd USub UnaryOp While With Yield
YieldFrom alias arg arguments comprehension keyword match_case withitem
""".split())
ABSTRACT = {"AST", "mod", "stmt", "expr", "expr_context", "boolop", "operator", "unaryop",
            "cmpop", "excepthandler", "pattern", "type_ignore", "type_param", "slice"}


def _runtime_nodes():
    todo, found = [ast.AST], set()
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            if sub.__module__ == "ast" and sub.__name__ not in found:
                found.add(sub.__name__)
                todo.append(sub)
    return found - ABSTRACT


ALL = NODES | _runtime_nodes()

# -- supported: programs of x; together they use every supported node ----------------
SUPPORTED_EXAMPLES = [
    '''
def f(x):
    cfg = {"scale": 2.0}
    y = x * cfg["scale"] if "scale" in cfg else x
    return y * 3.0 if "shift" not in cfg else y
''',
    '''
def f(x):
    def g(a):
        for k in (1.0, 2.0):
            yield a * k
    return sum(g(x))
''',
    '''
def f(x):
    def g(a, b):
        return a * b
    args = (x, 2.0)
    return g(*args)
''',
    '''
def f(x):
    """Docstring (an Expr)."""
    def g(t, u=2.0, *, k=1):
        return t * u + k
    y: float = g(x, u=x) - +x
    y += x ** 2 / 3.0 % 5.0 // 1.0
    for i in range(3):
        if i == 1:
            continue
        elif i != 2 and not i > 5 or i >= 9:
            pass
        else:
            break
    while y < 100.0:
        y = y * 2.0 if y <= 50.0 else y + 60.0
    h = lambda t: math.sin(t)
    k = (3 & 6) | (5 ^ 1) | ~(-8)       # bitwise: ints and masks, no derivative
    return h(y) + y * k
''',
    '''
def f(x):
    t = (x, 2.0, 3.0)
    l = [x, x * x]
    d = {"a": x, "b": 2.0}
    s = sum(t[1:]) * t[0] + l[-1] * d["a"] + d["b"]
    return s + sum([u * u for u in (x, 2.0) if u < 10.0])
''',
    '''
def f(x):
    v = np.array([x, 2.0])
    assert x > 0.0, "checked in the forward sweep"
    return v @ v
''',
    '''
def f(x):
    if x > 1e9:
        raise ValueError(f"x = {x:.3f} is too large")
    with np.errstate(divide="ignore"):
        y = np.log(x)
    return y * x
''',
    '''
def f(x, scale=None):
    if scale is None and x is not None:     # decided while lowering
        return x * x
    return x * scale
''',
    '''
def f(x):
    def g(a, *rest, **kw):
        return a * sum(r * r for r in rest) + kw["k"]
    xs = (x, 2.0)
    d = {n: x * v for n, v in zip(("k", "m"), [*xs])}
    return g(x, *xs, **{"k": d["k"]})
''',
]


def _nodes(source):
    return {type(n).__name__ for n in ast.walk(ast.parse(source))}


def _load(tmp_path, name, source):
    """Import ``source`` from a real file, so pullback reads it like user code."""
    path = tmp_path / f"{name}.py"
    path.write_text("import math\n\nimport numpy as np\n\n" + textwrap.dedent(source))
    spec = importlib.util.spec_from_file_location(f"fence_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module, str(path)


def test_every_node_class_is_supported_rejected_or_obsolete():
    tables = (fence.SUPPORTED, set(fence.REJECTED), fence.OBSOLETE)
    for name in sorted(ALL):
        assert sum(name in t for t in tables) == 1, f"ast.{name} must be in exactly one table"
    unknown = (fence.SUPPORTED | set(fence.REJECTED) | fence.OBSOLETE) - ALL
    assert not unknown, f"not ast node classes: {unknown}"


def test_every_supported_node_has_an_example():
    used = set().union(*map(_nodes, SUPPORTED_EXAMPLES))
    missing = fence.SUPPORTED - used
    assert not missing, f"no example program uses: {sorted(missing)}"


@pytest.mark.parametrize("k", range(len(SUPPORTED_EXAMPLES)))
def test_supported_example_differentiates(tmp_path, k):
    module, _ = _load(tmp_path, f"supported{k}", SUPPORTED_EXAMPLES[k])
    g = pullback.grad(module.f)(0.7)
    h = 1e-6
    fd = (module.f(0.7 + h) - module.f(0.7 - h)) / (2 * h)
    assert g == pytest.approx(fd, rel=1e-5, abs=1e-6)


# -- rejected: node -> (body of f(x), node whose description the error gives,
#    line offset of the reported node in the body, its column) -------------------------
ASYNC = "    async def g():\n"
MATCH = "    match x:\n        case {}:\n            pass"
REJECTED_EXAMPLES = {
    "AsyncFunctionDef": (ASYNC + "        return 1", None, 0, 4),
    "ClassDef": ("    class A:\n        pass", None, 0, 4),
    "Delete": ("    del x", None, 0, 4),
    "Del": ("    del x", "Delete", 0, 4),
    "TypeAlias": ("    type T = float", None, 0, 4),
    "AsyncFor": (ASYNC + "        async for t in x:\n            pass", "AsyncFunctionDef", 0, 4),
    "AsyncWith": (ASYNC + "        async with x:\n            pass", "AsyncFunctionDef", 0, 4),
    "Await": (ASYNC + "        await x", "AsyncFunctionDef", 0, 4),
    "Match": (MATCH.format("1"), None, 0, 4),
    "match_case": (MATCH.format("1"), "Match", 0, 4),
    "MatchValue": (MATCH.format("1"), "Match", 0, 4),
    "MatchSingleton": (MATCH.format("None"), "Match", 0, 4),
    "MatchSequence": (MATCH.format("[a, b]"), "Match", 0, 4),
    "MatchMapping": (MATCH.format("{'k': v}"), "Match", 0, 4),
    "MatchClass": (MATCH.format("float(v)"), "Match", 0, 4),
    "MatchStar": (MATCH.format("[a, *rest]"), "Match", 0, 4),
    "MatchAs": (MATCH.format("t"), "Match", 0, 4),
    "MatchOr": (MATCH.format("1 | 2"), "Match", 0, 4),
    "Try": ("    try:\n        pass\n    except ValueError:\n        pass", None, 0, 4),
    "ExceptHandler": ("    try:\n        pass\n    except ValueError:\n        pass", "Try", 0, 4),
    "TryStar": ("    try:\n        pass\n    except* ValueError:\n        pass", None, 0, 4),
    "Import": ("    import os", None, 0, 4),
    "alias": ("    import os", "Import", 0, 4),
    "ImportFrom": ("    from os import path", None, 0, 4),
    "Global": ("    global G", None, 0, 4),
    "Nonlocal": ("    def g():\n        nonlocal x\n        x = 1.0", None, 1, 8),
    "NamedExpr": ("    if (y := x) > 0:\n        pass", None, 0, 8),
    "Set": ("    s = {x, 1.0}", None, 0, 8),
    "SetComp": ("    s = {t for t in (x,)}", None, 0, 8),
    "YieldFrom": ("    yield from (x,)", None, 0, 4),
    "LShift": ("    y = 1 << 2", None, 0, 8),
    "RShift": ("    y = 1 >> 2", None, 0, 8),
    "TypeVar": ("    def g[T](t):\n        return t", None, 0, 10),
    "ParamSpec": ("    def g[**P](t):\n        return t", None, 0, 10),
    "TypeVarTuple": ("    def g[*Ts](t):\n        return t", None, 0, 10),
}
# never inside a function: checked on a hand-built tree
ROOTS = {"Module", "Interactive", "Expression", "FunctionType", "TypeIgnore"}
BODY_LINE = 6          # the line of the body's first statement in _load's file


def _example_source(node):
    body = REJECTED_EXAMPLES[node][0]
    return f"def f(x):\n{body}\n    return x\n"


def test_every_rejected_node_has_an_example():
    missing = set(fence.REJECTED) - set(REJECTED_EXAMPLES) - ROOTS
    assert not missing, f"no rejection example for: {sorted(missing)}"


def _parses(source):
    try:
        ast.parse(source)
        return True
    except SyntaxError:
        return False


@pytest.mark.parametrize("node", sorted(REJECTED_EXAMPLES))
def test_rejected_example_names_the_construct_and_its_position(tmp_path, node):
    body, reported, line, col = REJECTED_EXAMPLES[node]
    source = _example_source(node)
    if not _parses(source):
        pytest.skip("needs a newer Python (checked by test_rejections_on_other_pythons)")
    assert node in _nodes(source), f"the example does not contain ast.{node}"
    module, path = _load(tmp_path, f"rejected_{node}", source)
    what = fence.REJECTED[reported or node]
    with pytest.raises(pullback.UnsupportedError) as info:
        pullback.grad(module.f)(0.5)
    err = info.value
    assert (err.filename, err.line, err.col) == (path, BODY_LINE + line, col), str(err)
    assert err.construct == what and str(err).startswith(f"{path}:{BODY_LINE + line}:{col}: ")


def test_roots_are_rejected_should_they_appear():
    body = ast.parse("def f(x):\n    return x\n").body[0]
    for name in ROOTS:
        node = {"Module": lambda: ast.Module([], []), "Interactive": lambda: ast.Interactive([]),
                "Expression": lambda: ast.Expression(ast.Constant(1.0)),
                "FunctionType": lambda: ast.FunctionType([], ast.Constant(1.0)),
                "TypeIgnore": lambda: ast.TypeIgnore(1, "")}[name]()
        fn = ast.FunctionDef("f", body.args, [ast.Expr(node, lineno=2, col_offset=4)], [])
        with pytest.raises(pullback.UnsupportedError, match=fence.REJECTED[name]) as info:
            fence.check(Source(fn, "roots.py"))
        assert (info.value.line, info.value.col) == (2, 4)


def test_obsolete_nodes_are_not_produced_by_the_parser():
    everything = "\n\n".join(SUPPORTED_EXAMPLES + [_example_source(n) for n in REJECTED_EXAMPLES
                                                   if _parses(_example_source(n))])
    assert not _nodes(everything) & fence.OBSOLETE


@pytest.mark.parametrize("where, source", [
    ("nested def", "def f(x):\n    def g(*ts):\n        return x * ts[0]\n    return g(x)\n"),
    ("lambda", "def f(x):\n    g = lambda **kw: x * kw['k']\n    return g(k=x)\n"),
])
def test_variadic_parameters_of_nested_functions_differentiate(tmp_path, where, source):
    module, path = _load(tmp_path, "variadic", source)
    assert pullback.grad(module.f)(0.5) == pytest.approx(1.0)


def test_positional_only_parameters_are_rejected(tmp_path):
    source = "def f(x):\n    def g(t, /):\n        return t\n    return g(x)\n"
    module, path = _load(tmp_path, "posonly", source)
    with pytest.raises(pullback.UnsupportedError, match="positional-only"):
        pullback.grad(module.f)(0.5)


# -- nodes of newer Pythons, checked with that Python on the fence alone ----------------
_FENCE_ONLY = r'''
import ast, json, sys, types, importlib
root = sys.argv[1]
for name in ("pullback", "pullback.frontend"):       # no package __init__: no numpy needed
    mod = types.ModuleType(name)
    mod.__path__ = [root + "/" + name.replace(".", "/")]
    sys.modules[name] = mod
fence = importlib.import_module("pullback.frontend.fence")
class Source:
    def __init__(self, node):
        self.node, self.filename = node, "newer.py"
out = {}
for name, source in json.loads(sys.stdin.read()).items():
    try:
        tree = ast.parse(source)
    except SyntaxError:
        out[name] = "no such syntax" if not hasattr(ast, name) else "syntax error"
        continue
    try:
        fence.check(Source(tree.body[0]))
        out[name] = None
    except Exception as exc:
        out[name] = [type(exc).__name__, exc.line, exc.col, exc.construct]
print(json.dumps(out))
'''


@pytest.mark.parametrize("version", ["3.10", "3.11", "3.12", "3.13"])
def test_rejections_on_other_pythons(version):
    if sys.version_info[:2] == tuple(map(int, version.split("."))):
        pytest.skip(f"the running Python is {version}")
    candidates = [shutil.which(f"python{version}")] + sorted(glob.glob(os.path.expanduser(
        f"~/.pyenv/versions/{version}*/bin/python{version}")))
    exe = next((c for c in candidates if c and subprocess.run(
        [c, "-c", "pass"], capture_output=True).returncode == 0), None)
    if exe is None:
        pytest.skip(f"python{version} is not installed")
    examples = {n: _example_source(n) for n in REJECTED_EXAMPLES}
    root = os.path.dirname(os.path.dirname(os.path.abspath(pullback.__file__)))
    run = subprocess.run([exe, "-c", _FENCE_ONLY, root], input=json.dumps(examples),
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    got = json.loads(run.stdout)
    for node, (body, reported, line, col) in REJECTED_EXAMPLES.items():
        if got[node] == "no such syntax":      # TypeAlias before 3.12, ...
            continue
        assert got[node] == ["UnsupportedError", 2 + line, col,
                             fence.REJECTED[reported or node]], node


def test_is_compares_only_with_none(tmp_path):
    module, path = _load(tmp_path, "is_other", "def f(x):\n    return x * (x is x)\n")
    with pytest.raises(pullback.UnsupportedError) as info:
        pullback.grad(module.f)(0.5)
    assert "'x is None'" in str(info.value) and path in str(info.value)


def test_tables_do_not_overlap_and_describe_every_rejection():
    assert not fence.SUPPORTED & set(fence.REJECTED)
    assert all(isinstance(v, str) and v for v in fence.REJECTED.values())
    assert list(itertools.chain(fence.OBSOLETE)) and not fence.OBSOLETE & fence.SUPPORTED


def test_starred_unpacking_of_an_array_is_rejected(tmp_path):
    # (a, *b = x, x unpacks a tuple, as Python: tests/test_tuple_items.py)
    module, path = _load(tmp_path, "starred_target",
                         "def f(x):\n    a, *b = x * np.ones(3)\n    return a\n")
    with pytest.raises(pullback.UnsupportedError, match="starred unpacking of a value"):
        pullback.grad(module.f)(0.5)


@pytest.mark.parametrize("op", ["in", "not in"])
def test_membership_of_a_run_time_value_is_rejected_at_its_line(tmp_path, op):
    module, path = _load(tmp_path, "membership", f"def f(x):\n    y = x {op} (1.0,)\n"
                         "    return x\n")
    with pytest.raises(pullback.UnsupportedError, match="known only at run time") as info:
        pullback.grad(module.f)(0.5)
    assert (info.value.filename, info.value.line) == (path, 6)     # after _load's 4 lines
