"""Item writes to a dict inside a loop over that dict: Python's loop reads the dict as it
goes (a view), pullback's dict is a value taken when the loop starts.  Over ``.items()``
or ``.values()`` the later items would be stale, and a new key in a loop over the keys
raises in Python: both are rejected at the write (frontend/dict_writes.py; found by the
issue 11 audit: 'for k, v in d.items(): d["b"] = v + 1.0' gave the old d["b"]).  A write
to an existing key in a loop over the keys, or a loop over a copy, is exact: checked
against JAX and central differences.
"""
import jax
import numpy as np
import pytest

import pullback
from pullback.errors import UnsupportedError

jax.config.update("jax_enable_x64", True)
HERE = __file__


def over_items(x):
    d = {"a": x, "b": 2.0 * x}
    for k, v in d.items():
        d["b"] = v + 1.0        # write
    return d["b"] * x


def over_values(x):
    d = {"a": x, "b": 2.0 * x}
    for i, v in enumerate(d.values()):
        d["b"] = v * x          # write
    return d["b"]


def new_key_over_keys(x):
    d = {"a": x}
    for k in d:
        d["b"] = d[k] * 2.0     # write
    return d["b"]


def keys_beside_values(x):
    d = {"a": x, "b": 2.0 * x}
    for k, v in zip(d, d.values()):
        d["b"] = v * x          # write
    return d["b"]


@pytest.mark.parametrize("f", [over_items, over_values, new_key_over_keys, keys_beside_values])
def test_a_write_while_python_iterates_the_dict_is_rejected_at_the_write(f):
    with pytest.raises(UnsupportedError) as e:
        pullback.grad(f)(1.3)
    assert e.value.filename == HERE and "# write" in open(HERE).readlines()[e.value.line - 1]


def existing_keys(x):
    d = {"a": x, "b": 2.0 * x}
    for k in d:
        d[k] = d[k] * d["a"]
    return d["a"] + d["b"]


def over_a_copy(x):
    d = {"a": x, "b": 2.0 * x}
    for k, v in list(d.items()):
        d["b"] = v + 1.0
    return d["b"] * x


@pytest.mark.parametrize("f", [existing_keys, over_a_copy])
def test_writes_python_sees_the_same_way_agree_with_jax_and_differences(f):
    x, h = 1.3, 1e-6
    v, g = pullback.value_and_grad(f)(x)
    assert np.isclose(v, f(x))
    assert np.isclose(g, float(jax.grad(f)(x)), rtol=1e-12)
    assert np.isclose(g, (f(x + h) - f(x - h)) / (2 * h), rtol=1e-6)
