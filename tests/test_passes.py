"""Each analysis and pass does what its docstring example says."""
import math

from pullback.analysis.activity import active_vars
from pullback.analysis.tbr import Recording
from pullback.pipeline import lower_typed
from pullback.ir import Assign, Const, Function, Var
from pullback.ir.printer import format_function
from pullback.optimize.constants import propagate_constants
from pullback.optimize.dce import eliminate_dead_code

F = "float"


def test_activity_example():
    def f(x, n):
        k = n * 2
        t1 = math.sin(x)
        y = t1 * 3.0
        return y + k * 0
    fn = lower_typed(f, [F, "int"]).functions[0]
    active = active_vars(fn, {"x"})
    assert {"x", "t1", "y"} <= active and "k" not in active and "n" not in active


def test_tbr_example():
    def f(a, n):
        x = 1.0 * a
        for i in range(n):
            y = math.sin(x)
            x = x + y
        return x
    fn = lower_typed(f, [F, "int"]).functions[0]
    active = active_vars(fn, {"a"})
    rec = Recording(fn.body, active, lambda s: False, {})
    pushed = {n for names in rec.pushes.values() for n in names}
    assert pushed == {"x"}


def test_constants_turn_first_contribution_into_assignment():
    x, xb, yb = Var("x", F), Var("x_bar", F), Var("y_bar", F)
    t = Var("t", F)
    fn = Function("f", (x, yb), (
        Assign(xb, "copy", (Const(0.0),)),
        Assign(t, "cos", (x,)),
        Assign(t, "mul", (t, yb)),
        Assign(xb, "add", (xb, t)),
        __import__("pullback.ir", fromlist=["Return"]).Return((xb,)),
    ))
    out = format_function(eliminate_dead_code(propagate_constants(fn)))
    assert "x_bar = copy(t)" in out and "copy(0.0)" not in out


def test_constants_fold_identities_and_known_branches():
    def f(x):
        a = 1.0
        b = x * a - 0.0      # (+ 0.0 stays in user code: -0.0 + 0.0 is 0.0, docs/edges.md)
        if a > 0:
            b = b * 1.0
        return b
    fn = lower_typed(f, [F]).functions[0]
    out = format_function(eliminate_dead_code(propagate_constants(fn)))
    assert "mul" not in out and "if" not in out and "sub" not in out


def test_dce_removes_unused_and_keeps_loops_that_matter():
    def f(x):
        unused = math.sin(x)  # noqa: F841
        s = 0.0
        for i in range(3):
            s = s + x
        return s
    fn = lower_typed(f, [F]).functions[0]
    out = format_function(eliminate_dead_code(fn))
    assert "sin" not in out and "for i" in out
