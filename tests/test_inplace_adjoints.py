"""optimize/inplace_adjoints.py: slice reads' adjoints add into one buffer in place,
only where the buffer is owned, with gradients unchanged (against JAX)."""
import importlib.util

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import pullback

jax.config.update("jax_enable_x64", True)
RNG = np.random.default_rng(7)

NEEDS_NUMBA = pytest.mark.skipif(importlib.util.find_spec("numba") is None,
                                 reason="Numba is an optional dependency")


def rosenbrock(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def rosenbrock_jax(x):
    return jnp.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def test_slice_adjoints_add_in_place():
    x = RNG.normal(size=9)
    g = pullback.grad(rosenbrock)
    assert np.allclose(g(x), jax.grad(rosenbrock_jax)(x), rtol=1e-12, atol=1e-12)
    src = pullback.source(g)
    body = src[src.index("def rosenbrock_grad"):]
    assert body.count("getitem_vjp(") == 1          # one buffer, made by the first read
    assert "x_bar[:-1] += " in body and "x_bar[1:] += " in body
    assert "x_bar = x_bar +" not in body


def aliased(x):
    y = x                      # y_bar and x_bar may share one array: no write into it
    return np.sum(y[1:] * 2.0) + np.sum(x[:-1] * y[:-1]) + np.sum(y[2:])


def aliased_jax(x):
    y = x
    return jnp.sum(y[1:] * 2.0) + jnp.sum(x[:-1] * y[:-1]) + jnp.sum(y[2:])


def repeated(x):             # advanced indices: repeats add up, never in place
    return np.sum(x[[0, 0, 2]] * x[1:4]) + np.sum(x[1:] ** 2)


def repeated_jax(x):
    return jnp.sum(x[jnp.array([0, 0, 2])] * x[1:4]) + jnp.sum(x[1:] ** 2)


def windows(x, n):           # accumulated in a loop: one zeros buffer before it
    s = 0.0
    for i in range(n):
        s = s + np.sum(x[i, 1:] ** 2) * (i + 1.0) + x[i + 1, 0] * x[i, 0]
    return s


def windows_jax(x, n):
    s = 0.0
    for i in range(n):
        s = s + jnp.sum(x[i, 1:] ** 2) * (i + 1.0) + x[i + 1, 0] * x[i, 0]
    return s


def view_kept(x):            # a view of the adjoint is read after the next contribution
    u = x * 1.5
    u[1:] = u[1:] + 0.5 * u[:-1]
    u[:-1] = u[:-1] * u[1:]
    return np.sum(u * u)


def view_kept_jax(x):
    u = x * 1.5
    u = u.at[1:].set(u[1:] + 0.5 * u[:-1])
    u = u.at[:-1].set(u[:-1] * u[1:])
    return jnp.sum(u * u)


@pytest.mark.parametrize("f, twin, extra", [
    (rosenbrock, rosenbrock_jax, ()), (aliased, aliased_jax, ()),
    (repeated, repeated_jax, ()), (windows, windows_jax, (5,)),
    (view_kept, view_kept_jax, ())])
def test_gradients_match_jax(f, twin, extra):
    x = RNG.normal(size=(6, 3) if f is windows else 8)
    got = pullback.grad(f)(x, *extra)
    want = jax.grad(twin)(x, *extra)
    assert np.allclose(got, want, rtol=1e-10, atol=1e-12)


def shared(x, z):           # x_bar and z_bar are one array: x[1:] must not add into it
    a = x[1:] * 2.0
    u = x + z
    return np.sum(u ** 2) + np.sum(a * a)


def shared_jax(x, z):
    a = x[1:] * 2.0
    u = x + z
    return jnp.sum(u ** 2) + jnp.sum(a * a)


@pytest.mark.parametrize("backend", ["python", pytest.param("numba", marks=NEEDS_NUMBA)])
def test_shared_adjoints_are_not_written_in_place(backend):
    x, z = RNG.normal(size=7), RNG.normal(size=7)
    got = pullback.grad(shared, argnums=(0, 1), backend=backend)(x, z)
    want = jax.grad(shared_jax, argnums=(0, 1))(x, z)
    for a, b in zip(got, want):
        assert np.allclose(a, b, rtol=1e-12, atol=1e-12)


def test_repeated_indices_are_not_written_in_place():
    g = pullback.grad(repeated)
    g(RNG.normal(size=6))
    src = pullback.source(g)
    assert "x_bar[[0, 0, 2]] +=" not in src


def test_loop_accumulates_into_one_zeros_buffer():
    g = pullback.grad(windows)
    g(RNG.normal(size=(6, 3)), 5)
    body = pullback.source(g)
    body = body[body.index("def windows_grad"):]
    assert "np.zeros((6, 3)" in body and "getitem_vjp(" not in body
    loop = body[body.index("reversed("):]
    assert "+= " in loop and "x_bar = x_bar +" not in loop


def test_hessian_over_in_place_adjoints():
    x = RNG.normal(size=6)
    assert np.allclose(pullback.hessian(rosenbrock)(x), jax.hessian(rosenbrock_jax)(x),
                       rtol=1e-10, atol=1e-10)


def _scatter_then_add(share):
    """b = 2 x; [keep = b;] t = getitem_vjp(g, x, 1:); b = b + t; return b[, keep]"""
    from pullback.ir import Assign, Const, Function, Return, Var
    from pullback.ir.types import Array
    vec, part = Array("float64", (10,)), Array("float64", (9,))
    x, g, b, t, keep = Var("x", vec), Var("g", part), Var("b", vec), Var("t", vec), Var("keep", vec)
    body = [Assign(b, "mul", (x, Const(2.0)))]
    if share:
        body.append(Assign(keep, "copy", (b,)))
    body += [Assign(t, "getitem_vjp", (g, x, Const(slice(1, None)))), Assign(b, "add", (b, t)),
             Return((b, keep) if share else (b,))]
    return Function("f", (x, g), tuple(body))


@pytest.mark.parametrize("share", [False, True])
def test_writes_in_place_only_into_an_owned_buffer(share):
    from pullback.backends.python import emit_function
    from pullback.optimize.inplace_adjoints import accumulate_in_place
    fn = accumulate_in_place(_scatter_then_add(share))
    ops = [s.op for s in fn.body if hasattr(s, "op")]
    assert ("getitem_vjp" in ops) == share and ("setitem" in ops) != share
    ns = {"np": np}
    exec(emit_function(fn), ns)
    exec("\n".join(__import__("inspect").getsource(h) for h in (
        __import__("pullback.rules.np_helpers", fromlist=["x"]).getitem_vjp,)), ns)
    x, g = RNG.normal(size=10), RNG.normal(size=9)
    out = ns["f"](x, g)
    want = 2 * x + np.concatenate(([0.0], g))
    assert np.allclose(out[0] if share else out, want)
    if share:
        assert np.allclose(out[1], 2 * x)
    else:
        assert "b[1:] += g" in emit_function(fn)


def test_gradient_without_the_value_drops_its_computation():
    from pullback.backends.python import emit_module
    from pullback.pipeline import Reverse, derive
    from pullback.ir.types import Array
    layers = (Reverse((True,), value=False),)
    src = emit_module(derive(rosenbrock, [Array("float64", (9,))], None, layers)[1])
    ns = {}
    exec(src, ns)
    x = RNG.normal(size=9)
    assert np.allclose(ns["rosenbrock_grad"](x), jax.grad(rosenbrock_jax)(x), rtol=1e-12)
    assert "np.sum" not in src and "return x_bar" in src


def new_axes(a, b):          # a[None, :] reads every element once: its adjoint is a reshape
    return np.sum(np.tanh(a[None, :] * b[:, None]))


def new_axes_jax(a, b):
    return jnp.sum(jnp.tanh(a[None, :] * b[:, None]))


def test_new_axis_reads_scatter_into_no_zeros():
    a, b = RNG.normal(size=4), RNG.normal(size=3)
    g = pullback.grad(new_axes, argnums=(0, 1))
    for got, want in zip(g(a, b), jax.grad(new_axes_jax, argnums=(0, 1))(a, b)):
        assert np.allclose(got, want, rtol=1e-12, atol=1e-12)
    src = pullback.source(g)
    assert "getitem_vjp(" not in src[src.index("def new_axes_grad"):]
