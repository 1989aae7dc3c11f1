"""optimize/scaled_adjoints.py: constant factors of adjoints fold together and a
broadcast seed disappears from products, with gradients unchanged (against JAX)."""
import importlib.util

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import pullback
from pullback.ir import Assign, Const, Function, Return, Var
from pullback.ir.types import Array
from pullback.optimize.scaled_adjoints import fold_scaled

jax.config.update("jax_enable_x64", True)
RNG = np.random.default_rng(3)
VEC = Array("float64", (4,))

NEEDS_NUMBA = pytest.mark.skipif(importlib.util.find_spec("numba") is None,
                                 reason="Numba is an optional dependency")


def test_factors_and_seed_fold():
    """The docstring's example: t2 = t1, t4 = 200 a, t5 = -200 a."""
    a, y = Var("a", VEC), Var("y", VEC)
    t, t1, t2, t3, t4, t5 = (Var(n, VEC) for n in ("t", "t1", "t2", "t3", "t4", "t5"))
    fn = Function("f", (a, y), (
        Assign(t, "expand_to", (Const(1.0), y, Const(None), Const(False))),
        Assign(t1, "mul", (Const(2), a)), Assign(t2, "mul", (t1, t)),
        Assign(t3, "mul", (Const(100.0), t)), Assign(t4, "mul", (t1, t3)),
        Assign(t5, "neg", (t4,)), Return((t2, t4, t5))))
    body = {s.target.name: s for s in fold_scaled(fn).body if isinstance(s, Assign)}
    assert body["t2"].op == "copy" and body["t2"].args == (t1,)
    assert body["t4"].op == "mul" and body["t4"].args == (Const(200.0), a)
    assert body["t5"].op == "mul" and body["t5"].args == (Const(-200.0), a)


def test_user_arithmetic_and_shapes_stay():
    """A statement with a source position is the user's; a broadcast seed times a
    smaller factor keeps its shape."""
    from pullback.ir import Loc
    small = Array("float64", (1,))
    a, s, y = Var("a", VEC), Var("s", small), Var("y", VEC)
    t, u, w = Var("t", VEC), Var("u", VEC), Var("w", VEC)
    fn = Function("f", (a, s, y), (
        Assign(t, "expand_to", (Const(1.0), y, Const(None), Const(False))),
        Assign(u, "mul", (s, t)), Assign(w, "mul", (Const(0), t), Loc("x.py", 1, 0)),
        Return((u, w))))
    assert fold_scaled(fn).body == fn.body


def rosenbrock(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def rosenbrock_jax(x):
    return jnp.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def layer(w, x):             # the seed meets a matmul's rule: it must keep its shape
    return np.sum(np.tanh(x @ w) * 3.0) - 2.0 * np.sum(w * w)


def layer_jax(w, x):
    return jnp.sum(jnp.tanh(x @ w) * 3.0) - 2.0 * jnp.sum(w * w)


def test_rosenbrock_reads_like_the_hand_written_gradient():
    g = pullback.grad(rosenbrock)
    x = RNG.normal(size=7)
    assert np.allclose(g(x), jax.grad(rosenbrock_jax)(x), rtol=1e-12, atol=1e-12)
    src = pullback.source(g)
    body = src[src.index("def rosenbrock_grad"):]
    assert "expand_to" not in body and "x_bar[1:] += 200.0 * t4" in body


@pytest.mark.parametrize("backend", ["python", pytest.param("numba", marks=NEEDS_NUMBA)])
def test_gradients_match_jax(backend):
    w, x = RNG.normal(size=(3, 2)), RNG.normal(size=(5, 3))
    got = pullback.grad(layer, backend=backend)(w, x)
    assert np.allclose(got, jax.grad(layer_jax)(w, x), rtol=1e-12, atol=1e-12)
    x = RNG.normal(size=7)
    got = pullback.grad(rosenbrock, backend=backend)(x)
    assert np.allclose(got, jax.grad(rosenbrock_jax)(x), rtol=1e-12, atol=1e-12)
