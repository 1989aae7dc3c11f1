"""A variational autoencoder step with a RandomState inside the objective.

The encoder's noise is drawn from the ``RandomState`` passed in (``rs.randn``), once, in
the forward sweep: its values are constants of the derivative (the reparameterisation
trick), and the generator ends where running the plain function leaves it.
Run: python examples/vae.py
"""
import numpy as np

import pullback


def init(rs, n_x=4, n_z=2, n_h=8):
    def mat(a, b):
        return rs.randn(a, b) / np.sqrt(a)
    return {"enc": (mat(n_x, n_h), mat(n_h, 2 * n_z)), "dec": (mat(n_z, n_h), mat(n_h, n_x))}


def encode(enc, x):
    W1, W2 = enc
    out = np.tanh(x @ W1) @ W2
    n_z = out.shape[1] // 2
    return out[:, :n_z], out[:, n_z:]


def decode(dec, z):
    W1, W2 = dec
    return np.tanh(z @ W1) @ W2


def neg_elbo(params, x, rs):
    mu, log_var = encode(params["enc"], x)
    eps = rs.randn(*mu.shape)
    z = mu + np.exp(0.5 * log_var) * eps
    recon = np.sum((decode(params["dec"], z) - x) ** 2)
    kl = -0.5 * np.sum(1.0 + log_var - mu ** 2 - np.exp(log_var))
    return (recon + kl) / x.shape[0]


def train(steps=200, lr=0.02, seed=0):
    rs = np.random.RandomState(seed)
    params = init(rs)
    x = rs.randn(16, 2) @ rs.randn(2, 4)           # data on a 2-d subspace
    grad = pullback.value_and_grad(neg_elbo)
    first = None
    for _ in range(steps):
        value, g = grad(params, x, rs)
        first = value if first is None else first
        params = {k: tuple(p - lr * q for p, q in zip(params[k], g[k])) for k in params}
    return first, value


if __name__ == "__main__":
    first, last = train()
    print(f"-ELBO {first:.3f} -> {last:.3f}")
