"""The Numba backend: same gradients as finite differences and the Python backend.

A handful of corpus programs covers what the Numba printer changes: loop tapes
(preallocated for ``for`` loops, growable in ``while`` loops), fused record
tapes, callee ``fwd``/``rev`` pairs exchanging residual tuples (also with a
tape inside the tuple, via ``vjp``), early exits, and the error and cache
paths.  Compiled code is cached on disk (``PULLBACK_CACHE_DIR``), so a second
run of this file mostly loads machine code instead of compiling it.
"""
import math
import os
import subprocess
import sys

import pytest

pytest.importorskip("numba")

import pullback  # noqa: E402
from pullback.errors import TransformError  # noqa: E402
from corpus import programs_control, programs_numerics  # noqa: E402
from test_corpus import assert_close, central_diff, normalized  # noqa: E402

PICK = {"sum_range", "early_return", "loop_break", "halve_until_small", "helper_in_loop",
        "spring_rk4", "nested_loops"}
CASES = [c for m in (programs_control, programs_numerics) for c in m.CASES if c.id in PICK]


def test_picked_programs_exist():
    assert {c.id for c in CASES} == PICK


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_numba_matches_finite_differences_and_python(case):
    got = normalized(pullback.grad(case.func, case.argnums, backend="numba")(*case.args),
                     case.argnums)
    assert_close(got, central_diff(case.func, case.args, case.argnums), 1e-5, 1e-6,
                 "numba vs finite differences")
    ref = normalized(pullback.grad(case.func, case.argnums)(*case.args), case.argnums)
    assert_close(got, ref, 1e-12, 1e-14, "numba vs python backend")


def pendulum(k, c, x0, n):
    x, v, cost = x0, 0.0, 0.0
    for i in range(n):
        a = -k * math.sin(x) - c * v
        x = x + 0.01 * v
        v = v + 0.01 * a
        cost = cost + x * x
    return cost


def test_value_and_grad_and_source():
    value, g = pullback.value_and_grad(pendulum, (0, 1, 2), backend="numba")(1.0, 0.1, 0.3, 200)
    assert value == pytest.approx(pendulum(1.0, 0.1, 0.3, 200), rel=1e-12)
    assert g == pytest.approx(pullback.grad(pendulum, (0, 1, 2))(1.0, 0.1, 0.3, 200), rel=1e-12)
    d = pullback.grad(pendulum, backend="numba")
    d(1.0, 0.1, 0.3, 5)
    text = pullback.source(d)
    assert "@njit(cache=True)" in text and ".append(" not in text and ".pop()" not in text


def test_vjp_carries_a_tape_in_the_residual():
    out, pull = pullback.vjp(pendulum, 1.0, 0.1, 0.3, 50, backend="numba")
    _, ref_pull = pullback.vjp(pendulum, 1.0, 0.1, 0.3, 50)
    assert out == pytest.approx(pendulum(1.0, 0.1, 0.3, 50), rel=1e-12)
    assert pull(2.0) == pytest.approx(ref_pull(2.0), rel=1e-12)


def test_recursion_is_a_pullback_error_at_the_source_line():
    case = next(c for c in programs_control.CASES if c.id == "rpow")
    with pytest.raises(TransformError, match="recursive") as err:
        pullback.grad(case.func, case.argnums, backend="numba")(*case.args)
    assert err.value.filename.endswith("programs_control.py") and err.value.line > 0


def test_numba_compile_error_names_the_user_line(monkeypatch):
    from pullback.backends import numba as printer
    monkeypatch.setitem(printer.HELPERS, "polygamma",
                        "\ndef polygamma(n, x):\n    return undefined_name")

    def f(x):
        y = math.lgamma(x) * 2.0
        return y
    with pytest.raises(TransformError, match="numba backend cannot compile") as err:
        pullback.grad(f, backend="numba")(1.5)
    assert err.value.line == f.__code__.co_firstlineno + 1
    assert "Traceback" not in str(err.value)


def test_missing_numba_is_a_clear_error():
    code = ("import sys; sys.modules['numba'] = None\n"
            "import pullback\n"
            "try:\n"
            "    pullback.grad(lambda x: x * x, backend='numba')(1.0)\n"
            "except ImportError as e:\n"
            "    print(e)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=os.path.dirname(__file__), timeout=120)
    assert "pip install pullback[numba]" in out.stdout, out.stderr


def test_compiled_code_is_cached_on_disk():
    g = pullback.grad(pendulum, (0, 1), backend="numba")
    g(1.0, 0.1, 0.3, 10)
    path = g.last.path
    assert os.path.exists(path)
    cached = os.listdir(os.path.join(os.path.dirname(path), "__pycache__"))
    stem = os.path.splitext(os.path.basename(path))[0]
    assert any(name.startswith(stem) and name.endswith(".nbi") for name in cached)
