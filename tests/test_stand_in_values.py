"""Typing evaluates a primitive on stand-ins of its arguments; what those stand-ins
must not decide: a static argument (axis, ord, ddof, np.interp's left) given a
differentiated value has no rule and is rejected at its line, never a silent zero;
and the stand-in 1 of a run-time index must not reject a loop of one trip over an
array one long (``p[i]``, Horner's scheme over one coefficient).  Oracles: JAX and
central differences."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import pullback
from pullback import UnsupportedError
from jax_fd import fd_grad

jax.config.update("jax_enable_x64", True)
XP = np.array([-1.0, 0.0, 0.5, 2.0])


def norm_of_order(x, p):
    return np.linalg.norm(x, ord=p)


def std_of_ddof(x, d):
    return np.std(x, ddof=d)


def interp_left(x, lo):
    return np.sum(np.interp(x, XP, np.sin(XP), left=lo))


def interp_knots(x, xp):
    return np.sum(np.interp(x, xp, np.sin(XP)))


@pytest.mark.parametrize("f, args, name", [
    (norm_of_order, (np.array([1.0, 2.0]), 3.0), "'ord'"),
    (std_of_ddof, (np.array([1.0, 2.0, 4.0]), 1.0), "'ddof'"),
    (interp_left, (np.array([-2.0, 0.3]), 2.0), "'left'"),
    (interp_knots, (np.array([-2.0, 0.3]), XP), "'xp'"),
])
def test_varied_value_in_a_place_without_a_rule_is_rejected_at_its_line(f, args, name):
    line = f.__code__.co_firstlineno + 1
    with pytest.raises(UnsupportedError, match=rf"test_stand_in_values.py:{line}:.*{name}"):
        pullback.grad(f, (0, 1))(*args)
    # the same static argument as a constant differentiates as before
    assert np.isfinite(pullback.grad(f)(*args)).all()


def horner(p, x):
    y = 0.0 * x
    for i in range(p.shape[0]):
        y = y * x + p[i]
    return np.sum(y * y)


def horner_jax(p, x):
    y = 0.0 * x
    for i in range(p.shape[0]):
        y = y * x + p[i]
    return jnp.sum(y * y)


@pytest.mark.parametrize("n, shape", [(1, (3,)), (1, ()), (2, (2, 2)), (4, (3,))])
def test_loop_of_one_trip_over_an_array_one_long(n, shape):
    rng = np.random.default_rng(n)
    p, x = rng.normal(size=n), rng.normal(size=shape)
    got = pullback.grad(horner, (0, 1))(p, x)
    want = jax.grad(horner_jax, (0, 1))(p, x)
    for i in (0, 1):
        assert np.allclose(got[i], want[i], rtol=1e-10, atol=1e-12)
        assert np.allclose(got[i], fd_grad(horner, (p, np.asarray(x, float)), i), atol=1e-6)


def interp_sum(x):
    return np.sum(np.interp(x, XP, np.sin(XP)) ** 2)


def test_interp_on_backends_without_its_helpers_is_rejected_at_the_line():
    line = interp_sum.__code__.co_firstlineno + 1
    with pytest.raises(Exception, match=rf"test_stand_in_values.py:{line}.*interp"):
        pullback.grad(interp_sum, backend="numba")(np.array([0.2, 0.3]))
