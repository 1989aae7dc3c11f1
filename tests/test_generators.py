"""User generators (``yield`` statements) consumed whole: gradients against JAX (the
same program written without generators) and central finite differences; what
eager evaluation could get wrong is rejected at the user's line
(pullback/frontend/generators.py)."""
import inspect

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import pullback
from pullback.errors import UnsupportedError

jax.config.update("jax_enable_x64", True)

SHAPES = [(1, 4), (4, 4), (4, 1)]


def make_bnn(shapes, nonlinearity):        # autograd's examples/bayesian_neural_net.py
    def unpack_layers(weights):
        num_weight_sets = len(weights)
        for m, n in shapes:
            yield (weights[:, : m * n].reshape((num_weight_sets, m, n)),
                   weights[:, m * n: m * n + n].reshape((num_weight_sets, 1, n)))
            weights = weights[:, (m + 1) * n:]

    def predictions(weights, inputs):
        inputs = np.expand_dims(inputs, 0)
        for W, b in unpack_layers(weights):
            outputs = np.einsum("mnd,mdo->mno", inputs, W) + b
            inputs = nonlinearity(outputs)
        return outputs
    return predictions


PRED = make_bnn(SHAPES, np.tanh)


def bnn_loss(w, x):
    return np.sum(PRED(w, x) ** 2)


def bnn_loss_jax(w, x):
    inputs, k = jnp.expand_dims(x, 0), len(w)
    for m, n in SHAPES:
        W = w[:, : m * n].reshape((k, m, n))
        b = w[:, m * n: m * n + n].reshape((k, 1, n))
        w = w[:, (m + 1) * n:]
        outputs = jnp.einsum("mnd,mdo->mno", inputs, W) + b
        inputs = jnp.tanh(outputs)
    return jnp.sum(outputs ** 2)


def make_batches(nb, bs):
    def batches(X):
        for i in range(nb):
            yield X[i * bs:(i + 1) * bs]

    def loss(w, X):
        total = 0.0
        for B in batches(X):
            total = total + np.sum(np.tanh(B @ w) ** 2)
        return total
    return loss


BATCH_LOSS = make_batches(3, 2)


def batch_loss_jax(w, X):
    return sum(jnp.sum(jnp.tanh(X[i * 2:(i + 1) * 2] @ w) ** 2) for i in range(3))


def layers(w):
    for k in (0, 2, 4):
        yield w[k:k + 2]


def enum_loss(w, x):
    out = 0.0
    for i, W in enumerate(layers(w)):
        out = out * (i + 1.0) + np.sum(np.sin(W @ x))
    return out


def enum_loss_jax(w, x):
    out = 0.0
    for i, k in enumerate((0, 2, 4)):
        out = out * (i + 1.0) + jnp.sum(jnp.sin(w[k:k + 2] @ x))
    return out


def list_loss(w, x):
    ws = list(layers(w))
    pairs = sum(np.sum(a * b) for a, b in zip(layers(w), layers(w * x[0])))
    return np.sum(ws[0] * ws[2]) + pairs + sum(layers(w)).sum() + len(tuple(layers(w)))


def list_loss_jax(w, x):
    ws = [w[k:k + 2] for k in (0, 2, 4)]
    pairs = sum(jnp.sum(a * a * x[0]) for a in ws)
    return jnp.sum(ws[0] * ws[2]) + pairs + (ws[0] + ws[1] + ws[2]).sum() + 3


def sums(w):
    for k in (0, 2, 4):
        yield np.sum(w[k:k + 2] ** 2)


def minmax_loss(w, x):
    return max(sums(w)) + min(sums(w * x[0]))


def minmax_loss_jax(w, x):
    s = [jnp.sum(w[k:k + 2] ** 2) for k in (0, 2, 4)]
    t = [jnp.sum((w[k:k + 2] * x[0]) ** 2) for k in (0, 2, 4)]
    return jnp.max(jnp.stack(s)) + jnp.min(jnp.stack(t))


def doubling(x, n):
    y = x * 1.0
    yield y
    for i in range(n):          # a loop decided at run time stores into y's variable
        y = y * 2.0
    yield y
    yield x


def doubling_loss(w, n):
    a, b, c = doubling(w, n)
    return np.sum(np.sin(a) * b + c)


def doubling_loss_jax(w, n):
    return jnp.sum(jnp.sin(w) * w * 2.0 ** n + w)


def _fd(f, args, eps=1e-6):
    w = args[0]
    g = np.zeros_like(w)
    for i in np.ndindex(w.shape):
        e = np.zeros_like(w)
        e[i] = eps
        g[i] = (f(w + e, *args[1:]) - f(w - e, *args[1:])) / (2 * eps)
    return g


rng = np.random.default_rng(0)
CASES = [
    (bnn_loss, bnn_loss_jax, (rng.normal(size=(3, 33)), rng.normal(size=(5, 1)))),
    (BATCH_LOSS, batch_loss_jax, (rng.normal(size=3), rng.normal(size=(6, 3)))),
    (enum_loss, enum_loss_jax, (rng.normal(size=(6, 3)), rng.normal(size=3))),
    (list_loss, list_loss_jax, (rng.normal(size=(6, 3)), rng.normal(size=3))),
    (minmax_loss, minmax_loss_jax, (rng.normal(size=(6, 3)), rng.normal(size=3))),
    (doubling_loss, doubling_loss_jax, (rng.normal(size=4), 3)),
]


@pytest.mark.parametrize("f, fj, args", CASES, ids=lambda c: getattr(c, "__name__", ""))
def test_gradient_matches_jax_and_fd(f, fj, args):
    got = pullback.grad(f)(*args)
    assert np.allclose(f(*args), fj(*args))
    assert np.allclose(got, jax.grad(fj)(*args), rtol=1e-9, atol=1e-10)
    assert np.allclose(got, _fd(f, args), rtol=1e-5, atol=1e-6)


# -- rejected: eager evaluation could differ from Python, or the construct is outside ----
def writes_consumed(w):
    total = 0.0
    for W in layers(w):
        W[0] = 0.0                                           # REJECT: write in place
        total = total + np.sum(W)
    return total


def rebinds_read(w):
    k = 1

    def gen(a):
        for j in (0, 1):
            yield a[j] * k
    total = 0.0
    for v in gen(w):
        k = 2                                                # REJECT: rebinding 'k'
        total = total + np.sum(v)
    return total


def breaks(w):
    for W in layers(w):
        if np.sum(W) > 0:
            break                                            # REJECT: break
    return np.sum(W)


def stored(w):
    g = layers(w)                                            # REJECT: generator stored
    return np.sum(list(g)[0])


def short_zip(w):
    return sum(np.sum(a) for a, b in zip(layers(w), (1, 2)))  # REJECT: zip stops early


def runtime_loop_gen(X):
    for row in X:
        yield row                                            # REJECT: yield in run-time loop


def runtime_loop(w):
    return sum(runtime_loop_gen(w))


def while_gen(x):
    while True:                                              # REJECT: yield in while
        yield x


def infinite(w):
    return sum(while_gen(w))


def value_gen(x):
    y = yield x                                              # REJECT: yield as a value
    yield y


def uses_value(w):
    return sum(value_gen(w))


def from_gen(x):
    yield from (x, x)                                        # REJECT: yield from


def uses_from(w):
    return sum(from_gen(w))


def inplace_gen(x):
    x = x.copy()
    for k in (0, 1):
        x[k] = 0.0                                           # REJECT: write in generator
        yield x


def uses_inplace(w):
    return np.sum(list(inplace_gen(w))[0])


def returns_gen(x):
    for k in (0, 1):
        yield x * k
        return                                               # REJECT: return in generator


def uses_return(w):
    return np.sum(sum(returns_gen(w)))


@pytest.mark.parametrize("f, words", [
    (writes_consumed, "write in place"), (rebinds_read, "rebinding 'k'"),
    (breaks, "'break'"), (stored, "used other than"), (short_zip, "zip/map stopping"),
    (runtime_loop, "decided at run time"), (infinite, "'while'"),
    (uses_value, "used as a value"), (uses_from, "yield from"),
    (uses_inplace, "write in place"), (uses_return, "'return' inside a generator"),
    (layers, "a 'yield' in the function itself"),
], ids=lambda c: getattr(c, "__name__", None))
def test_rejected_at_the_users_line(f, words):
    with pytest.raises(UnsupportedError) as e:
        pullback.grad(f)(np.ones((6, 3)))
    assert words in str(e.value)
    src = inspect.getsource(inspect.getmodule(f))
    lines = [i + 1 for i, s in enumerate(src.splitlines()) if "# REJECT" in s]
    if f is layers:                 # the entry itself: reported at its yield
        lines = [i + 1 for i, s in enumerate(src.splitlines()) if "yield w[k:k + 2]" in s]
    assert f"test_generators.py:{e.value.line}" in str(e.value) and e.value.line in lines
