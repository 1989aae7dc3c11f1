"""NumPy programs mixing loops, in-place writes and containers, against JAX and
finite differences.  The JAX twins use ``.at[].set`` where NumPy writes in place."""
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import pullback

jax.config.update("jax_enable_x64", True)
RNG = np.random.default_rng(42)


def fd_grad(f, args, i, h=1e-6):
    x = np.asarray(args[i], dtype=float)
    out = np.zeros_like(x)
    for j in np.ndindex(x.shape):
        up, dn = [np.array(a, dtype=float) if isinstance(a, np.ndarray) else a for a in args], \
            [np.array(a, dtype=float) if isinstance(a, np.ndarray) else a for a in args]
        if x.shape:
            up[i][j] += h
            dn[i][j] -= h
        else:
            up[i] += h
            dn[i] -= h
        out[j] = (f(*up) - f(*dn)) / (2 * h)
    return out


# -- explicit heat equation with in-place writes ------------------------------
def heat(u0, kappa):
    u = u0.copy()
    n = u.shape[0]
    for step in range(30):
        new = u.copy()
        for i in range(1, n - 1):
            new[i] = u[i] + kappa * (u[i - 1] - 2.0 * u[i] + u[i + 1])
        u = new
    return np.sum(u ** 2) + u[n // 2]


def heat_jax(u0, kappa):
    u = u0
    for step in range(30):
        new = u
        for i in range(1, u.shape[0] - 1):
            new = new.at[i].set(u[i] + kappa * (u[i - 1] - 2.0 * u[i] + u[i + 1]))
        u = new
    return jnp.sum(u ** 2) + u[u.shape[0] // 2]


# -- an RNN written with row writes ------------------------------------------------
def rnn(W, U, b, xs):
    T, H = xs.shape[0], W.shape[0]
    h = np.zeros((T + 1, H))
    for t in range(T):
        h[t + 1] = np.tanh(W @ h[t] + U @ xs[t] + b)
    return np.sum(h[1:] ** 2) / T


def rnn_jax(W, U, b, xs):
    T, H = xs.shape[0], W.shape[0]
    h = jnp.zeros((T + 1, H))
    for t in range(T):
        h = h.at[t + 1].set(jnp.tanh(W @ h[t] + U @ xs[t] + b))
    return jnp.sum(h[1:] ** 2) / T


# -- Gaussian mixture log-likelihood (diagonal covariances) --------------------------
def logsumexp_rows(a):
    m = np.max(a, axis=1, keepdims=True)
    return m[:, 0] + np.log(np.sum(np.exp(a - m), axis=1))


def gmm(alphas, means, log_sigmas, X):
    n, d = X.shape
    K = alphas.shape[0]
    lik = np.zeros((n, K))
    for k in range(K):
        z = (X - means[k]) / np.exp(log_sigmas[k])
        lik[:, k] = alphas[k] - np.sum(log_sigmas[k]) - 0.5 * np.sum(z * z, axis=1)
    m = np.max(alphas)
    return np.sum(logsumexp_rows(lik)) - n * (m + np.log(np.sum(np.exp(alphas - m))))


def gmm_jax(alphas, means, log_sigmas, X):
    z = (X[:, None, :] - means[None]) / jnp.exp(log_sigmas)[None]
    lik = alphas[None] - jnp.sum(log_sigmas, 1)[None] - 0.5 * jnp.sum(z * z, 2)
    return jnp.sum(jax.scipy.special.logsumexp(lik, axis=1)) - \
        X.shape[0] * jax.scipy.special.logsumexp(alphas)


# -- logistic regression on a dict of parameters ---------------------------------------
def logreg(params, X, y):
    z = X @ params["w"] + params["b"]
    p = 1.0 / (1.0 + np.exp(-z))
    return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)) + 0.01 * np.sum(params["w"] ** 2)


def logreg_jax(params, X, y):
    z = X @ params["w"] + params["b"]
    p = 1.0 / (1.0 + jnp.exp(-z))
    return -jnp.mean(y * jnp.log(p) + (1 - y) * jnp.log(1 - p)) + 0.01 * jnp.sum(params["w"] ** 2)


def assert_close(a, b, rtol=1e-6, atol=1e-8):
    np.testing.assert_allclose(np.asarray(a, float), np.asarray(b, float), rtol=rtol, atol=atol)


def test_heat_equation():
    u0, kappa = RNG.random(9), 0.2
    g = pullback.grad(heat, argnums=(0, 1))(u0, kappa)
    gj = jax.grad(heat_jax, argnums=(0, 1))(jnp.asarray(u0), kappa)
    assert_close(g[0], gj[0])
    assert_close(g[1], gj[1])
    assert_close(g[1], fd_grad(heat, [u0, kappa], 1), rtol=1e-5)
    text = pullback.source(pullback.grad(heat, argnums=(0, 1)))
    assert "new[i] = " in text          # the write stays in place


def test_rnn_with_row_writes():
    W, U, b = RNG.normal(size=(4, 4)) * 0.5, RNG.normal(size=(4, 3)), RNG.normal(size=4)
    xs = RNG.normal(size=(6, 3))
    g = pullback.grad(rnn, argnums=(0, 1, 2))(W, U, b, xs)
    gj = jax.grad(rnn_jax, argnums=(0, 1, 2))(W, U, b, xs)
    for a, e in zip(g, gj):
        assert_close(a, e)
    assert_close(g[2], fd_grad(rnn, [W, U, b, xs], 2), rtol=1e-5)


def test_gmm_log_likelihood():
    K, d, n = 3, 2, 10
    args = [RNG.normal(size=K), RNG.normal(size=(K, d)), RNG.normal(size=(K, d)) * 0.3,
            RNG.normal(size=(n, d))]
    assert gmm(*args) == pytest.approx(float(gmm_jax(*args)), rel=1e-12)
    g = pullback.grad(gmm, argnums=(0, 1, 2))(*args)
    gj = jax.grad(gmm_jax, argnums=(0, 1, 2))(*args)
    for a, e in zip(g, gj):
        assert_close(a, e)


def test_logistic_regression_on_a_dict():
    X = RNG.normal(size=(20, 3))
    y = (RNG.random(20) > 0.5).astype(float)
    params = {"w": RNG.normal(size=3), "b": 0.1}
    g = pullback.grad(logreg)(params, X, y)
    gj = jax.grad(logreg_jax)({"w": jnp.asarray(params["w"]), "b": 0.1}, X, y)
    assert set(g) == {"w", "b"} and isinstance(g["b"], float)
    assert_close(g["w"], gj["w"])
    assert_close(g["b"], gj["b"])


class Params(NamedTuple):
    w: np.ndarray
    b: float


def model(p, xs):
    total = 0.0
    for x in xs:                       # a tuple of arrays
        total = total + np.sum(np.tanh(p.w * x + p.b))
    for name, v in {"bias": p.b, "scale": 2.0}.items():
        total = total + v * v
    return total


def test_namedtuple_and_tuple_arguments():
    p = Params(RNG.normal(size=3), 0.4)
    xs = (RNG.normal(size=3), RNG.normal(size=3))
    g = pullback.grad(model)(p, xs)
    assert isinstance(g, Params)

    def model_jax(w, b):
        return sum(jnp.sum(jnp.tanh(w * x + b)) for x in xs) + b * b + 4.0
    gw, gb = jax.grad(model_jax, argnums=(0, 1))(p.w, p.b)
    assert_close(g.w, gw)
    assert_close(g.b, gb)


def test_array_from_active_scalars_and_vjp_of_arrays():
    def f(a, b):
        v = np.array([a, a * b, np.sin(b)])
        M = np.array([[a, b], [b, a]])
        return M @ v[:2] * v[2]
    out, pull = pullback.vjp(f, 0.7, 1.3)
    oj, pj = jax.vjp(lambda a, b: jnp.array([[a, b], [b, a]]) @ jnp.array([a, a * b])
                     * jnp.sin(b), 0.7, 1.3)
    assert_close(out, oj)
    ct = np.array([0.3, -1.1])
    assert_close(pull(ct), pj(jnp.asarray(ct)))


def test_float32_stays_float32():
    x = np.linspace(0, 1, 5, dtype=np.float32)
    g = pullback.grad(lambda x: np.sum(np.sin(x) * x))(x)
    assert g.dtype == np.float32
    assert_close(g, np.cos(x) * x + np.sin(x), rtol=1e-5)


def test_writes_to_arguments_are_rejected():
    def f(x):
        x[0] = 1.0
        return np.sum(x)
    with pytest.raises(pullback.UnsupportedError, match="argument 'x'"):
        pullback.grad(f)(np.ones(3))


def test_aliased_writes_are_rejected():
    def f(x):
        a = x * 2.0
        b = a
        a[0] = 0.0
        return np.sum(a * b)
    with pytest.raises(pullback.UnsupportedError, match="shares its memory"):
        pullback.grad(f)(np.ones(3))


def write_base_view_read_later(x):
    u = x * 2.0
    v = u[1:]
    u[2] = 7.0              # NumPy: v[1] is 7.0 now
    return np.sum(v * x[1:])


def write_through_view_base_read_later(x):
    u = x * 2.0
    v = u[1:]
    v[0] = 7.0              # NumPy: u[1] is 7.0 now
    return np.sum(u * x)


def write_through_reshape(x):
    u = x * 2.0
    v = u.reshape(3)
    v[0] = 7.0
    return np.sum(u * x)


def write_through_view_of_argument(x):
    v = x[1:]
    v[0] = 7.0              # would change the caller's array
    return np.sum(v)


@pytest.mark.parametrize("f", [write_base_view_read_later, write_through_view_base_read_later,
                               write_through_reshape, write_through_view_of_argument])
def test_writes_seen_through_views_are_rejected(f):
    """NumPy shows a write through every view of the array: never a silently different value."""
    with pytest.raises(pullback.UnsupportedError, match="shares its memory|argument 'x'") as e:
        pullback.grad(f)(np.array([0.1, 0.2, 0.3]))
    assert "test_numpy_programs.py" in str(e.value)


def view_read_before_write(x):
    u = x * 2.0
    v = u[1:]
    s = np.sum(v * v)       # the view's last read comes before the write
    u[0] = 3.0
    w = u[:2]
    w[1] = w[1] * x[0]      # u is not read after this write through its view
    return s + np.sum(w * x[:2])


def view_read_before_write_jax(x):
    u = x * 2.0
    v = u[1:]
    s = jnp.sum(v * v)
    u = u.at[0].set(3.0)
    w = u[:2]
    w = w.at[1].set(w[1] * x[0])
    return s + jnp.sum(w * x[:2])


def test_views_read_before_a_write_are_fine():
    x = np.array([0.4, -0.7, 1.3])
    value, g = pullback.value_and_grad(view_read_before_write)(x)
    assert np.isclose(value, view_read_before_write(x.copy()), rtol=1e-14)
    np.testing.assert_allclose(g, jax.grad(view_read_before_write_jax)(x), rtol=1e-12)
    np.testing.assert_allclose(g, fd_grad(view_read_before_write, [x], 0), rtol=1e-6)


def two_writes_after_a_product(x):
    y = np.ones(3)
    t = np.sum(x * y)       # the reverse reads all of y
    y[-1] = t               # saves y[-1]
    y[-2] = 2.0             # must save y[-2] too
    return np.sum(y) + np.sum(np.exp(x[::-1]) * y)


def two_writes_after_a_product_jax(x):
    y = jnp.ones(3)
    t = jnp.sum(x * y)
    y = y.at[-1].set(t)
    y = y.at[-2].set(2.0)
    return jnp.sum(y) + jnp.sum(jnp.exp(x[::-1]) * y)


def test_each_write_in_place_saves_what_it_overwrites():
    x = np.array([0.1, 0.5, 0.3])
    g = pullback.grad(two_writes_after_a_product)(x)
    np.testing.assert_allclose(g, jax.grad(two_writes_after_a_product_jax)(x), rtol=1e-12)
    np.testing.assert_allclose(g, fd_grad(two_writes_after_a_product, [x], 0), rtol=1e-6)


def test_derivative_never_mutates_arguments():
    u0 = RNG.random(7)
    before = u0.copy()
    pullback.grad(heat)(u0, 0.1)
    assert np.array_equal(u0, before)


def collect(x, n):
    xs = []
    for i in range(n):
        x = np.sin(x) + 0.1 * i
        xs.append(x * x)
    return np.sum(np.array(xs)) + xs[0] * xs[-1] + sum(xs)


def trajectory(v0, k):
    states = [v0]
    v = v0
    for t in range(5):
        v = v - k * v * v
        states.append(v)
    total = 0.0
    for s in states:
        total = total + s ** 2
    return total + len(states)


def rows(W, x):
    hs = []
    h = x
    for t in range(3):
        h = np.tanh(W @ h)
        hs.append(h)
    return np.sum(np.stack(hs) ** 2)


@pytest.mark.parametrize("f, args, argnums", [
    (collect, (0.7, 6), 0),
    (trajectory, (1.2, 0.1), (0, 1)),
    (rows, (RNG.normal(size=(3, 3)), RNG.normal(size=3)), (0, 1)),
])
def test_lists_grown_by_append(f, args, argnums):
    g = pullback.grad(f, argnums=argnums)(*args)
    g = (g,) if isinstance(argnums, int) else g
    for i, gi in zip((argnums,) if isinstance(argnums, int) else argnums, g):
        assert_close(gi, fd_grad(f, list(args), i), rtol=1e-5, atol=1e-7)
    assert ".append(" in pullback.source(pullback.grad(f, argnums=argnums))


def lstm_like(state, w, T):
    hs = [state[2 * i] for i in range(2)]
    cs = [state[2 * i + 1] for i in range(2)]
    total = 0.0
    for t in range(T):
        x = w * 0.5
        for i in range(2):
            cs[i] = cs[i] * np.tanh(x) + hs[i] * 0.1
            hs[i] = np.tanh(cs[i]) * x
            x = hs[i]
        total = total + np.sum(x * x)
    return total


def rows_of_a_matrix(B, x):
    s = 0.0
    for i in range(B.shape[0]):
        s = s + np.sum(B[i, :] * x) ** 2
    return s


@pytest.mark.parametrize("f, args", [
    (lstm_like, (RNG.random((4, 3)), RNG.random(3), 3)),
    (rows_of_a_matrix, (RNG.random((3, 4)), RNG.random(4))),
])
def test_lists_of_arrays_and_row_reads(f, args):
    g = pullback.grad(f, argnums=(0, 1))(*args)
    for i in (0, 1):
        assert_close(g[i], fd_grad(f, list(args), i), rtol=1e-5, atol=1e-8)


def array_of_a_list(x):
    L = []
    for i in range(3):
        L.append(x[i] * 2.0)
    t = np.array(L)             # three items: the types must not assume a length
    return np.sum(t) * t.shape[0] + len(t) * x[0]


def array_of_a_list_jax(x):
    t = jnp.array([x[i] * 2.0 for i in range(3)])
    return jnp.sum(t) * t.shape[0] + len(t) * x[0]


def test_array_of_a_list_has_the_lists_length():
    x = np.array([0.1, 0.2, 0.3])
    value, g = pullback.value_and_grad(array_of_a_list)(x)
    assert value == pytest.approx(array_of_a_list(x.copy()), rel=1e-14)
    np.testing.assert_allclose(g, jax.grad(array_of_a_list_jax)(x), rtol=1e-13)
