"""Lists grown by ``append`` and read from their end (transforms/list_indices.py), and a
list literal that then grows (frontend/lower.bind): an audit found silently wrong
gradients on both backends (``res.append(res[-1] * 2.0)`` gave 1 for 3; a recurrence
``seq = [a, b]; seq.append(f(seq[-1], seq[-2]))`` summed every item's adjoint into ``a``;
Numba read past the end of a list adjoint).  JAX traces the same Python lists."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import pullback
from jax_fd import fd_grad

jax.config.update("jax_enable_x64", True)


def doubled(x):
    res = [x]
    res.append(res[-1] * 2.0)
    return res[0] + res[1]


def read_before_append(x):
    L = [x, 2.0 * x]
    a = L[-1]
    L.append(5.0 * x)
    return a * L[-1]


def recurrence(a, b):
    seq = [a, b]
    for _ in range(6):
        seq.append(0.5 * seq[-1] + 0.3 * seq[-2] * seq[-1])
    return seq[-1] + seq[3]


def last(xs):
    return xs[-1]


def through_helper(x):
    L = [x]
    a = last(L)
    L.append(3.0 * x)
    return a * last(L)


def run_time_negative(x, n):
    L = [x]
    for i in range(n):
        L.append(L[i - 1] * 1.5 + x)      # L[-1] at i = 0
    return L[-1] * L[0]


def trajectory(v):
    traj = [v]
    for _ in range(4):
        traj.append(traj[-1] * 0.9 + np.tanh(traj[-1]))
    return np.sum(traj[-1] ** 2) + np.sum(traj[-2] * traj[1])


def extended(x):
    L = [x]
    L.extend([x * 2.0, np.sin(x)])         # appends, in order
    L.extend((L[-1] * 3.0,))
    return L[0] * L[1] + L[-1] * L[2]


CASES = [(extended, (0.7,)), (doubled, (0.7,)), (read_before_append, (0.7,)), (recurrence, (0.3, 0.8)),
         (through_helper, (0.7,)), (run_time_negative, (0.7, 3)),
         (trajectory, (np.array([0.3, -0.2, 0.5]),))]


def _jax(f):
    """The same source under JAX (np.tanh swapped for jnp's; the int n stays static)."""
    if f is trajectory:
        return _trajectory_j
    if f is extended:
        return lambda x: x * (2.0 * x) + (jnp.sin(x) * 3.0) * jnp.sin(x)
    if f is run_time_negative:
        return lambda x, n: run_time_negative(x, 3)
    return f


def _trajectory_j(v):
    traj = [v]
    for _ in range(4):
        traj.append(traj[-1] * 0.9 + jnp.tanh(traj[-1]))
    return jnp.sum(traj[-1] ** 2) + jnp.sum(traj[-2] * traj[1])


@pytest.mark.parametrize("backend", ["python", "numba"])
@pytest.mark.parametrize("f, args", CASES, ids=[c[0].__name__ for c in CASES])
def test_list_read_from_its_end_against_jax_and_differences(backend, f, args):
    nums = tuple(i for i, a in enumerate(args) if not isinstance(a, int))
    got = pullback.grad(f, argnums=nums, backend=backend)(*args)
    want = jax.grad(_jax(f), argnums=nums)(*args)
    for i, g, w in zip(nums, got, want):
        np.testing.assert_allclose(g, w, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(g, fd_grad(f, args, i), rtol=1e-6, atol=1e-8)


def test_hessian_of_a_list_read_from_its_end():
    assert pullback.hessian(read_before_append)(0.7) == pytest.approx(20.0, rel=1e-12)
