"""The Python backend prints shape helpers as the NumPy expression their static shapes decide
(``backends/python_static.py``): the generated source has no ``expand_to``/``matmul_vjp_b``
call, and every gradient still equals JAX's."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest
import scipy.special

import pullback

jax.config.update("jax_enable_x64", True)
R = np.random.default_rng(3)


def logreg(w, X, y, lam):
    z = X @ w
    p = 1.0 / (1.0 + np.exp(-z))
    return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)) + lam * np.sum(w ** 2)


def products(A, B, v):
    return np.sum(np.tanh(A @ B)) + np.sum((A @ v) ** 2) + np.sum(v @ B) + (v @ v) ** 2


def broadcasts(M, row, col, s, T, r14):
    return np.sum(np.sin(M * row + col * s)) + np.sum(M * s) + np.sum(np.cos(T * r14))


def reductions(M, T):
    a = np.sum(M ** 2, axis=1)
    b = np.mean(M * M, axis=0, keepdims=True)
    c = np.sum(T ** 3, axis=(0, 2))
    d = np.max(M, axis=-1)
    return np.sum(a * a) + np.sum(b * M) + np.sum(np.cos(c)) + np.sum(d ** 2) + np.mean(T)


CASES = [
    (logreg, (R.standard_normal(3), R.standard_normal((20, 3)),
              (R.random(20) > 0.5).astype(float), 0.1), (0, 3)),
    (products, (R.standard_normal((2, 3)), R.standard_normal((3, 4)), R.standard_normal(3)),
     (0, 1, 2)),
    (broadcasts, (R.standard_normal((3, 4)), R.standard_normal(4), R.standard_normal((3, 1)),
                  0.7, R.standard_normal((2, 3, 4)), R.standard_normal((1, 4))), (0, 1, 2, 3, 5)),
    (reductions, (R.standard_normal((3, 4)), R.standard_normal((2, 3, 4))), (0, 1)),
]


def _jnp(f):
    return type(f)(f.__code__, dict(f.__globals__, np=jnp), f.__name__)


@pytest.mark.parametrize("f, args, argnums", CASES, ids=[c[0].__name__ for c in CASES])
def test_gradients_equal_jax(f, args, argnums):
    got = pullback.grad(f, argnums)(*args)
    want = jax.grad(_jnp(f), argnums)(*args)
    for a, b in zip(got, want):
        assert np.shape(a) == np.shape(b)
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


def test_logistic_regression_prints_the_expert_expression():
    g = pullback.grad(logreg)
    g(*CASES[0][1])
    text = str(pullback.source(g))
    for helper in ("expand_to", "matmul_vjp_b", "unbroadcast", "count("):
        assert helper not in text, text
    assert "X.T @ z_bar" in text and "w_bar = 2 * w * lam" in text


def test_an_open_shape_keeps_the_helper():
    from pullback.backends.python_static import static_expr
    from pullback.ir import Assign, Const, Var
    from pullback.ir.types import Array
    g, x = Var("g", "float"), Var("x", Array("float64", (None, 3)))
    s = Assign(Var("t", Array("float64", (None, 3))), "expand_to", (g, x, Const(None),
                                                                      Const(False)))
    assert static_expr(s, [("g", 100), ("x", 100), ("None", 100), ("False", 100)]) is None


def test_gradient_only_code_computes_no_value_read_only_for_its_shape():
    """The loss's log terms feed the value and, in the reverse sweep, ``expand_to`` only for
    their shape (optimize/shape_args.py): grad computes none of them, value_and_grad does."""
    args = CASES[0][1]
    g, vg = pullback.grad(logreg), pullback.value_and_grad(logreg)
    g(*args), vg(*args)
    assert "np.log" in str(pullback.source(vg))
    assert "np.log" not in str(pullback.source(g)), pullback.source(g)
    np.testing.assert_allclose(g(*args), jax.grad(_jnp(logreg))(*args), rtol=1e-10)


def softmax_ce(w, x, y):
    z = x @ w
    zmax = np.max(z, axis=1, keepdims=True)
    logz = np.log(np.sum(np.exp(z - zmax), axis=1, keepdims=True)) + zmax
    return -np.sum(y * (z - logz))


def test_value_read_only_for_its_shape_points_at_a_live_value_of_its_type():
    """No parameter has ``logz``'s type (4, 1): ``unbroadcast`` reads a live value of that
    type instead (optimize/shape_args.py), so grad computes no ``np.log``."""
    args = (R.standard_normal((3, 5)), R.standard_normal((4, 3)), R.standard_normal((4, 5)))
    g = pullback.grad(softmax_ce)
    got = g(*args)
    assert "np.log" not in str(pullback.source(g)), pullback.source(g)
    jf = lambda w, x, y: -jnp.sum(y * (x @ w - jax.scipy.special.logsumexp(x @ w, 1, keepdims=True)))
    np.testing.assert_allclose(got, jax.grad(jf)(*args), rtol=1e-10)


def mixture(means, L, X, alphas):
    xc = X[:, None, :] - means[None, :, :]
    z = np.einsum("kij,nkj->nki", L, xc)
    main = alphas[None, :] - 0.5 * np.sum(z * z, axis=2)
    return np.sum(scipy.special.logsumexp(main, axis=1)) - \
        3.0 * scipy.special.logsumexp(alphas) + np.sum(np.reshape(means, (6,)) ** 2)


def test_einsum_logsumexp_and_reshape_cotangents_print_as_numpy():
    args = (R.standard_normal((2, 3)), R.standard_normal((2, 3, 3)), R.standard_normal((5, 3)),
            R.standard_normal(2))
    g = pullback.grad(mixture, (0, 1, 3))
    got = g(*args)
    text = str(pullback.source(g))
    for helper in ("einsum_vjp", "logsumexp_grad", "like(", "scipy.special"):
        assert helper not in text, text
    # the one helper left: logsumexp itself in NumPy alone (no SciPy dispatch per call)
    assert text.count("def ") == 2 and "def logsumexp_shifted(" in text, text
    assert "g_bar" not in text and "np.einsum" not in text, text   # as matmul (python_einsum)
    assert "xc.transpose(1, 0, 2)" in text, text

    def jmixture(means, L, X, alphas):
        xc = X[:, None, :] - means[None, :, :]
        z = jnp.einsum("kij,nkj->nki", L, xc)
        main = alphas[None, :] - 0.5 * jnp.sum(z * z, axis=2)
        return jnp.sum(jax.scipy.special.logsumexp(main, axis=1)) - \
            3.0 * jax.scipy.special.logsumexp(alphas) + jnp.sum(jnp.reshape(means, (6,)) ** 2)
    for a, b in zip(got, jax.grad(jmixture, (0, 1, 3))(*args)):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("a, axis, keepdims", [
    (R.standard_normal((4, 5)), 1, False), (R.standard_normal((4, 5)), 0, True),
    (R.standard_normal((2, 3, 4)), (0, 2), False), (R.standard_normal(6) * 300, None, False),
    (np.array([[-np.inf, -np.inf], [np.inf, 1.0], [np.nan, 1.0], [np.inf, -np.inf],
               [1e308, 1e308], [-1e308, 5.0]]), 1, False),
    (np.array([-np.inf, -np.inf]), None, True)])
def test_logsumexp_in_numpy_agrees_with_scipy(a, axis, keepdims):
    from pullback.rules.special_helpers import logsumexp_shifted
    got = logsumexp_shifted(a, axis, keepdims)
    want = scipy.special.logsumexp(a, axis=axis, keepdims=keepdims)
    assert np.shape(got) == np.shape(want) and type(got) is type(want)
    np.testing.assert_allclose(got, want, rtol=1e-15, atol=0)


def softmax_loss(z, y):
    zmax = np.max(z, axis=1, keepdims=True)
    low = np.min(z, axis=0)
    logz = np.log(np.sum(np.exp(z - zmax), axis=1, keepdims=True)) + zmax
    return -np.sum(y * (z - logz)) + np.sum(low ** 2) + \
        np.sum(scipy.special.logsumexp(z, axis=0))


def softmax_loss_jax(z, y):
    zmax = jnp.max(z, axis=1, keepdims=True)
    low = jnp.min(z, axis=0)
    logz = jnp.log(jnp.sum(jnp.exp(z - zmax), axis=1, keepdims=True)) + zmax
    return -jnp.sum(y * (z - logz)) + jnp.sum(low ** 2) + \
        jnp.sum(jax.scipy.special.logsumexp(z, axis=0))


def test_max_min_and_logsumexp_print_as_numpy():
    from jax_fd import checked_source
    z, y = R.standard_normal((5, 4)), np.eye(4)[[0, 2, 1, 3, 0]]
    text = checked_source(softmax_loss, softmax_loss_jax, (z, y))
    assert "extremum_mask(" not in text and "scipy.special" not in text, text
    assert "(z == zmax) / np.sum((z == zmax), axis=1, keepdims=True)" in text
    tied = np.array([[1.0, 3.0, 3.0, 0.5], [2.0, 2.0, -1.0, 2.0]])    # ties share equally
    got = pullback.grad(softmax_loss)(tied, y[:2])
    np.testing.assert_allclose(got, jax.grad(softmax_loss_jax)(tied, y[:2]), rtol=1e-12)
