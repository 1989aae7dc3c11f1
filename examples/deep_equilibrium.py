"""A deep-equilibrium layer: the hidden state is the fixed point z* = tanh(W z* + U x + b),
found by iteration and differentiated implicitly (pullback.fixed_point), then trained for
a few steps of gradient descent.

    python examples/deep_equilibrium.py
"""
import numpy as np

import pullback

N, D = 4, 3          # hidden size, input size


def unpack(theta):
    w = theta[:N * N].reshape(N, N)
    u = theta[N * N:N * N + N * D].reshape(N, D)
    b = theta[N * N + N * D:N * N + N * D + N]
    return w, u, b


def layer(z, params):
    theta, x = params[:-D], params[-D:]
    w, u, b = unpack(theta)
    return np.tanh(w @ z + u @ x + b)


def loss(theta, x, y, v):
    params = np.concatenate((theta, x))
    z = pullback.fixed_point(layer, np.zeros(N), params)
    return (np.dot(v, z) - y) ** 2


def init(seed=0):
    rng = np.random.default_rng(seed)
    w = 0.3 * rng.standard_normal((N, N)) / np.sqrt(N)      # contractive: the iteration converges
    u = rng.standard_normal((N, D)) / np.sqrt(D)
    return np.concatenate((w.ravel(), u.ravel(), np.zeros(N))), rng


def train(steps=5, rate=0.5):
    theta, rng = init()
    x, y, v = rng.standard_normal(D), 0.7, rng.standard_normal(N)
    step = pullback.value_and_grad(loss)
    losses = []
    for _ in range(steps):
        value, g = step(theta, x, y, v)
        losses.append(value)
        theta = theta - rate * g
    return losses


if __name__ == "__main__":
    for k, value in enumerate(train()):
        print(f"step {k}: loss {value:.6f}")
