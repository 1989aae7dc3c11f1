"""scipy.integrate.odeint and solve_ivp in differentiated code (pullback/ode.py): values
against SciPy's to the tolerance asked for; gradients with respect to the initial state,
``args``, a value the right-hand side captures, and the output times, against JAX (x64:
``jax.experimental.ode.odeint``, an adjoint solver of its own, or a closed form) and
central differences of SciPy's own solvers; forward mode; the other backends and the
keywords not taken rejected at the user's line.
"""
import numpy as np
import pytest
import jax
import jax.numpy as jnp
import scipy.linalg
from jax.experimental.ode import odeint as jax_odeint
from scipy.integrate import odeint, solve_ivp

import pullback
from test_numpy_rules import fd_grad

jax.config.update("jax_enable_x64", True)
TIGHT = dict(rtol=1e-10, atol=1e-10)
Y0 = np.array([2.0, 1.0])
THETA = np.array([1.0, 0.4, 0.3, 0.8])
TIMES = np.linspace(0.0, 4.0, 9)


def close(got, want, rtol=1e-6):
    np.testing.assert_allclose(np.asarray(got), np.asarray(want), rtol=rtol,
                               atol=rtol * np.max(np.abs(want)))


def lotka_volterra(y, t, a, b, c, d):
    return np.array([a * y[0] - b * y[0] * y[1], c * y[0] * y[1] - d * y[1]])


def lv_loss(y0, theta):
    ys = odeint(lotka_volterra, y0, TIMES, args=(theta[0], theta[1], theta[2], theta[3]),
                rtol=1e-10, atol=1e-10)
    return np.sum(ys ** 2 * np.array([1.0, 2.0]))


def lv_loss_jax(y0, theta):
    def rhs(y, t, th):
        return jnp.array([th[0] * y[0] - th[1] * y[0] * y[1],
                          th[2] * y[0] * y[1] - th[3] * y[1]])
    ys = jax_odeint(rhs, y0, jnp.asarray(TIMES), theta, rtol=1e-12, atol=1e-12)
    return jnp.sum(ys ** 2 * jnp.array([1.0, 2.0]))


def test_lotka_volterra_gradient_against_jax_and_differences():
    got = pullback.grad(lv_loss, argnums=(0, 1))(Y0, THETA)
    want = jax.grad(lv_loss_jax, argnums=(0, 1))(Y0, THETA)
    for i in range(2):
        close(got[i], want[i], 1e-7)
        close(got[i], fd_grad(lv_loss, [Y0, THETA], i), 1e-6)
    close(pullback.value_and_grad(lv_loss)(Y0, THETA)[0], lv_loss(Y0, THETA), 1e-8)


def test_lotka_volterra_forward_mode():
    direction = np.array([0.3, -0.2, 0.1, 0.5])
    value, tangent = pullback.jvp(lv_loss, (Y0, THETA), (np.zeros(2), direction))
    want = jax.grad(lv_loss_jax, argnums=1)(Y0, THETA) @ direction   # (JAX's has no jvp)
    close(tangent, want, 1e-7)


A = np.array([[-0.5, 1.0], [-1.0, -0.3]])


def linear_loss(a, y0, t_end):
    """y' = a y by solve_ivp (args), at t_eval ending at ``t_end``."""
    def rhs(t, y, m):
        return m @ y
    sol = solve_ivp(rhs, (0.0, t_end), y0, t_eval=np.array([0.5, 1.0, t_end]), args=(a,),
                    **TIGHT)
    return np.sum(sol.y[0] * np.array([1.0, -2.0, 3.0])) + np.sum(sol.y[1] ** 2)


def linear_loss_exact(a, y0, t_end):
    ys = jnp.stack([jax.scipy.linalg.expm(a * s) @ y0 for s in (0.5, 1.0, t_end)], axis=1)
    return jnp.sum(ys[0] * jnp.array([1.0, -2.0, 3.0])) + jnp.sum(ys[1] ** 2)


def test_linear_ode_against_its_closed_form():
    """The times carry a derivative too (the last step is cut to land on each)."""
    args = (A, Y0, 2.0)
    got = pullback.grad(linear_loss, argnums=(0, 1, 2))(*args)
    want = jax.grad(linear_loss_exact, argnums=(0, 1, 2))(*args)
    for g, w in zip(got, want):
        close(g, w, 1e-7)
    close(got[0], fd_grad(linear_loss, list(args), 0), 1e-5)
    exact = np.stack([scipy.linalg.expm(A * s) @ Y0 for s in (0.5, 1.0, 2.0)], axis=1)
    close(solve_ivp(lambda t, y: A @ y, (0.0, 2.0), Y0, t_eval=[0.5, 1.0, 2.0], **TIGHT).y,
          exact, 1e-8)


def captured(k, y0):
    """A rate the right-hand side captures from the differentiated function."""
    def decay(y, t):
        return -k * y + np.sin(t) * y[::-1]
    return np.sum(odeint(decay, y0, np.array([0.0, 0.7, 1.5])) ** 2)


def captured_jax(k, y0):
    def decay(y, t):
        return -k * y + jnp.sin(t) * y[::-1]
    return jnp.sum(jax_odeint(decay, y0, jnp.array([0.0, 0.7, 1.5]), rtol=1e-12,
                              atol=1e-12) ** 2)


def test_closure_captured_parameter_is_differentiated():
    got = pullback.grad(captured, argnums=(0, 1))(0.7, Y0)
    want = jax.grad(captured_jax, argnums=(0, 1))(0.7, Y0)
    close(got[0], want[0], 1e-6)
    close(got[1], want[1], 1e-6)
    close(got[0], fd_grad(captured, [0.7, Y0], 0), 1e-5)


def backwards_in_time(th):
    return np.sum(odeint(lambda y, t: -th * y + np.cos(t), Y0, np.array([2.0, 1.0, 0.0]),
                         **TIGHT) ** 2)


def list_rates(th):
    def f(y, t):
        return [th[0] * y[1], -th[1] * y[0]]
    return np.sum(odeint(f, [1.0, 0.0], np.linspace(0.0, 2.0, 5), **TIGHT))   # as in SciPy's docs


def time_first(th):
    return np.sum(odeint(lambda t, y, a: -a * y * t, Y0, np.linspace(0.0, 1.0, 3), args=(th,),
                         tfirst=True, **TIGHT))


@pytest.mark.parametrize("f", [backwards_in_time, list_rates, time_first])
def test_odeint_forms_against_differences(f):
    """Decreasing times, a right-hand side and an initial state given as lists, tfirst=True."""
    th = np.array([0.5, 0.9])
    close(pullback.grad(f)(th), fd_grad(f, [th], 0), 1e-6)


def test_values_agree_with_scipy_to_the_tolerance():
    """odeint at its default tolerance (LSODA there, Dormand-Prince here), solve_ivp's
    RK45 at its default (interpolated there, stepped onto t_eval here)."""
    value = pullback.value_and_grad(lv_loss)(Y0, THETA)[0]
    close(value, lv_loss(Y0, THETA), 1e-8)

    def default_ivp(y0):
        return np.sum(solve_ivp(lambda t, y: -0.5 * y, (0.0, 3.0), y0,
                                t_eval=np.linspace(0.0, 3.0, 7)).y)
    value, grad = pullback.value_and_grad(default_ivp)(Y0)
    close(value, default_ivp(Y0), 1e-3)
    close(grad, np.sum(np.exp(-0.5 * np.linspace(0.0, 3.0, 7))) * np.ones(2), 1e-3)


def numba_user(k):
    return np.sum(odeint(lambda y, t: -k * y, 1.0, np.linspace(0.0, 1.0, 5)))


def no_t_eval(k):
    return np.sum(solve_ivp(lambda t, y: -k * y, (0.0, 1.0), np.ones(2)).y)


def full_output(k):
    return np.sum(odeint(lambda y, t: -k * y, 1.0, np.linspace(0.0, 1.0, 5), full_output=1))


@pytest.mark.parametrize("f, run, text", [
    (numba_user, lambda f: pullback.grad(f, backend="numba")(0.5), "python backend only"),
    (numba_user, lambda f: pullback.emit_c(f, 0.5), "python backend only"),
    (no_t_eval, lambda f: pullback.grad(f)(0.5), "t_eval"),
    (full_output, lambda f: pullback.grad(f)(0.5), "full_output")])
def test_rejections_name_the_users_line(f, run, text):
    with pytest.raises((pullback.UnsupportedError, pullback.TransformError), match=text) as e:
        run(f)
    assert e.value.line == f.__code__.co_firstlineno + 1
    assert e.value.filename == __file__


def decay_sum(k):
    return np.sum(odeint(lambda y, t, r: -r * y, Y0, TIMES, args=(k,), **TIGHT))


def decay_sum_exact(k):
    return jnp.sum(jnp.exp(-k * jnp.asarray(TIMES))[:, None] * jnp.asarray(Y0))


def test_hessian_and_hvp_forward_over_reverse():
    """The step-size factors are taped with no derivative (stop_gradient): forward over
    reverse pushes zeros for them (tests/test_constant_tapes.py has the general case)."""
    close(pullback.hessian(decay_sum)(0.7), jax.hessian(decay_sum_exact)(0.7), 1e-7)
    v = np.array([0.3, -0.2, 0.1, 0.5])
    got = pullback.hvp(lv_loss, (Y0, THETA), (np.zeros(2), v), argnums=(0, 1))
    g = jax.grad(lv_loss_jax, argnums=1)
    want = (g(Y0, THETA + 1e-5 * v) - g(Y0, THETA - 1e-5 * v)) / 2e-5
    close(got[1], want, 1e-5)


class Oscillator:
    def __init__(self, w):
        self.w = w

    def rhs(self, y, t):
        return np.array([y[1], -self.w ** 2 * y[0]])

    def rhs_tfirst(self, t, y):
        return [y[1], -self.w ** 2 * y[0]]


def test_a_bound_method_and_list_times():
    """A model's method as the right-hand side (it crashed inside pullback) and the times as
    a Python list, as SciPy's docs write them (rejected, naming pullback's integrator):
    y'' = -w^2 y from (1, 0) is cos(w t), so d y(2) / dw = -2 sin(2 w)."""
    def by_odeint(w):
        return odeint(Oscillator(w).rhs, [1.0, 0.0], [0.0, 2.0], rtol=1e-11, atol=1e-12)[-1, 0]

    def by_solve_ivp(w):
        return solve_ivp(Oscillator(w).rhs_tfirst, (0.0, 2.0), [1.0, 0.0], t_eval=[1.0, 2.0],
                         rtol=1e-11, atol=1e-12).y[0, -1]
    for f in (by_odeint, by_solve_ivp):
        assert np.isclose(pullback.grad(f)(1.3), -2.0 * np.sin(2.6), rtol=1e-8)
