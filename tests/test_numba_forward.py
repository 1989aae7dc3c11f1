"""Forward mode under the Numba backend: ``jvp(..., backend="numba")`` and ``hvp``.

The tangent module (``transforms/forward.py``) goes through the same Numba
printer and disk cache as reverse-mode code.  Each result is checked against
``jax.jvp`` of a JAX twin of the same source (globals rebound to JAX) and
against the python backend; none is compared with the Numba backend's own output.
Compile errors in tangent code are tested beside the reverse-mode ones (test_numba.py).
"""
import math
import os
import sys
import types

import pytest

pytest.importorskip("numba")
jax = pytest.importorskip("jax")
np = pytest.importorskip("numpy")

import pullback  # noqa: E402
from pullback.jacobians import jvp_source  # noqa: E402
import test_numba  # noqa: E402
from test_corpus import _build_jax_functions  # noqa: E402
from test_numba import pendulum  # noqa: E402

jax.config.update("jax_enable_x64", True)


def spring(x, k):
    return k * x * math.exp(-x * x)


def calls(x, k):
    total = 0.0
    for i in range(6):
        total = total + spring(x + 0.1 * i, k) * math.cos(x)
    return total, spring(total, 0.5)


def branches(x, y):
    s = 0.0
    for i in range(8):
        if x > 0.3:
            x = x * 0.7 + 0.01 * y
        else:
            x = x + math.tanh(y)
        s = s + x * y
    return s


def mlp(w, b, x):
    h = np.tanh(x @ w + b)
    return np.sum(h * h, axis=1), np.sum(h) + np.max(w)


def heat(u0, k):
    u = u0.copy()
    for _ in range(5):
        u[1:-1] = u[1:-1] + k * (u[2:] - 2.0 * u[1:-1] + u[:-2])
    return np.sum(u * u)


def heat_jax(u0, k):
    """heat with JAX's functional update for the in-place write."""
    u = u0
    for _ in range(5):
        u = u.at[1:-1].set(u[1:-1] + k * (u[2:] - 2.0 * u[1:-1] + u[:-2]))
    return jax.numpy.sum(u * u)


JAX_OF = _build_jax_functions([sys.modules[__name__], test_numba])
JAX_OF[heat] = heat_jax
JAX_OF[mlp] = types.FunctionType(mlp.__code__, {**JAX_OF[mlp].__globals__, "np": jax.numpy})


def _jax_jvp(f, primals, tangents):
    import jax.numpy as jnp
    floats = [i for i, p in enumerate(primals) if not isinstance(p, int)]

    def g(*xs):
        full = list(primals)
        for i, x in zip(floats, xs):
            full[i] = x
        return JAX_OF[f](*full)
    return jax.jvp(g, tuple(jnp.asarray(primals[i]) for i in floats),
                   tuple(jnp.asarray(tangents[i], dtype=float) for i in floats))


def _close(got, want, rtol=1e-10):
    if isinstance(got, tuple):
        assert len(got) == len(want)
        for a, b in zip(got, want):
            _close(a, b, rtol)
        return
    np.testing.assert_allclose(np.asarray(got), np.asarray(want), rtol=rtol, atol=1e-12)


def _rng():
    return np.random.default_rng(7)


CASES = {
    "pendulum": (pendulum, (1.3, 0.2, 0.4, 50), (0.5, -1.0, 2.0, 0)),
    "calls": (calls, (0.7, 1.5), (1.0, -0.5)),
    "branches": (branches, (0.9, 0.4), (1.0, 0.3)),
    "mlp": (mlp, (_rng().normal(0, 0.5, (4, 3)), _rng().normal(0, 0.1, 3),
                  _rng().normal(0, 1, (5, 4))),
            (_rng().normal(0, 1, (4, 3)), np.ones(3), np.zeros((5, 4)))),
    "heat": (heat, (_rng().normal(0, 1, 9), 0.2), (_rng().uniform(-1, 1, 9), 0.5)),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_jvp_numba_matches_jax_and_python(name):
    f, primals, tangents = CASES[name]
    got = pullback.jvp(f, primals, tangents, backend="numba")
    _close(got, pullback.jvp(f, primals, tangents), rtol=1e-12)
    _close(got, _jax_jvp(f, primals, tangents))


def test_jvp_numba_source_is_njit_and_cached_on_disk():
    text = jvp_source(pendulum, (1.0, 0.1, 0.3, 5), backend="numba")
    assert "@njit(cache=True)\ndef pendulum_jvp(" in text
    pullback.jvp(pendulum, (1.0, 0.1, 0.3, 5), (1.0, 0.0, 0.0, 0), backend="numba")
    from pullback.pipeline import _CACHE
    comp = next(ps[0].comp for k, ps in _CACHE.items()    # (newest specialisation first)
                if k[:2] == ("forward", pendulum) and k[-1] == "numba")
    stem = os.path.splitext(os.path.basename(comp.path))[0]
    cached = os.listdir(os.path.join(os.path.dirname(comp.path), "index"))
    assert any(n.startswith(stem) and n.endswith(".nbi") for n in cached)


def test_hvp_numba_matches_python_backend_and_jax():
    args, v = (1.3, 0.2, 0.4, 30), (1.0, -0.5, 0.25, 0.0)
    got = pullback.hvp(pendulum, args, v, backend="numba")
    assert got == pytest.approx(pullback.hvp(pendulum, args, v), rel=1e-12)
    g = jax.grad(lambda k, c, x0: JAX_OF[pendulum](k, c, x0, 30), argnums=(0, 1, 2))
    _, want = jax.jvp(g, args[:3], v[:3])
    assert got[:3] == pytest.approx(tuple(float(w) for w in want), rel=1e-10)


def test_jvp_unknown_backend_is_a_value_error():
    with pytest.raises(ValueError, match="backend"):
        pullback.jvp(spring, (1.0, 2.0), (1.0, 0.0), backend="fortran")


def test_jacobian_and_hessian_numba_match_python_backend():
    args = (0.7, 1.5)
    for mode in ("forward", "reverse"):
        got = pullback.jacobian(calls, (0, 1), mode=mode, backend="numba")(*args)
        ref = pullback.jacobian(calls, (0, 1), mode=mode)(*args)
        np.testing.assert_allclose(np.array(got), np.array(ref), rtol=1e-12)
    h = pullback.hessian(branches, (0, 1), backend="numba")(0.9, 0.4)
    ref = pullback.hessian(branches, (0, 1))(0.9, 0.4)
    assert np.allclose(np.array(h), np.array(ref), rtol=1e-12)
    hd = jax.hessian(JAX_OF[branches], argnums=(0, 1))(0.9, 0.4)
    assert np.allclose(np.array(h), np.array(hd), rtol=1e-10)
