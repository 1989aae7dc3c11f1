"""Denoise a signal with a spectral loss: stay close to the data, penalise power at high
frequencies.

``np.abs(np.fft.rfft(x)) ** 2`` is differentiated directly: its complex intermediate
follows JAX's convention (pullback/rules/complex.py; the Python backend).
Run: python examples/fft_loss.py
"""
import numpy as np
from scipy.optimize import minimize

import pullback


def power_spectrum(x):
    return np.abs(np.fft.rfft(x)) ** 2


def loss(x, data, weights):
    return np.sum((x - data) ** 2) + np.sum(weights * power_spectrum(x)) / x.shape[0]


def problem(n=64, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(n) / n
    clean = np.sin(2 * np.pi * 3 * t) + 0.5 * np.cos(2 * np.pi * 5 * t)
    data = clean + 0.3 * rng.standard_normal(n)
    freq = np.arange(n // 2 + 1)
    weights = np.where(freq > 8, 50.0, 0.0)             # only the high band costs
    return data, weights, clean


def denoise(n=64):
    data, weights, clean = problem(n)
    grad = pullback.value_and_grad(loss)
    result = minimize(grad, data.copy(), args=(data, weights), jac=True,
                      method="L-BFGS-B")
    return result.x, data, clean


if __name__ == "__main__":
    x, data, clean = denoise()
    print(f"error to the clean signal: data {np.linalg.norm(data - clean):.3f}, "
          f"denoised {np.linalg.norm(x - clean):.3f}")
