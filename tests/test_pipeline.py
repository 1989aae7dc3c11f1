"""Every public entry point and backend goes through ``pipeline.derive``, the one
function that lists the stages (the alias checks included)."""
import importlib.util

import numpy as np
import pytest

import pullback
from pullback import pipeline
from pullback.errors import UnsupportedError

HAS_NUMBA = importlib.util.find_spec("numba") is not None
BACKENDS = ["python"] + (["numba"] if HAS_NUMBA else [])


def poly(x, y):
    return x * x * y + 3.0 * y


def view_write(x):
    y = x * 2.0
    v = y[1:]
    v[0] = 5.0
    return np.sum(y * y)


ENTRY_POINTS = {
    "grad": lambda b: pullback.grad(poly, backend=b)(1.5, 2.0),
    "value_and_grad": lambda b: pullback.value_and_grad(poly, backend=b)(1.5, 2.0),
    "vjp": lambda b: pullback.vjp(poly, 1.5, 2.0, backend=b)[1](1.0),
    "jvp": lambda b: pullback.jvp(poly, (1.5, 2.0), (1.0, 0.0), backend=b),
    "jacobian-forward": lambda b: pullback.jacobian(poly, mode="forward", backend=b)(1.5, 2.0),
    "jacobian-reverse": lambda b: pullback.jacobian(poly, mode="reverse", backend=b)(1.5, 2.0),
    "hessian": lambda b: pullback.hessian(poly, backend=b)(1.5, 2.0),
    "hvp": lambda b: pullback.hvp(poly, (1.5, 2.0), (1.0, 0.0), backend=b),
    "grad-of-grad": lambda b: pullback.grad(pullback.grad(poly, backend=b))(1.5, 2.0),
}


@pytest.fixture
def calls(monkeypatch):
    seen = []
    real = pipeline.derive

    def counting(f, *args, **kwargs):
        seen.append(f)
        return real(f, *args, **kwargs)
    monkeypatch.setattr(pipeline, "derive", counting)
    monkeypatch.setattr(pipeline, "_CACHE", {})
    return seen


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("entry", sorted(ENTRY_POINTS))
def test_every_entry_point_goes_through_derive(entry, backend, calls):
    ENTRY_POINTS[entry](backend)
    assert calls and all(f is poly for f in calls)


def test_emit_c_and_the_cli_go_through_derive(calls, tmp_path, capsys):
    pullback.emit_c(poly, 1.5, 2.0)
    assert calls == [poly]
    from pullback.cli import main
    main(["examples/pendulum.py:simulate", "--wrt", "theta"])
    assert len(calls) == 2 and "simulate_grad" in capsys.readouterr().out


VIEW_WRITE = {
    "grad": lambda b, x: pullback.grad(view_write, backend=b)(x),
    "vjp": lambda b, x: pullback.vjp(view_write, x, backend=b),
    "jvp": lambda b, x: pullback.jvp(view_write, (x,), (np.ones(3),), backend=b),
    "hessian": lambda b, x: pullback.hessian(view_write, backend=b)(x),
}


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("entry", sorted(VIEW_WRITE))
def test_a_write_through_a_view_is_rejected_everywhere(entry, backend):
    with pytest.raises(UnsupportedError, match="shares its memory"):
        VIEW_WRITE[entry](backend, np.array([1.0, 2.0, 3.0]))


def test_a_write_through_a_view_is_rejected_by_emit_c():
    with pytest.raises(UnsupportedError, match="shares its memory"):
        pullback.emit_c(view_write, np.array([1.0, 2.0, 3.0]))


def test_unknown_backend_fails_before_any_work(calls):
    with pytest.raises(ValueError, match="unknown backend"):
        pullback.grad(poly, backend="fortran")
    assert calls == []


def test_header_escapes_user_text():
    from pullback.pipeline import header
    ns = {}
    exec(compile("def f(x):\n    return x\n", "evil\nimport os\n.py", "exec"), ns)
    text = header(ns["f"], None, (), "python")
    assert "\n" not in text and "evil\\nimport os" in text
