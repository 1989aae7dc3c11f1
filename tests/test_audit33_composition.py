"""Audit 33: derivatives composed with derivatives (grad over an inner grad or jvp of a
custom_vjp function, derivatives of pullback's own derivative objects, partials, pre-made
jacobians and hessians called in differentiated code).  Every number is checked against
JAX (x64) or central differences, never against pullback's own output."""
import functools

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import pullback
from pullback.errors import UnsupportedError

jax.config.update("jax_enable_x64", True)


@pullback.custom_vjp
def softplus(z):
    return np.logaddexp(0.0, z)


softplus.defvjp(lambda z: (softplus(z), 1.0 / (1.0 + np.exp(-z))),    # residual sigmoid(z)
                lambda s, g: (g * s,))


@pullback.custom_vjp
def softplus_z(z):
    return np.logaddexp(0.0, z)


softplus_z.defvjp(lambda z: (softplus_z(z), z),                        # residual z itself
                  lambda z, g: (g / (1.0 + np.exp(-z)),))


def jsp(z):
    return jnp.logaddexp(0.0, z)


def central(f, t, h=1e-6):
    return (f(t + h) - f(t - h)) / (2 * h)


@pytest.mark.parametrize("act", [softplus, softplus_z])
def test_grad_over_inner_grad_of_custom_vjp_differentiates_its_residual(act):
    # the residual sigmoid(t) depends on t: dropping that gave sigmoid(t) alone (0.6457)
    got = pullback.grad(lambda t: pullback.grad(lambda z: act(z) * t)(t))(0.6)
    want = jax.grad(lambda t: jax.grad(lambda z: jsp(z) * t)(t))(0.6)
    assert np.isclose(got, want, rtol=1e-10)
    assert np.isclose(got, central(lambda t: t / (1 + np.exp(-t)), 0.6), rtol=1e-7)


def test_grad_over_inner_value_and_grad_and_jvp_of_custom_vjp():
    want = jax.grad(lambda t: jax.grad(lambda z: jsp(z) * t)(t))(0.6)
    got = pullback.grad(lambda t: pullback.value_and_grad(lambda z: softplus(z) * t)(t)[1])(0.6)
    assert np.isclose(got, want, rtol=1e-10)
    got = pullback.grad(lambda t: pullback.jvp(lambda z: softplus(z) * t, (t,), (1.0,))[1])(0.6)
    assert np.isclose(got, want, rtol=1e-10)


X = np.array([[0.5, -1.0, 0.3], [1.2, 0.4, -0.7]])
Y = np.array([1.0, -0.5])
W = np.array([0.2, -0.3, 0.5])


def loss(w):
    return np.sum((softplus(X @ w) - Y) ** 2)


def jloss(w):
    return jnp.sum((jsp(X @ w) - Y) ** 2)


def test_meta_learning_step_through_custom_vjp_activation():
    # was TransformError '<unknown>:0:0: pack returns a tuple'
    got = pullback.grad(lambda w: loss(w - 0.1 * pullback.grad(loss)(w)))(W)
    want = jax.grad(lambda w: jloss(w - 0.1 * jax.grad(jloss)(w)))(W)
    assert np.allclose(got, want, rtol=1e-10)


def test_grad_over_inner_jvp_of_custom_vjp_on_arrays():
    v = np.array([1.0, 0.5, -2.0])
    got = pullback.grad(lambda w: pullback.jvp(loss, (w,), (v,))[1])(W)
    want = jax.grad(lambda w: jax.jvp(jloss, (w,), (v,))[1])(W)
    assert np.allclose(got, want, rtol=1e-10)


def test_large_custom_vjp_output_under_reverse_over_jvp_is_rejected_at_its_line():
    x = np.linspace(-1.0, 1.0, 300)

    def outer(w):
        return np.sum(pullback.jvp(lambda z: softplus(z), (x * w,), (x,))[1])
    with pytest.raises(UnsupportedError, match=r"test_audit33_composition\.py:\d+"):
        pullback.grad(outer)(0.6)
    # forward over it is right (the transposed rule's residual typed again)
    s = 1 / (1 + np.exp(-0.6 * x))
    _, dot = pullback.jvp(outer, (0.6,), (1.0,))
    assert np.isclose(dot, np.sum(x * x * s * (1 - s)), rtol=1e-10)


def fs(x):
    return np.sum(np.sin(x) * x ** 2)


def vfs(x):
    return np.sin(x) * np.sum(x ** 2)


def jfs(x):
    return jnp.sum(jnp.sin(x) * x ** 2)


def jvfs(x):
    return jnp.sin(x) * jnp.sum(x ** 2)


XS = np.array([0.3, -0.5, 1.2])
VS = np.array([1.0, -2.0, 0.5])


def test_vjp_of_grad_and_of_hessian_and_of_forward_jacobian():
    # were '<unknown>:0:0: ... a builtin or C extension'
    out, pull = pullback.vjp(pullback.grad(fs), XS)
    assert np.allclose(out, jax.grad(jfs)(XS), rtol=1e-12)
    assert np.allclose(pull(VS)[0], jax.vjp(jax.grad(jfs), XS)[1](VS)[0], rtol=1e-10)
    ct = np.arange(9.0).reshape(3, 3)
    _, pull = pullback.vjp(pullback.hessian(fs), XS)
    assert np.allclose(pull(ct)[0], jax.vjp(jax.hessian(jfs), XS)[1](ct)[0], rtol=1e-10)
    _, pull = pullback.vjp(pullback.jacobian(vfs, mode="forward"), XS)
    assert np.allclose(pull(ct)[0], jax.vjp(jax.jacfwd(jvfs), XS)[1](ct)[0], rtol=1e-10)


def test_vjp_of_a_derivative_with_containers_says_what_works():
    with pytest.raises(TypeError, match="jvp\\(grad\\(f\\)"):
        pullback.vjp(pullback.grad(lambda p: p[0] * p[1]), (1.0, 2.0))


def test_jvp_of_reverse_jacobian():
    got = pullback.jvp(pullback.jacobian(vfs), (XS,), (VS,))[1]
    assert np.allclose(got, jax.jvp(jax.jacrev(jvfs), (XS,), (VS,))[1], rtol=1e-10)


def test_misspelled_backend_of_a_derivative_of_a_derivative_is_refused():
    def h(x):
        return x ** 3
    with pytest.raises(ValueError, match="unknown backend 'cuda-typo'"):
        pullback.grad(pullback.grad(h), backend="cuda-typo")
    with pytest.raises(ValueError, match="unknown backend"):
        pullback.jacobian(pullback.grad(h), mode="forward", backend="cuda-typo")


VJ = pullback.jacobian(vfs)                     # made once, called in a loss
HS = pullback.hessian(fs)


def test_premade_jacobian_called_in_a_loss():
    # was "cannot differentiate a call to pullback's 'vfs_jac'"
    got = pullback.grad(lambda x: np.sum(VJ(x) ** 2))(XS)
    assert np.allclose(got, jax.grad(lambda x: jnp.sum(jax.jacrev(jvfs)(x) ** 2))(XS),
                       rtol=1e-10)


def test_premade_hessian_called_in_a_loss():
    got = pullback.grad(lambda x: np.sum(HS(x) * np.outer(x, x)))(XS)
    want = jax.grad(lambda x: jnp.sum(jax.hessian(jfs)(x) * jnp.outer(x, x)))(XS)
    assert np.allclose(got, want, rtol=1e-10)


def fk(x, *, a, b=2.0):
    return np.sum(np.sin(x * a) * b)


def jfk(x, a, b=2.0):
    return jnp.sum(jnp.sin(x * a) * b)


def gp(x, y, c=1.0):
    return np.sum(x * y * c)


def test_grad_of_partials_keyword_positional_and_nested():
    # was "cannot differentiate functools.partial(f, ...) itself"
    a = np.array([1.0, 2.0, 3.0])
    got = pullback.grad(functools.partial(fk, a=a, b=3.0))(XS)
    assert np.allclose(got, jax.grad(jfk)(XS, a, 3.0), rtol=1e-12)
    got = pullback.grad(functools.partial(functools.partial(gp, XS), c=3.0))(a)
    assert np.allclose(got, XS * 3.0, rtol=1e-12)
    _, dot = pullback.jvp(functools.partial(fk, a=a), (XS,), (VS,))
    assert np.isclose(dot, jax.jvp(lambda x: jfk(x, a), (XS,), (VS,))[1], rtol=1e-12)


def test_an_array_bound_in_a_partial_and_changed_later_is_seen():
    a = np.array([1.0, 2.0, 3.0])
    d = pullback.grad(functools.partial(fk, a=a))
    d(XS)
    a[1] = 7.0          # the partial holds this array: the derivative must see the change
    assert np.allclose(d(XS), jax.grad(jfk)(XS, a), rtol=1e-12)
