"""A custom rule (and any statement) whose argument's shape is known only at run time: its
adjoint is summed down to the argument's shape by reading the argument in the reverse
sweep, so a loop over ``x[i:]`` must tape it (analysis/tbr.py ``shape_reads``: it read the
last iteration's, a silently wrong gradient even without custom rules); the transposed
JVP rule's tangent stand-in has the argument's shape (a 0.0 summed the cotangent to a
number); and a rule called with a number here and an array there gets a copy of its
functions per call (analysis/split_callees.py: the array's type reached the number's
call).  Against JAX and central differences."""
import numpy as np
import pytest

import pullback
from jax_fd import fd_grad

jax = pytest.importorskip("jax")
jnp = jax.numpy


@pullback.custom_jvp
def sq(x):
    return x * x


sq.defjvp(lambda p, t: (sq(p[0]), 2.0 * p[0] * t[0]))


@pullback.custom_vjp
def sqv(x):
    return x * x


sqv.defvjp(lambda x: (x * x, x), lambda r, g: (2.0 * r * g,))


@pullback.custom_vjp
def softabs(v):
    return np.sqrt(v * v + 0.01)


softabs.defvjp(lambda v: (softabs(v), v), lambda r, g: (r / np.sqrt(r * r + 0.01) * g,))


def tails(x):
    s = 0.0
    for i in range(3):
        s = s + np.sum(x[i:] * 2.0)
    return s


def rule_tails(x):
    s = 0.0
    for i in range(3):
        s = s + np.sum(sqv(x[i:]))
    return s


def two_shapes(x):
    return np.sum(sq(x[0:])) + np.sum(sq(x[1:]))


def number_and_array(x):
    return np.sum(softabs(x)) + softabs(x[0] * 2.0)


def two_arrays(x):
    return np.sum(softabs(x.reshape(2, 2))) + np.sum(softabs(x))


X = np.array([0.1, -0.5, 0.9, 0.4])


def test_slices_of_a_loop():
    x = X[:3]          # the last slice has one element: the others were summed down to it
    want = jax.grad(lambda x: sum(jnp.sum(x[i:] * 2.0) for i in range(3)))(x)
    assert np.allclose(pullback.grad(tails)(x), want, rtol=1e-12)
    want = jax.grad(lambda x: sum(jnp.sum(x[i:] ** 2) for i in range(3)))(x)
    assert np.allclose(pullback.grad(rule_tails)(x), want, rtol=1e-12)


def test_a_jvp_rule_at_two_shapes():
    want = jax.grad(lambda x: jnp.sum(x ** 2) + jnp.sum(x[1:] ** 2))(X)
    assert np.allclose(pullback.grad(two_shapes)(X), want, rtol=1e-12)
    assert np.allclose(pullback.hessian(two_shapes)(X),
                       jax.hessian(lambda x: jnp.sum(x ** 2) + jnp.sum(x[1:] ** 2))(X))


def test_a_rule_on_a_number_and_on_arrays():
    value, tangent = pullback.jvp(number_and_array, (X,), (np.eye(4)[1],))
    assert np.ndim(value) == 0 and np.isclose(value, number_and_array(X), rtol=1e-12)
    got = pullback.grad(number_and_array)(X)
    assert np.allclose(got, fd_grad(number_and_array, (X,), 0), rtol=1e-6)
    assert np.isclose(tangent, got[1], rtol=1e-12)
    assert np.allclose(pullback.grad(two_arrays)(X), fd_grad(two_arrays, (X,), 0), rtol=1e-6)


@pytest.mark.parametrize("entry", [
    lambda: pullback.grad(sqv)(1.0), lambda: pullback.jvp(sqv, (1.0,), (1.0,)),
    lambda: pullback.vjp(sqv, 1.0), lambda: pullback.hessian(sq)(1.0)])
def test_a_custom_rule_function_itself_is_an_error_at_its_definition(entry):
    with pytest.raises(pullback.UnsupportedError, match="itself: differentiate a def") as e:
        entry()
    assert e.value.filename == __file__
