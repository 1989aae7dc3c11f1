"""A character-free RNN that predicts the next value of a sequence.

Written the way such code usually is: parameters in a dict, a cell helper taking
``*params``, ``zip`` over the sequence's rows, ``enumerate`` over the predictions,
``functools.partial`` for the output layer, a generator expression summing the
per-step losses, a progress line printed with an f-string (forward sweep only).
Run: python examples/rnn.py
"""
import functools

import numpy as np

import pullback


def init(rs, n_in=1, n_hidden=8):
    return {"Wx": 0.3 * rs.randn(n_in, n_hidden), "Wh": 0.3 * rs.randn(n_hidden, n_hidden),
            "b": np.zeros(n_hidden), "Wo": 0.3 * rs.randn(n_hidden, n_in)}


def cell(h, x, *weights):
    Wx, Wh, b = weights
    return np.tanh(x @ Wx + h @ Wh + b)


def readout(Wo, h):
    return h @ Wo


def loss(params, xs, ys, verbose=False):
    h = np.zeros(params["Wh"].shape[0])
    out = functools.partial(readout, params["Wo"])
    preds = []
    for x, y in zip(xs, ys):
        h = cell(h, x, *(params[k] for k in ("Wx", "Wh", "b")))
        preds.append(out(h))
    total = sum(np.sum((p - ys[i]) ** 2) for i, p in enumerate(preds)) / len(preds)
    if verbose:
        print(f"loss {total:.5f}")
    return total


def sequence(n=20):
    t = np.linspace(0.0, 3.0, n + 1)[:, None]
    return np.sin(2.0 * t[:-1]), np.sin(2.0 * t[1:])


def train(steps=150, lr=0.2, seed=0):
    params, (xs, ys) = init(np.random.RandomState(seed)), sequence()
    grad = pullback.value_and_grad(loss)
    first = None
    for _ in range(steps):
        value, g = grad(params, xs, ys)
        first = value if first is None else first
        params = {k: params[k] - lr * g[k] for k in params}
    return first, value


if __name__ == "__main__":
    first, last = train()
    print(f"loss {first:.4f} -> {last:.4f}")
