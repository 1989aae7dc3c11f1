"""An ODE gradient is the exact derivative of the computation pullback runs (pullback/ode.py:
adaptive Dormand-Prince, steps chosen from primal values under stop_gradient), to rounding,
also where that computation is far from the ODE's exact solution (rtol=0.01, a ReLU
right-hand side: autograd's ode_net example).

The oracle is independent of pullback's derivatives: the test runs the integrator's
controller in plain NumPy (``record``, checked bitwise against ``pullback.ode._dopri``, so
it takes the same steps), keeps the accepted step sizes, and replays the same
Runge-Kutta steps with those sizes as constants in ``jax.numpy``; ``jax.grad`` of the
replay is the derivative of the discrete solution.  The last step of each output
interval is cut to land on the output time (``h = t_end - tc``) in both, so the output
times carry derivatives too.  How far this discrete derivative is from the derivative
of the exact solution is docs/edges.md's business (a right-hand side with kinks).
"""
import numpy as np
import pytest
from scipy.integrate import odeint, solve_ivp

import pullback
from pullback import ode as dp

jax = pytest.importorskip("jax")
jnp = jax.numpy
jax.config.update("jax_enable_x64", True)


def rk_step(rhs, tc, y, h, k1):
    """One Dormand-Prince 5(4) step: the stages, the 5th-order state (NumPy or jax.numpy)."""
    k2 = rhs(tc + dp._C2 * h, y + h * (dp._A21 * k1))
    k3 = rhs(tc + dp._C3 * h, y + h * (dp._A31 * k1 + dp._A32 * k2))
    k4 = rhs(tc + dp._C4 * h, y + h * (dp._A41 * k1 + dp._A42 * k2 + dp._A43 * k3))
    k5 = rhs(tc + dp._C5 * h, y + h * (dp._A51 * k1 + dp._A52 * k2 + dp._A53 * k3 +
                                       dp._A54 * k4))
    k6 = rhs(tc + h, y + h * (dp._A61 * k1 + dp._A62 * k2 + dp._A63 * k3 + dp._A64 * k4 +
                              dp._A65 * k5))
    y_new = y + h * (dp._B1 * k1 + dp._B3 * k3 + dp._B4 * k4 + dp._B5 * k5 + dp._B6 * k6)
    return (k1, k2, k3, k4, k5, k6), y_new


def record(rhs, y0, times, rtol, atol):
    """The accepted steps of each output interval (None: the step cut onto the output
    time) and the states, from the controller run in plain NumPy."""
    y, tc = y0 * np.ones(1), times[0]
    k1 = rhs(tc, y) * np.ones(1)
    direction = -1.0 if times[-1] < times[0] else 1.0
    habs = dp._first_step(rhs, tc, y, k1, direction, rtol, atol)
    steps, out = [], [y]
    for t_end in times[1:]:
        taken, done = [], (t_end - tc) * direction <= 0.0
        while not done:
            h = direction * habs
            last = (tc + h - t_end) * direction >= 0.0
            if last:
                h = t_end - tc
            (_, _, k3, k4, k5, k6), y_new = rk_step(rhs, tc, y, h, k1)
            k7 = rhs(tc + h, y_new)
            scale = atol + rtol * np.maximum(np.abs(y), np.abs(y_new))
            e = h * (dp._E1 * k1 + dp._E3 * k3 + dp._E4 * k4 + dp._E5 * k5 + dp._E6 * k6 +
                     dp._E7 * k7)
            # the tangent's estimate too (the controller's own, run in NumPy: it only
            # picks the steps, which the bitwise comparison with _dopri checks)
            err = max(dp._rms(e, scale), dp._tangent_error(rhs, tc, y, h, e, rtol, atol))
            if err <= 1.0:
                tc, y, k1, done = tc + h, y_new, k7, last
                taken.append(None if last else h)
                if not last:
                    habs = habs * min(10.0, 0.9 * max(err, 1e-10) ** -0.2)
            else:
                habs = habs * max(0.2, 0.9 * err ** -0.2)
        steps.append(taken)
        out.append(y)
    return steps, np.array(out)


def replay(rhs, y0, times, steps):
    """The same steps in jax.numpy, their sizes constants (the cut ones from the times)."""
    y, tc = y0 * jnp.ones(1), times[0]
    k1 = rhs(tc, y)
    out = [y]
    for i, taken in enumerate(steps):
        for h in taken:
            h = times[i + 1] - tc if h is None else h
            y = rk_step(rhs, tc, y, h, k1)[1]
            tc = tc + h
            k1 = rhs(tc, y)
        out.append(y)
    return jnp.stack(out)


RS = np.random.RandomState(0)
NET = (RS.randn(2, 16) * 0.5, RS.randn(16) * 0.5, RS.randn(16, 2) * 0.5, RS.randn(2) * 0.1)
Y0 = np.array([2.0, 0.0])
TIMES = np.linspace(0.0, 1.5, 7)
TARGET = RS.randn(7, 2)


def relu_net(y, t, w1, b1, w2, b2):
    return np.dot(np.maximum(0.0, np.dot(y, w1) + b1), w2) + b2


def ode_net_loss(w1, b1, w2, b2, y0, times):
    """autograd's ode_net: a ReLU network as the right-hand side, an L1 loss, rtol=0.01."""
    pred = odeint(relu_net, y0, times, args=(w1, b1, w2, b2), rtol=0.01)
    return np.mean(np.abs(pred - TARGET))


def relu_net_jax(w1, b1, w2, b2):
    return lambda t, y: jnp.dot(jnp.maximum(0.0, jnp.dot(y, w1) + b1), w2) + b2


def test_relu_ode_net_gradient_is_exact_for_its_steps():
    args = NET + (Y0, TIMES)
    rhs = lambda t, y: relu_net(y, t, *NET)        # noqa: E731
    steps, states = record(rhs, Y0, TIMES, 0.01, 1.49012e-8)
    np.testing.assert_array_equal(states, dp._dopri(rhs, Y0, TIMES, 0.01, 1.49012e-8))
    assert sum(map(len, steps)) < 40           # coarse: far from the exact solution

    def loss_jax(w1, b1, w2, b2, y0, times):
        pred = replay(relu_net_jax(w1, b1, w2, b2), y0, times, steps)
        return jnp.mean(jnp.abs(pred - TARGET))
    value, got = pullback.value_and_grad(ode_net_loss, argnums=tuple(range(6)))(*args)
    np.testing.assert_allclose(value, np.mean(np.abs(states - TARGET)), rtol=1e-14)
    want = jax.grad(loss_jax, argnums=tuple(range(6)))(*args)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-10, atol=1e-12 * np.max(np.abs(w)))


def rotation_loss(a, t_eval):
    """solve_ivp at its default rtol=1e-3 from a start before t_eval[0]."""
    sol = solve_ivp(lambda t, y, m: np.tanh(m @ y) + np.sin(t), (0.0, 2.0), Y0, t_eval=t_eval,
                    args=(a,))
    return np.sum(sol.y ** 2)


def test_solve_ivp_gradient_is_exact_for_its_steps():
    a = np.array([[-0.5, 1.0], [-1.0, -0.3]])
    t_eval = np.array([0.4, 1.1, 2.0])
    times = np.concatenate([[0.0], t_eval])
    steps, states = record(lambda t, y: np.tanh(a @ y) + np.sin(t), Y0, times, 1e-3, 1e-6)

    def loss_jax(m, t_eval):
        rhs = lambda t, y: jnp.tanh(m @ y) + jnp.sin(t)          # noqa: E731
        ys = replay(rhs, Y0, jnp.concatenate([jnp.zeros(1), t_eval]), steps)
        return jnp.sum(ys[1:] ** 2)
    np.testing.assert_allclose(pullback.value_and_grad(rotation_loss)(a, t_eval)[0],
                               np.sum(states[1:] ** 2), rtol=1e-14)
    got = pullback.grad(rotation_loss, argnums=(0, 1))(a, t_eval)
    want = jax.grad(loss_jax, argnums=(0, 1))(a, t_eval)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-10, atol=1e-12 * np.max(np.abs(w)))
