"""Logistic regression over a chunked Dask array on a two-worker LocalCluster.

The loss is plain NumPy code; ``pullback.value_and_grad`` of it, called with Dask arrays,
returns lazy Dask arrays (one graph that reads each chunk once), and scipy's L-BFGS
drives the fit.  The same fit on NumPy arrays in one process gives the same weights.
Then the loss written as a loop over examples: ``pullback.distributed`` maps its Numba
gradient over the partitions and adds them up.

    python examples/dask_logistic.py
"""
import dask
import dask.array as da
import numpy as np
from distributed import Client, LocalCluster
from scipy.optimize import minimize

import pullback
import pullback.distributed

LAM = 1e-2      # L2 penalty: a unique optimum to compare the two fits at


def loss(w, b, X, y):
    z = X @ w + b
    p = 1.0 / (1.0 + np.exp(-z))
    return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)) + 0.5 * LAM * np.sum(w * w)


def per_example(w, b, X, y):
    """The same data term as a loop over examples, summed (not averaged: partitions add)."""
    s = 0.0
    for i in range(X.shape[0]):
        z = np.dot(X[i], w) + b
        s += np.log(1.0 + np.exp(-z)) + (1.0 - y[i]) * z
    return s


def make_data(n=20_000, d=8, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    w_true = rng.normal(size=d)
    y = (rng.random(n) < 1.0 / (1.0 + np.exp(-(X @ w_true + 0.5)))) * 1.0
    return X, y


def fit(X, y):
    """L-BFGS on (w, b) with pullback's gradient; X, y NumPy or Dask arrays."""
    value_and_grad = pullback.value_and_grad(loss, argnums=(0, 1))

    def fun(theta):
        value, (w_bar, b_bar) = value_and_grad(theta[:-1], theta[-1], X, y)
        value, w_bar, b_bar = dask.compute(value, w_bar, b_bar)   # NumPy's pass through
        return float(value), np.append(w_bar, b_bar)
    x0 = np.zeros(X.shape[1] + 1)
    return minimize(fun, x0, jac=True, method="L-BFGS-B", options={"gtol": 1e-10, "ftol": 1e-15})


def main(n=20_000, chunk=5_000):
    X, y = make_data(n)
    on_numpy = fit(X, y)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                      dashboard_address=None) as cluster, Client(cluster):
        Xd = da.from_array(X, chunks=(chunk, X.shape[1]))
        yd = da.from_array(y, chunks=chunk)
        on_dask = fit(Xd, yd)
        w = on_dask.x[:-1]
        value, (w_bar, b_bar) = pullback.distributed.value_and_grad(
            per_example, argnums=(0, 1))(w, on_dask.x[-1], Xd[:2 * chunk], yd[:2 * chunk])
    return on_numpy, on_dask, (value, w_bar, b_bar)


if __name__ == "__main__":
    on_numpy, on_dask, (value, w_bar, b_bar) = main()
    print("NumPy fit:", np.round(on_numpy.x, 6), "iterations:", on_numpy.nit)
    print("Dask fit: ", np.round(on_dask.x, 6), "iterations:", on_dask.nit)
    print("largest difference:", np.max(np.abs(on_numpy.x - on_dask.x)))
    print("per-example loss over two partitions:", value,
          "gradient norm:", np.linalg.norm(np.append(w_bar, b_bar)))
