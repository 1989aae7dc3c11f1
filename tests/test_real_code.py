"""Code people already have (issue 13, causes 2 to 6): library calls, side effects,
variadics and functional helpers, objects, random draws inside the objective.

Every derivative is compared with JAX (x64) and with central finite differences,
never with pullback's own output; rejections name the user's file and line.
"""
import dataclasses
import functools
import os
import sys
import warnings

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import scipy.signal

import pullback
from test_numpy_rules import fd_grad

jax.config.update("jax_enable_x64", True)

X = np.array([0.5, -1.0, 2.0])
HERE = os.path.abspath(__file__)


def agree(f, twin, args, argnum=0, backend="python"):
    """pullback's gradient of ``f`` equals JAX's of ``twin`` and central differences."""
    got = pullback.grad(f, argnum, backend=backend)(*args)
    want = jax.grad(twin, argnum)(*args)
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(got, fd_grad(f, list(args), argnum), rtol=1e-5, atol=1e-7)
    return got


def line_of(fn, text):
    """The line of ``fn``'s source file holding ``text`` (the expected error position)."""
    import inspect
    lines, start = inspect.getsourcelines(fn)
    return start + next(i for i, s in enumerate(lines) if text in s)


# -- cause 6: never into a library's source ----------------------------------------------------
def convolved(w):
    return np.sum(scipy.signal.detrend(w) ** 2)


def test_library_function_rejected_at_the_users_line():
    with pytest.raises(pullback.UnsupportedError) as e:
        pullback.grad(convolved)(X)
    err = e.value
    assert err.filename == HERE and err.line == line_of(convolved, "scipy.signal.detrend")
    assert "'scipy.signal.detrend'" in err.message and "pullback.defvjp" in err.message
    assert "site-packages" not in str(err)


# -- cause 5: statements with no numerical effect run in the forward sweep only ----------------
def noisy_step(w, step):
    loss = np.sum(np.sin(w) ** 2)
    print(f"step {step}: loss={loss:.4f}", end=" | ")
    return loss


def noisy(w):
    if w.ndim != 1:
        raise ValueError(f"w must be a vector, got {w.ndim} dimensions")
    s = 0.0
    for i in range(2):
        s = s + noisy_step(w * (i + 1), i)
    if np.max(np.abs(w)) > 1e3:
        warnings.warn(f"huge loss {s}", RuntimeWarning, stacklevel=2)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.log(np.abs(w))
    return s + np.sum(r)


def noisy_twin(w):
    s = sum(jnp.sum(jnp.sin(w * (i + 1)) ** 2) for i in range(2))
    return s + jnp.sum(jnp.log(jnp.abs(w)))


def test_effects_run_once_in_the_forward_sweep(capsys):
    before = np.geterr()
    agree(noisy, noisy_twin, (X,))
    out = capsys.readouterr().out
    want = "".join(f"step {i}: loss={np.sum(np.sin(X * (i + 1)) ** 2):.4f} | " for i in range(2))
    assert out.startswith(want)            # once per call of the gradient, in order
    pullback.grad(noisy)(X)
    assert capsys.readouterr().out == want
    assert np.geterr() == before           # np.errstate restored after its block


def test_raise_and_warn_happen_where_python_would():
    with pytest.raises(ValueError, match="got 2 dimensions"):
        pullback.grad(noisy)(np.ones((2, 2)))
    with pytest.warns(RuntimeWarning, match="huge loss"):
        pullback.grad(noisy)(np.array([1e4, 2.0, 3.0]))


@pytest.mark.parametrize("backend", ["numba", "c"])
def test_effects_rejected_at_their_line_elsewhere(backend):
    with pytest.raises(pullback.TransformError) as e:
        if backend == "c":
            pullback.emit_c(noisy, X)
        else:
            pullback.grad(noisy, backend=backend)(X)
    assert (e.value.filename, e.value.line) == (HERE, line_of(noisy, "warnings.warn"))
    assert "python backend only" in e.value.message


# -- cause 4: variadics and functional helpers -------------------------------------------------
def rnn_cell(h, x, *params, **options):
    W, U, b = params
    act = options.get("activation", np.tanh)
    return act(h @ W + x @ U + b)


def rnn_loss(params, xs):
    W, U, b = params
    h = np.zeros(2)
    for i, x in enumerate(xs):
        h = rnn_cell(h, x, *params, activation=np.tanh) * (1.0 + 0.1 * i)
    step = functools.partial(rnn_cell, h, xs[0], activation=np.sin)
    h2 = step(W, U, b)
    terms = {name: np.sum(v ** 2) for name, v in zip(["h", "h2"], [h, h2])}
    return sum(w * t for w, t in zip((1.0, 0.5), map(float, terms.values())) if True) + \
        sum(np.sum(a * a) for a in reversed([*params]))


def rnn_loss_twin(params, xs):
    W, U, b = params
    h = jnp.zeros(2)
    for i in range(xs.shape[0]):
        h = jnp.tanh(h @ W + xs[i] @ U + b) * (1.0 + 0.1 * i)
    h2 = jnp.sin(h @ W + xs[0] @ U + b)
    return jnp.sum(h ** 2) + 0.5 * jnp.sum(h2 ** 2) + sum(jnp.sum(a * a) for a in params)


RNG = np.random.default_rng(1)
PARAMS = (RNG.normal(size=(2, 2)), RNG.normal(size=(3, 2)), RNG.normal(size=2))
XS = RNG.normal(size=(4, 3))


@pytest.mark.parametrize("k", range(3))
def test_variadics_partial_zip_enumerate_map(k):
    def f(a):
        params = tuple(a if i == k else p for i, p in enumerate(PARAMS))
        return rnn_loss(params, XS)

    def twin(a):
        params = tuple(a if i == k else p for i, p in enumerate(PARAMS))
        return rnn_loss_twin(params, XS)
    agree(f, twin, (PARAMS[k],))


def apply_twice(fn, *args, **kwargs):
    return fn(*args, **kwargs) + fn(*args, **kwargs) ** 2


def test_partial_passed_to_a_function():
    # a partial object (with a captured array and a keyword) as an argument of another call
    def f(w):
        return np.sum(apply_twice(functools.partial(rnn_cell, w, XS[0], activation=np.sin),
                                  *PARAMS))

    def twin(w):
        a = jnp.sin(w @ PARAMS[0] + XS[0] @ PARAMS[1] + PARAMS[2])
        return jnp.sum(a + a ** 2)
    agree(f, twin, (XS[1, :2],))


def shifted_loss(w, *data, **weights):
    x, y = data
    return weights.get("scale", 1.0) * np.sum((x @ w - y) ** 2)


def test_entry_with_star_args():
    x, y = XS, XS[:, 0]
    agree(shifted_loss, lambda w, x, y: jnp.sum((x @ w - y) ** 2), (XS[0], x, y))


def test_starred_run_time_list_rejected():
    def f(w):
        xs = []
        for i in range(2):
            xs.append(w * i)
        return np.sum(np.stack([*xs]))
    with pytest.raises(pullback.UnsupportedError, match="starred item"):
        pullback.grad(f)(X)


# -- cause 3: objects (layers and models as class instances) -----------------------------------
class Dense:
    def __init__(self, W, b):
        self.W = W
        self.b = b

    def __call__(self, x):
        return np.tanh(x @ self.W + self.b)


class MLP:
    def __init__(self, layers):
        self.layers = layers

    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        return x

    @property
    def depth(self):
        return len(self.layers)


@dataclasses.dataclass
class Scaler:
    s: np.ndarray

    def apply(self, x):
        return x * self.s


NET = MLP([Dense(RNG.normal(size=(3, 4)), RNG.normal(size=4)),
           Dense(RNG.normal(size=(4, 1)), RNG.normal(size=1))])
SCALE = Scaler(np.array([1.0, 2.0, 0.5]))


def mlp_loss(net, x, y):
    return np.sum((net.forward(SCALE.apply(x)) - y) ** 2) / net.depth


def mlp_twin(params, x, y):
    h = x * SCALE.s
    for W, b in params:
        h = jnp.tanh(h @ W + b)
    return jnp.sum((h - y) ** 2) / len(params)


def test_gradient_with_respect_to_an_object_is_an_object_of_its_class():
    x, y = XS, RNG.normal(size=(4, 1))
    got = pullback.grad(mlp_loss)(NET, x, y)
    assert type(got) is MLP and all(type(la) is Dense for la in got.layers)
    params = [(la.W, la.b) for la in NET.layers]
    want = jax.grad(mlp_twin)(params, x, y)
    for g, (wW, wb) in zip(got.layers, want):
        np.testing.assert_allclose(g.W, wW, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(g.b, wb, rtol=1e-9, atol=1e-12)
    layer = NET.layers[0]
    fd = fd_grad(lambda W: mlp_loss(MLP([Dense(W, layer.b), NET.layers[1]]), x, y),
                 [layer.W], 0)
    np.testing.assert_allclose(got.layers[0].W, fd, rtol=1e-5, atol=1e-7)


def global_model_loss(x):
    return np.sum(NET.forward(x) ** 2) * NET.depth


def test_global_object_read_at_call_time():
    twin = lambda x: jnp.sum(jnp.tanh(jnp.tanh(x @ NET.layers[0].W + NET.layers[0].b)  # noqa: E731
                                      @ NET.layers[1].W + NET.layers[1].b) ** 2) * 2
    agree(global_model_loss, twin, (XS[0],))
    old = NET.layers[1].b
    try:                     # an attribute changed after compiling is seen by the next call
        NET.layers[1].b = old + 1.0
        agree(global_model_loss, twin, (XS[0],))
    finally:
        NET.layers[1].b = old


# -- cause 2: random generators inside the objective -------------------------------------------
def vae_step(enc, x, rs):
    """One reparameterised ELBO-like estimate: the noise is a constant of the derivative."""
    W_mu, W_lv = enc
    mu, log_var = x @ W_mu, x @ W_lv
    eps = rs.randn(*mu.shape)
    z = mu + np.exp(0.5 * log_var) * eps
    recon = np.sum((np.tanh(z) - 0.5) ** 2)
    kl = -0.5 * np.sum(1.0 + log_var - mu ** 2 - np.exp(log_var))
    return recon + kl + 0.01 * np.sum(rs.uniform(-1.0, 1.0, size=(2,)))


def vae_twin(enc, x, eps):
    W_mu, W_lv = enc
    mu, log_var = x @ W_mu, x @ W_lv
    z = mu + jnp.exp(0.5 * log_var) * eps
    return jnp.sum((jnp.tanh(z) - 0.5) ** 2) - 0.5 * jnp.sum(1.0 + log_var - mu ** 2 -
                                                              jnp.exp(log_var))


def test_draws_from_a_random_state_argument():
    enc = (RNG.normal(size=(3, 2)), 0.1 * RNG.normal(size=(3, 2)))
    x = XS[:2]
    rs = np.random.RandomState(7)
    got = pullback.grad(vae_step)(enc, x, rs)
    again = np.random.RandomState(7)
    eps = again.randn(2, 2)
    again.uniform(-1.0, 1.0, size=(2,))
    assert rs.get_state()[2] == again.get_state()[2]   # the caller's generator advanced once
    assert np.array_equal(rs.get_state()[1], again.get_state()[1])
    want = jax.grad(vae_twin)(enc, x, eps)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-9, atol=1e-12)
    fd = fd_grad(lambda W: vae_step((W, enc[1]), x, np.random.RandomState(7)), [enc[0]], 0)
    np.testing.assert_allclose(got[0], fd, rtol=1e-5, atol=1e-7)


GEN = np.random.default_rng(3)


def noisy_global(w):
    return np.sum(w * GEN.normal(0.0, 1.0, size=w.shape)) + np.sum(w ** 2)


def test_draws_from_a_global_generator_match_the_original():
    w = XS[0]
    state = GEN.bit_generator.state
    got = pullback.grad(noisy_global)(w)
    after = GEN.bit_generator.state
    GEN.bit_generator.state = state
    noise = GEN.normal(0.0, 1.0, size=w.shape)
    assert GEN.bit_generator.state == after
    np.testing.assert_allclose(got, noise + 2 * w, rtol=1e-12)


def test_derivative_through_a_draws_parameters_is_rejected():
    def f(k):       # a gamma draw's shape is no location or scale (normal's are: see
        return np.sum(GEN.gamma(k + 2.0))       # test_real_code_rules.py)
    with pytest.raises(pullback.TransformError) as e:
        pullback.grad(f)(X)
    assert e.value.filename == HERE


def test_draws_rejected_at_their_line_on_numba():
    with pytest.raises(pullback.TransformError) as e:
        pullback.grad(noisy_global, backend="numba")(XS[0])
    assert (e.value.filename, e.value.line) == (HERE, line_of(noisy_global, "GEN.normal"))


# -- the examples (examples/layers.py, rnn.py, vae.py) -----------------------------------------
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(HERE)), "examples"))


def test_example_layers():
    import layers
    rs = np.random.RandomState(1)
    model, (x, y) = layers.MLP([2, 5, 1], rs), layers.data(rs, 8)
    norm = layers.Normalizer(x.mean(axis=0), x.std(axis=0))
    got = pullback.grad(layers.loss)(model, norm, x, y)

    def twin(Ws, bs):
        h = (x - norm.mean) / norm.scale
        h = jnp.tanh(h @ Ws[0] + bs[0]) @ Ws[1] + bs[1]
        return 2.0 * jnp.mean((h - y) ** 2) + 1e-3 * sum(jnp.sum(W ** 2) for W in Ws) / 2
    Ws, bs = [la.W for la in model.layers], [la.b for la in model.layers]
    want_W, want_b = jax.grad(twin, (0, 1))(Ws, bs)
    for g, wW, wb in zip(got.layers, want_W, want_b):
        np.testing.assert_allclose(g.W, wW, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(g.b, wb, rtol=1e-9, atol=1e-12)

    def at(W):
        m = layers.MLP([2, 5, 1], np.random.RandomState(1))
        m.layers[0].W = W
        m.layers[1] = model.layers[1]
        return layers.loss(m, norm, x, y)
    np.testing.assert_allclose(got.layers[0].W, fd_grad(at, [Ws[0]], 0), rtol=1e-5, atol=1e-7)


def test_example_rnn(capsys):
    import rnn
    params, (xs, ys) = rnn.init(np.random.RandomState(2)), rnn.sequence(6)
    got = pullback.grad(rnn.loss)(params, xs, ys, True)
    assert capsys.readouterr().out.startswith("loss ")

    def twin(p):
        h, total = jnp.zeros(p["Wh"].shape[0]), 0.0
        for i in range(xs.shape[0]):
            h = jnp.tanh(xs[i] @ p["Wx"] + h @ p["Wh"] + p["b"])
            total = total + jnp.sum((h @ p["Wo"] - ys[i]) ** 2)
        return total / xs.shape[0]
    want = jax.grad(twin)(params)
    for k in params:
        np.testing.assert_allclose(got[k], want[k], rtol=1e-9, atol=1e-12)
    fd = fd_grad(lambda Wh: rnn.loss({**params, "Wh": Wh}, xs, ys), [params["Wh"]], 0)
    np.testing.assert_allclose(got["Wh"], fd, rtol=1e-5, atol=1e-7)


def test_example_vae():
    import vae
    rs = np.random.RandomState(3)
    params, x = vae.init(rs), rs.randn(5, 4)
    got = pullback.grad(vae.neg_elbo)(params, x, np.random.RandomState(4))
    eps = np.random.RandomState(4).randn(5, 2)

    def twin(p):
        h = jnp.tanh(x @ p["enc"][0]) @ p["enc"][1]
        mu, lv = h[:, :2], h[:, 2:]
        z = mu + jnp.exp(0.5 * lv) * eps
        recon = jnp.sum((jnp.tanh(z @ p["dec"][0]) @ p["dec"][1] - x) ** 2)
        return (recon - 0.5 * jnp.sum(1.0 + lv - mu ** 2 - jnp.exp(lv))) / x.shape[0]
    want = jax.grad(twin)(params)
    for k in params:
        for g, w in zip(got[k], want[k]):
            np.testing.assert_allclose(g, w, rtol=1e-9, atol=1e-12)
    fd = fd_grad(lambda W: vae.neg_elbo({**params, "enc": (W, params["enc"][1])}, x,
                                        np.random.RandomState(4)), [params["enc"][0]], 0)
    np.testing.assert_allclose(got["enc"][0], fd, rtol=1e-5, atol=1e-7)


WEIGHTS = np.array([1.0, 2.0, 3.0])


def weighted(x):
    return np.sum(WEIGHTS * x * x)


def test_emit_c_with_a_global_array_is_rejected_at_its_line():
    with pytest.raises(pullback.UnsupportedError) as e:
        pullback.emit_c(weighted, X)
    assert (e.value.filename, e.value.line) == (HERE, line_of(weighted, "WEIGHTS"))
    assert "pass it as an argument" in e.value.message


class GateCell:
    """Gates named by the characters of a string, weights in a dict attribute."""
    def __init__(self, rs):
        self.W = {g: 0.3 * rs.randn(4, 2) for g in "ifc"}

    def step(self, h, x):
        hx = np.concatenate([h, x])
        i, f = (1 / (1 + np.exp(-(hx @ self.W[g]))) for g in "if")
        return f * h + i * np.tanh(hx @ self.W["c"])


def gate_loss(cell, xs):
    h = np.zeros(2)
    for x in xs:
        h = cell.step(h, x)
    return np.sum(h ** 2)


def test_string_iteration_and_dict_attributes():
    cell, xs = GateCell(np.random.RandomState(5)), RNG.normal(size=(3, 2))
    got = pullback.grad(gate_loss)(cell, xs)

    def twin(W):
        h = jnp.zeros(2)
        for x in xs:
            hx = jnp.concatenate([h, x])
            i, f = (1 / (1 + jnp.exp(-(hx @ W[g]))) for g in "if")
            h = f * h + i * jnp.tanh(hx @ W["c"])
        return jnp.sum(h ** 2)
    want = jax.grad(twin)(cell.W)
    for g in "ifc":
        np.testing.assert_allclose(got.W[g], want[g], rtol=1e-9, atol=1e-12)

    def at(Wi):
        c = GateCell(np.random.RandomState(5))
        c.W = {**cell.W, "i": Wi}
        return gate_loss(c, xs)
    np.testing.assert_allclose(got.W["i"], fd_grad(at, [cell.W["i"]], 0), rtol=1e-5, atol=1e-7)
