"""MLP 784-128-10, tanh hidden layer, softmax cross-entropy, batch 64; gradient w.r.t. all weights.

The hand-written NumPy gradient is textbook backpropagation.
"""
import numpy as np

from . import peers
from .harness import Row

TITLE = "MLP 784-128-10, batch 64 (NumPy)"
_rng = np.random.default_rng(1)
W1 = _rng.normal(0, 0.05, (784, 128))
B1 = np.zeros(128)
W2 = _rng.normal(0, 0.1, (128, 10))
B2 = np.zeros(10)
XB = _rng.normal(0, 1, (64, 784))
Y = np.eye(10)[_rng.integers(0, 10, 64)]
ARGS = (W1, B1, W2, B2, XB, Y)
ARGNUMS = (0, 1, 2, 3)
BASELINES = ("f, NumPy", "hand-written gradient, NumPy")
REFERENCE = "hand-written gradient, NumPy"


def mlp_loss(w1, b1, w2, b2, x, y):
    h = np.tanh(x @ w1 + b1)
    z = h @ w2 + b2
    zmax = np.max(z, axis=1, keepdims=True)
    logz = np.log(np.sum(np.exp(z - zmax), axis=1, keepdims=True)) + zmax
    return -np.sum(y * (z - logz)) / x.shape[0]


def mlp_grad(w1, b1, w2, b2, x, y):
    h = np.tanh(x @ w1 + b1)
    z = h @ w2 + b2
    p = np.exp(z - np.max(z, axis=1, keepdims=True))
    p /= np.sum(p, axis=1, keepdims=True)
    dz = (p - y) / x.shape[0]
    dh = (dz @ w2.T) * (1.0 - h * h)
    return x.T @ dh, dh.sum(0), h.T @ dz, dz.sum(0)


def _lib(m, logsumexp):
    def f(w1, b1, w2, b2, x, y):
        h = m.tanh(x @ w1 + b1)
        z = h @ w2 + b2
        return -m.sum(y * (z - logsumexp(z))) / x.shape[0]
    return f


def rows():
    def jax_f(*a):
        import jax.numpy as jnp
        from jax.scipy.special import logsumexp
        return _lib(jnp, lambda z: logsumexp(z, axis=1, keepdims=True))(*a)

    def autograd_f(*a):
        import autograd.numpy as anp
        from autograd.scipy.special import logsumexp
        return _lib(anp, lambda z: logsumexp(z, axis=1, keepdims=True))(*a)

    def torch_f(*a):
        import torch
        return _lib(torch, lambda z: torch.logsumexp(z, 1, keepdim=True))(*a)
    return [Row("f, NumPy", "objective", lambda: lambda: mlp_loss(*ARGS), gradient=False),
            *peers.array_pullback_rows(mlp_loss, ARGS, ARGNUMS),
            Row("hand-written gradient, NumPy", "hand", lambda: lambda: mlp_grad(*ARGS)),
            peers.autograd_row("autograd", autograd_f, ARGS, ARGNUMS),
            peers.jax_grad_row("JAX jit", jax_f, ARGS, ARGNUMS),
            peers.torch_row("PyTorch eager", torch_f, ARGS, ARGNUMS)]
