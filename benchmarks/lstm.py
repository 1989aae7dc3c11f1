"""ADBench LSTM, l = 2 layers, c = 1024 steps (../shared/adbench/lstm/lstm_l2_c1024.txt).

The diagonal LSTM of ../shared/adbench/README.md: weights act elementwise,
each layer's hidden and cell state carry over time steps, and the loss is the
negative mean log-softmax (with the benchmark's "+2") of the next input.  The
gradient is w.r.t. the main and extra parameters (8 l b + 3 b numbers).  One
source serves NumPy, autograd and PyTorch (loops as written); JAX runs the
time loop as ``lax.scan``.  There is no hand-written gradient yet: JAX is the
reference.  pullback's numba backend keeps the per-layer state lists as native
Numba lists and their adjoints as arrays over the layers (backends/numba_lists.py).
"""
import numpy as np

from . import peers
from .harness import Row

TITLE = "ADBench LSTM (l = 2, c = 1024)"
BASELINES = ("f, NumPy", "JAX jit, lax.scan")
REFERENCE = "JAX jit, lax.scan"


def load():
    with open(peers.adbench_path("lstm", "lstm_l2_c1024.txt")) as fh:
        blocks = [b for b in fh.read().split("\n\n") if b.strip()]
    l, c, b = (int(v) for v in blocks[0].split())
    rows = [np.array([float(v) for v in line.split()]) for blk in blocks[1:]
            for line in blk.strip().splitlines()]
    main = np.stack(rows[:2 * l])
    extra = np.stack(rows[2 * l:2 * l + 3])
    state = np.stack(rows[2 * l + 3:4 * l + 3])
    seq = np.stack(rows[4 * l + 3:4 * l + 3 + c])
    return main, extra, state, seq


def make_loss(m, sigmoid):
    def loss(main, extra, state, seq):
        layers, b = main.shape[0] // 2, seq.shape[1]
        hs = [state[2 * i] for i in range(layers)]
        cs = [state[2 * i + 1] for i in range(layers)]
        total = 0.0
        for t in range(seq.shape[0] - 1):
            x = seq[t] * extra[0]
            for i in range(layers):
                w, bias = main[2 * i], main[2 * i + 1]
                f = sigmoid(x * w[:b] + bias[:b])
                g_in = sigmoid(hs[i] * w[b:2 * b] + bias[b:2 * b])
                o = sigmoid(x * w[2 * b:3 * b] + bias[2 * b:3 * b])
                g = m.tanh(hs[i] * w[3 * b:] + bias[3 * b:])
                cs[i] = cs[i] * f + g_in * g
                hs[i] = o * m.tanh(cs[i])
                x = hs[i]
            y = x * extra[1] + extra[2]
            total = total + m.sum(seq[t + 1] * (y - m.log(2.0 + m.sum(m.exp(y)))))
        return -total / ((seq.shape[0] - 1) * b)
    return loss


def _jax_loss(main, extra, state, seq):
    import jax
    import jax.numpy as jnp
    layers, b = main.shape[0] // 2, seq.shape[1]

    def step(carry, pair):
        hs, cs = carry
        cur, nxt = pair
        x = cur * extra[0]
        new_h, new_c = [], []
        for i in range(layers):
            w, bias = main[2 * i], main[2 * i + 1]
            f = jax.nn.sigmoid(x * w[:b] + bias[:b])
            g_in = jax.nn.sigmoid(hs[i] * w[b:2 * b] + bias[b:2 * b])
            o = jax.nn.sigmoid(x * w[2 * b:3 * b] + bias[2 * b:3 * b])
            g = jnp.tanh(hs[i] * w[3 * b:] + bias[3 * b:])
            c = cs[i] * f + g_in * g
            h = o * jnp.tanh(c)
            new_h.append(h)
            new_c.append(c)
            x = h
        y = x * extra[1] + extra[2]
        return (jnp.stack(new_h), jnp.stack(new_c)), jnp.sum(nxt * (y - jnp.log(2.0 + jnp.sum(
            jnp.exp(y)))))
    _, parts = jax.lax.scan(step, (state[0::2], state[1::2]), (seq[:-1], seq[1:]))
    return -jnp.sum(parts) / ((seq.shape[0] - 1) * b)


def rows():
    args = load()
    f = make_loss(np, lambda z: 1.0 / (1.0 + np.exp(-z)))

    def autograd_f(*a):
        import autograd.numpy as anp
        return make_loss(anp, lambda z: 1.0 / (1.0 + anp.exp(-z)))(*a)

    def torch_f(*a):
        import torch
        return make_loss(torch, torch.sigmoid)(*a)
    return [Row("f, NumPy", "objective", lambda: lambda: f(*args), gradient=False),
            peers.jax_grad_row("JAX jit, lax.scan", _jax_loss, args, (0, 1)),
            *peers.array_pullback_rows(f, args, (0, 1)),
            peers.autograd_row("autograd", autograd_f, args, (0, 1)),
            peers.torch_row("PyTorch eager", torch_f, args, (0, 1))]
