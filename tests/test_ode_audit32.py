"""Audit 32l's ODE findings (pullback/ode.py): the derivative at an equilibrium and at a
state far below atol (the step control watched only the state's error, which is 0 or
tiny there, so the steps outgrew the stability limit of df/dy and the sensitivity came
out at any size), a truncated solve returned as if finished, solve_ivp's implicit
methods integrated explicitly, time grids SciPy rejects, and repeated output times.
Oracles: scipy.linalg.expm, closed forms, SciPy's own exceptions.
"""
import numpy as np
import pytest
import scipy.linalg
from scipy.integrate import odeint, solve_ivp

import pullback
from pullback import ode

A = np.array([[0.0, 1.0], [-4.0, -0.4]])        # a damped oscillator, equilibrium at 0
FLOW = scipy.linalg.expm(5.0 * A)               # d y(5) / d y0 of y' = A y


def flow_odeint(y0):
    return odeint(lambda y, t: A @ y, y0, np.array([0.0, 5.0]))[1]


def flow_ivp(y0):
    return solve_ivp(lambda t, y: A @ y, (0.0, 5.0), y0, t_eval=np.array([5.0]), rtol=1e-8,
                     atol=1e-10).y[:, 0]


def flow_ivp_default(y0):
    return solve_ivp(lambda t, y: A @ y, (0.0, 5.0), y0, t_eval=np.array([5.0])).y[:, 0]


@pytest.mark.parametrize("mode", ["reverse", "forward"])
@pytest.mark.parametrize("f, y0, rtol", [
    (flow_odeint, np.zeros(2), 1e-6),                   # at the equilibrium
    (flow_ivp, np.zeros(2), 1e-6),
    (flow_ivp_default, np.array([1e-8, 0.0]), 1e-2)])   # far below atol, rtol=1e-3
def test_flow_jacobian_at_an_equilibrium_and_below_atol(f, y0, rtol, mode):
    np.testing.assert_allclose(pullback.jacobian(f, mode=mode)(y0), FLOW, rtol=rtol,
                               atol=rtol * np.max(np.abs(FLOW)))


def logistic_end(r, k, y0):
    sol = solve_ivp(lambda t, y, r, k: r * y * (1 - y / k), (0.0, 10.0), np.array([y0]),
                    t_eval=np.array([10.0]), args=(r, k), rtol=1e-8, atol=1e-10)
    return sol.y[0, 0]


def test_logistic_sensitivities_at_the_carrying_capacity():
    """y(T) = K y0 / (y0 + (K - y0) e^{-rT}); at y0 = K: (0, 1 - e^{-rT}, e^{-rT})."""
    got = pullback.grad(logistic_end, argnums=(0, 1, 2))(0.8, 1.0, 1.0)
    np.testing.assert_allclose(got, [0.0, 1 - np.exp(-8.0), np.exp(-8.0)], atol=1e-7)


def located(e, f, line=1):
    """The error's notes name the line of ``f``'s body (the ``line``-th) that calls the solver."""
    return f"{__file__}:{f.__code__.co_firstlineno + line}" in "\n".join(
        getattr(e, "__notes__", []))


def unsorted(k):
    return solve_ivp(lambda t, y, k: -k * y, (0.0, 3.0), np.array([1.0]),
                     t_eval=np.array([2.0, 1.0, 3.0]), args=(k,)).y[0, 1]


def outside(k):
    return solve_ivp(lambda t, y, k: -k * y, (0.0, 1.0), np.array([1.0]),
                     t_eval=np.array([0.5, 2.0]), args=(k,)).y[0, 1]


def repeated_t_eval(k):
    return solve_ivp(lambda t, y, k: -k * y, (0.0, 3.0), np.array([1.0]),
                     t_eval=np.array([1.0, 1.0, 2.0]), args=(k,)).y[0, 1]


def not_monotonic(k):
    return odeint(lambda y, t, k: -k * y, np.array([1.0]), np.array([0.0, 2.0, 1.0]),
                  args=(k,))[2, 0]


@pytest.mark.parametrize("f", [unsorted, outside, repeated_t_eval, not_monotonic])
def test_time_grids_scipy_rejects_are_rejected_alike(f):
    with pytest.raises(ValueError) as want:
        f(0.5)
    with pytest.raises(ValueError) as got:
        pullback.value_and_grad(f)(0.5)
    assert str(got.value) == str(want.value)
    assert located(got.value, f)


def bdf(k):
    return solve_ivp(lambda t, y, k: -k * y, (0.0, 1.0), np.array([1.0]), method="BDF",
                     t_eval=np.array([1.0]), args=(k,)).y[0, 0]


def test_implicit_methods_are_refused_at_the_users_line():
    with pytest.raises(NotImplementedError, match="method='BDF'") as e:
        pullback.grad(bdf)(0.5)
    assert located(e.value, bdf)


def stiff_relaxation(k):
    """y' = -k (y - cos t): about 1.2e5 explicit steps on [0, 2] at k = 2e5."""
    return odeint(lambda y, t, k: -k * (y - np.cos(t)), np.array([0.0]), np.array([0.0, 2.0]),
                  args=(k,))[1, 0]


def test_a_solve_past_the_step_limit_raises(monkeypatch):
    """It returned the state reached after _MAX_STEPS steps (solve_ivp: success True)."""
    monkeypatch.setattr(ode, "_MAX_STEPS", 2000)       # the same failure, in seconds
    with pytest.raises(RuntimeError, match="more than 2000 steps") as e:
        pullback.value_and_grad(stiff_relaxation)(2e4)
    assert located(e.value, stiff_relaxation, 2)


def decay_outputs(ts):
    return np.sum(odeint(lambda y, t: -0.7 * y * t, np.array([1.0]), ts, rtol=1e-12,
                         atol=1e-12)[:, 0])


def ivp_from_the_start(t_eval):
    return np.sum(solve_ivp(lambda t, y: -0.7 * y + 1.0, (0.0, 2.0), np.array([1.0]),
                            t_eval=t_eval, rtol=1e-12, atol=1e-12).y)


def test_each_repeated_output_time_has_its_own_derivative():
    """d y(t_k) / d t_k = f(y(t_k), t_k) for each k, the repeated ones too (y = e^{-0.35 t^2})."""
    ts = np.array([0.0, 1.0, 1.0, 2.0])
    f = -0.7 * ts * np.exp(-0.35 * ts ** 2)
    np.testing.assert_allclose(pullback.grad(decay_outputs)(ts), f, rtol=1e-9, atol=1e-12)
    # t_eval[0] at t_span[0]: an empty first interval, d y(0) / d t_eval[0] = f(1) = 0.3
    got = pullback.grad(ivp_from_the_start)(np.array([0.0, 1.0]))
    np.testing.assert_allclose(got, [0.3, 0.3 * np.exp(-0.7)], rtol=1e-9)
