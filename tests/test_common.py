"""optimize/common.py (an operation computed again on the same values is shared; a sum of
one value with itself is twice it) and the sums of scaled adjoints in
optimize/scaled_adjoints.py: fewer passes over arrays, every gradient against JAX and
central differences, also where a value changes between two equal-looking operations."""
import jax.numpy as jnp
import numpy as np
import pytest

import pullback
from jax_fd import checked_source as check
from pullback.ir import Assign, Const, For, Function, Return, Var
from pullback.ir.printer import format_function
from pullback.ir.types import Array
from pullback.optimize.common import reuse_common

RNG = np.random.default_rng(23)


def weighted_square(u, w):
    return np.sum(u * u * w)


def weighted_square_jax(u, w):
    return jnp.sum(u * u * w)


def test_a_square_adds_its_product_once():
    body = check(weighted_square, weighted_square_jax, (RNG.normal(size=5), RNG.normal(size=5)))
    assert "u_bar = 2.0 * (u * w)" in body


def twice_exp(q, x):          # the user computes np.exp(q) twice
    return np.sum(np.exp(q) * x) + np.sum(np.exp(q) ** 2)


def twice_exp_jax(q, x):
    return jnp.sum(jnp.exp(q) * x) + jnp.sum(jnp.exp(q) ** 2)


def test_the_users_repeated_operation_is_computed_once():
    body = check(twice_exp, twice_exp_jax, (RNG.normal(size=4), RNG.normal(size=4)))
    assert body.count("np.exp(q)") == 1


def centred(x, m):            # the adjoint of m: a sum of -g, now -(sum of g)
    xc = x - m[None, :]
    return np.sum(xc * xc * np.arange(1.0, 4.0)[None, :])


def centred_jax(x, m):
    xc = x - m[None, :]
    return jnp.sum(xc * xc * jnp.arange(1.0, 4.0)[None, :])


def test_a_sum_of_a_negated_adjoint_negates_the_sum():
    args = (RNG.normal(size=(6, 3)), RNG.normal(size=3))
    body = check(centred, centred_jax, args, 1)
    assert "np.sum(-" not in body
    check(centred, centred_jax, args, 0)


def changed_between(x):       # u changes between two equal-looking products
    u = x * 2.0
    a = np.sum(u * x)
    u[0] = 5.0
    b = np.sum(u * x)
    return a * b


def changed_between_jax(x):
    u = jnp.asarray(x) * 2.0
    a = jnp.sum(u * x)
    u = u.at[0].set(5.0)
    b = jnp.sum(u * x)
    return a * b


def in_a_loop(x):             # the same text each iteration, other values each time
    s = 0.0
    y = x * 1.0
    for i in range(3):
        s = s + np.sum(np.sin(y) * x)
        y = y * 1.5 + np.sin(y)
    return s


def in_a_loop_jax(x):
    s = 0.0
    y = x * 1.0
    for i in range(3):
        s = s + jnp.sum(jnp.sin(y) * x)
        y = y * 1.5 + jnp.sin(y)
    return s


@pytest.mark.parametrize("f, fj", [(changed_between, changed_between_jax),
                                   (in_a_loop, in_a_loop_jax)])
def test_values_that_change_are_not_shared(f, fj):
    x = RNG.normal(size=4)
    check(f, fj, (x,))
    value, _ = pullback.value_and_grad(f)(x)
    assert np.isclose(value, float(fj(x)))


def test_what_is_shared_in_the_ir():
    a = Array("float64", (3,))
    x, y, t1, t2, t3 = (Var(n, a) for n in ("x", "y", "t1", "t2", "t3"))
    i = Var("i", "int")
    same = Function("f", (x, y), (Assign(t1, "mul", (x, y)), Assign(t2, "mul", (x, y)),
                                  Return((t2,))))
    assert "t2 = copy(t1)" in format_function(reuse_common(same))
    rebound = Function("f", (x, y), (Assign(t1, "mul", (x, y)), Assign(x, "exp", (y,)),
                                     Assign(t2, "mul", (x, y)), Return((t1, t2))))
    assert "copy" not in format_function(reuse_common(rebound))
    written = Function("f", (x, y), (Assign(t1, "mul", (x, y)), Assign(t2, "mul", (x, y)),
                                     Assign(t2, "setitem", (t2, Const(0), Const(1.0))),
                                     Return((t1, t2))))
    assert "copy" not in format_function(reuse_common(written))   # t2 is written in place
    loop = Function("f", (x, y), (Assign(t1, "mul", (x, y)),
                                  For(i, Const(0), Const(2), Const(1),
                                      (Assign(t3, "mul", (x, y)),)), Return((t1, t3))))
    assert "copy" not in format_function(reuse_common(loop))      # another block
