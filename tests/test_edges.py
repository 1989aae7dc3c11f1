"""Derivatives at non-differentiable points and outside domains, against JAX (docs/edges.md).

Where JAX returns a number, pullback returns the same number; where JAX
returns inf or nan because Python's float arithmetic raises instead, pullback
raises (the table says which exception).  Integer and boolean arguments get
no gradient.
"""
import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import pullback

jax.config.update("jax_enable_x64", True)

# name: (pullback function, JAX function, args, argnums)
EDGES = {
    "abs at 0": (lambda x: abs(x), jnp.abs, (0.0,), 0),
    "abs at -0.0": (lambda x: abs(x), jnp.abs, (-0.0,), 0),
    "fabs at 0": (lambda x: math.fabs(x), jnp.fabs, (0.0,), 0),
    "np.abs at 0": (lambda x: np.abs(x), jnp.abs, (0.0,), 0),
    "max tie": (lambda a, b: max(a, b), jnp.maximum, (1.0, 1.0), (0, 1)),
    "min tie": (lambda a, b: min(a, b), jnp.minimum, (1.0, 1.0), (0, 1)),
    "max of three, tie": (lambda a, b: max(a, b, a),
                          lambda a, b: jnp.maximum(jnp.maximum(a, b), a), (1.0, 1.0), (0, 1)),
    "np.maximum tie": (lambda a, b: np.maximum(a, b), jnp.maximum, (2.0, 2.0), (0, 1)),
    "np.where at the switch": (lambda x: np.where(x > 0, x, 2 * x),
                               lambda x: jnp.where(x > 0, x, 2 * x), (0.0,), 0),
    "conditional at the switch": (lambda x: x if x > 0 else -3 * x,
                                  lambda x: jnp.where(x > 0, x, -3 * x), (0.0,), 0),
    "np.clip at lo": (lambda x, lo, hi: np.clip(x, lo, hi), jnp.clip, (0.0, 0.0, 1.0),
                      (0, 1, 2)),
    "np.clip at hi": (lambda x, lo, hi: np.clip(x, lo, hi), jnp.clip, (1.0, 0.0, 1.0),
                      (0, 1, 2)),
    "np.clip, lo == hi": (lambda x, lo, hi: np.clip(x, lo, hi), jnp.clip, (0.5, 0.5, 0.5),
                          (0, 1, 2)),
    "clip by min(max())": (lambda x: min(max(x, 0.0), 1.0),
                           lambda x: jnp.minimum(jnp.maximum(x, 0.0), 1.0), (0.0,), 0),
    "copysign(0, 1)": (lambda a, b: math.copysign(a, b), jnp.copysign, (0.0, 1.0), 0),
    "copysign(0, -1)": (lambda a, b: math.copysign(a, b), jnp.copysign, (0.0, -1.0), 0),
    "floor": (lambda x: math.floor(x) * 1.0, lambda x: jnp.floor(x), (2.0,), 0),
    "round at .5": (lambda x: round(x) * 1.0, lambda x: jnp.round(x), (2.5,), 0),
    "mod, dividend": (lambda a, b: a % b, lambda a, b: a % b, (3.0, 2.0), (0, 1)),
    "signed zero, copysign": (lambda a, b: math.copysign(a, 0.0 * b),
                              lambda a, b: jnp.copysign(a, 0.0 * b), (0.5, -1.0), (0, 1)),
    "signed zero, atan2": (lambda a, b: math.atan2(0.0 * b, a),
                           lambda a, b: jnp.arctan2(0.0 * b, a), (-1.0, -2.0), (0, 1)),
    "x ** 2 at 0": (lambda x: x ** 2, lambda x: x ** 2, (0.0,), 0),
    "x ** 0 at 0": (lambda x: x ** 0, lambda x: x ** 0, (0.0,), 0),
    "x ** n at 0, n = 0": (lambda x, n: x ** n, lambda x, n: x ** n, (0.0, 0), 0),
    "polynomial at 0": (lambda x: x ** 0 + x ** 1 + x ** 2, lambda x: 1.0 + x + x ** 2, (0.0,),
                        0),
    "0 ** y, both": (lambda a, b: a ** b, lambda a, b: a ** b, (0.0, 2.0), (0, 1)),
    "math.pow(0, y)": (lambda a, b: math.pow(a, b), jnp.power, (0.0, 2.0), (0, 1)),
}
# where Python's floats raise, pullback raises; what JAX gives instead (docs/edges.md)
DIFFER = {
    "sqrt at 0": (lambda x: math.sqrt(x), jnp.sqrt, (0.0,), 0, ZeroDivisionError, (math.inf,)),
    "x ** 0.5 at 0": (lambda x: x ** 0.5, lambda x: x ** 0.5, (0.0,), 0, ZeroDivisionError,
                      (math.inf,)),
    "cbrt at 0": (lambda x: math.cbrt(x), jnp.cbrt, (0.0,), 0, ZeroDivisionError, (math.inf,)),
    "acos at 1": (lambda x: math.acos(x), jnp.arccos, (1.0,), 0, ZeroDivisionError,
                  (-math.inf,)),
    "hypot at (0, 0)": (lambda a, b: math.hypot(a, b), jnp.hypot, (0.0, 0.0), (0, 1),
                        ZeroDivisionError, (0.5, 0.5)),
    "atan2 at (0, 0)": (lambda a, b: math.atan2(a, b), jnp.arctan2, (0.0, 0.0), (0, 1),
                        ZeroDivisionError, (math.nan, math.nan)),
    "log of a negative": (lambda x: math.log(x), jnp.log, (-1.0,), 0, ValueError, (-1.0,)),
    "negative ** y, d/dy": (lambda a, b: a ** b, lambda a, b: a ** b, (-2.0, 3.0), 1,
                            ValueError, (math.nan,)),
    "exp overflow": (lambda x: math.exp(x), jnp.exp, (1000.0,), 0, OverflowError, (math.inf,)),
}
DIFFER = {k: v for k, v in DIFFER.items() if hasattr(math, "cbrt") or "cbrt" not in k}


def _tuple(g):
    return tuple(float(v) for v in g) if isinstance(g, tuple) else (float(g),)


@pytest.mark.parametrize("name", sorted(EDGES))
def test_edge_as_in_jax(name):
    f, fj, args, argnums = EDGES[name]
    expected = _tuple(jax.grad(fj, argnums=argnums)(*args))
    got = _tuple(pullback.grad(f, argnums=argnums)(*args))
    assert got == pytest.approx(expected, rel=1e-12, abs=1e-15), (got, expected)


@pytest.mark.parametrize("name", sorted(DIFFER))
def test_edge_where_python_raises(name):
    f, fj, args, argnums, raises, jax_gives = DIFFER[name]
    with pytest.raises(raises):
        pullback.grad(f, argnums=argnums)(*args)
    got = _tuple(jax.grad(fj, argnums=argnums)(*args))
    assert got == pytest.approx(jax_gives, nan_ok=True), "docs/edges.md is out of date"


def test_int_and_bool_arguments_get_no_gradient():
    def f(x, n, flag):
        s = 0.0
        for i in range(n):
            s += x * i
        return s if flag else -s
    out, pull = pullback.vjp(f, 0.5, 3, True)
    assert pull(1.0) == (3.0, 0.0, 0.0)
    assert pullback.grad(f)(0.5, 3, False) == -3.0
    with pytest.raises(TypeError, match="argument 2: it is a bool"):
        pullback.grad(f, argnums=2)(0.5, 3, True)


def test_an_int_argument_asked_for_is_differentiated_as_a_float():
    """JAX raises here; pullback's documented choice is to treat the int as a float."""
    assert pullback.grad(lambda x, n: x * n * n, argnums=1)(2.0, 3) == 12.0
    with pytest.raises(TypeError):
        jax.grad(lambda x, n: x * n * n, argnums=1)(2.0, 3)


def test_branch_on_a_tie_follows_the_branch_taken():
    """``if x:`` at 0 takes the else branch; AD differentiates that branch (so does JAX),
    although the function is 16 x on both sides of 0."""
    def f(x):
        if x:
            x = x + x
        return 8 * x
    assert pullback.grad(f)(0.0) == 8.0
    assert float(jax.grad(f)(0.0)) == 8.0
