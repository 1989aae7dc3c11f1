"""tools/outside_suite.py's stand-in for autograd, and its verdicts, on three tiny cases.

The measurement itself (another library's test suite) runs outside CI; this checks
only that the shim routes the names a foreign test file imports, that every
combination ``combo_check`` asks for becomes one case, and that a case is judged
right, rejected, a kink or suspect against finite differences.
"""
import pathlib
import sys

import numpy as np
import pytest

import pullback

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "tools"))
import outside_cases  # noqa: E402
import outside_shim  # noqa: E402


@pytest.fixture
def shim(monkeypatch):
    monkeypatch.setattr(sys, "modules", dict(sys.modules))     # undone after the test
    outside_shim.install()
    seen = []
    monkeypatch.setattr(outside_shim.RECORDER, "on_case", lambda *case: seen.append(case))
    return seen


def test_shim_routes_imports_and_counts_combinations(shim):
    import autograd.numpy as anp
    import autograd.numpy.random as anpr
    import autograd.scipy.special as asp
    from autograd.test_util import combo_check
    import scipy.special
    assert anp is np and anpr is np.random and asp is scipy.special
    combo_check(np.sum, [0])([np.ones(3), np.ones((2, 3))], axis=[None, 0], keepdims=[True])
    assert len(shim) == 4
    assert shim[1][2] == {"axis": 0, "keepdims": True} and shim[1][3] == (0,)


def _judge(fun, *args, tmp_path, argnums=(0,), **kwargs):
    return outside_cases.judge("t.py::t#0", fun, args, kwargs, argnums, ("rev", "fwd"),
                               str(tmp_path))


def _halved(x):
    return x * x


def _halved_fwd(x):
    return x * x, x


def _halved_bwd(x, g):
    return (g * x,)          # half the true derivative 2 x: a wrong rule


def _tries(x):
    try:
        return np.sum(x)
    except ValueError:
        return 0.0


def test_verdicts(tmp_path):
    x = np.array([0.3, -1.2, 2.0])
    assert _judge(np.sum, x, tmp_path=tmp_path, axis=0)["verdict"] == "right"
    assert _judge(lambda a, b: np.sin(a) * b, x, 2.0, argnums=(0, 1),
                  tmp_path=tmp_path)["verdict"] == "right"
    assert _judge(np.abs, 0.0, tmp_path=tmp_path)["verdict"] == "kink"
    rec = _judge(_tries, x, tmp_path=tmp_path)
    assert rec["verdict"] == "rejected" and rec["kind"] == "UnsupportedError", rec
    wrong = pullback.custom_vjp(_halved)
    wrong.defvjp(_halved_fwd, _halved_bwd)
    rec = outside_cases.judge("t.py::t#1", wrong, (1.5,), {}, (0,), ("rev",), str(tmp_path))
    assert rec["verdict"] == "suspect"          # half of what finite differences say
    assert rec["modes"]["rev"]["dot"] == pytest.approx(rec["fd"] / 2, rel=1e-6)
