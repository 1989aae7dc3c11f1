"""Rule-table rows for SciPy (``test_numpy_rules.py``): scipy.special functions
beyond the first half's, scipy.stats distributions and scipy.linalg.  Importing
this module appends its rows to ``ROWS``; ``JAX_SPECIAL`` (and the other
``JAX_*``) are the JAX twins' names, merged into the twin's ``scipy`` namespace.
Rows whose function JAX lacks (Bessel functions of real order, ``dawsn``,
``stdtr``) pass ``jax=False`` and are checked against finite differences only.
"""
import jax
import jax.numpy as jnp
import jax.scipy.special as jsp
import jax.scipy.integrate
import jax.scipy.linalg
import jax.scipy.stats
import numpy as np
import scipy.integrate
import scipy.linalg
import scipy.special
import scipy.stats

from numpy_rule_table import P, R, S, U, spd

JAX_SPECIAL = dict(
    gamma=jsp.gamma, rgamma=lambda x: 1.0 / jsp.gamma(x), loggamma=jsp.gammaln,
    beta=jsp.beta, betaln=jsp.betaln, log_expit=jax.nn.log_sigmoid, erfcx=jsp.erfcx,
    ndtri=jsp.ndtri, expi=jsp.expi, exp1=jsp.exp1, spence=jsp.spence, entr=jsp.entr,
    rel_entr=jsp.rel_entr, kl_div=jsp.kl_div, gammainc=jsp.gammainc, gammaincc=jsp.gammaincc,
    betainc=jsp.betainc, i0=jsp.i0, i1=jsp.i1, i0e=jsp.i0e, i1e=jsp.i1e, expm1=jnp.expm1,
    log1p=jnp.log1p, exp2=jnp.exp2, cbrt=jnp.cbrt, gammasgn=jsp.gammasgn,
    betaincc=lambda a, b, x: 1.0 - jsp.betainc(a, b, x), multigammaln=jsp.multigammaln)

JAX_SPECIAL["zeta"] = jsp.zeta
JAX_STATS = jax.scipy.stats
JAX_SCIPY = dict(stats=jax.scipy.stats, linalg=jax.scipy.linalg, integrate=jax.scipy.integrate)

# -- scipy.special ------------------------------------------------------------------------
R("gamma", lambda x: scipy.special.gamma(x), P(3))
R("gamma", lambda x: scipy.special.gamma(x) * scipy.special.gammasgn(x), U(3, lo=-2.5, hi=-2.1))
R("rgamma", lambda x: scipy.special.rgamma(x), P(2, 2))
R("loggamma", lambda x: scipy.special.loggamma(x), P(3))
R("beta", lambda a, b: scipy.special.beta(a, b), P(3), P(3))
R("betaln", lambda a, b: scipy.special.betaln(a, b), P(2, 3), P(3))
R("log_expit", lambda x: scipy.special.log_expit(x), U(3))
R("erfcx", lambda x: scipy.special.erfcx(x), U(3))
R("ndtri", lambda p: scipy.special.ndtri(p), U(3, lo=0.1, hi=0.9))
R("dawsn", lambda x: scipy.special.dawsn(x), U(3), jax=False)
R("expi", lambda x: scipy.special.expi(x), P(3))
R("exp1", lambda x: scipy.special.exp1(x), P(3))
R("spence", lambda x: scipy.special.spence(x), U(3, lo=0.2, hi=0.9))
R("entr", lambda x: scipy.special.entr(x), P(3))
R("rel_entr", lambda a, b: scipy.special.rel_entr(a, b), P(3), P(3))
R("kl_div", lambda a, b: scipy.special.kl_div(a, b), P(3), P(3))
R("gammainc", lambda x: scipy.special.gammainc(2.5, x), P(3))
R("gammaincc", lambda x: scipy.special.gammaincc(1.5, x), P(2, 2))
R("betainc", lambda x: scipy.special.betainc(2.0, 3.0, x), U(3, lo=0.1, hi=0.9))
R("stdtr", lambda t: scipy.special.stdtr(4.0, t), U(3), jax=False)
R("jv", lambda x: scipy.special.jv(1.5, x), P(3), jax=False)
R("yv", lambda x: scipy.special.yv(0.5, x), P(3), jax=False)
R("yn", lambda x: scipy.special.yn(2, x), P(4, lo=1.3, hi=5.0), jax=False)
R("iv", lambda x: scipy.special.iv(2, x), U(3), jax=False)
R("kv", lambda x: scipy.special.kv(1.5, x), P(3), jax=False)
R("ive", lambda x: scipy.special.ive(1, x), U(3), jax=False)
R("kve", lambda x: scipy.special.kve(0.5, x), P(3), jax=False)
R("j0", lambda x: scipy.special.j0(x) + scipy.special.j1(x), U(3), jax=False)
R("y0", lambda x: scipy.special.y0(x) + scipy.special.y1(x), P(3), jax=False)
R("k0", lambda x: scipy.special.k0(x) + scipy.special.k1(x), P(3), jax=False)
R("i0", lambda x: scipy.special.i0(x), U(3))
R("i1", lambda x: scipy.special.i1(x), U(3))
R("i0e", lambda x: scipy.special.i0e(x), U(3))
R("i1e", lambda x: scipy.special.i1e(x), U(3))
R("expm1", lambda x: scipy.special.expm1(x) + scipy.special.log1p(x * x), U(3))
R("exp2", lambda x: scipy.special.exp2(x) + scipy.special.cbrt(x), P(3))
R("betaincc", lambda x: scipy.special.betaincc(1.5, 2.5, x), U(3, lo=0.1, hi=0.9))

# -- scipy.stats: every argument differentiated (x, loc, scale, shapes) -------------------------
R("norm.logpdf", lambda x, m, s: scipy.stats.norm.logpdf(x, m, s), U(4), S(), S(0.5, 2.0))
R("norm.logpdf", lambda x: scipy.stats.norm.logpdf(x), U(2, 3))
R("norm.pdf", lambda x, m, s: scipy.stats.norm.pdf(x, loc=m, scale=s), U(4), U(4), P(4))
R("norm.cdf", lambda x, m, s: scipy.stats.norm.cdf(x, m, s), U(4), S(), S(0.5, 2.0))
R("norm.logcdf", lambda x, s: scipy.stats.norm.logcdf(x, scale=s), U(4), S(0.5, 2.0))
R("norm.sf", lambda x, m: scipy.stats.norm.sf(x, m), U(4), S())
R("norm.logsf", lambda x, m, s: scipy.stats.norm.logsf(x, m, s), U(4), S(), S(0.5, 2.0))
R("norm.ppf", lambda q, m, s: scipy.stats.norm.ppf(q, m, s), U(4, lo=0.1, hi=0.9), S(), P())
R("norm.isf", lambda q: scipy.stats.norm.isf(q, 1.0, 2.0), U(4, lo=0.1, hi=0.9),
  jf=lambda q: 1.0 - 2.0 * jsp.ndtri(q))
R("t.logpdf", lambda x, df, m, s: scipy.stats.t.logpdf(x, df, m, s), U(4), S(1.5, 5.0), S(),
  S(0.5, 2.0))
R("t.pdf", lambda x, df: scipy.stats.t.pdf(x, df), U(4), P(4, lo=1.5, hi=5.0))
R("t.cdf", lambda x, m, s: scipy.stats.t.cdf(x, 3.0, m, s), U(4), S(), S(0.5, 2.0), jax=False)
R("t.sf", lambda x: scipy.stats.t.sf(x, 2.5), U(4), jax=False)
R("gamma.logpdf", lambda x, a, s: scipy.stats.gamma.logpdf(x, a, scale=s), P(4), S(0.5, 3.0),
  S(0.5, 2.0))
R("gamma.logpdf", lambda x, a: scipy.stats.gamma.logpdf(x, a, -1.0), U(4, lo=-0.8), P(4))
R("gamma.pdf", lambda x, a, l: scipy.stats.gamma.pdf(x, a, l), P(4), S(1.0, 3.0), S(-0.4, 0.4))
R("gamma.cdf", lambda x, s: scipy.stats.gamma.cdf(x, 2.0, scale=s), P(4), S(0.5, 2.0))
R("gamma.sf", lambda x: scipy.stats.gamma.sf(x, 1.5), P(4))
R("gamma.logcdf", lambda x: scipy.stats.gamma.logcdf(x, 2.5), P(4))
R("gamma.logsf", lambda x: scipy.stats.gamma.logsf(x, 0.5), P(4))
R("chi2.logpdf", lambda x, df: scipy.stats.chi2.logpdf(x, df), P(4), S(1.0, 5.0))
R("chi2.pdf", lambda x: scipy.stats.chi2.pdf(x, 3.0), P(4))
R("chi2.cdf", lambda x: scipy.stats.chi2.cdf(x, 3.0), P(4))
R("expon.logpdf", lambda x, l, s: scipy.stats.expon.logpdf(x, l, s), P(4), S(0.0, 0.4),
  S(0.5, 2.0))
R("expon.pdf", lambda x, s: scipy.stats.expon.pdf(x, scale=s), U(4), S(0.5, 2.0))
R("expon.cdf", lambda x, s: scipy.stats.expon.cdf(x, scale=s), P(4), S(0.5, 2.0))
R("expon.sf", lambda x: scipy.stats.expon.sf(x), P(4))
R("expon.logsf", lambda x, s: scipy.stats.expon.logsf(x, 0.1, s), P(4), S(0.5, 2.0))
R("beta.logpdf", lambda x, a, b: scipy.stats.beta.logpdf(x, a, b), U(4, lo=0.1, hi=0.9),
  S(0.5, 3.0), S(0.5, 3.0))
R("beta.logpdf", lambda x, a: scipy.stats.beta.logpdf(x, a, 2.0, -1.0, 3.0), U(4, lo=-0.5,
                                                                                  hi=1.5), P(4))
R("beta.pdf", lambda x, a, b, s: scipy.stats.beta.pdf(x, a, b, scale=s), U(4, lo=0.1, hi=0.9),
  S(1.0, 3.0), S(1.0, 3.0), S(1.2, 2.0))
R("beta.cdf", lambda x: scipy.stats.beta.cdf(x, 2.0, 3.0), U(4, lo=0.1, hi=0.9))
R("beta.sf", lambda x: scipy.stats.beta.sf(x, 2.0, 1.5), U(4, lo=0.1, hi=0.9))
R("laplace.logpdf", lambda x, m, s: scipy.stats.laplace.logpdf(x, m, s), U(4), S(), S(0.5, 2.0))
R("laplace.pdf", lambda x: scipy.stats.laplace.pdf(x), U(4))
R("laplace.cdf", lambda x, m, s: scipy.stats.laplace.cdf(x, m, s), U(4), S(), S(0.5, 2.0))
R("logistic.logpdf", lambda x, m, s: scipy.stats.logistic.logpdf(x, m, s), U(4), S(),
  S(0.5, 2.0))
R("logistic.pdf", lambda x: scipy.stats.logistic.pdf(x), U(4))
R("logistic.cdf", lambda x, s: scipy.stats.logistic.cdf(x, scale=s), U(4), S(0.5, 2.0))
R("logistic.logcdf", lambda x: scipy.stats.logistic.logcdf(x), U(4),
  jf=lambda x: jax.nn.log_sigmoid(x))
R("logistic.sf", lambda x, m: scipy.stats.logistic.sf(x, m), U(4), S())
R("cauchy.logpdf", lambda x, m, s: scipy.stats.cauchy.logpdf(x, m, s), U(4), S(), S(0.5, 2.0))
R("cauchy.pdf", lambda x: scipy.stats.cauchy.pdf(x), U(4))
R("cauchy.cdf", lambda x, s: scipy.stats.cauchy.cdf(x, 0.5, s), U(4), S(0.5, 2.0))
R("cauchy.sf", lambda x: scipy.stats.cauchy.sf(x), U(4))
R("lognorm.logpdf", lambda x, s, sc: scipy.stats.lognorm.logpdf(x, s, scale=sc), P(4),
  S(0.5, 2.0), S(0.5, 2.0), jax=False)
R("lognorm.logpdf", lambda x: scipy.stats.lognorm.logpdf(x, 0.8, -1.0), U(4, lo=-0.8),
  jax=False)
R("lognorm.pdf", lambda x, s: scipy.stats.lognorm.pdf(x, s), P(4), S(0.5, 2.0), jax=False)
R("lognorm.cdf", lambda x, s: scipy.stats.lognorm.cdf(x, s), P(4), S(0.5, 2.0), jax=False)
R("uniform.logpdf", lambda x, s: scipy.stats.uniform.logpdf(x, -2.0, s), U(4), S(4.5, 5.0))
R("uniform.pdf", lambda x, s: scipy.stats.uniform.pdf(x, -2.0, s), U(4), S(4.5, 5.0))
R("uniform.cdf", lambda x, l: scipy.stats.uniform.cdf(x, l, 3.0), U(4, lo=0.0, hi=0.5),
  S(-1.0, -0.1))
R("poisson.logpmf", lambda mu: scipy.stats.poisson.logpmf(np.arange(4.0), mu), P(4))
R("poisson.logpmf", lambda mu: scipy.stats.poisson.logpmf(np.arange(1.0, 5.0), mu, 1), S(0.5, 2.0))
R("poisson.pmf", lambda mu: scipy.stats.poisson.pmf(np.array([0.0, 2.0, 5.0]), mu), P(3))
R("poisson.cdf", lambda mu: scipy.stats.poisson.cdf(np.array([0.0, 2.0, 5.0]), mu), P(3))
R("poisson.sf", lambda mu: scipy.stats.poisson.sf(np.array([0.0, 2.0, 5.0]), mu), P(3),
  jax=False)
R("binom.logpmf", lambda p: scipy.stats.binom.logpmf(np.arange(4.0), 5.0, p),
  U(4, lo=0.1, hi=0.9))
R("binom.pmf", lambda p: scipy.stats.binom.pmf(np.arange(4.0), 3, p), U(lo=0.1, hi=0.9))
R("bernoulli.logpmf", lambda p: scipy.stats.bernoulli.logpmf(np.array([0.0, 1.0, 1.0]), p),
  U(3, lo=0.1, hi=0.9))
R("bernoulli.pmf", lambda p: scipy.stats.bernoulli.pmf(np.array([0.0, 1.0]), p),
  U(lo=0.1, hi=0.9))
R("multivariate_normal.logpdf",
  lambda x, m, c: scipy.stats.multivariate_normal.logpdf(x, m, spd(c)), U(4, 3), U(3), U(3, 3))
R("multivariate_normal.logpdf",
  lambda x, m, c: scipy.stats.multivariate_normal.logpdf(x, mean=m, cov=spd(c)), U(3), U(3),
  U(3, 3))
R("multivariate_normal.logpdf", lambda x, v: scipy.stats.multivariate_normal.logpdf(x, np.zeros(3), v),
  U(4, 3), P(3), jf=lambda x, v: JAX_STATS.multivariate_normal.logpdf(x, jnp.zeros(3),
                                                                      jnp.diag(v)))
R("multivariate_normal.logpdf",
  lambda x, m, s: scipy.stats.multivariate_normal.logpdf(x, m, s), U(2, 2), U(2), S(0.5, 2.0),
  jf=lambda x, m, s: JAX_STATS.multivariate_normal.logpdf(x, m, s * jnp.eye(2)))
R("multivariate_normal.pdf",
  lambda x, m, c: scipy.stats.multivariate_normal.pdf(x, m, spd(c)), U(2, 2), U(2), U(2, 2))
# SciPy's dimension: from the mean (else 1 unless cov is a matrix); with d = 1 a vector x
# is that many points (was one point of dimension 4, silently; audit 32i)
R("multivariate_normal.logpdf", lambda x, m, s: scipy.stats.multivariate_normal.logpdf(x, m, s),
  U(4), S(), S(0.5, 2.0), jax=False)
R("multivariate_normal.logpdf", lambda x, s: scipy.stats.multivariate_normal.logpdf(x, cov=s),
  U(3), S(0.5, 2.0), jax=False)
R("multivariate_normal.logpdf", lambda x, m, c: scipy.stats.multivariate_normal.logpdf(x, m, spd(c)),
  U(1, 3), U(3), U(3, 3), jax=False)
R("multivariate_normal.logpdf", lambda x, m: scipy.stats.multivariate_normal.logpdf(x, mean=m),
  U(3, 1), U(3), jax=False)             # rows (3, 1) broadcast against a mean of size 3
R("dirichlet.logpdf", lambda a: scipy.stats.dirichlet.logpdf(np.array([0.2, 0.3, 0.5]), a),
  P(3))
R("dirichlet.logpdf", lambda x, a: scipy.stats.dirichlet.logpdf(x / np.sum(x), a), P(3), P(3))
R("dirichlet.pdf", lambda x, a: scipy.stats.dirichlet.pdf(x / np.sum(x), a), P(3), P(3))
# frozen: made inside the function (a record of its arguments)
R("norm.logpdf", lambda x, m, s: scipy.stats.norm(m, scale=s).logpdf(x), U(4), S(), S(0.5, 2.0),
  jf=lambda x, m, s: JAX_STATS.norm.logpdf(x, m, s))
R("gamma.cdf", lambda x, s: scipy.stats.gamma(2.0, scale=s).cdf(x), P(4), S(0.5, 2.0),
  jf=lambda x, s: JAX_STATS.gamma.cdf(x, 2.0, scale=s))
R("multivariate_normal.logpdf",
  lambda x, m, c: scipy.stats.multivariate_normal(m, spd(c)).logpdf(x), U(4, 3), U(3), U(3, 3),
  jf=lambda x, m, c: JAX_STATS.multivariate_normal.logpdf(x, m, spd(c)))

# -- scipy.linalg (a from spd: symmetric, so both triangles agree with JAX's convention) ----------
R("scipy.linalg.cholesky", lambda a: scipy.linalg.cholesky(spd(a)), U(3, 3))
R("scipy.linalg.cholesky", lambda a: scipy.linalg.cholesky(spd(a), lower=True), U(3, 3))
R("scipy.linalg.cholesky", lambda a: scipy.linalg.cholesky(a + 3.0 * np.eye(3)), U(3, 3),
  jax=False)    # reads the upper triangle only, as SciPy does
R("scipy.linalg.cho_solve", lambda a, b: scipy.linalg.cho_solve(scipy.linalg.cho_factor(spd(a)), b),
  U(3, 3), U(3))
R("scipy.linalg.cho_solve",
  lambda a, b: scipy.linalg.cho_solve(scipy.linalg.cho_factor(spd(a), lower=True), b),
  U(3, 3), U(3, 2))
R("scipy.linalg.cho_solve",
  lambda a, b: scipy.linalg.cho_solve((np.linalg.cholesky(spd(a)), True), b), U(3, 3), U(3))
R("scipy.linalg.solve_triangular",
  lambda a, b: scipy.linalg.solve_triangular(a + 3.0 * np.eye(3), b), U(3, 3), U(3))
R("scipy.linalg.solve_triangular",
  lambda a, b: scipy.linalg.solve_triangular(a + 3.0 * np.eye(3), b, lower=True, trans="T"),
  U(3, 3), U(3, 2))
R("scipy.linalg.solve_triangular",
  lambda a, b: scipy.linalg.solve_triangular(a, b, trans=1, unit_diagonal=True), U(3, 3), U(3))
R("scipy.linalg.lu_factor", lambda a: scipy.linalg.lu_factor(a)[0], U(4, 4))
R("scipy.linalg.lu_solve", lambda a, b: scipy.linalg.lu_solve(scipy.linalg.lu_factor(a), b),
  U(3, 3), U(3))
R("scipy.linalg.lu_solve",
  lambda a, b: scipy.linalg.lu_solve(scipy.linalg.lu_factor(a), b, trans=1), U(3, 3), U(3, 2))
R("scipy.linalg.solve", lambda a, b: scipy.linalg.solve(a + 4.0 * np.eye(3), b), U(3, 3), U(3))
R("scipy.linalg.solve", lambda a, b: scipy.linalg.solve(spd(a), b, assume_a="pos"),
  U(3, 3), U(3, 2))
R("scipy.linalg.solve", lambda a, b: scipy.linalg.solve(a + 4.0 * np.eye(3), b, assume_a="sym"),
  U(3, 3), U(3), jax=False)    # reads the upper triangle only, as SciPy does
R("scipy.linalg.solve",
  lambda a, b: scipy.linalg.solve(a + 4.0 * np.eye(3), b, transposed=True), U(3, 3), U(3),
  jf=lambda a, b: jnp.linalg.solve((a + 4.0 * jnp.eye(3)).T, b))
R("scipy.linalg.inv", lambda a: scipy.linalg.inv(a + 4.0 * np.eye(3)), U(3, 3))
R("scipy.linalg.det", lambda a: scipy.linalg.det(a + 2.0 * np.eye(3)), U(3, 3))
R("scipy.linalg.eigh", lambda a: scipy.linalg.eigh(a + a.T)[0], U(3, 3))
R("scipy.linalg.eigh", lambda a: scipy.linalg.eigh(a + a.T, eigvals_only=True), U(3, 3))
R("scipy.linalg.eigh", lambda a: np.abs(scipy.linalg.eigh(a + a.T, lower=False)[1]), U(3, 3))
R("scipy.linalg.eigvalsh", lambda a: scipy.linalg.eigvalsh(a + a.T), U(3, 3),
  jf=lambda a: jnp.linalg.eigvalsh(a + a.T))
R("multigammaln", lambda a: scipy.special.multigammaln(a, 3), P(3, lo=1.5, hi=3.0))
R("softplus", lambda x: scipy.special.softplus(x), U(4), jf=lambda x: jax.nn.softplus(x))
R("scipy.linalg.expm", lambda a: scipy.linalg.expm(a), U(3, 3))
R("scipy.linalg.expm", lambda a: scipy.linalg.expm(4.0 * a), U(3, 3), scale=100.0)
R("scipy.linalg.expm", lambda a: scipy.linalg.expm(0.01 * a), U(2, 2))
R("zeta", lambda q: scipy.special.zeta(2.5, q), P(4))
R("zeta", lambda s, q: scipy.special.zeta(s, q), P(4, lo=1.2, hi=4.0), P(4))
R("scipy.integrate.trapezoid", lambda y, x: scipy.integrate.trapezoid(y, np.cumsum(x)), U(5), P(5))
R("scipy.integrate.cumulative_trapezoid",
  lambda y: scipy.integrate.cumulative_trapezoid(y, dx=0.5, initial=0), U(5), jax=False)
R("scipy.integrate.cumulative_trapezoid",
  lambda y, x: scipy.integrate.cumulative_trapezoid(y, np.cumsum(x), axis=0), U(4, 2), P(4),
  jax=False)
