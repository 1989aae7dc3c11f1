"""``target op= v`` where the target is not a plain array name: a dict's item, an
attribute set in ``__init__``, a list.  Python runs ``__iadd__`` on the object itself:
an array (or a list) changes in place, seen by every name for it; a number is
rebound.  Each was lowered as a rebinding of the item alone, so an alias kept the old
value and the derivative was silently wrong (grad 2x where 4x is right).  Now each is
NumPy's meaning, or an error at its line where an alias still reads the old object.
Expected values are analytic.
"""
import numpy as np
import pytest

import pullback
from pullback.errors import UnsupportedError


def dict_item_alias_read(x):
    y = x * 1.0
    d = {"a": y}
    d["a"] += x          # y is now 2x
    return np.sum(y * x)


class Scale:
    def __init__(self, w):
        self.w = w
        self.w *= 2.0     # the caller's array too


def attribute_in_init(x):
    a = x * 1.0
    s = Scale(a)
    return np.sum(a * x) + s.w[1]


def list_alias(x):
    L = [x[0]]
    M = L
    L += [x[1]]
    return sum(M) * x[2]


def _grow(L, v):
    L += [v]


def list_in_helper(x):
    L = [x[0]]
    _grow(L, x[1])
    return sum(L) * x[2]


@pytest.mark.parametrize("backend", ["python", "numba"])
@pytest.mark.parametrize("f", [dict_item_alias_read, attribute_in_init, list_alias,
                               list_in_helper])
def test_an_in_place_change_seen_by_another_name_is_an_error_at_its_line(f, backend):
    if backend == "numba":
        pytest.importorskip("numba")
    with pytest.raises(UnsupportedError) as e:
        pullback.grad(f, backend=backend)(np.array([1.5, 0.3, -0.7]))
    assert __file__ in str(e.value)


def dict_item_alone(x):
    d = {"a": x * 1.0, "b": 2.0 * x[0]}
    d["a"] += x * x      # the array d["a"] alone: no other name sees it
    d["b"] *= 3.0        # a number: rebound
    return np.sum(d["a"]) + d["b"]


def list_alone(x):
    L = [x[0]]
    L += [x[1]]
    L *= 2
    return sum(L) * x[2]


def numbers_in_a_dict(x):
    y = 2.0 * x[0]
    d = {"a": y}
    d["a"] += x[1]       # Python rebinds d["a"]; y keeps 2 x0
    return y * d["a"]


@pytest.mark.parametrize("backend", ["python", "numba"])
@pytest.mark.parametrize("f, want", [
    (dict_item_alone, lambda x: 1.0 + 2.0 * x + np.array([6.0, 0.0, 0.0])),
    (list_alone, lambda x: np.array([2 * x[2], 2 * x[2], 2 * (x[0] + x[1])])),
    (numbers_in_a_dict, lambda x: np.array([8.0 * x[0] + 2.0 * x[1], 2.0 * x[0], 0.0]))])
def test_an_in_place_change_no_other_name_sees_is_differentiated(f, want, backend):
    if backend == "numba":
        pytest.importorskip("numba")
    x = np.array([1.5, 0.3, -0.7])
    try:
        g = pullback.grad(f, backend=backend)(x)
    except UnsupportedError as e:       # Numba's subset (a list of numbers): at the line
        assert backend == "numba" and __file__ in str(e)
        return
    np.testing.assert_allclose(g, want(x), rtol=1e-12)
