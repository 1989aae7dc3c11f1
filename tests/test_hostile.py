"""Hostile and unusual input: a clear error or a right answer, never a hang or a wrong one.

Functions without source, callees without rules, writes to globals and
arguments, rejected statements, recursion without a base case, very long and
deeply nested functions, names that collide with generated ones, lambdas
sharing a line -- and a check that transforming a function never runs it.
"""
import importlib.util
import math
import os
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

import pullback
from pullback import TransformError, UnsupportedError


def _module(tmp_path, source, name="hostile"):
    """Import ``source`` from a real file: pullback reads it like user code."""
    path = tmp_path / f"{name}.py"
    path.write_text("import math\nimport numpy as np\n\n" + textwrap.dedent(source))
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _fd(f, x, h=1e-6):
    return (f(x + h) - f(x - h)) / (2 * h)


# -- no source ------------------------------------------------------------------------

@pytest.mark.parametrize("f", [math.sin, abs, max], ids=["builtin", "abs", "max"])
def test_functions_without_source(f):
    with pytest.raises(UnsupportedError, match="no Python source"):
        pullback.grad(f)(1.0)


def test_a_ufunc_with_a_rule_is_differentiated_as_it_is():
    # grad(np.sqrt) as autograd's examples write it (issue 13): its rule, no source needed
    assert math.isclose(pullback.grad(np.sin)(1.0), _fd(np.sin, 1.0), rel_tol=1e-8)
    assert math.isclose(pullback.grad(np.sin)(1.0), math.cos(1.0), rel_tol=1e-15)


def test_exec_defined_function():
    ns = {}
    exec("def f(x):\n    return x * x\n", ns)
    with pytest.raises(UnsupportedError, match="cannot read the source .* by exec"):
        pullback.grad(ns["f"])(1.0)


def test_function_defined_at_a_repl():
    script = ("import pullback\ndef f(x):\n    return x * x\n"
              "try:\n    pullback.grad(f)(1.0)\nexcept pullback.UnsupportedError as e:\n"
              "    print('REJECTED', e)\n")
    out = subprocess.run([sys.executable, "-"], input=script, capture_output=True, text=True,
                         timeout=120, cwd=os.path.dirname(os.path.dirname(__file__)))
    assert "REJECTED" in out.stdout and "<stdin>" in out.stdout, out.stdout + out.stderr


# -- callees without a rule; statements and writes outside the subset ------------------

CALLS = {
    "math.frexp": ("return math.frexp(x)[0] * x", "call to 'frexp'"),
    "global": ("global G\n    G = x\n    return x", "a 'global' statement"),
    "nonlocal": ("y = x\n    def g():\n        nonlocal y\n        y = 2.0\n    return y",
                 "a 'nonlocal' statement"),
    "module attribute": ("math.pi = x\n    return x", "a write to the attribute"),
    "globals()": ("globals()['G'] = x\n    return x", "in-place write"),
    "try": ("try:\n        return x\n    except ValueError:\n        return 0.0", "'try'"),
    "with": ("with open('f') as fh:\n        return x", "'with'"),
    "yield": ("yield x", "'yield'"),
    "starred target": ("a, *b = x * np.ones(2)\n    return a", "starred unpacking"),
    "class": ("class A:\n        pass\n    return x", "class definition"),
    "lambda /": ("g = lambda t, /: x\n    return g(x)", "positional-only"),
    "list sort": ("l = [x, 2.0]\n    l.sort()\n    return l[0]", "'.sort'"),
    "dict update": ("d = {'a': x}\n    d.update(a=2 * x)\n    return d['a']", "'.update'"),
}


@pytest.mark.parametrize("name", sorted(CALLS))
def test_rejected_with_position_and_construct(tmp_path, name):
    body, words = CALLS[name]
    m = _module(tmp_path, f"G = 1.0\n\n\ndef f(x):\n    {body}\n")
    with pytest.raises(UnsupportedError) as info:
        pullback.grad(m.f)(0.5)
    err = info.value
    assert words in str(err) and err.filename.endswith("hostile.py") and err.line >= 8, str(err)


@pytest.mark.parametrize("header", ["def f(x, /):", "async def f(x):"])
def test_entry_signatures_outside_the_subset(tmp_path, header):
    m = _module(tmp_path, f"{header}\n    return 1.0\n")
    with pytest.raises((UnsupportedError, TypeError)):
        pullback.grad(m.f)(0.5)


def test_arguments_are_never_mutated(tmp_path):
    m = _module(tmp_path, """
        def item(x, lst):
            lst[0] = x
            return x * lst[1]

        def array(a):
            a[0] = 0.0
            return (a * a).sum()
        """)
    lst = [1.0, 2.0]
    with pytest.raises(UnsupportedError, match="item assignment"):
        pullback.grad(m.item)(0.5, lst)
    a = np.array([1.0, 2.0, 3.0])
    with pytest.raises(UnsupportedError, match="in-place write to the argument 'a'"):
        pullback.grad(m.array)(a)
    assert lst == [1.0, 2.0] and a.tolist() == [1.0, 2.0, 3.0]


# -- recursion -----------------------------------------------------------------------------

def test_recursion_without_a_base_case_is_an_error_not_a_hang(tmp_path):
    m = _module(tmp_path, """
        def forever(x):
            return forever(x) + 1.0

        def grows(x, t):
            return grows(x, (t, t))

        def entry(x):
            return grows(x, 1.0)

        def f(x):
            g = lambda t: g(t) + 1.0
            return g(x)
        """)
    start = time.time()
    with pytest.raises(TransformError, match="no base case"):
        pullback.grad(m.forever)(1.0)
    with pytest.raises(UnsupportedError, match="growing tuple"):
        pullback.grad(m.entry)(1.0)
    with pytest.raises(TransformError, match="'g' is not defined"):
        pullback.grad(m.f)(1.0)
    assert time.time() - start < 30


def test_recursion_with_a_base_case(tmp_path):
    m = _module(tmp_path, """
        def power(x, n):
            if n == 0:
                return 1.0
            return x * power(x, n - 1)

        def f(x):
            def fact(t, n):
                return 1.0 if n <= 0 else t * fact(t, n - 1)
            return power(x, 3) + fact(x, 2)
        """)
    assert pullback.grad(m.f)(1.5) == pytest.approx(3 * 1.5 ** 2 + 2 * 1.5)


# -- size ------------------------------------------------------------------------------------

def _long(n, loop=False):
    pad = "        " if loop else "    "
    lines = ["def f(x, y):", "    a = x"] + (["    for i in range(2):"] if loop else [])
    for i in range(n):
        lines.append(f"{pad}a = a * 0.999 + y" if i % 2 else
                     f"{pad}a = math.sin(a) + {i % 5}.0 * y")
    return "\n".join(lines + ["    return a", ""])


@pytest.mark.parametrize("loop", [False, True], ids=["straight", "in a loop"])
def test_a_long_function_transforms_in_seconds(tmp_path, loop):
    m = _module(tmp_path, _long(2000, loop))
    start = time.time()
    g = pullback.grad(m.f, argnums=1)(0.3, 0.2)
    assert time.time() - start < 60          # about 2 s; quadratic passes took minutes
    assert g == pytest.approx(_fd(lambda y: m.f(0.3, y), 0.2), rel=1e-5)


@pytest.mark.slow
def test_a_10000_line_function(tmp_path):
    m = _module(tmp_path, _long(10_000))
    start = time.time()
    pullback.grad(m.f, argnums=(0, 1))(0.3, 0.2)
    assert time.time() - start < 300         # about 10 s


def test_deeply_nested_expressions(tmp_path):
    terms = " + ".join(f"x * {k % 7}.0" for k in range(2000))
    calls = "math.sin(" * 150 + "x" + ")" * 150
    m = _module(tmp_path, f"def f(x):\n    return {terms}\n\n\ndef g(x):\n    return {calls}\n")
    assert pullback.grad(m.f)(0.5) == pytest.approx(sum(k % 7 for k in range(2000)))
    assert pullback.grad(m.g)(0.5) == pytest.approx(_fd(m.g, 0.5), rel=1e-6)


# -- names, lambdas and caches that once gave wrong derivatives -----------------------------

def test_user_names_that_generated_code_also_uses(tmp_path):
    m = _module(tmp_path, """
        def sign(t):
            return t * 10.0

        def polygamma(t):
            return t * 100.0

        def f(x):
            sign_ = abs(x) + sign(x) + polygamma(x) + math.lgamma(x)
            return sign_

        def g(x):
            sign = x * 3.0
            return abs(x) * sign
        """)
    assert pullback.grad(m.f)(1.5) == pytest.approx(_fd(m.f, 1.5), rel=1e-6)
    assert pullback.grad(m.g)(1.5) == pytest.approx(_fd(m.g, 1.5), rel=1e-6)


def test_lambdas_sharing_a_line(tmp_path):
    m = _module(tmp_path, """
        a, b = (lambda t: t * 2.0), (lambda t: t * 3.0)
        c, d = (lambda t: math.sin(t)), (lambda t: math.cos(t))
        pairs = {"e": (lambda t: t if t > 0 else -t, lambda t: abs(t) * 2.0)}
        """)
    for f in (m.a, m.b, m.c, m.d, *m.pairs["e"]):
        assert pullback.grad(f)(0.7) == pytest.approx(_fd(f, 0.7), rel=1e-6)


def test_factory_functions_keep_their_own_defaults(tmp_path):
    m = _module(tmp_path, """
        def make(c):
            def g(x, k=c):
                return x * k
            return g

        g2, g3 = make(2.0), make(3.0)

        def f(x):
            return g3(x)
        """)
    assert pullback.grad(m.g2)(1.0) == 2.0 and pullback.grad(m.g3)(1.0) == 3.0
    assert pullback.grad(m.f)(1.0) == 3.0


def test_equal_functions_of_two_modules(tmp_path):
    """Equal code objects (same text, same line) in two modules: each keeps its defaults."""
    src = "def h(a, b={}):\n    return a * b\n\n\ndef f(x):\n    return h(x)\n"
    m1 = _module(tmp_path, src.format("2.0"), "twin_a")
    m2 = _module(tmp_path, src.format("5.0"), "twin_b")
    assert pullback.grad(m1.f)(1.0) == 2.0 and pullback.grad(m2.f)(1.0) == 5.0


def test_a_rebound_global_is_seen(tmp_path):     # guards (docs/edges.md), issue 11
    m = _module(tmp_path, "C = 0.5\n\n\ndef f(x):\n    return x * C\n")
    assert pullback.grad(m.f)(1.0) == 0.5
    m.C = 2.0
    assert pullback.grad(m.f)(1.0) == 2.0


# -- nothing but user code runs -----------------------------------------------------------------

def test_transforming_never_runs_the_users_code(tmp_path):
    m = _module(tmp_path, """
        SCALE = 2.0

        def helper(t, k=3):
            s = 0.0
            for i in range(k):
                s += math.sin(t * i)
            return s

        def f(x, n=2):
            g = lambda t: t * SCALE
            def inner(t):
                return helper(t) + g(t)
            return inner(x) * n
        """)
    ran = []

    def profiler(frame, event, arg):
        if event == "call" and frame.f_code.co_filename == m.__file__:
            ran.append(frame.f_code.co_name)
    sys.setprofile(profiler)
    try:
        g = pullback.grad(m.f)
        text = pullback.source(g)            # transforms
        value = g(0.7)                        # runs the generated code only
        vjp_out, pull = pullback.vjp(m.f, 0.7, 2)
        pull(1.0)
    finally:
        sys.setprofile(None)
    assert ran == [], f"pullback ran the user's {ran}"
    assert "def f_grad" in text and value == pytest.approx(_fd(m.f, 0.7), rel=1e-6)


def test_no_pickle_marshal_or_eval_in_pullback():
    root = os.path.dirname(pullback.__file__)
    found = []
    for dirpath, _, files in os.walk(root):
        for name in files:
            if name.endswith(".py"):
                with open(os.path.join(dirpath, name)) as fh:
                    text = fh.read()
                for word in ("import pickle", "import marshal", "import shelve", "eval(",
                             "loads("):
                    if word in text.replace("literal_eval(", "").replace("_eval(", ""):
                        found.append(f"{name}: {word}")
    assert not found, found


def test_numba_cache_files_are_checked_before_they_run(tmp_path, monkeypatch):
    pytest.importorskip("numba")
    monkeypatch.setenv("PULLBACK_CACHE_DIR", str(tmp_path / "cache"))
    m = _module(tmp_path, "def f(x):\n    return x * x * 1.25\n")
    assert pullback.grad(m.f, backend="numba")(2.0) == 5.0
    files = [os.path.join(d, f) for d, _, fs in os.walk(tmp_path / "cache") for f in fs
             if f.startswith("pb_") and f.endswith(".py")]
    assert len(files) == 1
    with open(files[0], "a") as fh:
        fh.write("\nraise RuntimeError('a tampered cache file ran')\n")
    from pullback import pipeline
    monkeypatch.setattr(pipeline, "_CACHE", {})
    name = "pullback_numba_" + os.path.basename(files[0])[3:-3]
    monkeypatch.delitem(sys.modules, name, raising=False)
    assert pullback.grad(m.f, backend="numba")(2.0) == 5.0


# -- statements with no numerical effect: forward sweep only -------------------------------

def test_print_logging_and_assert_run_in_the_forward_sweep_only(tmp_path, capsys, caplog):
    m = _module(tmp_path, """
        import logging

        def f(x, y):
            s = 0.0
            for i in range(3):
                s += math.sin(x * i) * y
                print("step", i, s)
            assert s < 100.0, "too big"
            logging.warning("s is %s", s)
            return s * x
        """)
    g = pullback.grad(m.f, argnums=(0, 1))(0.5, 1.2)
    out = capsys.readouterr().out
    assert out.count("step") == 3, out                 # once per iteration, not in reverse
    assert caplog.text.count("s is") == 1
    h = 1e-6
    assert g[0] == pytest.approx((m.f(0.5 + h, 1.2) - m.f(0.5 - h, 1.2)) / (2 * h), rel=1e-6)
    assert g[1] == pytest.approx((m.f(0.5, 1.2 + h) - m.f(0.5, 1.2 - h)) / (2 * h), rel=1e-6)
    text = pullback.source(pullback.grad(m.f, argnums=(0, 1)))
    assert "    print('step', i, s)" in text and "check_assert(s < 100.0, 'too big')" in text
    assert pullback.jvp(m.f, (0.5, 1.2), (1.0, 0.0))[1] == pytest.approx(g[0], rel=1e-12)


def test_a_failing_assert_raises_in_the_derivative(tmp_path):
    m = _module(tmp_path, """
        def f(x):
            assert x > 0, "x must be positive"
            return math.log(x)
        """)
    assert pullback.grad(m.f)(2.0) == pytest.approx(0.5)
    with pytest.raises(AssertionError, match="x must be positive"):
        pullback.grad(m.f)(-1.0)


def test_print_and_assert_under_numba(tmp_path, capsys):
    pytest.importorskip("numba")
    m = _module(tmp_path, """
        def f(x):
            s = 0.0
            for i in range(2):
                s += math.sin(x * i)
                print("step", i)
            assert s < 100.0, "too big"
            return s * x
        """, name="hostile_numba")
    g = pullback.grad(m.f, backend="numba")(0.7)
    assert capsys.readouterr().out.count("step") == 2
    assert g == pytest.approx(pullback.grad(m.f)(0.7), rel=1e-14)
