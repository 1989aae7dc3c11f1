"""optimize/recompute.py: cheap loop values are recomputed in the reverse loop, not taped,
and only where the recomputed value is the taped one.  Gradients against JAX and
central differences."""
import math

import jax
import jax.numpy as jnp
import pytest

import pullback
from pullback.pipeline import Reverse, derive
from pullback.ir import For, Push
from pullback.ir.walk import walk

jax.config.update("jax_enable_x64", True)


def forced(k, w, x, n):
    """As the module docstring: t from the index, w * t from an invariant."""
    v = 0.0
    for i in range(n):
        t = i * 0.01
        a = -k * math.sin(x) + math.cos(w * t)
        x = x + 0.01 * v
        v = v + 0.01 * a
        e = 0.5 * x          # from a restored value, after its assignment
        v = v - 0.01 * e * e
    return x * v


def forced_jax(k, w, x, n):
    v = 0.0
    for i in range(n):
        t = i * 0.01
        a = -k * jnp.sin(x) + jnp.cos(w * t)
        x = x + 0.01 * v
        v = v + 0.01 * a
        e = 0.5 * x
        v = v - 0.01 * e * e
    return x * v


def read_before(k, x, n):
    """``s`` is read (from the previous iteration) before it is assigned: stays taped."""
    s = 1.0
    for i in range(n):
        x = x * math.sin(s * k)
        s = i * 0.5
    return x


def read_before_jax(k, x, n):
    s = 1.0
    for i in range(n):
        x = x * jnp.sin(s * k)
        s = i * 0.5
    return x


def from_old_value(k, x, n):
    """``u`` reads ``x`` before ``x`` is reassigned in the iteration: stays taped."""
    for i in range(n):
        u = 2.0 * x
        x = math.sin(x) * k
        x = x + math.cos(u * k)
    return x


def from_old_value_jax(k, x, n):
    for i in range(n):
        u = 2.0 * x
        x = jnp.sin(x) * k
        x = x + jnp.cos(u * k)
    return x


def pushed_values(f, types, mask):
    fn = derive(f, types, None, (Reverse(mask),))[1].functions[0]
    loop = next(s for s in fn.body if isinstance(s, For))
    return [s.value for s in walk(loop.body) if isinstance(s, Push)]


def test_index_and_invariant_values_are_recomputed():
    pushed = pushed_values(forced, ["float", "float", "float", "int"], (True, True, True, False))
    (record,) = pushed          # one record tape (optimize/tapes.py)
    text = pullback.source(pullback.grad(forced, argnums=(0, 1, 2)))
    rev = text[text.index("reversed("):]
    assert "t = i * 0.01" in rev and "e = 0.5 * x" in rev
    assert "tape.append((" in text and ", t," not in text and "(t," not in text


@pytest.mark.parametrize("f,fj,args", [
    (forced, forced_jax, (1.3, 2.0, 0.4, 30)),
    (read_before, read_before_jax, (0.7, 1.1, 12)),
    (from_old_value, from_old_value_jax, (0.9, 0.3, 9)),
], ids=["forced", "read_before", "from_old_value"])
def test_gradients(f, fj, args):
    got = pullback.grad(f, argnums=(0, 1))(*args)
    want = jax.grad(fj, argnums=(0, 1))(*args)
    for g, w in zip(got, want):
        assert abs(g - float(w)) <= 1e-10 * max(1.0, abs(float(w))), (got, want)
    for m, g in enumerate(got):
        h = 1e-6
        up, dn = list(args), list(args)
        up[m] += h
        dn[m] -= h
        assert abs(g - (f(*up) - f(*dn)) / (2 * h)) <= 1e-5 * max(1.0, abs(g))
