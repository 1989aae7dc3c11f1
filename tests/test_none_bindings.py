"""A name bound to None (or a string) and, on another path, to a number or array.

Python programs declare first (``y = None``) and test ``y is None``.  The IR types a
name by all it holds, and a number joined with None had no derivative: ``grad`` was
0.0 with no error, and ``y = None; if y is None`` took the wrong branch (3.0 where
2.0 is right).  Expected values are the analytic derivatives (or JAX's).
"""
import inspect
import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import pullback
from pullback.errors import UnsupportedError

jax.config.update("jax_enable_x64", True)


def declared_first(x):
    y = None
    if x > 0:
        y = x * 2.0
    else:
        y = x * 3.0
    return y


def checked_at_once(x):
    y = None
    if y is None:
        return x * 2.0
    return x * 3.0


def index_sentinel(v):
    best_i = None
    for i in range(3):
        if best_i is None or v[i] > v[best_i]:
            best_i = i
    return v[best_i] * 2.0


def array_sentinel(x):
    y = None
    for i in range(2):
        y = x * 2.0 if y is None else y * x
    return np.sum(y)


@pytest.mark.parametrize("f, x, want", [
    (declared_first, 3.0, 2.0), (declared_first, -1.0, 3.0),
    (checked_at_once, 1.5, 2.0),
    (index_sentinel, np.array([1.0, 3.0, 2.0]), np.array([0.0, 2.0, 0.0])),
    (array_sentinel, np.array([1.0, -2.0]),
     jax.grad(lambda x: jnp.sum(2.0 * x * x))(jnp.array([1.0, -2.0])))])
def test_none_then_a_value_is_differentiated(f, x, want):
    value, g = pullback.value_and_grad(f)(x)
    assert np.allclose(value, f(x)) and np.allclose(g, want, rtol=1e-12)
    _, t = pullback.jvp(f, (x,), (np.ones_like(x),))
    assert np.allclose(t, np.sum(want))


def none_on_a_path(x):
    y = None
    if x > 0:
        y = x * 2.0
    if y is None:
        return 0.0
    return y


def smooth_penalty(x):
    prev = None
    s = 0.0
    for v in x:
        if prev is not None:
            s = s + (v - prev) ** 2
        prev = v
    return s


def string_first(x):
    y = ""
    if x > 0:
        y = x * 2.0
    return y


def list_or_number(x):
    return [i for i in range(3)] and x * 2.0


@pytest.mark.parametrize("f, x, line", [
    (none_on_a_path, 3.0, "y = None"), (smooth_penalty, np.array([1.0, 2.0, 4.0]), "prev = None"),
    (string_first, 3.0, 'y = ""'), (list_or_number, 3.0, "return [i for")])
def test_a_name_of_two_kinds_is_rejected_at_its_line(f, x, line):
    """Was a zero derivative (or, for the sentinel loop, ``float - None`` inside)."""
    with pytest.raises(UnsupportedError) as e:
        pullback.grad(f)(x)
    src, first = inspect.getsourcelines(f)
    at = first + next(k for k, text in enumerate(src) if line in text)
    assert f"{__file__}:{at}:" in str(e.value)


def _default_to(x, w):
    w = x if w is None else w
    return w * x


def none_passed_by_name(x):
    w = None
    return _default_to(x, w)


def test_a_none_reaching_a_helper_is_rejected_in_the_users_file():
    """Was '<unknown>:0:0': the join's statements had no location of their own."""
    with pytest.raises(UnsupportedError) as e:
        pullback.grad(none_passed_by_name)(1.3)
    assert f"{__file__}:" in str(e.value)


_W = (-1.035, 0.5, -0.75)


def _fuzz_9898370_npsum(x, y, z, n):     # fuzz seed 9898370, variant npsum, as generated
    z += x * float(n)
    x = n
    if math.cos(np.sum([x, x])) == 0.5:
        if y >= -2.256:
            return math.pi
        v0, v1 = (_W[-2] * math.cbrt(math.hypot(z, 1.0)), -z)
    z, x = (x, z)
    b0 = n > 1
    return sum((_W[-2], 0.5, x))


def test_one_operation_typed_any_is_no_join_of_two_kinds():
    """Was rejected: a statement typed 'any' (np.sum of [x, x] with x int, then float)
    read as a name holding a number and another kind.  Analytic: (3, 0, 1)."""
    assert pullback.grad(_fuzz_9898370_npsum, argnums=(0, 1, 2))(-0.4764, -0.6987, 1.1636, 3) \
        == (3.0, 0.0, 1.0)
