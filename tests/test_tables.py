"""optimize/tables.py: an inner loop's costly values that depend on its index alone are
read from tables filled once per index before the outer loop.  Gradients of nests of
each kind of inner range against JAX and central differences on both backends, a
Hessian against JAX, no value computed for an index the loop never visits, and nests
that must keep computing in the loop (a value of the outer iteration, a loop that
writes an invariant)."""
import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import pullback

jax.config.update("jax_enable_x64", True)


def _programs(m):
    def upper(w, h, n):
        """Pairs j > i: the union of the inner ranges is [1, n)."""
        e = 0.0
        for i in range(n):
            xi = m.cos(w * i)
            for j in range(i + 1, n):
                a = w * j + 0.3
                e = e + xi * m.sin(a) + h * m.exp(-0.1 * a)
        return e

    def lower(w, h, n):
        """Pairs j < i: the union is [0, n - 1), every index visited by the last i."""
        e = 0.0
        for i in range(n):
            xi = h * i
            for j in range(i):
                e = e + xi * m.cos(w * j) * m.sqrt(1.0 + w * w * j)
        return e

    def rectangle(w, h, n, k):
        """An inner range of its own length."""
        e = 0.0
        for i in range(n):
            for j in range(k):
                e = e + h * i * m.tanh(w * j - 1.0)
        return e

    def shifted(w, h, n, s):
        """Outer range from a run-time start, inner from i - 2: the table's first index
        is known at run time only (possibly negative)."""
        e = 0.0
        for i in range(s, n):
            for j in range(i - 2, n):
                e = e + m.cos(w * j) * (h + i)
        return e

    def domain(w, h, n):
        """log(j - 2) is defined on the indices the loop visits (j >= 3) only: a table
        filled from 0 would raise."""
        e = 0.0
        for i in range(n):
            for j in range(i + 3, n):
                e = e + w * m.log(j - 2.0) * h ** 2
        return e

    def outer_value(w, h, n):
        """cos(w * i * j) depends on i: stays in the loop."""
        e = 0.0
        for i in range(n):
            for j in range(i + 1, n):
                e = e + m.cos(w * i * j) * h
        return e

    def written(w, h, n):
        """``u`` changes in the outer loop: sin(u * j) stays in the loop."""
        e = 0.0
        u = w
        for i in range(n):
            for j in range(i, n):
                e = e + m.sin(u * j) * h
            u = u * 0.9
        return e
    return upper, lower, rectangle, shifted, domain, outer_value, written


PY = dict(zip(("upper", "lower", "rectangle", "shifted", "domain", "outer_value", "written"),
              _programs(math)))
JX = dict(zip(PY, _programs(jnp)))
CASES = [("upper", (0.7, 1.3, 9)), ("upper", (0.7, 1.3, 1)), ("upper", (0.7, 1.3, 0)),
         ("lower", (0.4, 0.8, 7)), ("rectangle", (0.5, 1.1, 4, 6)),
         ("rectangle", (0.5, 1.1, 0, 6)), ("shifted", (0.6, 0.9, 7, 1)),
         ("shifted", (0.6, 0.9, 5, -3)), ("shifted", (0.6, 0.9, 2, 4)),
         ("domain", (0.8, 1.2, 8)), ("outer_value", (0.3, 1.4, 6)), ("written", (0.3, 1.4, 6))]


@pytest.mark.parametrize("backend", ["python", "numba"])
@pytest.mark.parametrize("name,args", CASES, ids=[f"{n}-{a[2]}" for n, a in CASES])
def test_gradients(name, args, backend):
    if backend == "numba":
        pytest.importorskip("numba")
    f = PY[name]
    got = pullback.grad(f, argnums=(0, 1), backend=backend)(*args)
    want = jax.grad(JX[name], argnums=(0, 1))(*args)
    for m, (g, w) in enumerate(zip(got, want)):
        assert abs(g - float(w)) <= 1e-10 * max(1.0, abs(float(w))), (got, want)
        h = 1e-6
        up, dn = list(args), list(args)
        up[m] += h
        dn[m] -= h
        assert abs(g - (f(*up) - f(*dn)) / (2 * h)) <= 1e-5 * max(1.0, abs(g))


def _source(name):
    args = dict(CASES)[name]
    g = pullback.grad(PY[name], argnums=(0, 1))
    g(*args)
    return pullback.source(g)


def _inner_loops(text):
    """The bodies of the loops over j (forward and reverse)."""
    out, depth = [], None
    for line in text.splitlines():
        pad = len(line) - len(line.lstrip())
        if depth is not None and pad <= depth:
            depth = None
        if depth is not None:
            out.append(line)
        elif line.lstrip().startswith("for j in"):
            depth = pad
    return "\n".join(out)


@pytest.mark.parametrize("name", ["upper", "lower", "rectangle", "shifted", "domain"])
def test_tabled(name):
    """The costly index-only values are read from tables in both sweeps."""
    text = _source(name)
    inner = _inner_loops(text)
    for fn in ("math.sin", "math.cos", "math.exp", "math.sqrt", "math.tanh", "math.log"):
        assert fn not in inner, (fn, text)
    assert "table[" in inner


@pytest.mark.parametrize("name", ["outer_value", "written"])
def test_not_tabled(name):
    assert "table = []" not in _source(name)


def test_hessian():
    """Forward over reverse differentiates the tables' filling loops too."""
    args = (0.7, 1.3, 6)
    got = np.array(pullback.hessian(PY["upper"], argnums=(0, 1))(*args), dtype=float)
    want = np.array(jax.hessian(JX["upper"], argnums=(0, 1))(*args), dtype=float)
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-10)
