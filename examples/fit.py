"""Fit a damped oscillator to noisy data with scipy.optimize and pullback's gradient."""
import numpy as np
from scipy.optimize import minimize

import pullback

T = np.linspace(0.0, 10.0, 200)


def model(params, t):
    amplitude, decay, omega, phase = params[0], params[1], params[2], params[3]
    return amplitude * np.exp(-decay * t) * np.cos(omega * t + phase)


def loss(params, t, y):
    r = model(params, t) - y
    return 0.5 * np.sum(r * r) / t.shape[0]


def fit(seed=0):
    rng = np.random.default_rng(seed)
    truth = np.array([2.0, 0.3, 1.7, 0.4])
    y = model(truth, T) + 0.05 * rng.normal(size=T.shape)
    x0 = np.array([1.0, 0.1, 1.5, 0.0])
    result = minimize(loss, x0, args=(T, y), jac=pullback.grad(loss), method="BFGS")
    return result, truth


if __name__ == "__main__":
    result, truth = fit()
    print("success:", result.success, "iterations:", result.nit)
    print("fitted:", np.round(result.x, 3), "truth:", truth)
