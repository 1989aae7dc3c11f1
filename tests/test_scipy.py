"""SciPy in differentiated code: where a derivative is unknown it is rejected at the
user's line (never a silent zero), and backends without SciPy say so.  The rules
themselves are checked row by row in ``test_numpy_rules.py`` (``scipy_rule_table.py``)."""
import numpy as np
import pytest
import scipy.linalg
import scipy.special
import scipy.stats

import pullback
from pullback.errors import TransformError, UnsupportedError


def gammainc_in_a(a, x):
    return np.sum(scipy.special.gammainc(a, x))


def bessel_order(v, x):
    return scipy.special.jv(v * 1.0, x)


@pytest.mark.parametrize("f, argnums", [(gammainc_in_a, 0), (gammainc_in_a, (0, 1)),
                                        (bessel_order, 0)])
def test_unknown_derivative_is_rejected_at_the_line(f, argnums):
    with pytest.raises(UnsupportedError) as info:
        pullback.grad(f, argnums=argnums)(1.5, 2.0)
    assert "test_scipy.py" in str(info.value) and "no derivative of" in str(info.value)
    with pytest.raises(UnsupportedError):          # forward mode: the same check
        pullback.jacobian(f, argnums=argnums, mode="forward")(1.5, 2.0)


def test_unknown_derivative_is_fine_where_constant():
    # a constant order: d/dx only, checked against finite differences
    g = pullback.grad(gammainc_in_a, argnums=1)(2.5, np.array([0.5, 1.0, 3.0]))
    h = 1e-6
    x = np.array([0.5, 1.0, 3.0])
    fd = [(gammainc_in_a(2.5, x + h * e) - gammainc_in_a(2.5, x - h * e)) / (2 * h)
          for e in np.eye(3)]
    np.testing.assert_allclose(g, fd, rtol=1e-6)


def test_numpy_scalar_arguments():
    # np.float64 arguments (elements of an array): the rules' sign(x) of one was np.bool_ - np.bool_
    def f(v, z):
        return scipy.special.ive(v, z) * np.sign(z - 2.0)
    v, z, h = np.float64(3.0), np.float64(1.7), 1e-6
    got = pullback.vjp(lambda z: f(v, z), z)[1](1.0)[0]
    assert got == pytest.approx((f(v, z + h) - f(v, z - h)) / (2 * h), rel=1e-6)


def test_numba_rejects_scipy_special_at_the_line():
    def f(x):
        return np.sum(scipy.special.expit(x))
    with pytest.raises(TransformError) as info:
        pullback.grad(f, backend="numba")(np.ones(3))
    assert "test_scipy.py" in str(info.value) and "scipy.special.expit" in str(info.value)


# -- the GP example: scipy.linalg and scipy.stats against JAX -------------------------------------
def test_gp_example_against_jax():
    import os
    import sys
    import jax
    import jax.numpy as jnp
    import jax.scipy.linalg as jla
    import jax.scipy.stats as jst
    jax.config.update("jax_enable_x64", True)
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(__file__)), "examples"))
    import gp

    def jax_nll(params, x, y):
        la, ll, ln = params[0], params[1], params[2]
        d = x[:, None] - x[None, :]
        k = jnp.exp(2 * la) * jnp.exp(-0.5 * d * d / jnp.exp(2 * ll)) + \
            jnp.exp(2 * ln) * jnp.eye(x.shape[0])
        return -jst.multivariate_normal.logpdf(y, jnp.zeros(x.shape[0]), k) \
            - jst.norm.logpdf(ll, 0.0, 2.0)

    x, y = gp.data(n=12)
    params = np.array([0.2, -0.3, -1.2])
    want = np.asarray(jax.grad(jax_nll)(jnp.asarray(params), jnp.asarray(x), jnp.asarray(y)))
    for f in (gp.neg_log_marginal, gp.neg_log_marginal_mvn):
        value, got = pullback.value_and_grad(f)(params, x, y)
        assert value == pytest.approx(float(jax_nll(params, x, y)), rel=1e-10)
        np.testing.assert_allclose(got, want, rtol=1e-8)
    _ = jla     # the cho_factor path is compared through the same objective
    result = gp.fit()
    assert result.success


# -- frozen distributions ------------------------------------------------------------------------
FROZEN = scipy.stats.norm(0.5, 2.0)
FROZEN_MVN = scipy.stats.multivariate_normal(np.zeros(2), np.array([[2.0, 0.3], [0.3, 1.0]]))


def uses_global_frozen(x):
    return np.sum(FROZEN.logpdf(x)) + FROZEN_MVN.logpdf(x[:2])


def test_global_frozen_distribution_is_guarded():
    global FROZEN
    x = np.array([0.3, -1.0, 2.0])
    d = pullback.grad(uses_global_frozen)
    cov = np.array([[2.0, 0.3], [0.3, 1.0]])
    want = -(x - 0.5) / 4.0
    want[:2] -= np.linalg.solve(cov, x[:2])
    np.testing.assert_allclose(d(x), want, rtol=1e-12)
    FROZEN = scipy.stats.norm(-1.0, 0.5)          # a new global: a new specialisation
    try:
        want = -(x + 1.0) / 0.25
        want[:2] -= np.linalg.solve(cov, x[:2])
        np.testing.assert_allclose(d(x), want, rtol=1e-12)
    finally:
        FROZEN = scipy.stats.norm(0.5, 2.0)


def frozen_passed_on(x, s):
    d = scipy.stats.gamma(2.0, scale=s)
    return np.sum(helper_logpdf(d, x))


def helper_logpdf(dist, x):
    return dist.logpdf(x) + dist.cdf(x)


def test_frozen_distribution_passed_to_a_helper():
    x, s = np.array([0.5, 1.5, 3.0]), 1.3
    got = pullback.grad(frozen_passed_on, argnums=(0, 1))(x, s)
    h = 1e-6
    fd_s = (frozen_passed_on(x, s + h) - frozen_passed_on(x, s - h)) / (2 * h)
    fd_x = [(frozen_passed_on(x + h * e, s) - frozen_passed_on(x - h * e, s)) / (2 * h)
            for e in np.eye(3)]
    np.testing.assert_allclose(got[0], fd_x, rtol=1e-6)
    assert got[1] == pytest.approx(fd_s, rel=1e-6)


# -- outside the support: SciPy's value, and no nan in the derivative ---------------------------------
@pytest.mark.parametrize("f", [
    lambda x: scipy.stats.gamma.logpdf(x, 2.5, scale=1.5),
    lambda x: scipy.stats.beta.logpdf(x, 2.0, 3.0),
    lambda x: scipy.stats.lognorm.logpdf(x, 0.7),
    lambda x: scipy.stats.expon.logpdf(x, 0.2),
    lambda x: scipy.stats.uniform.logpdf(x, -0.5, 1.0),
    lambda x: scipy.stats.gamma.cdf(x, 2.0) + scipy.stats.beta.cdf(x, 2.0, 2.0),
])
def test_outside_the_support(f):
    x = np.array([-1.5, -0.2, 0.3, 0.7, 1.4])
    value, g = pullback.value_and_grad(lambda x: np.sum(np.exp(f(x))))(x)
    assert value == pytest.approx(np.sum(np.exp(f(x))), rel=1e-12)
    assert np.all(np.isfinite(g))
    inside = np.isfinite(f(x))
    assert np.all(g[~inside] == 0.0)


# -- rejected at the user's line -----------------------------------------------------------------------
def cdf_in_shape(a, x):
    return np.sum(scipy.stats.gamma.cdf(x, a))


def entropy(s):
    return scipy.stats.norm.entropy(0.0, s)


def generalized_eigh(a):
    return np.sum(scipy.linalg.eigh(a, np.eye(3))[0])


@pytest.mark.parametrize("f, message", [
    (cdf_in_shape, "no derivative of"),
    (entropy, "the method '.entropy' of norm_gen"),
    (generalized_eigh, "this call of eigh"),
])
def test_rejections(f, message):
    args = (np.eye(3) + 1.0,) if f is generalized_eigh else (1.5, np.array([0.5, 2.0]))
    if f is entropy:
        args = (1.5,)
    with pytest.raises(UnsupportedError) as info:
        pullback.grad(f)(*args)
    assert message in str(info.value)
    if f is not cdf_in_shape:       # the rejection names the user's line
        assert "test_scipy.py" in str(info.value)


# -- the Numba backend: expansions over elementwise NumPy compile; the rest is refused -------------
def numba_stats(mu, s, y):
    return np.sum(scipy.stats.norm.logpdf(y, mu, s * s) + scipy.stats.laplace.logpdf(y, mu)
                  + scipy.stats.cauchy.logpdf(y, 0.1, s))


def test_numba_backend():
    y = np.array([0.5, -0.2, 0.1, 0.4])
    want = pullback.grad(numba_stats, argnums=(0, 1))(0.3, 1.2, y)
    got = pullback.grad(numba_stats, argnums=(0, 1), backend="numba")(0.3, 1.2, y)
    np.testing.assert_allclose(got, want, rtol=1e-12)
    h = 1e-6
    assert got[1] == pytest.approx(
        (numba_stats(0.3, 1.2 + h, y) - numba_stats(0.3, 1.2 - h, y)) / (2 * h), rel=1e-6)

    def cdf(x):
        return np.sum(scipy.stats.norm.cdf(x))
    x = np.array([0.1, -0.4, 1.2])                    # ndtr: math.erfc in nopython code
    np.testing.assert_allclose(pullback.grad(cdf, backend="numba")(x),
                               scipy.stats.norm.pdf(x), rtol=1e-12)

    def cho(a, b):
        return np.sum(scipy.linalg.cho_solve(scipy.linalg.cho_factor(a), b))
    a, b = np.eye(3) * 2.0 + 0.3, np.array([1.0, -0.5, 2.0])     # a nopython Cholesky adjoint
    for got, want in zip(pullback.grad(cho, argnums=(0, 1), backend="numba")(a, b),
                         pullback.grad(cho, argnums=(0, 1))(a, b)):
        np.testing.assert_allclose(got, want, rtol=1e-12)


LAZY_PROGRAM = '''
import sys
import numpy as np
import pullback
assert "scipy.stats" not in sys.modules and "scipy.integrate" not in sys.modules
from scipy.stats import norm          # imported after pullback: its rules load on demand
import scipy.integrate
def f(x):
    return np.sum(norm.logpdf(x, 1.0, 2.0)) + scipy.integrate.trapezoid(x * x)
x = np.array([0.5, 1.5, 2.0])
print(repr(pullback.grad(f)(x).tolist()))
'''


def test_scipy_stats_and_integrate_rules_load_when_the_user_imports_them(tmp_path):
    """``import pullback`` does not import scipy.stats / scipy.integrate (seconds and
    ~45 MB); their expansions are found however late the user imports them."""
    import os
    import subprocess
    import sys
    from pathlib import Path
    prog = tmp_path / "lazy_user.py"
    prog.write_text(LAZY_PROGRAM)
    env = {**os.environ, "PYTHONPATH": str(Path(pullback.__file__).parents[1])}  # this checkout
    out = subprocess.run([sys.executable, str(prog)], capture_output=True, text=True, env=env)
    assert out.returncode == 0, out.stderr
    x = np.array([0.5, 1.5, 2.0])
    by_hand = -(x - 1.0) / 4.0 + np.array([x[0], 2 * x[1], x[2]])   # d logpdf + d trapezoid(x^2)
    np.testing.assert_allclose(eval(out.stdout), by_hand, rtol=1e-12)
