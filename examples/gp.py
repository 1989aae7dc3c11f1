"""Gaussian-process regression: fit the kernel's hyper-parameters by maximising the
marginal likelihood, written as one would with SciPy (cho_factor, cho_solve,
multivariate_normal), with pullback's gradient.  ``python examples/gp.py``"""
import numpy as np
import scipy.linalg
from scipy.optimize import minimize
from scipy.stats import multivariate_normal, norm

import pullback


def kernel(x, log_amp, log_len):
    d = x[:, None] - x[None, :]
    return np.exp(2.0 * log_amp) * np.exp(-0.5 * d * d / np.exp(2.0 * log_len))


def neg_log_marginal(params, x, y):
    """-log p(y | x, params) for a squared-exponential kernel plus noise, with a
    weak normal prior on the log length scale."""
    log_amp, log_len, log_noise = params[0], params[1], params[2]
    k = kernel(x, log_amp, log_len) + np.exp(2.0 * log_noise) * np.eye(x.shape[0])
    c, lower = scipy.linalg.cho_factor(k, lower=True)
    alpha = scipy.linalg.cho_solve((c, lower), y)
    log_det = 2.0 * np.sum(np.log(np.diag(c)))
    nll = 0.5 * y @ alpha + 0.5 * log_det + 0.5 * x.shape[0] * np.log(2.0 * np.pi)
    return nll - norm.logpdf(log_len, 0.0, 2.0)


def neg_log_marginal_mvn(params, x, y):
    """The same objective through multivariate_normal.logpdf."""
    log_amp, log_len, log_noise = params[0], params[1], params[2]
    k = kernel(x, log_amp, log_len) + np.exp(2.0 * log_noise) * np.eye(x.shape[0])
    return -multivariate_normal.logpdf(y, np.zeros(x.shape[0]), k) \
        - norm.logpdf(log_len, 0.0, 2.0)


def data(seed=0, n=25):
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(-3.0, 3.0, n))
    y = np.sin(2.0 * x) + 0.1 * rng.normal(size=n)
    return x, y


def fit(seed=0):
    x, y = data(seed)
    x0 = np.array([0.0, 0.0, -1.0])
    return minimize(neg_log_marginal, x0, args=(x, y), jac=pullback.grad(neg_log_marginal),
                    method="L-BFGS-B")


if __name__ == "__main__":
    result = fit()
    amp, length, noise = np.exp(result.x)
    print("success:", result.success, "iterations:", result.nit)
    print(f"amplitude {amp:.3f}  length scale {length:.3f}  noise {noise:.3f}")
