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
import scipy.special

from numpy_rule_table import P, R, U

JAX_SPECIAL = dict(
    gamma=jsp.gamma, rgamma=lambda x: 1.0 / jsp.gamma(x), loggamma=jsp.gammaln,
    beta=jsp.beta, betaln=jsp.betaln, log_expit=jax.nn.log_sigmoid, erfcx=jsp.erfcx,
    ndtri=jsp.ndtri, expi=jsp.expi, exp1=jsp.exp1, spence=jsp.spence, entr=jsp.entr,
    rel_entr=jsp.rel_entr, kl_div=jsp.kl_div, gammainc=jsp.gammainc, gammaincc=jsp.gammaincc,
    betainc=jsp.betainc, i0=jsp.i0, i1=jsp.i1, i0e=jsp.i0e, i1e=jsp.i1e, expm1=jnp.expm1,
    log1p=jnp.log1p, exp2=jnp.exp2, cbrt=jnp.cbrt, gammasgn=jsp.gammasgn)

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
