"""ADBench GMM, d = 2 with K = 5 components (``gmm_d10`` runs d = 10), 1 000 points (../shared/adbench/gmm/1k).

Objective as defined in ../shared/adbench/README.md: the log-likelihood of a
Gaussian mixture with lower-triangular inverse-covariance factors Q_k (diagonal
exp(q_k), strictly-lower part l_k filled column by column) plus a Wishart
prior; the gradient is w.r.t. (alpha, means, icf).  One source serves NumPy,
autograd, JAX and PyTorch (the array module is a parameter, with each library's
own logsumexp; the NumPy copy calls SciPy's directly, see ``numpy_objective``); l_k is placed in
Q_k by a constant 0/1 tensor, so no library needs indexed assignment.  The
hand-written NumPy gradient (``numpy_gradient``) is the textbook one: the
softmax W of the per-point terms weighs everything; JAX is the reference.
"""
import math

import numpy as np
import scipy.special

from . import peers
from .harness import Row

D = 2
K = 5
TITLE = f"ADBench GMM (d = {D}, K = {K}, n = 1 000)"
BASELINES = ("f, NumPy", "hand-written gradient, NumPy", "JAX jit")
REFERENCE = "JAX jit"


def load(d, k=5):
    with open(peers.adbench_path("gmm", "1k", f"gmm_d{d}_K{k}.txt")) as fh:
        nums = fh.read().split()
    d, k, n = (int(v) for v in nums[:3])
    vals = np.array([float(v) for v in nums[3:]])
    alphas, vals = vals[:k], vals[k:]
    means, vals = vals[:k * d].reshape(k, d), vals[k * d:]
    icf, vals = vals[:k * d * (d + 1) // 2].reshape(k, -1), vals[k * d * (d + 1) // 2:]
    x = vals[:n * d].reshape(n, d)
    gamma, m = vals[n * d], int(vals[n * d + 1])
    return alphas, means, icf, x, gamma, m


def placement(d):
    """E[p, i, j] = 1 where the p-th strictly-lower entry (column by column) sits in Q."""
    pos = [(i, j) for j in range(d) for i in range(j + 1, d)]
    e = np.zeros((len(pos), d, d))
    for p, (i, j) in enumerate(pos):
        e[p, i, j] = 1.0
    return e


def log_wishart_constant(d, k, gamma, m):
    n1 = d + m + 1
    lmg = d * (d - 1) / 4 * math.log(math.pi) + sum(math.lgamma(n1 / 2 + (1 - j) / 2)
                                                     for j in range(1, d + 1))
    return k * (n1 * d * (math.log(gamma) - 0.5 * math.log(2)) - lmg)


def make_objective(m, lse, d, gamma, mp, k=K):
    e = m.asarray(placement(d))
    wishart = log_wishart_constant(d, k, gamma, mp)     # a constant: computed once, outside

    def gmm(alphas, means, icf, x):
        n = x.shape[0]
        q, l = icf[:, :d], icf[:, d:]
        lower = m.einsum("kp,pij->kij", l, e)
        xc = x[:, None, :] - means[None, :, :]
        qxc = m.exp(q)[None, :, :] * xc + m.einsum("kij,nkj->nki", lower, xc)
        main = alphas[None, :] + m.sum(q, 1)[None, :] - 0.5 * m.sum(qxc * qxc, 2)
        prior = m.sum(0.5 * gamma ** 2 * (m.sum(m.exp(q) ** 2, 1) + m.sum(l * l, 1))
                      - mp * m.sum(q, 1))
        return (-n * d / 2 * math.log(2 * math.pi) + m.sum(lse(main, 1)) - n * lse(alphas, 0)
                + prior - wishart)
    return gmm


def numpy_objective(d, gamma, mp, k=K):
    """``make_objective`` for NumPy, with SciPy's logsumexp called directly: pullback
    lowers a function passed in as ``lse`` once for both its call sites (shapes (n, K)
    and (K,)), so its array shapes would not be static, which the Numba backend needs."""
    e = placement(d)
    wishart = log_wishart_constant(d, k, gamma, mp)

    def gmm(alphas, means, icf, x):
        n = x.shape[0]
        q, l = icf[:, :d], icf[:, d:]
        lower = np.einsum("kp,pij->kij", l, e)
        xc = x[:, None, :] - means[None, :, :]
        qxc = np.exp(q)[None, :, :] * xc + np.einsum("kij,nkj->nki", lower, xc)
        main = alphas[None, :] + np.sum(q, 1)[None, :] - 0.5 * np.sum(qxc * qxc, 2)
        prior = np.sum(0.5 * gamma ** 2 * (np.sum(np.exp(q) ** 2, 1) + np.sum(l * l, 1))
                       - mp * np.sum(q, 1))
        return (-n * d / 2 * math.log(2 * math.pi) + np.sum(scipy.special.logsumexp(main, 1))
                - n * scipy.special.logsumexp(alphas) + prior - wishart)
    return gmm


def numpy_gradient(d, gamma, mp, k=K):
    """The hand-written NumPy gradient of ``numpy_objective`` w.r.t. (alphas, means, icf):
    W is the softmax of ``main`` over the components, G = -W Q(x - mu) the adjoint of qxc."""
    e = placement(d)

    def gmm_grad(alphas, means, icf, x):
        n = x.shape[0]
        q, l = icf[:, :d], icf[:, d:]
        lower = np.einsum("kp,pij->kij", l, e)
        xc = x[:, None, :] - means[None, :, :]
        eq = np.exp(q)
        qxc = eq[None, :, :] * xc + np.einsum("kij,nkj->nki", lower, xc)
        main = alphas[None, :] + np.sum(q, 1)[None, :] - 0.5 * np.sum(qxc * qxc, 2)
        w = np.exp(main - np.max(main, 1, keepdims=True))
        w /= np.sum(w, 1, keepdims=True)
        wk = np.sum(w, 0)
        a = np.exp(alphas - np.max(alphas))
        g_alphas = wk - n * a / np.sum(a)
        g = -w[:, :, None] * qxc
        g_xc = eq[None, :, :] * g + np.einsum("kij,nki->nkj", lower, g)
        g_q = wk[:, None] + eq * np.sum(g * xc, 0) + gamma ** 2 * eq * eq - mp
        g_lower = np.einsum("nki,nkj->kij", g, xc)
        g_l = np.einsum("kij,pij->kp", g_lower, e) + gamma ** 2 * l
        return g_alphas, -np.sum(g_xc, 0), np.concatenate((g_q, g_l), 1)
    return gmm_grad


def rows(d=D):
    data = load(d)
    args, gamma, mp = data[:4], data[4], data[5]
    f = numpy_objective(d, gamma, mp)

    def jax_make():
        jax = peers.jax()
        from jax.scipy.special import logsumexp
        g = jax.jit(jax.grad(make_objective(jax.numpy, lambda a, ax: logsumexp(a, axis=ax),
                                            d, gamma, mp), argnums=(0, 1, 2)))
        return lambda: jax.block_until_ready(g(*args))

    def torch_f(*a):
        import torch
        return make_objective(torch, lambda t, ax: torch.logsumexp(t, ax), d, gamma, mp)(*a)

    def autograd_f(*a):
        import autograd.numpy as anp
        from autograd.scipy.special import logsumexp
        return make_objective(anp, lambda t, ax: logsumexp(t, axis=ax), d, gamma, mp)(*a)
    hand = numpy_gradient(d, gamma, mp)
    return [Row("f, NumPy", "objective", lambda: lambda: f(*args), gradient=False),
            Row("JAX jit", "peer", jax_make),
            *peers.array_pullback_rows(f, args, (0, 1, 2)),
            Row("hand-written gradient, NumPy", "hand", lambda: lambda: hand(*args)),
            peers.autograd_row("autograd", autograd_f, args, (0, 1, 2)),
            peers.torch_row("PyTorch eager", torch_f, args, (0, 1, 2))]
