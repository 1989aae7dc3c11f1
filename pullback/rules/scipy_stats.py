"""scipy.stats distributions as expansions (``rules/expansions.py``): each method is
its formula in pullback's subset over NumPy and scipy.special primitives, so its
derivative in every argument (x, loc, scale, shapes) follows from theirs.  A
derivative the primitives do not know (a CDF in its shape parameter, through
``gammainc``/``betainc``/``stdtr``) is rejected at its line (``NO_RULE``).

Invariants: the signatures are SciPy's (``logpdf(x, *shapes, loc=0, scale=1)``;
discrete ``logpmf(k, *shapes, loc=0)``), so positional and keyword calls bind as
in SciPy, and a frozen distribution ``dist(*args, **kwds).m(x)`` is ``dist.m(x,
*args, **kwds)``.  Values agree with SciPy inside the support for valid parameters;
outside the support of a one-sided or bounded law the log-density is -inf (the
formula is evaluated at an inside point, so no nan reaches a derivative);
invalid parameters (scale <= 0) are not checked.
"""
import numpy as np
import scipy.special
from scipy import stats

from .expansions import expands, frozen

HALF_LOG_2PI = 0.9189385332046727
LOG_PI = 1.1447298858494002


@expands()
def _inside(z, lo, hi):
    """``z`` where lo < z < hi, else a point inside: the formula never sees the outside."""
    return np.where(np.logical_and(z > lo, z < hi), z, 0.5 * (np.maximum(lo, -1.0) + np.minimum(hi, 1.0)))


# -- normal -------------------------------------------------------------------------------
@expands(stats.norm.logpdf)
def norm_logpdf(x, loc=0.0, scale=1.0):
    z = (x - loc) / scale
    return -0.5 * z * z - np.log(scale) - HALF_LOG_2PI


@expands(stats.norm.pdf)
def norm_pdf(x, loc=0.0, scale=1.0):
    return np.exp(norm_logpdf(x, loc, scale))


@expands(stats.norm.cdf)
def norm_cdf(x, loc=0.0, scale=1.0):
    return scipy.special.ndtr((x - loc) / scale)


@expands(stats.norm.logcdf)
def norm_logcdf(x, loc=0.0, scale=1.0):
    return scipy.special.log_ndtr((x - loc) / scale)


@expands(stats.norm.sf)
def norm_sf(x, loc=0.0, scale=1.0):
    return scipy.special.ndtr((loc - x) / scale)


@expands(stats.norm.logsf)
def norm_logsf(x, loc=0.0, scale=1.0):
    return scipy.special.log_ndtr((loc - x) / scale)


@expands(stats.norm.ppf)
def norm_ppf(q, loc=0.0, scale=1.0):
    return loc + scale * scipy.special.ndtri(q)


@expands(stats.norm.isf)
def norm_isf(q, loc=0.0, scale=1.0):
    return loc - scale * scipy.special.ndtri(q)


# -- Student's t ------------------------------------------------------------------------------
@expands(stats.t.logpdf)
def t_logpdf(x, df, loc=0.0, scale=1.0):
    z = (x - loc) / scale
    return (scipy.special.gammaln(0.5 * (df + 1.0)) - scipy.special.gammaln(0.5 * df)
            - 0.5 * (np.log(df) + LOG_PI) - 0.5 * (df + 1.0) * np.log1p(z * z / df)
            - np.log(scale))


@expands(stats.t.pdf)
def t_pdf(x, df, loc=0.0, scale=1.0):
    return np.exp(t_logpdf(x, df, loc, scale))


@expands(stats.t.cdf)
def t_cdf(x, df, loc=0.0, scale=1.0):
    return scipy.special.stdtr(df, (x - loc) / scale)


@expands(stats.t.sf)
def t_sf(x, df, loc=0.0, scale=1.0):
    return scipy.special.stdtr(df, (loc - x) / scale)


# -- gamma, chi-squared, exponential --------------------------------------------------------
@expands(stats.gamma.logpdf)
def gamma_logpdf(x, a, loc=0.0, scale=1.0):
    z = (x - loc) / scale
    zi = _inside(z, 0.0, np.inf)
    value = scipy.special.xlogy(a - 1.0, zi) - zi - scipy.special.gammaln(a) - np.log(scale)
    return np.where(z > 0, value, -np.inf)


@expands(stats.gamma.pdf)
def gamma_pdf(x, a, loc=0.0, scale=1.0):
    return np.exp(gamma_logpdf(x, a, loc, scale))


@expands(stats.gamma.cdf)
def gamma_cdf(x, a, loc=0.0, scale=1.0):
    return scipy.special.gammainc(a, np.maximum((x - loc) / scale, 0.0))


@expands(stats.gamma.sf)
def gamma_sf(x, a, loc=0.0, scale=1.0):
    return scipy.special.gammaincc(a, np.maximum((x - loc) / scale, 0.0))


@expands(stats.gamma.logcdf)
def gamma_logcdf(x, a, loc=0.0, scale=1.0):
    return np.log(gamma_cdf(x, a, loc, scale))


@expands(stats.gamma.logsf)
def gamma_logsf(x, a, loc=0.0, scale=1.0):
    return np.log(gamma_sf(x, a, loc, scale))


@expands(stats.chi2.logpdf)
def chi2_logpdf(x, df, loc=0.0, scale=1.0):
    return gamma_logpdf(x, 0.5 * df, loc, 2.0 * scale)


@expands(stats.chi2.pdf)
def chi2_pdf(x, df, loc=0.0, scale=1.0):
    return np.exp(gamma_logpdf(x, 0.5 * df, loc, 2.0 * scale))


@expands(stats.chi2.cdf)
def chi2_cdf(x, df, loc=0.0, scale=1.0):
    return gamma_cdf(x, 0.5 * df, loc, 2.0 * scale)


@expands(stats.expon.logpdf)
def expon_logpdf(x, loc=0.0, scale=1.0):
    z = (x - loc) / scale
    return np.where(z >= 0, -z - np.log(scale), -np.inf)


@expands(stats.expon.pdf)
def expon_pdf(x, loc=0.0, scale=1.0):
    return np.exp(expon_logpdf(x, loc, scale))


@expands(stats.expon.cdf)
def expon_cdf(x, loc=0.0, scale=1.0):
    return -np.expm1(-np.maximum((x - loc) / scale, 0.0))


@expands(stats.expon.sf)
def expon_sf(x, loc=0.0, scale=1.0):
    return np.exp(-np.maximum((x - loc) / scale, 0.0))


@expands(stats.expon.logsf)
def expon_logsf(x, loc=0.0, scale=1.0):
    return -np.maximum((x - loc) / scale, 0.0)


# -- beta --------------------------------------------------------------------------------------
@expands(stats.beta.logpdf)
def beta_logpdf(x, a, b, loc=0.0, scale=1.0):
    z = (x - loc) / scale
    zi = _inside(z, 0.0, 1.0)
    value = scipy.special.xlogy(a - 1.0, zi) + scipy.special.xlog1py(b - 1.0, -zi) \
        - scipy.special.betaln(a, b) - np.log(scale)
    return np.where(np.logical_and(z > 0, z < 1), value, -np.inf)


@expands(stats.beta.pdf)
def beta_pdf(x, a, b, loc=0.0, scale=1.0):
    return np.exp(beta_logpdf(x, a, b, loc, scale))


@expands(stats.beta.cdf)
def beta_cdf(x, a, b, loc=0.0, scale=1.0):
    return scipy.special.betainc(a, b, np.clip((x - loc) / scale, 0.0, 1.0))


@expands(stats.beta.sf)
def beta_sf(x, a, b, loc=0.0, scale=1.0):
    return scipy.special.betaincc(a, b, np.clip((x - loc) / scale, 0.0, 1.0))


# -- laplace, logistic, cauchy, lognormal, uniform --------------------------------------------
@expands(stats.laplace.logpdf)
def laplace_logpdf(x, loc=0.0, scale=1.0):
    return -np.abs(x - loc) / scale - np.log(2.0 * scale)


@expands(stats.laplace.pdf)
def laplace_pdf(x, loc=0.0, scale=1.0):
    return np.exp(laplace_logpdf(x, loc, scale))


@expands(stats.laplace.cdf)
def laplace_cdf(x, loc=0.0, scale=1.0):
    z = (x - loc) / scale
    return np.where(z < 0, 0.5 * np.exp(np.minimum(z, 0.0)), 1.0 - 0.5 * np.exp(-np.maximum(z, 0.0)))


@expands(stats.logistic.logpdf)
def logistic_logpdf(x, loc=0.0, scale=1.0):
    z = (x - loc) / scale
    return scipy.special.log_expit(z) + scipy.special.log_expit(-z) - np.log(scale)


@expands(stats.logistic.pdf)
def logistic_pdf(x, loc=0.0, scale=1.0):
    return np.exp(logistic_logpdf(x, loc, scale))


@expands(stats.logistic.cdf)
def logistic_cdf(x, loc=0.0, scale=1.0):
    return scipy.special.expit((x - loc) / scale)


@expands(stats.logistic.logcdf)
def logistic_logcdf(x, loc=0.0, scale=1.0):
    return scipy.special.log_expit((x - loc) / scale)


@expands(stats.logistic.sf)
def logistic_sf(x, loc=0.0, scale=1.0):
    return scipy.special.expit((loc - x) / scale)


@expands(stats.cauchy.logpdf)
def cauchy_logpdf(x, loc=0.0, scale=1.0):
    return -LOG_PI - np.log(scale) - _log1p_square((x - loc) / scale)


@expands()
def _log1p_square(z):
    """``log(1 + z**2)`` without squaring a large ``z`` (``z * z`` is inf past 1.3e154, where
    SciPy's value is finite): ``2 log|z| + log1p(1 / z**2)`` for ``|z| > 1``.  Each branch
    sees a point inside its own range, so the branch not taken adds no inf or nan."""
    big = np.abs(z) > 1.0
    zb = np.where(big, z, 2.0)
    zs = np.where(big, 0.0, z)
    r = 1.0 / zb                    # (1 / z) ** 2 underflows quietly where z ** 2 would overflow
    return np.where(big, 2.0 * np.log(np.abs(zb)) + np.log1p(r * r), np.log1p(zs * zs))


@expands(stats.cauchy.pdf)
def cauchy_pdf(x, loc=0.0, scale=1.0):
    return np.exp(cauchy_logpdf(x, loc, scale))


@expands(stats.cauchy.cdf)
def cauchy_cdf(x, loc=0.0, scale=1.0):
    return 0.5 + np.arctan((x - loc) / scale) / np.pi


@expands(stats.cauchy.sf)
def cauchy_sf(x, loc=0.0, scale=1.0):
    return 0.5 - np.arctan((x - loc) / scale) / np.pi


@expands(stats.lognorm.logpdf)
def lognorm_logpdf(x, s, loc=0.0, scale=1.0):
    z = (x - loc) / scale
    logz = np.log(_inside(z, 0.0, np.inf))
    value = norm_logpdf(logz / s) - np.log(s) - logz - np.log(scale)
    return np.where(z > 0, value, -np.inf)


@expands(stats.lognorm.pdf)
def lognorm_pdf(x, s, loc=0.0, scale=1.0):
    return np.exp(lognorm_logpdf(x, s, loc, scale))


@expands(stats.lognorm.cdf)
def lognorm_cdf(x, s, loc=0.0, scale=1.0):
    z = (x - loc) / scale
    return np.where(z > 0, scipy.special.ndtr(np.log(_inside(z, 0.0, np.inf)) / s), 0.0)


@expands(stats.uniform.logpdf)
def uniform_logpdf(x, loc=0.0, scale=1.0):
    z = (x - loc) / scale
    return np.where(np.logical_and(z >= 0, z <= 1), -np.log(scale) + 0.0 * z, -np.inf)


@expands(stats.uniform.pdf)
def uniform_pdf(x, loc=0.0, scale=1.0):
    return np.exp(uniform_logpdf(x, loc, scale))


@expands(stats.uniform.cdf)
def uniform_cdf(x, loc=0.0, scale=1.0):
    return np.clip((x - loc) / scale, 0.0, 1.0)


# -- discrete: derivatives in the parameters (mu, p); k is a count ---------------------------
@expands(stats.poisson.logpmf)
def poisson_logpmf(k, mu, loc=0):
    n = k - loc
    value = scipy.special.xlogy(n, mu) - scipy.special.gammaln(np.maximum(n, 0) + 1.0) - mu
    return np.where(n >= 0, value, -np.inf)


@expands(stats.poisson.pmf)
def poisson_pmf(k, mu, loc=0):
    return np.exp(poisson_logpmf(k, mu, loc))


@expands(stats.poisson.cdf)
def poisson_cdf(k, mu, loc=0):
    n = np.floor(k - loc)
    return np.where(n >= 0, scipy.special.gammaincc(np.maximum(n, 0.0) + 1.0, mu), 0.0)


@expands(stats.poisson.sf)
def poisson_sf(k, mu, loc=0):
    n = np.floor(k - loc)
    return np.where(n >= 0, scipy.special.gammainc(np.maximum(n, 0.0) + 1.0, mu), 1.0)


@expands(stats.binom.logpmf)
def binom_logpmf(k, n, p, loc=0):
    j = k - loc
    return (scipy.special.gammaln(n + 1.0) - scipy.special.gammaln(j + 1.0)
            - scipy.special.gammaln(n - j + 1.0) + scipy.special.xlogy(j, p)
            + scipy.special.xlog1py(n - j, -p))


@expands(stats.binom.pmf)
def binom_pmf(k, n, p, loc=0):
    return np.exp(binom_logpmf(k, n, p, loc))


@expands(stats.bernoulli.logpmf)
def bernoulli_logpmf(k, p, loc=0):
    j = k - loc
    return scipy.special.xlogy(j, p) + scipy.special.xlog1py(1.0 - j, -p)


@expands(stats.bernoulli.pmf)
def bernoulli_pmf(k, p, loc=0):
    return np.exp(bernoulli_logpmf(k, p, loc))


# -- multivariate --------------------------------------------------------------------------------
@expands(stats.multivariate_normal.logpdf)
def mvn_logpdf(x, mean=None, cov=1.0, allow_singular=False):
    """Rows of ``x`` (last axis: the dimension d); ``cov`` a number (times the identity),
    a vector (a diagonal) or a matrix, through its Cholesky factor.  The dimension is
    SciPy's: the mean's size, else 1 unless cov is a matrix; with d = 1 a vector ``x`` is
    that many points (a column), and one point's density is a number."""
    if mean is not None:
        dim = np.size(mean)
    else:
        dim = np.shape(np.atleast_2d(cov))[0]
    if np.ndim(x) >= 2:         # rows as given, broadcast against the mean as SciPy does
        rows = x
    elif dim == 1:              # a vector: points of dimension 1
        rows = np.reshape(np.atleast_1d(x), (-1, 1))
    else:                       # a vector: one point
        rows = np.reshape(x, (1, -1))
    return np.squeeze(_mvn_rows(rows, np.zeros(dim) if mean is None else mean, cov))


@expands()
def _mvn_rows(x, mean, cov):
    dev = x if mean is None else x - mean
    d = np.shape(dev)[-1]
    # one path for every form of cov: the ndim test folds once cov is typed, and the
    # side not taken still types (a (d, d) result), so no branch needs to be pruned
    cov_matrix = np.where(np.ndim(cov) == 2, cov, cov * np.eye(d))
    chol = np.linalg.cholesky(cov_matrix)
    z = np.linalg.solve(chol, dev.T)
    maha = np.sum(z * z, axis=0)
    logdet = 2.0 * np.sum(np.log(np.diagonal(chol)))
    return -0.5 * maha - 0.5 * logdet - d * HALF_LOG_2PI


@expands(stats.multivariate_normal.pdf)
def mvn_pdf(x, mean=None, cov=1.0, allow_singular=False):
    return np.exp(mvn_logpdf(x, mean, cov, allow_singular))


@expands(stats.dirichlet.logpdf)
def dirichlet_logpdf(x, alpha):
    """``x`` is (k,) or (k, n): components along the first axis, as in SciPy."""
    log_norm = np.sum(scipy.special.gammaln(alpha)) - scipy.special.gammaln(np.sum(alpha))
    return (alpha - 1.0) @ np.log(x) - log_norm


@expands(stats.dirichlet.pdf)
def dirichlet_pdf(x, alpha):
    return np.exp(dirichlet_logpdf(x, alpha))


# -- frozen distributions: norm(mu, sigma).logpdf(x) ------------------------------------------
frozen(stats.distributions.rv_frozen, lambda v: (
    v.dist, [("args", i) for i in range(len(v.args))], {k: ("kwds", k) for k in v.kwds}))
frozen(type(stats.multivariate_normal(np.zeros(1))),
       lambda v: (stats.multivariate_normal, [("mean", None), ("cov", None)], {}))
frozen(type(stats.dirichlet(np.ones(2))), lambda v: (stats.dirichlet, [("alpha", None)], {}))
