"""``pullback.custom_vjp`` and ``pullback.custom_jvp``: the user's rule is used in every
mode (grad, vjp, jvp, jacobian, Hessian) and backend (Python, Numba, C).  Oracles:
``jax.custom_vjp`` / ``jax.custom_jvp`` with the same rules, and central differences.
A deliberately scaled rule proves the rule, not the body, is differentiated."""
import os

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import pullback
from c_driver import CC
from pullback.errors import UnsupportedError

jax.config.update("jax_enable_x64", True)
HERE = os.path.abspath(__file__)


def close(a, b, rtol=1e-9, atol=1e-11):
    np.testing.assert_allclose(np.asarray(a, float), np.asarray(b, float), rtol=rtol, atol=atol)


def fd(f, args, h=1e-6):
    out = []
    for i in range(len(args)):
        up, dn = list(args), list(args)
        up[i] += h
        dn[i] -= h
        out.append((f(*up) - f(*dn)) / (2 * h))
    return out


# -- a stable softplus with its own VJP --------------------------------------------------
@pullback.custom_vjp
def log1pexp(x):
    return np.log1p(np.exp(x))


def log1pexp_fwd(x):
    return log1pexp(x), x


def log1pexp_bwd(x, g):
    return (g * (1.0 - 1.0 / (1.0 + np.exp(x))),)


log1pexp.defvjp(log1pexp_fwd, log1pexp_bwd)


def loss(x, w):
    return log1pexp(x * w) * w + x


@jax.custom_vjp
def log1pexp_jax(x):
    return jnp.log1p(jnp.exp(x))


log1pexp_jax.defvjp(lambda x: (log1pexp_jax(x), x),
                    lambda x, g: (g * (1.0 - 1.0 / (1.0 + jnp.exp(x))),))


def loss_jax(x, w):
    return log1pexp_jax(x * w) * w + x


ARGS = (0.8, -1.7)


@pytest.mark.parametrize("backend", ["python", "numba"])
def test_vjp_rule_grad(backend):
    g = pullback.grad(loss, argnums=(0, 1), backend=backend)(*ARGS)
    close(g, jax.grad(loss_jax, argnums=(0, 1))(*ARGS))
    close(g, fd(loss, ARGS), rtol=1e-7)


def test_vjp_rule_every_mode():
    want = jax.grad(loss_jax, argnums=(0, 1))(*ARGS)
    value, pull = pullback.vjp(loss, *ARGS)
    close(pull(1.0), want)
    close(pullback.jvp(loss, ARGS, (1.0, 0.5))[1], want[0] + 0.5 * want[1])
    close(pullback.jacobian(loss, argnums=(0, 1))(*ARGS), want)
    # JAX cannot run forward mode through a custom_vjp: reverse over reverse is its Hessian
    close(pullback.hessian(loss, argnums=(0, 1))(*ARGS),
          jax.jacrev(jax.grad(loss_jax, argnums=(0, 1)), argnums=(0, 1))(*ARGS))


def test_vjp_rule_reads_like_hand_written():
    text = pullback.source(pullback.grad(loss))
    assert "log1pexp_fwd2(x * w)" in text and "log1pexp_rev(log1pexp_res, " in text
    assert "log1pexp_bwd(" in text


@pytest.mark.skipif(CC is None, reason="needs a C compiler (cc)")
def test_vjp_rule_c():
    value, grads = pullback.emit_c(loss, *ARGS, argnums=(0, 1)).compile()(*ARGS)
    close(value, loss(*ARGS))
    close(grads, jax.grad(loss_jax, argnums=(0, 1))(*ARGS))


# -- the rule, not the body: a gradient scaled by 3 --------------------------------------
@pullback.custom_vjp
def scaled(x):
    return np.sin(x)


scaled.defvjp(lambda x: (scaled(x), np.cos(x)), lambda c, g: (3.0 * c * g,))


@jax.custom_vjp
def scaled_jax(x):
    return jnp.sin(x)


scaled_jax.defvjp(lambda x: (scaled_jax(x), jnp.cos(x)), lambda c, g: (3.0 * c * g,))


def test_the_rule_is_used_not_the_body():
    def f(x):
        return scaled(x * x)

    def f_jax(x):
        return scaled_jax(x * x)
    close(pullback.grad(f)(0.6), jax.grad(f_jax)(0.6))
    close(pullback.grad(f)(0.6), 3.0 * np.cos(0.36) * 1.2)
    close(pullback.jvp(f, (0.6,), (1.0,))[1], 3.0 * np.cos(0.36) * 1.2)


# -- arrays ------------------------------------------------------------------------------
@pullback.custom_vjp
def softplus(x):
    return np.log1p(np.exp(x))


softplus.defvjp(lambda x: (softplus(x), x), lambda x, g: (g / (1.0 + np.exp(-x)),))


def net(w, x):
    return np.sum(softplus(x @ w) ** 2)


def net_jax(w, x):
    return jnp.sum(jax.nn.softplus(x @ w) ** 2)


W = np.array([[0.1, -0.3], [0.5, 0.2], [0.3, 0.1]])
X = np.array([[1.0, 2.0, -1.0], [0.5, -0.2, 0.3]])


@pytest.mark.parametrize("backend", ["python", "numba"])
def test_array_rule(backend):
    close(pullback.grad(net, backend=backend)(W, X), jax.grad(net_jax)(W, X))


def test_array_rule_forward_and_hessian():
    close(pullback.jacobian(net)(W, X), jax.grad(net_jax)(W, X))
    close(pullback.hessian(net)(W, X), jax.hessian(net_jax)(W, X))


# -- custom_jvp ---------------------------------------------------------------------------
@pullback.custom_jvp
def sin_times(x, y):
    return np.sin(x) * y


def sin_times_jvp(primals, tangents):
    x, y = primals
    x_dot, y_dot = tangents
    return sin_times(x, y), np.cos(x) * y * x_dot + np.sin(x) * y_dot


sin_times.defjvp(sin_times_jvp)


def uses_jvp_rule(a, b):
    return sin_times(a * a, b) + sin_times(b, 2.0)


@jax.custom_jvp
def sin_times_jax(x, y):
    return jnp.sin(x) * y


@sin_times_jax.defjvp
def _sin_times_jax_jvp(primals, tangents):
    (x, y), (x_dot, y_dot) = primals, tangents
    return sin_times_jax(x, y), jnp.cos(x) * y * x_dot + jnp.sin(x) * y_dot


def uses_jvp_rule_jax(a, b):
    return sin_times_jax(a * a, b) + sin_times_jax(b, 2.0)


@pytest.mark.parametrize("backend", ["python", "numba"])
def test_jvp_rule_grad(backend):
    g = pullback.grad(uses_jvp_rule, argnums=(0, 1), backend=backend)(0.7, 1.3)
    close(g, jax.grad(uses_jvp_rule_jax, argnums=(0, 1))(0.7, 1.3))
    close(g, fd(uses_jvp_rule, (0.7, 1.3)), rtol=1e-7)


def test_jvp_rule_every_mode():
    args = (0.7, 1.3)
    close(pullback.jvp(uses_jvp_rule, args, (1.0, -2.0)),
          jax.jvp(uses_jvp_rule_jax, args, (1.0, -2.0)))
    close(pullback.hessian(uses_jvp_rule, argnums=(0, 1))(*args),
          jax.hessian(uses_jvp_rule_jax, argnums=(0, 1))(*args))
    value, pull = pullback.vjp(uses_jvp_rule, *args)
    close(pull(2.0), 2.0 * np.asarray(jax.grad(uses_jvp_rule_jax, argnums=(0, 1))(*args)))


@pytest.mark.skipif(CC is None, reason="needs a C compiler (cc)")
def test_jvp_rule_c():
    value, grads = pullback.emit_c(uses_jvp_rule, 0.7, 1.3, argnums=(0, 1)).compile()(0.7, 1.3)
    close(grads, jax.grad(uses_jvp_rule_jax, argnums=(0, 1))(0.7, 1.3))


@pullback.custom_jvp
def clip_gradient(x):
    return x


clip_gradient.defjvp(lambda primals, tangents: (primals[0], np.clip(tangents[0], -1.0, 1.0)))


def clipped(x):
    return clip_gradient(3.0 * x) ** 2


def test_nonlinear_jvp_rule_forward_only():
    close(pullback.jvp(clipped, (2.0,), (1.0,)), (36.0, 12.0))
    with pytest.raises(UnsupportedError, match=rf"{HERE}:\d+:\d+: reverse mode transposes "
                                                 r"the JVP rule .* not linear"):
        pullback.grad(clipped)(2.0)


# -- mistakes are reported at the rule ------------------------------------------------------
@pullback.custom_vjp
def bad_fwd(x):
    return x * x


bad_fwd.defvjp(lambda x: x * x, lambda r, g: (g,))


@pullback.custom_vjp
def no_rule(x):
    return x


def test_rule_errors_name_the_rule():
    with pytest.raises(UnsupportedError, match=rf"{HERE}:\d+:\d+: the forward rule of "
                                                 "'bad_fwd' must return"):
        pullback.grad(lambda x: bad_fwd(x))(1.0)
    with pytest.raises(UnsupportedError, match="before its rule is given"):
        pullback.grad(lambda x: no_rule(x))(1.0)


def test_outside_differentiation_it_is_the_function():
    assert log1pexp(0.0) == np.log(2.0) and sin_times(0.0, 3.0) == 0.0


# -- check_grad checks the rules themselves ------------------------------------------------
@pullback.custom_vjp
def softplus_slip(x):
    return np.log1p(np.exp(x))


def softplus_slip_bwd(x, g):
    return (g / (1.0 + np.exp(x)),)          # the sign slip: expit(-x) for expit(x)


softplus_slip.defvjp(lambda x: (softplus_slip(x), x), softplus_slip_bwd)


@pullback.custom_jvp
def cube(x):
    return x ** 3


def cube_jvp(primals, tangents):
    return cube(primals[0]), 3.0 * primals[0] * tangents[0]     # x, not x ** 2


cube.defjvp(cube_jvp)


def test_check_grad_names_a_wrong_rule():
    line = softplus_slip_bwd.__code__.co_firstlineno
    with pytest.raises(pullback.GradientMismatch, match=rf"'softplus_slip_bwd' of "
                                                         rf"'softplus_slip' \({HERE}:{line}\)"):
        pullback.check_grad(lambda w: np.sum(softplus_slip(2.0 * w)), np.array([0.3, -0.5]))
    with pytest.raises(pullback.GradientMismatch) as caught:
        pullback.check_grad(lambda x: cube(x) + x, 1.3)
    assert caught.value.where == f"{HERE}:{cube_jvp.__code__.co_firstlineno}"


def test_check_grad_passes_right_rules():
    assert pullback.check_grad(lambda w: np.sum(softplus(2.0 * w)), np.array([0.3, -0.5])) <= 1
    assert pullback.check_grad(uses_jvp_rule, 0.7, 1.3, argnums=(0, 1)) <= 1


@pytest.mark.skipif(CC is None, reason="needs a C compiler (cc)")
def test_array_rule_c():
    value, grads = pullback.emit_c(net, W, X).compile()(W, X)
    close(grads, jax.grad(net_jax)(W, X))


@pullback.custom_vjp
def outside_subset(x):
    return x * x


def outside_subset_bwd(x, g):
    try:                                    # not in the subset: rejected at this line
        return (2.0 * x * g,)
    except ValueError:
        return (0.0,)


outside_subset.defvjp(lambda x: (outside_subset(x), x), outside_subset_bwd)


def test_rule_outside_the_subset_is_rejected_at_its_line():
    line = outside_subset_bwd.__code__.co_firstlineno + 1
    with pytest.raises(UnsupportedError, match=rf"{HERE}:{line}:\d+: cannot differentiate a 'try'"):
        pullback.grad(lambda x: outside_subset(x) * 3.0)(1.0)


# The JAX idiom ``fwd(v): return f(v), res`` (and ``out = f(v)`` in a JVP rule) for a
# function with a tuple output: the rule calls its own function, which asks for the
# rule again while the rule is being lowered (was rejected: "must return (output, ...)")
@pullback.custom_vjp
def _moments(v):
    return np.mean(v), np.var(v)


def _moments_bwd(v, g):
    n = v.shape[0]
    return (g[0] / n + g[1] * 2.0 * (v - np.mean(v)) / n,)


_moments.defvjp(lambda v: (_moments(v), v), _moments_bwd)


@pullback.custom_jvp
def _sin_cos(v):
    return np.sin(v), np.cos(v) * v


def _sin_cos_jvp(primals, tangents):
    v, = primals
    dv, = tangents
    out = _sin_cos(v)
    return out, (np.cos(v) * dv, (np.cos(v) - np.sin(v) * v) * dv)


_sin_cos.defjvp(_sin_cos_jvp)


def _uses_moments(x):
    m, s = _moments(x)
    return m * s + s ** 2


def _uses_sin_cos(x):
    a, b = _sin_cos(x)
    return np.sum(a * b)


@pytest.mark.parametrize("backend", ["python", "numba"])
@pytest.mark.parametrize("f, ref", [
    (_uses_moments, lambda x: jnp.mean(x) * jnp.var(x) + jnp.var(x) ** 2),
    (_uses_sin_cos, lambda x: jnp.sum(jnp.sin(x) * jnp.cos(x) * x))], ids=["vjp", "jvp"])
def test_a_rule_that_calls_its_own_tuple_valued_function(f, ref, backend):
    if backend == "numba":
        pytest.importorskip("numba")
    x = np.array([0.3, -0.8, 1.4, 0.5])
    np.testing.assert_allclose(pullback.grad(f, backend=backend)(x), jax.grad(ref)(x),
                               rtol=1e-12, atol=1e-14)
    if backend == "python":
        np.testing.assert_allclose(pullback.hessian(f)(x), jax.hessian(ref)(x),
                                   rtol=1e-10, atol=1e-13)


# Residuals as a dict, or through a name, where the rule calls its own function: the
# residuals' structure is read from the 'return' before the rule is lowered (a dict was
# read as one array: "only integers, slices ... are valid indices"; the Hessian of the
# named tuple was a TypeError inside pullback)
@pullback.custom_vjp
def _twice_sin(x):
    return np.sin(x) * 2.0


def _twice_sin_bwd_dict(res, g):
    return (res["k"] * res["c"] * g,)


_twice_sin.defvjp(lambda x: (_twice_sin(x), {"c": np.cos(x), "k": 2.0}), _twice_sin_bwd_dict)


@pullback.custom_vjp
def _twice_sin_named(x):
    return np.sin(x) * 2.0


def _twice_sin_named_fwd(x):
    res = (np.cos(x), 2.0)
    return _twice_sin_named(x), res


def _twice_sin_named_bwd(res, g):
    c, k = res
    return (k * c * g,)


_twice_sin_named.defvjp(_twice_sin_named_fwd, _twice_sin_named_bwd)


@pytest.mark.parametrize("fn", [_twice_sin, _twice_sin_named], ids=["dict", "named"])
def test_residual_structure_of_a_rule_that_calls_its_own_function(fn):
    def loss(x):
        return np.sum(fn(x) ** 2)

    def loss_jax(x):
        return jnp.sum((2.0 * jnp.sin(x)) ** 2)
    x = np.array([0.1, 0.5, -1.3])
    close(pullback.grad(loss)(x), jax.grad(loss_jax)(x))
    close(pullback.hessian(loss)(x), jax.hessian(loss_jax)(x))
    close(pullback.jvp(loss, (x,), (np.ones(3),))[1], jax.jvp(loss_jax, (x,), (np.ones(3),))[1])


def test_a_library_rule_with_none_refuses_that_argument():
    # pullback.defvjp(f, maker, None): the second argument has no rule; its derivative was
    # a silent 0.0 (d/db beta(1.5, 2) is -0.18; audit 32l)
    import scipy.special
    pullback.defvjp(scipy.special.beta,
                    lambda ans, a, b: (lambda g: g * ans * (scipy.special.digamma(a)
                                                            - scipy.special.digamma(a + b))),
                    None)
    try:
        def lb(a, b):
            return scipy.special.beta(a, b)
        ga = pullback.grad(lb)(1.5, 2.0)
        want = scipy.special.beta(1.5, 2.0) * (scipy.special.digamma(1.5)
                                               - scipy.special.digamma(3.5))
        close(ga, want)
        with pytest.raises(UnsupportedError, match=rf"{HERE}:\d+:\d+: .*no derivative"):
            pullback.grad(lb, argnums=1)(1.5, 2.0)
        with pytest.raises(UnsupportedError, match="no derivative"):
            pullback.jvp(lb, (1.5, 2.0), (0.0, 1.0))
    finally:
        from pullback.rules.registry import LIBRARY_RULES, changed
        LIBRARY_RULES.pop(scipy.special.beta)
        changed()
