"""The package's layers import downwards only, and the IR verifier checks types.

Layers, lowest first: errors, ir, rules, frontend, analysis, transforms, optimize,
backends, then the drivers (pipeline, arguments, api, derivative, jacobians, layout,
emit_c, check, cli, pytree).  The transforms never call the optimiser: they return
``ir.Transformed`` and ``pipeline.derive`` runs the pass lists (``optimize.pipeline``),
so the optimiser may sit above them.  Imports are read from
the source (every import statement, function-local ones too), so a cycle hidden by
a late import is found as well.
"""
import ast
import pathlib

import numpy as np
import pytest

import pullback
from pullback.ir import Assign, Function, Module, NewTape, Pop, Push, Return, Var
from pullback.ir.printer import format_function
from pullback.ir.types import FLOAT, INT, TAPE, Array
from pullback.ir.verify import VerifyError, checked, verify_module
from pullback.rules import PRIMITIVES, registry

ROOT = pathlib.Path(pullback.__file__).parent
LAYERS = ["errors", "ir", "rules", "frontend", "analysis", "transforms", "optimize", "backends"]
DRIVERS = set()


def _layer(module):
    """Rank of a module (dotted, below ``pullback``); drivers rank above every layer."""
    if module in DRIVERS or module.split(".")[0] not in LAYERS:
        return len(LAYERS)
    return LAYERS.index(module.split(".")[0])


def _imports(path, module):
    package = module.split(".")[:-1] if path.name != "__init__.py" else module.split(".")
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package[:len(package) - node.level + 1]
            target = base + (node.module.split(".") if node.module else [])
            for alias in node.names:
                yield ".".join(target + [alias.name]) if not target else ".".join(target)
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("pullback."):
            yield node.module[len("pullback."):]


def _modules():
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT).with_suffix("")
        parts = list(rel.parts[:-1]) if rel.name == "__init__" else list(rel.parts)
        yield path, ".".join(parts)


def test_no_layer_imports_a_higher_one():
    wrong = []
    for path, module in _modules():
        for target in _imports(path, module):
            if _layer(target) > _layer(module):
                wrong.append(f"{module} imports {target}")
    assert not wrong, "\n".join(wrong)


def test_layer_rank_sees_violations():
    assert _layer("frontend.expressions") < _layer("jacobians")
    assert _layer("ir.verify") < _layer("rules")
    assert _layer("analysis.types") < _layer("optimize.constants")
    assert _layer("transforms.gradient") < _layer("optimize.pipeline")


def _fn(body, params=(Var("x", FLOAT),)):
    return Module((Function("f", tuple(params), tuple(body)),))


# Function-local imports that remain, and why: Numba is optional (imported when the
# backend is asked for); the run_effect helper is copied into generated modules whole,
# so it carries its own imports; frontend cycles (fence <-> scan; functional and objects
# -> expressions) are broken at the function that needs the other side.
LOCAL_IMPORTS_ALLOWED = 14     # issue 12: fewer than 15


def test_few_function_local_imports():
    found = []
    for path in ROOT.rglob("*.py"):
        for fn in ast.walk(ast.parse(path.read_text())):
            if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
                found += [f"{path.relative_to(ROOT)}:{s.lineno}" for s in ast.walk(fn)
                          if isinstance(s, (ast.Import, ast.ImportFrom))]
    assert len(found) <= LOCAL_IMPORTS_ALLOWED, found


def test_verifier_checks_types():
    x = Var("x", FLOAT)
    good = _fn([Assign(Var("y", FLOAT), "sin", (x,)), Return((Var("y", FLOAT),))])
    verify_module(good, PRIMITIVES, typed=True)
    read_wrong = _fn([Assign(Var("y", FLOAT), "sin", (Var("x", INT),)), Return((x,))])
    with pytest.raises(VerifyError, match="read as int"):
        verify_module(read_wrong, PRIMITIVES, typed=True)
    untyped = _fn([Assign(Var("y"), "sin", (x,)), Return((x,))])
    with pytest.raises(VerifyError, match="no type"):
        verify_module(untyped, PRIMITIVES, typed=True)
    tape = Var("xs", TAPE)
    mixed = _fn([NewTape(tape), Push(tape, x), Pop(Var("a", Array("float64", (3,))), tape), Return((x,))])
    with pytest.raises(VerifyError, match="tape xs holds"):
        verify_module(mixed, PRIMITIVES, typed=True)
    with pytest.raises(VerifyError, match="unknown primitive"):
        verify_module(_fn([Assign(Var("y", FLOAT), "nope", (x,)), Return((x,))]), PRIMITIVES)


def test_checked_runs_only_when_asked(monkeypatch):
    bad = _fn([Assign(Var("y"), "sin", (Var("x", FLOAT),)), Return((Var("x", FLOAT),))])
    monkeypatch.delenv("PULLBACK_VERIFY", raising=False)
    assert checked("reverse", bad) is bad
    monkeypatch.setenv("PULLBACK_VERIFY", "1")
    with pytest.raises(VerifyError, match="after reverse"):
        checked("reverse", bad)
    assert checked("lowered", bad) is bad       # before typing: structure only


def test_printer_shows_types_on_request():
    fn = _fn([Assign(Var("y", FLOAT), "sin", (Var("x", FLOAT),)), Return((Var("y", FLOAT),))])
    plain = format_function(fn.functions[0])
    typed = format_function(fn.functions[0], types=True)
    assert "y = sin(x)" in plain and ": float" not in plain
    assert "def f(x: float):" in typed and "y: float = sin(x)" in typed


def test_type_names_become_type_objects():
    v = Var("x", "float")
    assert v.type is FLOAT and v.type == "float"
    with pytest.raises(TypeError):
        Var("x", "flaot")


def test_a_reverse_rule_without_a_forward_rule_fails_the_import_check():
    """One declaration per primitive (issue 12): the check ``rules/__init__.py`` runs at
    import refuses a reverse rule whose forward rule was not declared (no silent gap)."""
    registry.array_op("_no_forward_probe", np.negative, "x", "-g")
    try:
        with pytest.raises(ImportError, match=r"_no_forward_probe\(x\)"):
            registry.check_declarations()
        registry.array_op("_no_forward_probe", np.negative, "x", "-g", linear=0)
        registry.check_declarations()
        assert registry.PRIMITIVES["_no_forward_probe"].jvps == ("_no_forward_probe(t)",)
    finally:
        del registry.PRIMITIVES["_no_forward_probe"]
