"""Unsupported constructs are rejected with file:line:col and the construct's name."""
import math
import os
import subprocess
import sys

import pytest

import pullback
from pullback import UnsupportedError

HERE = os.path.abspath(__file__)


def uses_try(x):
    try:
        return x * 2
    except ValueError:
        return x


def uses_with(x):
    with open("f") as fh:  # noqa: F841
        return x


def uses_global(x):
    global G
    G = x
    return x


def uses_yield(x):
    yield x


def uses_posonly(x, /):
    return x


def uses_class(x):
    class A:
        pass
    return x


def uses_set(x):
    return len({x, 2.0}) * x


def uses_unknown_callable(x):
    return math.frexp(x)[0]


def uses_fstring(x):
    return x if f"{x}" else x


def uses_walrus(x):
    if (y := x * 2) > 1:
        return y
    return x


def uses_while_else(x):
    while x < 10:
        x = x * 2
    else:
        x = x + 1
    return x


def uses_bitwise(x, n):
    return x * (n << 1)


def uses_nonlocal(x):
    y = x

    def inner():
        nonlocal y
        y = y * 2
    inner()
    return y


def uses_sorted_key(x):
    return sorted([x, 2.0 * x], key=abs)[0]


def uses_sort_kind_order(x):
    y = x * 1.0
    y.sort(0, "stable", None)
    return y


@pytest.mark.parametrize("fn, construct", [
    (uses_try, "a 'try' statement"),
    (uses_sorted_key, "sorted(...) with a key, or reverse known only at run time"),
    (uses_sort_kind_order, "the array method '.sort()' other than x.sort(axis)"),
    (uses_with, "a 'with' statement other than 'with np.errstate(...)'"),
    (uses_global, "a 'global' statement"),
    (uses_yield, "a 'yield' in the function itself"),
    (uses_posonly, "positional-only parameters"),
    (uses_class, "a class definition"),
    (uses_set, "a set"),
    (uses_fstring, "an f-string outside print, warnings.warn, logging or raise"),
    (uses_walrus, "an assignment expression (':=')"),
    (uses_while_else, "an 'else' clause on a 'while' loop"),
    (uses_bitwise, "the '<<' operator"),
    (uses_nonlocal, "a 'nonlocal' statement"),
])
def test_rejected_with_location(fn, construct):
    with pytest.raises(UnsupportedError) as info:
        pullback.grad(fn)(1.0) if fn is not uses_bitwise else pullback.grad(fn)(1.0, 3)
    err = info.value
    assert err.construct == construct
    assert err.filename == HERE
    assert err.line > fn.__code__.co_firstlineno or construct.startswith("positional")
    assert str(err).startswith(f"{HERE}:{err.line}:{err.col}: cannot differentiate")


def test_message_format_for_try():
    with pytest.raises(UnsupportedError) as info:
        pullback.grad(uses_try)(1.0)
    line = uses_try.__code__.co_firstlineno + 1
    assert str(info.value) == f"{HERE}:{line}:4: cannot differentiate a 'try' statement"


def test_callable_without_rule_or_source():
    with pytest.raises(UnsupportedError, match="'frexp'.*no derivative rule and no Python source"):
        pullback.grad(uses_unknown_callable)(1.0)


def test_function_without_source():
    ns = {}
    exec("def f(x):\n    return x * x\n", ns)
    with pytest.raises(UnsupportedError, match="source"):
        pullback.grad(ns["f"])(1.0)
    with pytest.raises(UnsupportedError, match="no Python source"):
        pullback.grad(math.sin)(1.0)


def test_undefined_name_is_a_transform_error():
    def f(x):
        return x * not_defined_anywhere  # noqa: F821
    with pytest.raises(pullback.TransformError, match="'not_defined_anywhere' is not defined"):
        pullback.grad(f)(1.0)


def test_cli_prints_an_importable_module(tmp_path):
    root = os.path.dirname(os.path.dirname(HERE))
    out = tmp_path / "pend_grad.py"
    r = subprocess.run([sys.executable, "-m", "pullback", "examples/pendulum.py:simulate",
                        "--wrt", "theta", "c", "-o", str(out)], cwd=root, capture_output=True,
                       text=True)
    assert r.returncode == 0, r.stderr
    ns = {}
    exec(out.read_text(), ns)
    value, theta_bar, c_bar = ns["simulate_grad"](1.2, 0.3, 0.5)
    sys.path.insert(0, os.path.join(root, "examples"))
    from pendulum import simulate
    h = 1e-6
    assert theta_bar == pytest.approx((simulate(1.2 + h, 0.3, 0.5) -
                                       simulate(1.2 - h, 0.3, 0.5)) / (2 * h), rel=1e-6)
    r = subprocess.run([sys.executable, "-m", "pullback", "examples/pendulum.py:simulate",
                        "--wrt", "nope"], cwd=root, capture_output=True, text=True)
    assert r.returncode != 0 and "no parameter 'nope'" in r.stderr
