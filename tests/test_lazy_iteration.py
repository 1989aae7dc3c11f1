"""Generators and generator expressions: Python computes an item when the consumer takes
it, pullback all items where the generator is called or written.  The two agree only
where nothing between two steps changes what a later step reads; elsewhere the program
is rejected at the user's line (frontend/generators.py).  Found by the issue 11 audit,
each gave the eager value and derivative before (3x where Python and JAX give 6x):
- a loop over a generator expression that rebinds a name the expression reads;
- a generator expression kept in a name and consumed after a rebinding;
- a generator whose later steps call a function (a sibling nested def, a lambda passed
  in as an argument) that reads a name the consuming loop rebinds;
- random draws in a generator (expression) consumed by a loop that draws too: Python
  interleaves the draws, pullback made the generator's first (another value, seeded).
What stays accepted is checked against JAX and central differences.
"""
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import pullback
from pullback.errors import UnsupportedError

jax.config.update("jax_enable_x64", True)
HERE = __file__


def loop_over_expression(x):
    c = 1.0
    t = 0.0
    for v in (c * x for _ in range(3)):
        t = t + v
        c = c + 1.0             # rebinds c: Python's later items read it
    return t


def expression_kept(x):
    c = 1.0
    it = (c * x for _ in range(3))      # kept: consumed after c changes
    c = 5.0
    return sum(it)


def array_rebound(x):
    a = np.array([1.0, 2.0, 3.0]) * x
    t = 0.0
    for v in (a[i] for i in range(3)):
        t = t + v
        a = a * 2.0             # rebinds a
    return t


def calls(f):
    for _ in range(3):
        yield f()


def lambda_passed_in(x):
    c = 1.0
    t = 0.0
    for v in calls(lambda: c * x):
        t = t + v
        c = c + 1.0             # rebinds c, which the lambda reads
    return t


def sibling_def(x):
    c = 1.0

    def scale(v):
        return c * v

    def gen():
        for _ in range(3):
            yield scale(x)
    t = 0.0
    for v in gen():
        t = t + v
        c = c + 1.0             # rebinds c, which scale reads
    return t


def draws_interleaved(x):
    t = 0.0
    for v in (np.random.randn() * x for _ in range(3)):      # draws
        t = t + v * np.random.randn()
    return t


def drawing(x):
    for _ in range(3):
        yield np.random.randn() * x


def generator_draws_interleaved(x):
    t = 0.0
    for v in drawing(x):        # draws
        t = t + v * np.random.randn()
    return t


def yields_closures(x):
    for i in range(3):
        yield lambda: x * i     # reads i when called


def closures_called_later(x):
    fs = list(yields_closures(x))
    return fs[0]() + fs[1]()    # Python: i is 2 by then (4x); the steps' own i gave x


def expressions_kept_in_a_comprehension(x):
    c = 1.0
    gens = [(c * r for _ in range(2)) for r in (x, x)]      # kept
    c = 5.0                     # Python: the kept expressions read c = 5.0 (20x; was 4x)
    return sum(sum(g) for g in gens)


@pytest.mark.parametrize("f, marker", [
    (expressions_kept_in_a_comprehension, "gens = [(c * r for _ in range(2)) for r in (x, x)]"),
    (closures_called_later, "yield lambda: x * i     # reads i"),
    (draws_interleaved, "(np.random.randn() * x for _ in range(3)):      # draws"),
    (generator_draws_interleaved, "for v in drawing(x):        # draws"),
    (loop_over_expression, "c = c + 1.0             # rebinds c: Python"),
    (expression_kept, "it = (c * x for _ in range(3))"),
    (array_rebound, "a = a * 2.0             # rebinds a"),
    (lambda_passed_in, "c = c + 1.0             # rebinds c, which the lambda"),
    (sibling_def, "c = c + 1.0             # rebinds c, which scale")])
@pytest.mark.parametrize("mode", ["grad", "jvp"])
def test_a_lazy_step_that_could_read_a_rebound_name_is_rejected_at_its_line(f, marker, mode):
    with pytest.raises(UnsupportedError) as e:
        if mode == "grad":
            pullback.grad(f)(1.3)
        else:
            pullback.jvp(f, (1.3,), (1.0,))
    assert e.value.filename == HERE and marker in open(HERE).readlines()[e.value.line - 1]


def consumed_whole(x):
    c = 2.0
    s = sum(sum(r * k for k in (1.0, 2.0)) for r in (x, 2.0 * x))     # inside a copy
    s = s + sum(c * x * k for k in (1.0, 2.0, 3.0)) + max(x * k for k in (1.0, -1.0))
    t = 0.0
    for v in (x * k for k in (1.0, 2.0)):
        t = t + v * v           # rebinds only t, which the expression does not read
    return s + t


def gen_over(xs):
    for i in range(2):
        yield xs[i] * xs[i]


def consumed_by_loop(x):
    c = x[0]
    t = 0.0
    for v in gen_over(x):
        t = t + c * v
    return t


@pytest.mark.parametrize("f, x", [(consumed_whole, 1.3), (consumed_by_loop, np.array([1.3, 0.4]))])
def test_what_is_consumed_whole_agrees_with_jax_and_differences(f, x):
    g = pullback.grad(f)(x)
    assert np.allclose(g, jax.grad(f)(jnp.asarray(x)), rtol=1e-12)
    h = 1e-6
    x = np.asarray(x, dtype=float)
    fd = np.array([(f(x + h * e) - f(x - h * e)) / (2 * h) for e in np.eye(x.size)]) \
        if x.ndim else (f(x + h) - f(x - h)) / (2 * h)
    assert np.allclose(g, fd, rtol=1e-6)


def draws_at_once(x):
    return sum(np.random.randn() * x for _ in range(3)) * np.random.randn()


def test_draws_consumed_at_once_agree_with_jax_and_differences():
    """Nothing runs between the steps of sum(...): the draws come in Python's order."""
    x, h = 1.3, 1e-6
    np.random.seed(0)
    z = np.random.randn(4)
    np.random.seed(0)
    v, g = pullback.value_and_grad(draws_at_once)(x)
    assert np.isclose(v, (z[0] + z[1] + z[2]) * x * z[3])
    assert np.isclose(g, float(jax.grad(lambda y: (z[0] + z[1] + z[2]) * y * z[3])(x)), rtol=1e-12)
    np.random.seed(0)
    up = draws_at_once(x + h)
    np.random.seed(0)
    assert np.isclose(g, (up - draws_at_once(x - h)) / (2 * h), rtol=1e-6)


def yields_bound_closures(x):
    for i in range(3):
        yield lambda i=i: x * i


def bound_closures(x):
    fs = list(yields_bound_closures(x))
    return fs[1]() * fs[2]()


def test_yielded_closures_with_their_values_bound_agree_with_jax_and_differences():
    x, h = 1.3, 1e-6
    v, g = pullback.value_and_grad(bound_closures)(x)
    assert np.isclose(v, bound_closures(x))
    assert np.isclose(g, float(jax.grad(bound_closures)(x)), rtol=1e-12)
    assert np.isclose(g, (bound_closures(x + h) - bound_closures(x - h)) / (2 * h), rtol=1e-6)
