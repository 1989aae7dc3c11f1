"""optimize/recompute.py: cheap loop values are recomputed in the reverse loop, not taped,
and only where the recomputed value is the taped one (nested loop pairs too);
optimize/taped_reuse.py: partials read taped values instead of computing them again.
Gradients against JAX and central differences, Hessians against JAX."""
import math
import re

import jax
import jax.numpy as jnp
import numpy as np
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
    _check(f, fj, args, (0, 1), "python")


def _programs(m):
    """The nested-loop programs, written once for ``math`` and once for ``jax.numpy``."""
    def ring(r, h, w, n):
        """Nested loops as scalar n-body code writes them: the inner loop's angle and its
        differences are recomputed from the index and the outer iteration's values; the
        reverse loops read the taped cos and sin instead of calling them again."""
        e = 0.0
        for i in range(n):
            ai = w + 0.7 * i / n
            xi = r * m.cos(ai)
            yi = r * m.sin(ai)
            for j in range(i + 1, n):
                aj = w + 0.7 * j / n
                dx = xi - r * m.cos(aj)
                dy = yi - h * m.sin(aj)
                e = e - 1.0 / m.sqrt(dx * dx + dy * dy + 0.1)
            e = e + 0.5 * (xi * xi + yi * yi)
        return e

    def outer_after(k, x, n):
        """``u`` is written again after the inner loop: the inner loop's ``a`` (read from
        ``u``) stays taped, since the reverse inner loop runs with another ``u``."""
        s = 0.0
        u = 0.5
        for i in range(n):
            u = u * k
            for j in range(i, n):
                a = u * j
                s = s + m.sin(a) * x
            u = u + 0.1 * s
        return s

    def carried(k, x, n):
        """``c = cos(x)`` is computed before ``x`` changes: sin's partial at the old ``x``
        is not ``c``'s value at the end of the iteration."""
        s = 0.0
        for i in range(n):
            c = m.cos(x)
            x = m.sin(x) * k
            s = s + c * x + m.cos(x)
        return s

    def read_after_inner(k, x, n):
        """The inner loop's ``a`` is read after the inner loop: stays taped."""
        s = 0.0
        for i in range(n):
            a = 0.0
            for j in range(n):
                a = k * j
                s = s + m.sin(a) * x
            s = s + a * x
        return s
    return ring, outer_after, carried, read_after_inner


ring, outer_after, carried, read_after_inner = _programs(math)
ring_jax, outer_after_jax, carried_jax, read_after_inner_jax = _programs(jnp)


@pytest.mark.parametrize("f,fj,args", [
    (ring, ring_jax, (1.3, 0.4, 0.2, 7)),
    (outer_after, outer_after_jax, (0.9, 0.3, 5)),
    (carried, carried_jax, (0.9, 0.3, 9)),
    (read_after_inner, read_after_inner_jax, (0.7, 1.2, 4)),
], ids=["ring", "outer_after", "carried", "read_after_inner"])
@pytest.mark.parametrize("backend", ["python", "numba"])
def test_nested_gradients(f, fj, args, backend):
    if backend == "numba":
        pytest.importorskip("numba")
    _check(f, fj, args, tuple(range(len(args) - 1)), backend)


def _check(f, fj, args, nums, backend):
    got = pullback.grad(f, argnums=nums, backend=backend)(*args)
    want = jax.grad(fj, argnums=nums)(*args)
    for g, w in zip(got, want):
        assert abs(g - float(w)) <= 1e-10 * max(1.0, abs(float(w))), (got, want)
    for m, g in enumerate(got):
        h = 1e-6
        up, dn = list(args), list(args)
        up[m] += h
        dn[m] -= h
        assert abs(g - (f(*up) - f(*dn)) / (2 * h)) <= 1e-5 * max(1.0, abs(g))


def test_nested_loop_values_are_recomputed_and_reused():
    text = pullback.source(pullback.grad(ring, argnums=(0, 1, 2)))
    fwd, rev = text[:text.index("reversed(")], text[text.index("reversed("):]
    inner = fwd[fwd.index("for j in"):fwd.index("e += 0.5")]
    # the inner loop tapes its sqrt only, not aj, dx, dy, 1/...; its cos and sin depend
    # on j alone: read from tables filled once per j before the loop (optimize/tables.py)
    sq = re.search(r"(\w+) = math\.sqrt", inner).group(1)
    assert inner.count(f"{sq}_tape.append({sq})") == 1 and "tape.append" not in \
        inner.replace(f"{sq}_tape.append({sq})", "")
    assert "math.cos" not in inner and "math.sin" not in inner
    assert "dx = xi - " in rev and f" = 1.0 / {sq}" in rev
    # no cos or sin left in the reverse loops: each partial reads a table or a taped value
    assert "math.cos" not in rev and "math.sin" not in rev


@pytest.mark.parametrize("f,fj,args", [
    (ring, ring_jax, (1.3, 0.4, 0.2, 5)),
    (carried, carried_jax, (0.9, 0.3, 6)),
], ids=["ring", "carried"])
def test_nested_hessians(f, fj, args):
    """Forward over reverse: the tangents of recomputed and reused values are right too."""
    nums = tuple(range(len(args) - 1))
    got = np.array(pullback.hessian(f, argnums=nums)(*args), dtype=float)
    want = np.array(jax.hessian(fj, argnums=nums)(*args), dtype=float)
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-10)
