"""Forward mode on NumPy arrays and containers: jvp, jacobian (both modes), hessian and
hvp against jax.jvp / jacfwd / jacrev / hessian and finite differences."""
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import scipy.special as sp

import pullback
from pullback.errors import UnsupportedError

from test_numpy_programs import gmm, gmm_jax, heat, heat_jax, logreg, logreg_jax, rnn, rnn_jax

jax.config.update("jax_enable_x64", True)
RNG = np.random.default_rng(7)


def close(a, b, rtol=1e-7, atol=1e-9):
    np.testing.assert_allclose(np.asarray(a, float), np.asarray(b, float), rtol=rtol, atol=atol)


def tangent_like(args):
    return tuple(RNG.normal(size=np.shape(a)) if np.ndim(a) else 0.7 for a in args)


# -- programs: (pullback function, JAX twin, arguments) ------------------------------------
def elementwise(x, y, s):
    return np.sin(x) * y + np.exp(-x * x) / (1.0 + y ** 2) + s * np.tanh(x) - np.sqrt(y * y + 1.0)


def elementwise_jax(x, y, s):
    return jnp.sin(x) * y + jnp.exp(-x * x) / (1.0 + y ** 2) + s * jnp.tanh(x) - \
        jnp.sqrt(y * y + 1.0)


def reductions(x):
    return np.sum(x, axis=0) * np.mean(x) + np.max(x, axis=1).sum() - np.min(x) + \
        np.var(x, axis=0) + np.std(x) * np.prod(x[0]) + np.cumsum(x, axis=1)[1]


def reductions_jax(x):
    return jnp.sum(x, axis=0) * jnp.mean(x) + jnp.max(x, axis=1).sum() - jnp.min(x) + \
        jnp.var(x, axis=0) + jnp.std(x) * jnp.prod(x[0]) + jnp.cumsum(x, axis=1)[1]


def products(A, x):
    B = A @ A.T
    return np.tanh(B @ x) + np.dot(A[0], x[:3]) * np.outer(x, x)[1] + np.inner(x, x) + \
        np.vdot(x, x) + np.einsum("ij,j->i", B, x) + np.tensordot(A, A, 2)


def products_jax(A, x):
    B = A @ A.T
    return jnp.tanh(B @ x) + jnp.dot(A[0], x[:3]) * jnp.outer(x, x)[1] + jnp.inner(x, x) + \
        jnp.vdot(x, x) + jnp.einsum("ij,j->i", B, x) + jnp.tensordot(A, A, 2)


def shapes(x):
    m = x.reshape(2, 3)
    z = np.concatenate([m, m.T.reshape(2, 3) ** 2], axis=0)
    w = np.stack([np.ravel(m), x[::-1]])
    return np.sum(np.expand_dims(z, 0), axis=0)[:2] + np.swapaxes(w.reshape(2, 2, 3), 0, 1)[0] \
        + np.squeeze(np.broadcast_to(x[:3], (1, 3))) + x[[0, 2, 4]]


def shapes_jax(x):
    m = x.reshape(2, 3)
    z = jnp.concatenate([m, m.T.reshape(2, 3) ** 2], axis=0)
    w = jnp.stack([jnp.ravel(m), x[::-1]])
    return jnp.sum(jnp.expand_dims(z, 0), axis=0)[:2] + \
        jnp.swapaxes(w.reshape(2, 2, 3), 0, 1)[0] + \
        jnp.squeeze(jnp.broadcast_to(x[:3], (1, 3))) + x[jnp.array([0, 2, 4])]


def linalg(A, b):
    return np.linalg.det(A) * np.linalg.solve(A, b) + np.linalg.inv(A) @ b + \
        sp.logsumexp(A) + np.linalg.slogdet(A)[1]


def linalg_jax(A, b):
    return jnp.linalg.det(A) * jnp.linalg.solve(A, b) + jnp.linalg.inv(A) @ b + \
        jax.scipy.special.logsumexp(A) + jnp.linalg.slogdet(A)[1]


def from_scalars(a, b):
    v = np.array([a * b, a + b, np.sin(a)])
    M = np.zeros((2, 3))
    M[0] = v
    M[1, 1:] = v[:2] * a
    return M


def from_scalars_jax(a, b):
    v = jnp.array([a * b, a + b, jnp.sin(a)])
    return jnp.zeros((2, 3)).at[0].set(v).at[1, 1:].set(v[:2] * a)


def heat_vec(u0, kappa):
    u = u0.copy()
    n = u.shape[0]
    for step in range(10):
        new = u.copy()
        for i in range(1, n - 1):
            new[i] = u[i] + kappa * (u[i - 1] - 2.0 * u[i] + u[i + 1])
        u = new
    return u


def heat_vec_jax(u0, kappa):
    u = u0
    for step in range(10):
        u = u.at[1:-1].set(u[1:-1] + kappa * (u[:-2] - 2.0 * u[1:-1] + u[2:]))
    return u


A3 = RNG.normal(size=(3, 3)) + 3 * np.eye(3)
PROGRAMS = [
    (elementwise, elementwise_jax, (RNG.normal(size=4), RNG.normal(size=4), 0.3)),
    (reductions, reductions_jax, (RNG.random((2, 3)) + 0.5,)),
    (products, products_jax, (RNG.normal(size=(4, 3)), RNG.normal(size=4))),
    (shapes, shapes_jax, (RNG.normal(size=6),)),
    (linalg, linalg_jax, (A3, RNG.normal(size=3))),
    (from_scalars, from_scalars_jax, (0.3, 1.2)),
    (heat_vec, heat_vec_jax, (RNG.random(7), 0.2)),
]
IDS = [p[0].__name__ for p in PROGRAMS]


@pytest.mark.parametrize("f, fj, args", PROGRAMS, ids=IDS)
def test_jvp_matches_jax(f, fj, args):
    t = tangent_like(args)
    out, out_dot = pullback.jvp(f, args, t)
    e_out, e_dot = jax.jvp(jax.jit(fj), args, t)
    close(out, e_out)
    close(out_dot, e_dot)
    assert np.shape(out_dot) == np.shape(e_out)


@pytest.mark.parametrize("f, fj, args", PROGRAMS, ids=IDS)
def test_jacobians_match_jax(f, fj, args):
    nums = tuple(range(len(args)))
    fwd = pullback.jacobian(f, argnums=nums, mode="forward")(*args)
    rev = pullback.jacobian(f, argnums=nums, mode="reverse")(*args)
    ej = jax.jit(jax.jacfwd(fj, argnums=nums))(*args)
    for a, r, e in zip(fwd, rev, ej):
        assert np.shape(a) == np.shape(e) == np.shape(r)
        close(a, e)
        close(r, e)


def test_jacobian_against_finite_differences_and_chunks(monkeypatch):
    u0 = RNG.random(7)
    jac = pullback.jacobian(heat_vec, argnums=0, mode="forward")(u0, 0.2)
    h = 1e-6
    fd = np.stack([(heat_vec(u0 + h * e, 0.2) - heat_vec(u0 - h * e, 0.2)) / (2 * h)
                   for e in np.eye(7)], axis=-1)
    close(jac, fd, rtol=1e-6, atol=1e-8)
    from pullback import layout, pipeline
    monkeypatch.setattr(layout, "MAX_DIRECTIONS", 3)     # 7 directions: 3 sweeps
    monkeypatch.setattr(pipeline, "_CACHE", {})
    close(pullback.jacobian(heat_vec, argnums=0, mode="forward")(u0, 0.2), jac, rtol=1e-12)


def std_length_one(x):
    return np.std(x, axis=0) * 2.0 + np.std(x, axis=1) + np.std(x[0, :1])


def test_std_over_a_length_one_axis_against_finite_differences():
    # std over a length-1 axis is identically 0: its tangent is 0, not 0 / 0 (JAX: nan)
    x, t = RNG.normal(size=(1, 3)), RNG.normal(size=(1, 3))
    out, dot = pullback.jvp(std_length_one, (x,), (t,))
    h = 1e-6
    close(out, std_length_one(x))
    close(dot, (std_length_one(x + h * t) - std_length_one(x - h * t)) / (2 * h), atol=1e-8)


@pytest.mark.parametrize("shape, axis", [((1,), -1), ((1, 3), 0), ((2, 1), 1)])
def test_sort_along_a_length_one_axis(shape, axis):
    # the tangent gathers with argsort's indices: typing it once used indices of 1
    x, t = RNG.normal(size=shape), RNG.normal(size=shape)
    out, dot = pullback.jvp(lambda x: np.sort(x, axis=axis), (x,), (t,))
    e_out, e_dot = jax.jvp(lambda x: jnp.sort(x, axis=axis), (x,), (t,))
    close(out, e_out)
    close(dot, e_dot)


def test_programs_with_in_place_writes_in_loops():
    u0 = RNG.random(9)
    t = (RNG.normal(size=9), 0.5)
    out, dot = pullback.jvp(heat, (u0, 0.2), t)
    e, ed = jax.jvp(jax.jit(heat_jax), (jnp.asarray(u0), 0.2), t)
    close(out, e)
    close(dot, ed)
    W, U, b = RNG.normal(size=(4, 4)) * 0.5, RNG.normal(size=(4, 3)), RNG.normal(size=4)
    xs = RNG.normal(size=(6, 3))
    args = (W, U, b, xs)
    t = tangent_like(args)
    out, dot = pullback.jvp(rnn, args, t)
    e, ed = jax.jvp(jax.jit(rnn_jax), args, t)
    close(out, e)
    close(dot, ed)
    text = pullback.jvp_source(rnn, args)
    assert "h_dot[t" in text and "] = " in text            # the tangent is written in place too


def test_containers():
    X = RNG.normal(size=(8, 3))
    y = (RNG.random(8) > 0.5).astype(float)
    params = {"w": RNG.normal(size=3), "b": 0.1}
    tan = {"w": RNG.normal(size=3), "b": 0.4}
    out, dot = pullback.jvp(logreg, (params, X, y), (tan, np.zeros_like(X), np.zeros(8)))
    jp = {"w": jnp.asarray(params["w"]), "b": 0.1}
    e, ed = jax.jvp(jax.jit(lambda p: logreg_jax(p, X, y)), (jp,), (tan,))
    close(out, e)
    close(dot, ed)
    jac = pullback.jacobian(logreg, mode="forward")(params, X, y)
    ej = jax.jit(jax.jacfwd(logreg_jax))(jp, X, y)
    assert set(jac) == {"w", "b"} and isinstance(jac["b"], float)
    close(jac["w"], ej["w"])
    close(jac["b"], ej["b"])
    hess = pullback.hessian(logreg)(params, X, y)
    eh = jax.jit(jax.hessian(logreg_jax))(jp, X, y)
    close(hess["w"]["w"], eh["w"]["w"])
    close(hess["w"]["b"], eh["w"]["b"])
    close(hess["b"]["b"], eh["b"]["b"])

    class State(NamedTuple):
        pos: np.ndarray
        vel: float

    def step(s, dt):
        return State(s.pos + dt * s.vel, s.vel - dt * np.sum(s.pos)), (np.sum(s.pos ** 2), dt)
    s = State(RNG.normal(size=3), 0.5)
    (ns, (e2, dt2)), (nd, (ed2, _)) = pullback.jvp(step, (s, 0.1), (State(np.ones(3), 1.0), 0.0))
    assert isinstance(ns, State) and isinstance(nd, State)
    close(nd.pos, np.ones(3) + 0.1 * 1.0)
    close(nd.vel, 1.0 - 0.1 * 3.0)
    close(ed2, 2 * np.sum(s.pos))
    jac = pullback.jacobian(step, mode="forward")(s, 0.1)
    jrev = pullback.jacobian(step, mode="reverse")(s, 0.1)
    assert isinstance(jac[0], State) and isinstance(jac[0].pos, State)
    assert jac[0].pos.pos.shape == (3, 3) and np.shape(jac[0].pos.vel) == (3,)
    close(jac[0].pos.pos, np.eye(3))
    close(jac[0].pos.vel, 0.1 * np.ones(3))
    close(jac[1][0].pos, 2 * s.pos)
    close(jrev[0].pos.vel, jac[0].pos.vel)
    close(jrev[1][0].pos, jac[1][0].pos)


def small(x, A):
    return np.sum(np.tanh(A @ x) ** 2) + np.prod(x) + np.max(x * x) + np.sum(np.exp(x)[1:] * x[:2])


def small_jax(x, A):
    return jnp.sum(jnp.tanh(A @ x) ** 2) + jnp.prod(x) + jnp.max(x * x) + \
        jnp.sum(jnp.exp(x)[1:] * x[:2])


def test_hessian_and_hvp_of_array_functions():
    x, A = RNG.normal(size=3), RNG.normal(size=(4, 3))
    H = pullback.hessian(small)(x, A)
    full = pullback.hessian(small, argnums=(0, 1))(x, A)
    ef = jax.jit(jax.hessian(small_jax, argnums=(0, 1)))(x, A)
    close(H, ef[0][0])
    assert full[0][1].shape == (3, 4, 3)
    for i in range(2):
        for j in range(2):
            close(full[i][j], ef[i][j])
    v = (RNG.normal(size=3), RNG.normal(size=(4, 3)))
    hv = pullback.hvp(small, (x, A), v)
    _, ehv = jax.jvp(jax.jit(jax.grad(small_jax, argnums=(0, 1))), (x, A), v)
    close(hv[0], ehv[0])
    close(hv[1], ehv[1])
    def heat_energy(u0, kappa):          # in-place writes in loops
        u = heat_vec(u0, kappa)
        return np.sum(u * u) + u[2]
    u0 = RNG.random(6)
    Hk = pullback.hessian(heat_energy, argnums=(0, 1))(u0, 0.2)
    Ek = jax.jit(jax.hessian(lambda u, k: jnp.sum(heat_vec_jax(u, k) ** 2) + heat_vec_jax(u, k)[2],
                             argnums=(0, 1)))(jnp.asarray(u0), 0.2)
    close(Hk[0][0], Ek[0][0])
    close(Hk[0][1], Ek[0][1])
    close(Hk[1][1], Ek[1][1])


def test_hessian_of_rnn_and_gmm_against_jax():
    W, U, b = RNG.normal(size=(3, 3)) * 0.5, RNG.normal(size=(3, 2)), RNG.normal(size=3)
    xs = RNG.normal(size=(4, 2))
    H = pullback.hessian(rnn, argnums=2)(W, U, b, xs)
    close(H, jax.jit(jax.hessian(rnn_jax, argnums=2))(W, U, b, xs))
    args = [RNG.normal(size=2), RNG.normal(size=(2, 2)), RNG.normal(size=(2, 2)) * 0.3,
            RNG.normal(size=(5, 2))]
    H = pullback.hessian(gmm, argnums=0)(*args)
    close(H, jax.jit(jax.hessian(gmm_jax, argnums=0))(*args), rtol=1e-6)


def test_missing_forward_rule_is_an_error_at_the_line():
    def f(x):
        return np.linalg.qr(x)[1]
    with pytest.raises(UnsupportedError, match="qr_r"):
        pullback.jvp(f, (np.eye(2),), (np.ones((2, 2)),))


def test_a_second_derivative_without_rule_names_the_users_call():
    def f(x):
        return np.sum(np.linalg.cholesky(np.outer(x, x) + 3.0 * np.eye(3)))
    line = f.__code__.co_firstlineno + 1
    with pytest.raises(UnsupportedError, match=r"through np\.linalg\.cholesky .*'cholesky_vjp'") \
            as e:
        pullback.hessian(f)(np.array([0.3, 0.5, 0.7]))
    assert e.value.line == line


def test_cholesky_and_eigvalsh_against_finite_differences():
    def f(A):
        return np.linalg.cholesky(A @ A.T + np.eye(3))

    def g(A):
        return np.linalg.eigvalsh(A @ A.T) + np.linalg.eigh(A, UPLO="U")[0]
    A, t, h = RNG.normal(size=(3, 3)), RNG.normal(size=(3, 3)), 1e-6
    for fn in (f, g):
        close(pullback.jvp(fn, (A,), (t,))[1], (fn(A + h * t) - fn(A - h * t)) / (2 * h),
              rtol=1e-6, atol=1e-7)


def test_int_arrays_and_shapes_in_the_api():
    def f(x, k):
        return x * k[0]
    out, dot = pullback.jvp(f, (np.ones(3), np.arange(3)), (np.ones(3), np.zeros(3)))
    close(dot, np.zeros(3))
    with pytest.raises(TypeError, match="tangent must be 0"):
        pullback.jvp(f, (np.ones(3), np.arange(3)), (np.ones(3), np.ones(3)))
    x = np.array([1.0, -2.0, 3.0])
    _, dot = pullback.jvp(lambda x: np.sum(x[x > 0.0] ** 2), (x,), (np.ones(3),))
    assert dot == pytest.approx(8.0)
    J = pullback.jacobian(lambda x: np.sum(x * x), mode="forward")(np.arange(3.0))
    close(J, 2 * np.arange(3.0))


def test_lists_grown_by_append_and_norms():
    from test_numpy_programs import collect, rows, trajectory

    def fd(f, args, t, h=1e-6):
        up = [a if isinstance(a, int) else a + h * ti for a, ti in zip(args, t)]
        dn = [a if isinstance(a, int) else a - h * ti for a, ti in zip(args, t)]
        return (f(*up) - f(*dn)) / (2 * h)
    W, x = RNG.normal(size=(3, 3)), RNG.normal(size=3)
    for f, args, t in [(collect, (0.7, 6), (1.0, 0)), (trajectory, (1.2, 0.1), (0.5, 1.0)),
                       (rows, (W, x), (RNG.normal(size=(3, 3)), RNG.normal(size=3)))]:
        _, dot = pullback.jvp(f, args, t)
        assert dot == pytest.approx(fd(f, args, t), rel=1e-6)

    def norms(x, A):
        return np.linalg.norm(x) + np.linalg.norm(A) + np.linalg.norm(A, axis=0).sum() + \
            np.linalg.norm(x, 1)
    A = RNG.normal(size=(3, 3))
    t = (RNG.normal(size=3), RNG.normal(size=(3, 3)))
    assert pullback.jvp(norms, (x, A), t)[1] == pytest.approx(fd(norms, (x, A), t), rel=1e-6)


def test_cumprod_at_zeros_in_every_mode():
    """cumprod's rules run a recurrence: right where x has zeros (y / x is nan there),
    forward and reverse, against JAX; its second derivative is rejected, not zero."""
    def f(x):
        return np.sum(np.sin(np.cumprod(x, axis=1)))

    def fj(x):
        return jnp.sum(jnp.sin(jnp.cumprod(x, axis=1)))
    x = np.array([[1.5, 0.0, 2.0, -1.0], [0.0, 0.0, 0.7, 1.2], [0.3, -0.8, 0.0, 0.0]])
    t = RNG.normal(size=x.shape)
    close(pullback.grad(f)(x), np.asarray(jax.grad(fj)(x)), rtol=1e-12, atol=1e-14)
    close(pullback.jvp(f, (x,), (t,))[1], float(jax.jvp(fj, (x,), (t,))[1]), rtol=1e-12)

    def flat(x):                # axis=None: y is flat, and so are its tangent and cotangent
        return np.sum(np.cumprod(x) * np.arange(1.0, 13.0))

    def flat_j(x):
        return jnp.sum(jnp.cumprod(x) * jnp.arange(1.0, 13.0))
    close(pullback.grad(flat)(x), np.asarray(jax.grad(flat_j)(x)), rtol=1e-12, atol=1e-14)
    close(pullback.jvp(flat, (x,), (t,))[1], float(jax.jvp(flat_j, (x,), (t,))[1]), rtol=1e-12)
    with pytest.raises(UnsupportedError, match="cumprod_vjp"):
        pullback.hessian(f)(x)


def test_hessian_when_an_adjoint_array_starts_constant():
    """``x_bar`` starts as a constant scatter of -1 and is then written in place: its
    tangent must start as zeros of its shape, not the scalar 0.0 (array fuzz seeds 9, 16)."""
    def f(x):
        return np.tanh(x[1]) - x[1]

    def fj(x):
        return jnp.tanh(x[1]) - x[1]
    x = np.array([0.5, -0.3, 0.8])
    close(pullback.hessian(f)(x), np.asarray(jax.hessian(fj)(x)), rtol=1e-12, atol=1e-15)


def kron_sum(x):
    return np.sum(np.kron(x, x))          # an intermediate of a shape known only at run time


def test_forward_jacobian_of_a_whole_sum_of_an_unknown_shape_is_a_number():
    """A sum over every axis is a number whatever its argument's shape: typed as one, the
    forward Jacobian works (it was 'an output's shape depends on the values')."""
    x = np.array([0.3, -0.7, 1.1])
    want = np.asarray(jax.grad(lambda v: jnp.sum(jnp.kron(v, v)))(x))
    np.testing.assert_allclose(pullback.jacobian(kron_sum, mode="forward")(x), want, rtol=1e-12)
    np.testing.assert_allclose(pullback.hessian(kron_sum)(x), np.full((3, 3), 2.0), rtol=1e-12)
