"""A small network written as layer objects, trained with pullback's gradient.

Classes with array attributes and methods, a @property, a dataclass, an activation
passed by keyword, a loss helper taking *args; the gradient with respect to the
model object comes back as a model of the same class (its attributes' adjoints).
Run: python examples/layers.py
"""
from dataclasses import dataclass

import numpy as np

import pullback


class Dense:
    def __init__(self, n_in, n_out, rs):
        self.W = rs.randn(n_in, n_out) / np.sqrt(n_in)
        self.b = np.zeros(n_out)

    def __call__(self, x, activation=np.tanh):
        return activation(x @ self.W + self.b)


@dataclass
class Normalizer:
    mean: np.ndarray
    scale: np.ndarray

    def apply(self, x):
        return (x - self.mean) / self.scale


class MLP:
    def __init__(self, sizes, rs):
        self.layers = [Dense(a, b, rs) for a, b in zip(sizes[:-1], sizes[1:])]

    @property
    def depth(self):
        return len(self.layers)

    def forward(self, x):
        for layer in self.layers[:-1]:
            x = layer(x)
        return self.layers[-1](x, activation=lambda t: t)


def mean_squared(pred, *targets, weight=1.0):
    (y,) = targets
    return weight * np.mean((pred - y) ** 2)


def loss(model, norm, x, y):
    pred = model.forward(norm.apply(x))
    penalty = sum(np.sum(layer.W ** 2) for layer in model.layers)
    return mean_squared(pred, y, weight=2.0) + 1e-3 * penalty / model.depth


def data(rs, n=32):
    x = rs.uniform(-2.0, 2.0, size=(n, 2))
    y = np.sin(x[:, :1]) * np.cos(x[:, 1:])
    return x, y


def train(steps=200, lr=0.1, seed=0):
    rs = np.random.RandomState(seed)
    model, (x, y) = MLP([2, 16, 1], rs), data(rs)
    norm = Normalizer(x.mean(axis=0), x.std(axis=0))
    value_and_grad = pullback.value_and_grad(loss)
    first = None
    for _ in range(steps):
        value, g = value_and_grad(model, norm, x, y)
        first = value if first is None else first
        for layer, g_layer in zip(model.layers, g.layers):
            layer.W = layer.W - lr * g_layer.W
            layer.b = layer.b - lr * g_layer.b
    return first, value


if __name__ == "__main__":
    first, last = train()
    print(f"loss {first:.4f} -> {last:.4f}")
