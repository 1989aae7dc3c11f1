"""Argument types are said, never silently assumed: the generated header's
"Specialised to" line in the spelling ``--args`` reads, a note where types were
assumed (the CLI without ``--args``, ``source`` before the first call), and
``--help`` shows examples."""
import os
import subprocess
import sys

import numpy as np
import pytest

import pullback
from pullback.cli import main, parse_types
from pullback.ir.types import Array

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def model(w, x, n):
    return np.sum((w @ x) ** 2) * n


def header(text):
    return [line for line in text.splitlines() if line.startswith("#")]


def test_cli_header_reads_back_as_args(capsys):
    args = "w: float64[3, 4], x: float64[4], n: int"
    main([f"{os.path.abspath(__file__)}:model", "--args", args])
    lines = header(capsys.readouterr().out)
    assert f"# Specialised to: {args}." in lines
    assert not any(line.startswith("# Assumed") for line in lines)
    spelled = lines[1][len("# Specialised to: "):-1]
    assert parse_types(spelled, ["w", "x", "n"]) == \
        ([Array("float64", (3, 4)), Array("float64", (4,)), "int"], [])


def test_cli_without_args_says_what_it_assumed(capsys):
    main([os.path.join(ROOT, "examples", "pendulum.py") + ":simulate", "--wrt", "theta"])
    lines = header(capsys.readouterr().out)
    assert "# Specialised to: theta: float, omega: float, c: float." in lines
    assert "# Assumed: theta, omega, c are floats (no --args entry)." in lines


def test_cli_rejects_an_args_name_that_is_no_parameter():
    with pytest.raises(SystemExit, match="names 'y', which is not a parameter"):
        parse_types("y: int", ["x"])


def test_source_before_a_call_says_floats_were_assumed():
    g = pullback.grad(model)
    before = pullback.source(g)
    assert "# Assumed: every parameter is a float" in before
    assert "# Specialised to: w: float, x: float, n: float." in before
    g(np.ones((3, 4)), np.ones(4), 2)
    after = pullback.source(g)
    assert "# Specialised to: w: float64[3, 4], x: float64[4], n: int." in after
    assert "Assumed" not in after


def test_help_shows_examples():
    r = subprocess.run([sys.executable, "-m", "pullback", "--help"], capture_output=True,
                       text=True, cwd=ROOT)
    assert r.returncode == 0
    assert "examples:" in r.stdout and '--args "w: float64[3, 4]' in r.stdout
    assert "PULLBACK_DEBUG=1" in r.stdout


def test_cli_transform_error_shows_the_line(tmp_path):
    src = tmp_path / "bad.py"
    src.write_text("def f(x):\n    try:\n        return x\n    except ValueError:\n"
                   "        return 0.0\n")
    with pytest.raises(SystemExit) as e:
        main([f"{src}:f"])
    assert f"{src}:2:  try:" in str(e.value)


def penalised(w, X, y, lam=0.1):
    return np.sum((X @ w - y) ** 2) + lam * np.sum(w ** 2)


def test_the_written_module_checks_shapes_and_keeps_literal_defaults(tmp_path):
    out = tmp_path / "penalised_grad.py"
    main([f"{os.path.abspath(__file__)}:penalised", "--args",
          "w: float64[3], X: float64[5, 3], y: float64[5]", "-o", str(out)])
    namespace = {}
    exec(compile(out.read_text(), str(out), "exec"), namespace)
    grad = namespace["penalised_grad"]
    R = np.random.default_rng(0)
    w, X, y = R.normal(size=3), R.normal(size=(5, 3)), R.normal(size=5)
    value, w_bar, X_bar, y_bar, lam_bar = grad(w, X, y)         # lam: its default
    r = X @ w - y
    np.testing.assert_allclose(value, penalised(w, X, y), rtol=1e-13)
    np.testing.assert_allclose(w_bar, 2 * X.T @ r + 0.2 * w, rtol=1e-12)   # by hand
    np.testing.assert_allclose(lam_bar, np.sum(w ** 2), rtol=1e-13)
    with pytest.raises(TypeError, match="generated for X of shape"):
        grad(w, X[:4], y)


WEIGHTS = np.array([1.0, 2.0, 3.0])


def weighted(x):
    return np.sum(WEIGHTS * x ** 2)     # a global array


def test_a_written_module_that_would_read_a_global_array_is_rejected_at_its_line(tmp_path):
    """The array is bound where pullback loads the derivative, not in the printed text:
    the written module failed with a NameError (WEIGHTS_g) when imported and called
    (audit, issue 11).  Now -o stops naming the global and the line that reads it."""
    out = tmp_path / "weighted_grad.py"
    with pytest.raises(SystemExit, match="global 'WEIGHTS'") as e:
        main([f"{os.path.abspath(__file__)}:weighted", "--args", "x: float64[3]",
              "-o", str(out)])
    line = weighted.__code__.co_firstlineno + 1
    assert f"{os.path.abspath(__file__)}:{line}:" in str(e.value) and not out.exists()
