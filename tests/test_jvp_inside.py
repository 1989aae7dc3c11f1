"""``pullback.jvp`` called inside differentiated code (transforms/jvp_calls.py):
grad of a jvp is reverse over forward, jvp of a jvp forward over forward.
Checked against JAX (``jax.grad`` of ``jax.jvp``) and central differences."""
import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import pullback
from pullback.errors import UnsupportedError

jax.config.update("jax_enable_x64", True)


def close(a, b, rtol=1e-9, atol=1e-11):
    np.testing.assert_allclose(np.asarray(a, float), np.asarray(b, float), rtol=rtol, atol=atol)


def fd_grad(f, args, i, h=1e-6):
    """Central differences of scalar ``f`` in argument ``i`` (float or array)."""
    x = np.asarray(args[i], float)
    out = np.zeros_like(x)
    for k in np.ndindex(x.shape):
        hi = h * max(1.0, abs(x[k]))
        up, dn = x.copy(), x.copy()
        up[k] += hi
        dn[k] -= hi
        at = [list(args), list(args)]
        at[0][i], at[1][i] = (up if x.ndim else float(up)), (dn if x.ndim else float(dn))
        out[k] = (f(*at[0]) - f(*at[1])) / (2 * hi)
    return out if x.ndim else float(out)


# -- programs: (pullback function, JAX twin, arguments, differentiated argnums) ----------------
def loop(x, y):
    for i in range(3):
        x = x * math.sin(y) + y
    return x * x


def loop_jax(x, y):
    for i in range(3):
        x = x * jnp.sin(y) + y
    return x * x


def directional(x, y):
    """The derivative of ``loop`` along (1, 0.5)."""
    _, out_dot = pullback.jvp(loop, (x, y), (1.0, 0.5))
    return out_dot


def directional_jax(x, y):
    return jax.jvp(loop_jax, (x, y), (1.0, 0.5))[1]


def newton_step(x, a):
    """One Newton step for f(x) = x**3 - a, with f' from jvp; the tangent is a variable."""
    fx, dfx = pullback.jvp(lambda t: t ** 3 - a, (x,), (1.0,))
    return x - fx / dfx


def newton_step_jax(x, a):
    fx, dfx = jax.jvp(lambda t: t ** 3 - a, (x,), (1.0,))
    return x - fx / dfx


def newton(x, a):
    """Several steps in a loop: jvp of a closure over a (differentiated through)."""
    for k in range(4):
        x = newton_step(x, a)
    return x


def newton_jax(x, a):
    for k in range(4):
        x = newton_step_jax(x, a)
    return x


def pair(x, n):
    s, c = 0.0, 1.0
    for k in range(n):
        s, c = s + math.sin(x * c), c * math.cos(x) + 0.1
    return s, c


def pair_jax(x, n):
    s, c = 0.0, 1.0
    for k in range(n):
        s, c = s + jnp.sin(x * c), c * jnp.cos(x) + 0.1
    return s, c


def tuple_out(x, w):
    """jvp of a function with a tuple result and an int argument (its tangent 0)."""
    (s, c), (s_dot, c_dot) = pullback.jvp(pair, (x, 4), (w, 0))
    return s * c_dot + s_dot * s_dot


def tuple_out_jax(x, w):
    (s, c), (s_dot, c_dot) = jax.jvp(lambda t: pair_jax(t, 4), (x,), (w,))
    return s * c_dot + s_dot * s_dot


def model(W, x):
    h = np.tanh(W @ x)
    return np.sum(h * h) + np.sum(W[0] * x[:2])


def model_jax(W, x):
    h = jnp.tanh(W @ x)
    return jnp.sum(h * h) + jnp.sum(W[0] * x[:2])


def sensitivity(W, x, V):
    """A directional derivative along the matrix ``V``, then its gradient (arrays)."""
    y, y_dot = pullback.jvp(model, (W, x), (V, np.zeros(2)))
    return y_dot * y_dot + 0.1 * y


def sensitivity_jax(W, x, V):
    y, y_dot = jax.jvp(model_jax, (W, x), (V, jnp.zeros(2)))
    return y_dot * y_dot + 0.1 * y


RNG = np.random.default_rng(3)
W0, X0, V0 = RNG.normal(size=(3, 2)) * 0.5, RNG.normal(size=2), RNG.normal(size=(3, 2))
PROGRAMS = [
    (directional, directional_jax, (0.3, 0.7), (0, 1)),
    (newton, newton_jax, (1.3, 2.0), (0, 1)),
    (tuple_out, tuple_out_jax, (0.4, 0.8), (0, 1)),
    (sensitivity, sensitivity_jax, (W0, X0, V0), (0, 1, 2)),
]
IDS = [p[0].__name__ for p in PROGRAMS]


@pytest.mark.parametrize("f,fj,args,nums", PROGRAMS, ids=IDS)
def test_grad_of_jvp(f, fj, args, nums):
    value, grads = pullback.value_and_grad(f, argnums=nums)(*args)
    close(value, fj(*args))
    expected = jax.grad(fj, argnums=nums)(*args)
    for i, g, e in zip(nums, grads, expected):
        close(g, e)
        close(g, fd_grad(f, args, i), rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("f,fj,args,nums", PROGRAMS[:3], ids=IDS[:3])
def test_jvp_of_jvp_and_hessian(f, fj, args, nums):
    """Forward over forward, and forward over reverse over forward."""
    v = tuple(0.6 - 0.25 * i for i in range(len(args)))
    out, out_dot = pullback.jvp(f, args, v)
    e_out, e_dot = jax.jvp(fj, args, v)
    close(out, e_out)
    close(out_dot, e_dot)
    close(pullback.hessian(f, argnums=nums)(*args), jax.hessian(fj, argnums=nums)(*args),
          rtol=1e-8, atol=1e-10)


def test_source_calls_the_tangent_function():
    text = pullback.source(pullback.grad(directional))
    assert "loop_jvp_fwd(" in text and "loop_jvp_rev(" in text
    assert "pullback" not in text.split("\n", 2)[2]      # no runtime call into pullback


def hessian_inside(x):
    return pullback.hessian(loop)(x, 0.5)


def nested(x):
    return pullback.jvp(directional, (x, 1.0), (1.0, 0.0))[1]


def nested_jax(x):
    return jax.jvp(directional_jax, (x, 1.0), (1.0, 0.0))[1]


def test_jvp_of_a_function_that_calls_jvp():
    """Forward over forward inside, reverse over that: a third derivative."""
    close(nested(0.3), nested_jax(0.3))
    close(pullback.grad(nested)(0.3), jax.grad(nested_jax)(0.3), rtol=1e-8)
    close(pullback.grad(nested)(0.3), fd_grad(nested, (0.3,), 0), rtol=1e-5)


def bad_structure(x, y):
    return pullback.jvp(loop, (x,), (1.0,))[1]


@pytest.mark.parametrize("f,match", [
    (hessian_inside, "pullback's 'hessian' inside differentiated code"),
    (bad_structure, "do not match the parameters"),
])
def test_rejections_name_the_line(f, match):
    with pytest.raises(UnsupportedError, match=match) as info:
        pullback.grad(f)(0.3, 0.2) if f is bad_structure else pullback.grad(f)(0.3)
    assert "test_jvp_inside.py" in str(info.value)


def test_printed_reverse_source_is_rejected_with_the_composition_to_use(tmp_path):
    """The printed gradient pops its tapes: grad of it names the line and what to do."""
    import importlib.util
    path = tmp_path / "loop_grad.py"
    path.write_text(pullback.source(pullback.grad(loop, argnums=(0, 1))))
    spec = importlib.util.spec_from_file_location("loop_grad", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)

    def first(x, y):
        return mod.loop_grad(x, y)[1]
    with pytest.raises(UnsupportedError, match=r"stack \('.pop\(\)'\).*hessian") as info:
        pullback.grad(first)(0.3, 0.7)
    assert "loop_grad.py" in str(info.value)
    close(pullback.jacobian(pullback.grad(loop, argnums=(0, 1)), argnums=(0, 1))(0.3, 0.7)[0],
          jax.grad(jax.grad(loop_jax, argnums=0), argnums=(0, 1))(0.3, 0.7))
