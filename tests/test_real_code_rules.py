"""Rules added for code people already have (issue 13): the singular vectors of
np.linalg.svd, scipy.linalg.lu_factor/lu_solve, scipy.special.zeta, in forward
mode and where they have no derivative; np.r_; np.fft rejected with its
rewrite; the examples (examples/ode_fit.py: scipy's odeint itself, fft_loss.py).  Values are checked against JAX (x64) and
central finite differences, never against pullback's own output; where a derivative
does not exist the error names the user's line.
"""
import os
import sys

import numpy as np
import pytest
import jax
import jax.numpy as jnp
import scipy.linalg
import scipy.special

import pullback
from test_numpy_rules import fd_grad

jax.config.update("jax_enable_x64", True)
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "examples"))
RNG = np.random.default_rng(3)
A = RNG.uniform(-2, 2, (3, 3))
T = RNG.uniform(-1, 1, (3, 3))


def svd_u(a):
    return np.linalg.svd(a)[0] ** 2


def lu(a):
    return scipy.linalg.lu_factor(a)[0]


@pytest.mark.parametrize("f, twin", [
    (svd_u, lambda a: jnp.linalg.svd(a, full_matrices=False)[0] ** 2),
    (lu, lambda a: jax.scipy.linalg.lu_factor(a)[0])])
def test_forward_mode_against_jax_and_differences(f, twin):
    _, got = pullback.jvp(f, (A,), (T,))
    want = jax.jvp(twin, (A,), (T,))[1]
    np.testing.assert_allclose(got, want, rtol=1e-8, atol=1e-10)
    h = 1e-6
    np.testing.assert_allclose(got, (f(A + h * T) - f(A - h * T)) / (2 * h), rtol=1e-5, atol=1e-6)


def repeated(a):
    u, s, vh = np.linalg.svd(a @ a.T + np.eye(3))      # a symmetric matrix: u = vh.T
    return np.sum(u[:, 0] * vh[0])


def test_svd_vectors_at_repeated_singular_values_raise():
    with pytest.raises(ArithmeticError, match="repeated singular values") as e:
        pullback.grad(repeated)(np.zeros((3, 3)))
    line = repeated.__code__.co_firstlineno + 1
    assert f"from your code {__file__}:{line}:" in "\n".join(e.value.__notes__)


def extra_columns(a):
    return np.sum(np.linalg.svd(a)[0] ** 2 * np.arange(4.0))


def test_svd_extra_columns_of_full_matrices_raise():
    with pytest.raises(ArithmeticError, match="full_matrices=False"):
        pullback.grad(extra_columns)(RNG.uniform(-1, 1, (4, 3)))


def lu_loss(a):
    return np.sum(scipy.linalg.lu_solve(scipy.linalg.lu_factor(a), np.arange(3.0)) ** 2)


def test_lu_gradient_and_second_order_rejection():
    got = pullback.grad(lu_loss)(A)
    twin = jax.grad(lambda a: jnp.sum(jax.scipy.linalg.lu_solve(
        jax.scipy.linalg.lu_factor(a), jnp.arange(3.0)) ** 2))(A)
    np.testing.assert_allclose(got, twin, rtol=1e-9)
    np.testing.assert_allclose(got, fd_grad(lu_loss, [A], 0), rtol=1e-5)
    with pytest.raises(pullback.UnsupportedError, match="lu_packed_vjp") as e:   # not a zero
        pullback.hessian(lu_loss)(A)
    # raised inside the expansion of lu_factor: placed at the user's call, naming both
    assert (e.value.filename, e.value.line) == (__file__, lu_loss.__code__.co_firstlineno + 1)
    assert "pullback's expansion 'lu_factor'" in e.value.message
    assert "scipy_linalg.py:" in e.value.message


def zeta_in_x(s):
    return scipy.special.zeta(s, 1.5) + scipy.special.zeta(s)


def test_zeta_in_its_exponent_and_its_second_derivative_rejected():
    got = pullback.grad(zeta_in_x)(2.5)
    want = jax.grad(lambda s: jax.scipy.special.zeta(s, 1.5) + jax.scipy.special.zeta(s, 1.0))
    np.testing.assert_allclose(got, want(2.5), rtol=1e-12)
    np.testing.assert_allclose(got, fd_grad(zeta_in_x, [2.5], 0), rtol=1e-6)
    with pytest.raises(pullback.UnsupportedError, match="zeta_dx") as e:
        pullback.hessian(zeta_in_x)(2.5)
    assert e.value.line == zeta_in_x.__code__.co_firstlineno + 1


def riemann_zeta(s):
    return scipy.special.zeta(s)


def hurwitz_and_riemann(s, q):
    return scipy.special.zeta(s, q) + scipy.special.zeta(s)


def test_zeta_outside_scipys_domain_has_nan_partials():
    """SciPy's Hurwitz zeta is NaN for s < 1 (audit 31e repro 11): its partials are NaN
    there, as central differences are, not the analytic continuation's finite slope;
    Riemann's zeta (no q) is defined there and keeps its derivative."""
    value, (ds, dq) = pullback.value_and_grad(hurwitz_and_riemann, argnums=(0, 1))(0.7, 1.0)
    fd = fd_grad(hurwitz_and_riemann, [0.7, 1.0], 0)
    assert np.isnan(value) and np.isnan(fd) and np.isnan(ds) and np.isnan(dq)
    assert np.isnan(pullback.jvp(hurwitz_and_riemann, (0.7, 1.0), (1.0, 0.0))[1])
    riemann = pullback.grad(riemann_zeta)(0.7)
    np.testing.assert_allclose(riemann, fd_grad(scipy.special.zeta, [0.7], 0), rtol=1e-6)
    inside = pullback.grad(hurwitz_and_riemann, argnums=(0, 1))(2.5, 1.5)
    np.testing.assert_allclose(inside, [fd_grad(hurwitz_and_riemann, [2.5, 1.5], k)
                                        for k in (0, 1)], rtol=1e-6)


def r_directive(x):
    return np.sum(np.r_["0,2", x, x])


def r_float_slice(x):
    return np.sum(np.r_[x, 0:1:0.5])


@pytest.mark.parametrize("f, text", [(r_directive, "string directive"),
                                     (r_float_slice, "integer constants")])
def test_index_concatenation_rejections_name_the_line(f, text):
    with pytest.raises(pullback.TransformError, match=text) as e:
        pullback.grad(f)(np.ones(3))
    assert e.value.line == f.__code__.co_firstlineno + 1


# -- np.fft: differentiated on Python, rejected on Numba; the examples ------------------------------
def spectrum(x):
    return np.sum(np.abs(np.fft.rfft(x)) ** 2)


def test_fft_rejected_on_numba_at_its_line():
    with pytest.raises(pullback.UnsupportedError, match="complex") as e:
        pullback.grad(spectrum, backend="numba")(np.array([0.5, 1.0, 2.0, 3.0]))
    assert e.value.line == spectrum.__code__.co_firstlineno + 1


def test_ode_fit_example_gradient_and_fit():
    """scipy.integrate.odeint in the loss (pullback/ode.py): the gradient against JAX's
    adaptive odeint (its own adjoint) and central differences of SciPy's odeint."""
    from jax.experimental.ode import odeint as jax_odeint
    import ode_fit
    theta = np.array([0.9, 0.45, 0.28, 0.85])
    y0 = np.array([2.0, 1.0])
    times = 0.1 * np.arange(11)
    observed = ode_fit.observations(np.array([1.0, 0.4, 0.3, 0.8]), y0, times)
    got = pullback.grad(ode_fit.loss)(theta, y0, observed, times)

    def twin(th):
        def rhs(y, t):
            return jnp.array([th[0] * y[0] - th[1] * y[0] * y[1],
                              th[2] * y[0] * y[1] - th[3] * y[1]])
        ys = jax_odeint(rhs, jnp.asarray(y0), jnp.asarray(times), rtol=1e-12, atol=1e-12)
        return jnp.sum((ys - observed) ** 2)
    np.testing.assert_allclose(got, jax.grad(twin)(theta), rtol=1e-5)
    np.testing.assert_allclose(got, fd_grad(ode_fit.loss, [theta, y0, observed, times], 0),
                               rtol=1e-4)
    result, truth = ode_fit.fit(steps=20)
    np.testing.assert_allclose(result.x, truth, atol=1e-3)


def test_fft_loss_example_matches_numpys_fft_and_jax():
    import fft_loss
    data, weights, _ = fft_loss.problem(16)
    x = data + 0.1
    got = pullback.grad(fft_loss.loss)(x, data, weights)
    want = jax.grad(lambda x: jnp.sum((x - data) ** 2) + jnp.sum(
        weights * jnp.abs(jnp.fft.rfft(x)) ** 2) / 16)(x)
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12)
    denoised, data, clean = fft_loss.denoise(32)
    assert np.linalg.norm(denoised - clean) < np.linalg.norm(data - clean)


# -- loops: for i, (a, b) in enumerate(zip(xs, ys)) over arrays ---------------------------------
def enumerated_rows(x, Y):
    s = 0.0
    for i, (a, b) in enumerate(zip(x, Y)):
        s = s + i * a * np.sum(b ** 2) + np.sin(a)
    return s


def enumerated_rows_twin(x, Y):
    return sum(i * x[i] * jnp.sum(Y[i] ** 2) + jnp.sin(x[i]) for i in range(x.shape[0]))


def enumerated_unpacked_wrong(x, Y):
    s = 0.0
    for i, (a,) in enumerate(zip(x, Y)):
        s = s + a
    return s


def test_enumerate_of_zip_over_arrays():
    x, Y = np.array([0.5, -1.0, 2.0]), RNG.uniform(-1, 1, (3, 2))
    for k in (0, 1):
        got = pullback.grad(enumerated_rows, k)(x, Y)
        np.testing.assert_allclose(got, jax.grad(enumerated_rows_twin, k)(x, Y), rtol=1e-12)
        np.testing.assert_allclose(got, fd_grad(enumerated_rows, [x, Y], k), rtol=1e-6)
    with pytest.raises(pullback.UnsupportedError, match="another number of names") as e:
        pullback.grad(enumerated_unpacked_wrong)(x, Y)
    assert e.value.line == enumerated_unpacked_wrong.__code__.co_firstlineno + 2


# -- random draws reparameterised through their location and scale -----------------------------
def normal_draw(mu, sigma, rng):
    return np.sum(rng.normal(mu, sigma) ** 2)


def uniform_draw(low, high, rng):
    return np.sum(np.sin(rng.uniform(low=low, high=high)))


def lognormal_draw(mean, sigma, rng):
    return np.sum(rng.lognormal(mean, sigma, size=(2, 3)) * np.arange(3.0))


def exponential_draw(scale, _, rng):
    return np.sum(np.sqrt(rng.exponential(scale, 3)))


@pytest.mark.parametrize("make", [np.random.default_rng, np.random.RandomState])
@pytest.mark.parametrize("f", [normal_draw, uniform_draw, lognormal_draw, exponential_draw])
def test_draws_differentiate_in_location_and_scale(f, make):
    """Against central differences at a fixed seed (what reparameterisation means); the
    generator ends where the plain function leaves it."""
    p = np.array([0.5, 0.2, 1.0])
    q = np.array([1.5, 0.7, 2.0])
    for k in (0, 1) if f is not exponential_draw else (0,):
        rng = make(7)
        got = pullback.grad(f, k)(p, q, rng)
        ref = make(7)
        f(p, q, ref)
        assert rng.random() == ref.random()
        want = fd_grad(lambda a, b: f(a, b, make(7)), [p, q], k)
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-8)
    rng = make(7)
    _, tangent = pullback.jvp(lambda a: f(a, q, rng), (p,), (q,))
    h = 1e-6
    np.testing.assert_allclose(tangent, (f(p + h * q, q, make(7)) - f(p - h * q, q, make(7)))
                               / (2 * h), rtol=1e-6)


# -- objects: writes to attributes and plain instances made inside are rejected at the line ------
class Cell:
    def __init__(self, W):
        self.W = W
        self.h = np.zeros(2)

    def step(self, x):
        self.h = np.tanh(self.W @ x + self.h)
        return self.h


def cell_loss(cell, xs):
    for x in xs:
        cell.step(x)
    return np.sum(cell.h ** 2)


def sgd_step(model, g):
    model.W -= 0.1 * g
    return np.sum(model.W ** 2)


def made_inside(W, xs):
    return np.sum(Cell(W).step(xs[0]))


@pytest.mark.parametrize("f, text, where", [
    (cell_loss, "a write to the attribute 'h'", "self.h = np.tanh"),
    (sgd_step, "a write to the attribute 'W'", "model.W -= "),
    # made inside, the object is a record (objects.construct); its step still writes self.h
    (made_inside, "a write to the attribute 'h'", "self.h = np.tanh")])
def test_object_writes_rejected_at_their_line(f, text, where):
    import inspect
    cell = Cell(np.full((2, 3), 0.1))
    args = {cell_loss: (cell, np.ones((2, 3))), sgd_step: (cell, np.ones((2, 3))),
            made_inside: (cell.W, np.ones((2, 3)))}[f]
    with pytest.raises(pullback.UnsupportedError, match=text) as e:
        pullback.grad(f)(*args)
    lines, start = inspect.getsourcelines(Cell if f in (cell_loss, made_inside) else f)
    assert e.value.line == start + next(i for i, s in enumerate(lines) if where in s)


# -- forward over reverse through a callee whose reverse rule has no forward rule ----------------
def chol(a):
    return np.linalg.cholesky(a)


def chol_in_callee(a):
    return np.sum(chol(a @ a.T + 3.0 * np.eye(3)) * np.arange(9.0).reshape(3, 3))


def inv_in_callee(a):
    return np.sum(scipy.linalg.inv(a) * np.arange(9.0).reshape(3, 3))


def solve_in_callee(a):
    return np.sum(np.sin(scipy.linalg.solve(a, a[0]))) + np.sum(np.linalg.solve(a, A) ** 2)


def test_second_order_through_a_callee_is_right_or_rejected():
    """cholesky_vjp has no forward rule: in the callee's reverse function its inputs come
    from the residual, and the Hessian silently lacked their terms (now rejected)."""
    with pytest.raises(pullback.UnsupportedError, match="cholesky_vjp") as e:
        pullback.hessian(chol_in_callee)(A)
    assert e.value.line == chol.__code__.co_firstlineno + 1
    a = A + 3.0 * np.eye(3)
    want = jax.hessian(lambda a: jnp.sum(jnp.linalg.inv(a) * jnp.arange(9.0).reshape(3, 3)))(a)
    np.testing.assert_allclose(pullback.hessian(inv_in_callee)(a), want, rtol=1e-9, atol=1e-12)
    want = jax.hessian(lambda a: jnp.sum(jnp.sin(jnp.linalg.solve(a, a[0]))) +
                       jnp.sum(jnp.linalg.solve(a, A) ** 2))(a)
    np.testing.assert_allclose(pullback.hessian(solve_in_callee)(a), want, rtol=1e-9,
                               atol=1e-12)     # solve's reverse helpers have forward rules


# -- a user function named like a NumPy function whose helper is copied into generated code -----
def cumprod(x):
    return np.cumprod(x) * 2.0


def calls_cumprod(x):
    return np.sum(cumprod(x) ** 2)


def test_user_function_named_like_a_helper():
    """cumprod's forward helper is cumprod_jvp: the user's cumprod's tangent function was
    named so too, and the helper's call reached it (TypeError)."""
    x = np.array([1.0, 2.0, 0.5])
    _, got = pullback.jvp(calls_cumprod, (x,), (np.ones(3),))
    want = jax.jvp(lambda x: jnp.sum((jnp.cumprod(x) * 2.0) ** 2), (x,), (jnp.ones(3),))[1]
    np.testing.assert_allclose(got, want, rtol=1e-12)
