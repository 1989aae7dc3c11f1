"""Closures that read a cell of the function being differentiated, after it changed.

Python reads a closure's cells when it is called.  A closure that lost this frame's
token (it went through a call, or a nested def made and returned it) carries values
taken earlier; when the name it reads may be bound again (a second assignment, one in
a branch or a loop) it is rejected at its use, never a stale number (found by the
issue 11 audit: a rebinding in a branch or loop, and a closure returned by a nested
def, gave the old value and derivative; a local bound only after the closure was made
was read as the global of the same name).  Closures still accepted are checked against
JAX and central differences.
"""
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import pullback
from pullback.errors import UnsupportedError

jax.config.update("jax_enable_x64", True)
HERE = __file__


def identity(f):
    return f


def rebound_in_branch(x):
    c = 1.0
    h = lambda y: c * y         # noqa: E731
    g = identity(h)
    if x > 0:
        c = 2.0
    return g(x)                 # Python: 2 x (the stale closure gave x)


def rebound_in_loop(x):
    c = 1.0
    h = lambda y: c * y         # noqa: E731
    g = identity(h)
    for _ in range(2):
        c = c + x
    return g(x)


def made_by_a_nested_def(x):
    c = 1.0

    def outer():
        return lambda y: c * y
    g = outer()
    c = 4.0
    return g(x)                 # Python: 4 x (the stale closure gave x)


def nested_def_returning_a_pair(x):
    c = x

    def outer():
        return (lambda y: c * y, 3.0)
    g, k = outer()
    c = c * 2.0
    return g(x) * k


def dict_item_written_in_branch(x):
    d = {"a": 1.0}
    g = identity(lambda: d["a"] * x)
    if x > 0:
        d["a"] = 5.0            # an item write rebinds the dict (a value in pullback)
    return g()


c = 100.0                       # a global of the same name as the locals below


def bound_after_the_closure(x):
    h = lambda y: c * y         # noqa: E731 -- c is this function's local, bound below
    g = identity(h)
    c = 2.0                     # noqa: F841
    return g(x)                 # Python: 2 x (the global c = 100 was read: 100 x)


def nested_def_bound_after(x):
    def outer():
        return lambda y: c * y
    g = outer()
    c = 2.0                     # noqa: F841
    return g(x)


@pytest.mark.parametrize("f", [rebound_in_branch, rebound_in_loop, made_by_a_nested_def,
                               nested_def_returning_a_pair, dict_item_written_in_branch,
                               bound_after_the_closure, nested_def_bound_after])
@pytest.mark.parametrize("mode", ["grad", "jvp"])
def test_a_closure_that_may_read_an_older_cell_is_rejected_at_its_use(f, mode):
    with pytest.raises(UnsupportedError, match="may be rebound after the closure") as e:
        if mode == "grad":
            pullback.grad(f)(1.3)
        else:
            pullback.jvp(f, (1.3,), (1.0,))
    assert e.value.filename == HERE and "return g(" in open(HERE).readlines()[e.value.line - 1]


def own_local_of_the_nested_def(x):
    c = 1.0

    def outer(c):
        return lambda y: c * y  # outer's own c: final when outer returns
    g = outer(x)
    c = 4.0
    return g(x) + c * x


def bound_once(x):
    c = x * x
    h = lambda y: c * y         # noqa: E731
    g = identity(h)
    return g(x)


def read_at_the_call(x):
    c = 1.0
    g = lambda: c * x           # noqa: E731
    for _ in range(2):
        c = c + x
    return g()


@pytest.mark.parametrize("f, backend", [(own_local_of_the_nested_def, "python"),
                                        (bound_once, "python"), (read_at_the_call, "python"),
                                        (read_at_the_call, "numba")])
def test_closures_that_are_exact_agree_with_jax_and_differences(f, backend):
    x, h = 1.3, 1e-6
    v, g = pullback.value_and_grad(f, backend=backend)(x)
    assert np.isclose(v, f(x))
    assert np.isclose(g, float(jax.grad(f)(jnp.float64(x))), rtol=1e-12)
    assert np.isclose(g, (f(x + h) - f(x - h)) / (2 * h), rtol=1e-6)
