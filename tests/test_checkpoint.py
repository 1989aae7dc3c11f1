"""Checkpointed loops (transforms/checkpoint.py, rules/schedule.py): revolve's count of
forward steps, gradients bitwise equal to the taped ones, and right against JAX and
central differences on simulations (a pendulum, a heat equation)."""
import math
import os
import sys
from functools import lru_cache

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import pullback
from pullback.rules.schedule import actions, advanced, beta, forward_steps

jax.config.update("jax_enable_x64", True)


# -- the schedule -----------------------------------------------------------------------------
@lru_cache(maxsize=None)
def fewest(n, s):
    """Brute force: the fewest forward steps over every recursive split."""
    if n <= 1:
        return 0
    if s == 1:
        return n * (n - 1) // 2
    return min(m + fewest(n - m, s - 1) + fewest(m, s) for m in range(1, n))


def test_formula_is_the_optimum_of_every_split():
    for s in range(1, 6):
        for n in range(0, 45):
            assert forward_steps(n, s) == fewest(n, s), (n, s)


def test_formula_by_hand():
    assert forward_steps(2, 1) == 1
    assert forward_steps(10, 1) == 45           # one snapshot: 9 + 8 + ... + 0
    assert forward_steps(beta(3, 2), 3) == 2 * beta(3, 2) - beta(4, 1)   # r = 2
    assert forward_steps(5, 40) == 4            # enough snapshots: each step once more


@pytest.mark.parametrize("s", [1, 2, 3, 5, 8, 40])
def test_schedule_runs_revolves_optimum(s):
    for n in list(range(0, 90)) + [997, 2024]:
        assert advanced(n, s) == forward_steps(n, s), (n, s)


def test_formula_at_the_repetition_boundaries():
    """n = C(s + r, s) is the most steps r repetitions reverse; one step more costs a
    repetition more for every step: brute force on both sides of each boundary."""
    for s in range(2, 7):
        for r in range(1, 4):
            n = beta(s, r)
            if n + 1 > 130:
                continue
            assert forward_steps(n, s) == fewest(n, s) == r * n - beta(s + 1, r - 1)
            assert forward_steps(n + 1, s) == fewest(n + 1, s) == (r + 1) * (n + 1) - \
                beta(s + 1, r)


@pytest.mark.parametrize("n, s", [(1000, 10), (5000, 100), (12341, 40)])
def test_schedule_runs_revolves_optimum_on_long_loops(n, s):
    """Long loops like the benchmarks' (12341 = C(43, 3): the last n with r = 3)."""
    assert advanced(n, s) == forward_steps(n, s)


def test_schedule_keeps_at_most_s_snapshots_and_frees_them():
    for n, s in [(1, 1), (17, 2), (100, 3), (250, 6)]:
        live, most = 0, 0
        for kind, _ in actions(n, s):
            live += {"takeshot": 1, "free": -1}.get(kind, 0)
            most = max(most, live)
        assert most <= s and live == 0
        turns = [p for kind, p in actions(n, s) if kind == "reverse"]
        assert turns == list(reversed(range(n)))


# -- programs ---------------------------------------------------------------------------------
def pendulum(theta, omega, c, n):
    for i in range(n):
        alpha = -9.81 * math.sin(theta) - c * omega
        theta = theta + 0.01 * omega
        omega = omega + 0.01 * alpha
    return theta ** 2 + 0.1 * omega ** 2


def pendulum_jax(theta, omega, c, n):
    for i in range(n):
        alpha = -9.81 * jnp.sin(theta) - c * omega
        theta = theta + 0.01 * omega
        omega = omega + 0.01 * alpha
    return theta ** 2 + 0.1 * omega ** 2


def heat(u0, kappa, n):
    """Explicit 1-D heat equation, written in place."""
    u = u0.copy()
    for i in range(n):
        lap = u[:-2] - 2.0 * u[1:-1] + u[2:]
        u[1:-1] = u[1:-1] + kappa * lap * (1.0 + 0.1 * u[1:-1])
    return np.sum(u * u) + u[3]


def heat_jax(u, kappa, n):
    for i in range(n):
        lap = u[:-2] - 2.0 * u[1:-1] + u[2:]
        u = u.at[1:-1].set(u[1:-1] + kappa * lap * (1.0 + 0.1 * u[1:-1]))
    return jnp.sum(u * u) + u[3]


def mixed(x, a, n):
    """A reversed range with a step, an inner loop, a branch, the index after the loop."""
    y, i = 0.0, 0
    for i in reversed(range(1, n, 2)):
        for j in range(3):
            x = math.sin(x * a) + 0.01 * j
        if x > 0.2:
            y = y + x * i
        else:
            y = y - a * x
    return x + y + 0.001 * i * a


def prior(x, a, n):
    """``t`` is overwritten in the loop, not carried, and read by the reverse of code before it."""
    t = x * a
    z = math.sin(t)
    for i in range(n):
        t = x * 0.5 + i
        z = z * math.cos(t * z)
    return z + t


def stepper(x, a):
    return x * math.cos(a * x) + 0.01


def with_call(x, a, n):
    for i in range(n):
        x = stepper(x, a) + 0.001 * i
    return x * x


CASES = [(pendulum, (0.7, 0.1, 0.3)), (mixed, (0.4, 1.3)), (prior, (0.4, 0.8)),
         (with_call, (0.6, 1.1))]


def _same(a, b):
    return all(np.array_equal(np.asarray(p), np.asarray(q)) for p, q in zip(a, b))


@pytest.mark.parametrize("f, args", CASES, ids=lambda v: getattr(v, "__name__", ""))
@pytest.mark.parametrize("n", [0, 1, 2, 7, 30])
def test_bitwise_equal_to_taped(f, args, n):
    nums = tuple(range(len(args)))
    want = pullback.value_and_grad(f, argnums=nums)(*args, n)
    for s in (1, 2, 3, 40):
        got = pullback.value_and_grad(f, argnums=nums, checkpoint=s)(*args, n)
        assert got[0] == want[0] and _same(got[1], want[1]), (s, got, want)


def test_heat_bitwise_jax_and_differences():
    u0 = np.sin(np.linspace(0.0, 3.0, 12))
    want = pullback.grad(heat, argnums=(0, 1))(u0, 0.2, 25)
    for s in (1, 3, 40):
        got = pullback.grad(heat, argnums=(0, 1), checkpoint=s)(u0, 0.2, 25)
        assert _same(got, want), s
    ju, jk = jax.grad(heat_jax, argnums=(0, 1))(jnp.asarray(u0), 0.2, 25)
    np.testing.assert_allclose(got[0], ju, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(got[1], jk, rtol=1e-12)
    h = 1e-6
    fd = (heat(u0, 0.2 + h, 25) - heat(u0, 0.2 - h, 25)) / (2 * h)
    np.testing.assert_allclose(got[1], fd, rtol=1e-7)


def test_pendulum_against_jax_and_differences():
    args, n = (0.7, 0.1, 0.3), 200
    got = pullback.grad(pendulum, argnums=(0, 1, 2), checkpoint=5)(*args, n)
    want = jax.grad(pendulum_jax, argnums=(0, 1, 2))(*args, n)
    np.testing.assert_allclose(got, want, rtol=1e-12)
    h = 1e-6
    for k in range(3):
        up = list(args)
        dn = list(args)
        up[k] += h
        dn[k] -= h
        fd = (pendulum(*up, n) - pendulum(*dn, n)) / (2 * h)
        np.testing.assert_allclose(got[k], fd, rtol=1e-6)


def stepper_calls(f, s, n):
    """{name: calls} of ``stepper``'s generated functions in one gradient of ``f``."""
    g = pullback.grad(f, argnums=(0, 1), checkpoint=s)
    g(0.6, 1.1, 1)
    calls = {}

    def count(frame, event, arg):
        if event == "call" and frame.f_code.co_name.startswith("stepper"):
            calls[frame.f_code.co_name] = calls.get(frame.f_code.co_name, 0) + 1
    sys.setprofile(count)
    try:
        g(0.6, 1.1, n)
    finally:
        sys.setprofile(None)
    return calls


@pytest.mark.parametrize("n, s", [(1, 1), (9, 1), (30, 2), (50, 3), (64, 40)])
def test_recomputed_steps_are_revolves_optimum(n, s):
    """Counted in the run: the loop body's call of ``stepper`` is the primal in a
    recomputed (advanced) step and ``stepper_fwd`` in a recorded one."""
    calls = stepper_calls(with_call, s, n)
    assert calls.get("stepper_fwd", 0) == n
    assert calls.get("stepper", 0) == forward_steps(n, s)


@pytest.mark.parametrize("backend", ["python", "numba"])
def test_source_reports_the_schedule(backend):
    """Snapshots, bytes and the recomputation factor: revolve's t(n, s) / n when the trip
    count is a constant, its bound r(n, s) for a few counts when it comes at run time."""
    if backend == "numba":
        pytest.importorskip("numba")
    g = pullback.grad(pendulum, argnums=(0, 1, 2), checkpoint=40, backend=backend)
    text = pullback.source(g)              # not called: Numba compiles nothing
    assert "Checkpointing: 40 snapshots" in text
    assert "at most 40 snapshots of omega, theta (16 bytes each), 640 bytes in all" in text
    assert "recomputation factor t / n < 1 up to 41 steps, < 2 up to 861 steps, " \
           "< 3 up to 12341 steps" in text                       # C(40 + r, r)
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "examples"))
    from pendulum import simulate            # 1000 steps, a constant trip count
    text = pullback.source(pullback.grad(simulate, argnums=(0, 1, 2), checkpoint=40,
                                         backend=backend))
    t = 3 * 1000 - math.comb(41 + 2, 2)      # r = 3 (C(42, 2) < 1000 <= C(43, 3))
    assert f"1000 steps: {t} recomputed, recomputation factor t / n = {t / 1000:.2f}" in text


def test_bad_checkpoint_argument():
    with pytest.raises(ValueError, match="checkpoint"):
        pullback.grad(pendulum, checkpoint=0)


@pytest.mark.parametrize("f, args", [(pendulum, (0.7, 0.1, 0.3, 40)),
                                     (heat, (np.sin(np.linspace(0.0, 3.0, 12)), 0.2, 25))],
                         ids=["pendulum", "heat"])
def test_numba_equals_python(f, args):
    """Snapshots in the Numba backend's preallocated tape arrays (a popped row is a view,
    so arrays written in place are copied off it)."""
    pytest.importorskip("numba")
    nums = tuple(range(len(args) - 1))
    want = pullback.grad(f, argnums=nums)(*args)
    got = pullback.grad(f, argnums=nums, checkpoint=3, backend="numba")(*args)
    for a, b in zip(got, want):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


def test_auto_snapshots_from_a_memory_budget():
    """16 bytes of state (theta, omega): a 100-byte budget holds 6 snapshots."""
    g = pullback.grad(pendulum, argnums=(0, 1, 2), checkpoint="auto", memory_budget=100)
    got = g(0.7, 0.1, 0.3, 50)
    assert _same(got, pullback.grad(pendulum, argnums=(0, 1, 2))(0.7, 0.1, 0.3, 50))
    text = pullback.source(g)
    assert "auto, 100 bytes of snapshots" in text
    assert "at most 6 snapshots of omega, theta (16 bytes each; chosen by " \
           "checkpoint='auto' for 100 bytes)" in text
    assert pullback.grad(pendulum, checkpoint="auto").checkpoint[1] > 0
    with pytest.raises(ValueError, match="memory_budget"):
        pullback.grad(pendulum, checkpoint=4, memory_budget=100)


# -- loops whose trip count is known only at their end ------------------------------------
def until(x, a):
    """A while loop whose exit depends on the state."""
    t = 0.0
    while t < 3.0:
        x = x + 0.05 * math.sin(a * x + t)
        t = t + 0.05 + 0.01 * x * x
    return x * t


def early(x, a, n):
    for i in range(n):
        x = math.cos(a * x) + 0.01 * i
        if x > 0.99:
            break
    return x * a


def counted(x, a, n):
    k = 0
    while k < n:
        x = stepper(x, a)
        k = k + 1
    return x


@pytest.mark.parametrize("f, args", [(until, (0.3, 1.2)), (early, (0.3, 1.2, 40)),
                                     (early, (0.1, 0.05, 40)), (counted, (0.6, 1.1, 23))],
                         ids=["while", "break", "no-break", "while-call"])
def test_online_loops_bitwise_and_differences(f, args):
    want = pullback.value_and_grad(f, argnums=(0, 1))(*args)
    for s in (1, 2, 5):
        got = pullback.value_and_grad(f, argnums=(0, 1), checkpoint=s)(*args)
        assert got[0] == want[0] and _same(got[1], want[1]), s
    h = 1e-6
    fd = [(f(*args[:k], args[k] + h, *args[k + 1:]) - f(*args[:k], args[k] - h, *args[k + 1:]))
          / (2 * h) for k in (0, 1)]
    np.testing.assert_allclose(got[1], fd, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("n, s", [(1, 1), (23, 2), (40, 4)])
def test_online_loop_runs_n_more_steps_than_revolve(n, s):
    """A plain forward run first, then revolve's schedule for the count.  The loop
    runs n + 1 steps: the last one tests ``k < n``, finds it false and stops (it calls
    nothing, and is the step revolve records first, never one it advances over)."""
    calls = stepper_calls(counted, s, n)
    assert calls.get("stepper_fwd", 0) == n
    assert calls.get("stepper", 0) == n + forward_steps(n + 1, s)


# -- a long loop in a helper the entry calls at its top level --------------------------------
def helper_loop(x, a, n):
    for i in range(n):
        x = stepper(x, a) + 0.001 * i
    return x


def via_helper(x, a, n):
    y = helper_loop(x, a, n)
    return y * y + a


def heat_steps(u, kappa, n):
    u = u.copy()
    for i in range(n):
        u[1:-1] = u[1:-1] + kappa * (u[2:] - 2.0 * u[1:-1] + u[:-2])
    return u


def heat_via_helper(u0, kappa, n):
    return np.sum(heat_steps(u0, kappa, n) ** 2)


@pytest.mark.parametrize("n, s", [(9, 1), (30, 2), (64, 5)])
def test_helper_loop_is_checkpointed(n, s):
    """The helper's loop runs revolve's schedule (its ``stepper`` primal calls are the
    recomputed steps; a taped helper would call none), bitwise the taped gradient."""
    calls = stepper_calls(via_helper, s, n)
    assert calls.get("stepper_fwd", 0) == n
    assert calls.get("stepper", 0) == forward_steps(n, s)
    got = pullback.value_and_grad(via_helper, argnums=(0, 1), checkpoint=s)(0.6, 1.1, n)
    want = pullback.value_and_grad(via_helper, argnums=(0, 1))(0.6, 1.1, n)
    assert got[0] == want[0] and _same(got[1], want[1])
    h = 1e-6
    fd = [(via_helper(0.6 + h, 1.1, n) - via_helper(0.6 - h, 1.1, n)) / (2 * h),
          (via_helper(0.6, 1.1 + h, n) - via_helper(0.6, 1.1 - h, n)) / (2 * h)]
    np.testing.assert_allclose(got[1], fd, rtol=1e-6, atol=1e-8)


def test_helper_loop_in_place_numba_and_jax():
    """An array written in place in the helper's loop: Numba's tape rows (the popped
    slice is typed like the pushed one, so the split pair agrees on the tape's form)."""
    pytest.importorskip("numba")
    args = (np.sin(np.linspace(0.0, 3.0, 12)), 0.2, 30)
    got = pullback.grad(heat_via_helper, argnums=(0, 1), checkpoint=3, backend="numba")(*args)

    def jax_f(u, kappa):
        for i in range(args[2]):
            u = u.at[1:-1].set(u[1:-1] + kappa * (u[2:] - 2.0 * u[1:-1] + u[:-2]))
        return jnp.sum(u ** 2)
    want = jax.grad(jax_f, argnums=(0, 1))(*args[:2])
    for a, b in zip(got, want):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)
    g = pullback.grad(heat_via_helper, argnums=(0, 1), checkpoint=3)
    g(*args)
    text = pullback.source(g)
    assert "checkpointed loop (line" in text and "at most 3 snapshots of u" in text


def _two_loops(x, a, sin=math.sin):
    for i in range(4):
        x = x + a * sin(x)
    for i in range(3):
        x = x * a
    return x


@pytest.mark.parametrize("backend", ["python", "numba"])
def test_two_checkpointed_loops_of_one_variable(backend):
    """Both loops snapshot x: the snapshot tapes were keyed by the variable alone, so the
    first loop's was never made (NameError 'x_snaps' in the generated code; C failed to
    compile).  Against JAX."""
    if backend == "numba":
        pytest.importorskip("numba")
    want = jax.grad(lambda x, a: _two_loops(x, a, jnp.sin), argnums=(0, 1))(0.4, 0.9)
    got = pullback.grad(_two_loops, argnums=(0, 1), checkpoint=2, backend=backend)(0.4, 0.9)
    assert np.allclose(got, want, rtol=1e-12)


def _newton(a, tol):
    x = 1.0
    while True:
        xn = x - (x * x - a) / (2.0 * x)
        if abs(xn - x) < tol:
            return xn
        x = xn


def _two_solves(a, b):
    r = _newton(a, 1e-12)
    return r * b + _newton(b, 1e-12)


def test_numba_checkpointed_call_of_a_loop_left_by_return():
    """Was a KeyError inside the Numba printer (a tape made and never pushed): now the
    right numbers or an error at the user's line.  Analytic: d sqrt."""
    pytest.importorskip("numba")
    want = (3.0 / (2 * 2.0 ** 0.5), 2.0 ** 0.5 + 1 / (2 * 3.0 ** 0.5))
    assert np.allclose(pullback.grad(_two_solves, argnums=(0, 1), checkpoint=2)(2.0, 3.0), want)
    try:
        got = pullback.grad(_two_solves, argnums=(0, 1), backend="numba", checkpoint=2)(2.0, 3.0)
    except pullback.TransformError as e:
        assert __file__ in str(e)
    else:
        assert np.allclose(got, want)
