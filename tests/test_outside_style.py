"""Programs written the way outside code is (issue 11, part 3), not the way our fuzzer writes:
models as classes, globals as configuration, lists of values, helpers that return their
argument, in-place updates through views, dict-of-parameters pytrees.

Each program's gradient is compared with JAX (x64, a twin written with jax.numpy) and with
central finite differences, never with pullback's own output, on the python and numba
backends and through C where the program is in C's subset.  A rejection must name the
user's file and line (a ``TransformError``); a backend that does not take such arguments
(containers on Numba and C) raises ``TypeError`` before any derivative; a wrong number
fails.  Globals changed between two calls must be seen by the second.
"""
import dataclasses
import functools
import os
import typing

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import pullback
from c_driver import CC

jax.config.update("jax_enable_x64", True)

HERE = os.path.abspath(__file__)
X = np.array([0.5, -1.2, 2.0])
M = np.array([[0.3, -0.7, 1.1], [0.9, 0.4, -0.2]])
Y = np.array([1.0, -0.5])


# -- a tree of floats and arrays, flattened independently of pullback (for FD and JAX) -------
def leaves(t):
    if isinstance(t, dict):
        return [v for k in sorted(t) for v in leaves(t[k])]
    if isinstance(t, (list, tuple)):
        return [v for item in t for v in leaves(item)]
    if dataclasses.is_dataclass(t):
        return [v for f in dataclasses.fields(t) for v in leaves(getattr(t, f.name))]
    return list(np.ravel(np.asarray(t, dtype=float)))


def rebuild(t, flat):
    """``t`` with its leaves from the iterator ``flat``."""
    if isinstance(t, dict):
        return type(t)({k: rebuild(t[k], flat) for k in sorted(t)})
    if isinstance(t, tuple) and hasattr(t, "_fields"):
        return type(t)(*[rebuild(v, flat) for v in t])
    if isinstance(t, (list, tuple)):
        return type(t)(rebuild(v, flat) for v in t)
    if dataclasses.is_dataclass(t):
        return dataclasses.replace(t, **{f.name: rebuild(getattr(t, f.name), flat)
                                         for f in dataclasses.fields(t)})
    if isinstance(t, np.ndarray):
        return np.array([next(flat) for _ in range(t.size)]).reshape(t.shape)
    return next(flat)


def fd(f, args, argnum, h=1e-6):
    base = leaves(args[argnum])
    out = []
    for j in range(len(base)):
        def at(d):
            flat = list(base)
            flat[j] += d
            a = list(args)
            a[argnum] = rebuild(args[argnum], iter(flat))
            return float(f(*a))
        out.append((at(h) - at(-h)) / (2 * h))
    return np.array(out)


def to_jax(t):
    if isinstance(t, dict):
        return {k: to_jax(v) for k, v in t.items()}
    if isinstance(t, tuple) and hasattr(t, "_fields"):
        return type(t)(*[to_jax(v) for v in t])
    if isinstance(t, (list, tuple)):
        return type(t)(to_jax(v) for v in t)
    return jnp.asarray(t) if isinstance(t, np.ndarray) else t


# -- 1. models as classes ----------------------------------------------------------------------
class Linear:
    def __init__(self, W, b):
        self.W, self.b = W, b

    def __call__(self, x):
        return self.W @ x + self.b


class Model:
    def __init__(self):
        self.layer = Linear(M, Y)
        self.scale = 0.5

    def predict(self, x):
        return np.tanh(self.layer(x)) * self.scale

    def loss(self, x):
        return np.sum(self.predict(x) ** 2)


MODEL = Model()


def model_loss(x):
    return MODEL.loss(x)


def model_loss_twin(x):
    return jnp.sum((jnp.tanh(M @ x + Y) * 0.5) ** 2)


# -- 2. globals as configuration (changed between calls: see test_config_changes) --------------
CONFIG = {"lam": 0.1, "power": 2, "eps": 1e-3}
LAM = 0.25
WEIGHTS = np.array([1.0, 2.0, 0.5])


def regularised(x):
    data = np.sum((x - 1.0) ** CONFIG["power"])
    return data + CONFIG["lam"] * np.sum(x * x) + LAM * np.sum(WEIGHTS * x)


def regularised_twin(x, lam=0.1, lam2=0.25, w=WEIGHTS):
    return jnp.sum((x - 1.0) ** 2) + lam * jnp.sum(x * x) + lam2 * jnp.sum(w * x)


def huber(x):
    r = np.abs(x)
    return np.sum(np.where(r < CONFIG["eps"] * 1000, 0.5 * x * x, r - 0.5))


def huber_twin(x):
    r = jnp.abs(x)
    return jnp.sum(jnp.where(r < 1.0, 0.5 * x * x, r - 0.5))


# -- 3. lists of values ------------------------------------------------------------------------
COEFFS = [0.5, -1.5, 2.0]


def poly(x):
    total = 0.0
    for i, c in enumerate(COEFFS):
        total = total + c * x[i] ** (i + 1)
    return total


def poly_twin(x):
    return sum(c * x[i] ** (i + 1) for i, c in enumerate(COEFFS))


def residuals(x):
    out = []
    for i in range(3):
        out.append(x[i] - COEFFS[i])
    return out


def least_squares(x):
    rs = residuals(x)
    return rs[0] ** 2 + rs[1] ** 2 + 2.0 * rs[2] ** 2


def least_squares_twin(x):
    rs = [x[i] - COEFFS[i] for i in range(3)]
    return rs[0] ** 2 + rs[1] ** 2 + 2.0 * rs[2] ** 2


def stacked_rows(A):
    rows = [np.tanh(A[i]) * (i + 1.0) for i in range(2)]
    return np.sum(np.stack(rows) ** 2)


def stacked_rows_twin(A):
    return jnp.sum(jnp.stack([jnp.tanh(A[i]) * (i + 1.0) for i in range(2)]) ** 2)


def zipped(x):
    total = 0.0
    for w, v in zip(COEFFS, x):
        total += w * v * v
    return total


def zipped_twin(x):
    return sum(w * x[i] * x[i] for i, w in enumerate(COEFFS))


# -- 4. helpers that return their argument -----------------------------------------------------
def same(a):
    return a


def scaled_by_same(x, s):
    return same(s) * np.sum(same(x) ** 2) + same(s) ** 2


def scaled_by_same_twin(x, s):
    return s * jnp.sum(x ** 2) + s ** 2


def validated(a):
    assert a.shape[-1] == 3, "three columns"
    return a


def written_after_identity(x):
    y = validated(x * 2.0)
    y[0] = 7.0                    # y is a fresh array: the write changes it alone
    return np.sum(y * x)


def written_after_identity_twin(x):
    return jnp.sum((x * 2.0).at[0].set(7.0) * x)


# -- 5. in-place updates through views ---------------------------------------------------------
def view_scaled(x):
    y = x * 2.0
    v = y[1:]
    v *= 3.0                      # writes y's last two items
    return np.sum(y * y)


def view_scaled_twin(x):
    y = x * 2.0
    return jnp.sum(y.at[1:].multiply(3.0) ** 2)


def rows_normalised(A):
    B = A.copy()
    for row in B:
        row /= np.sum(row * row) + 1.0
    return np.sum(B * A)


def rows_normalised_twin(A):
    return jnp.sum(A / (jnp.sum(A * A, axis=1, keepdims=True) + 1.0) * A)


def slice_assigned(x):
    y = np.zeros(5)
    y[1:4] = x * x
    y[0] = y[2] + 1.0
    return np.sum(np.cumsum(y))


def slice_assigned_twin(x):
    y = jnp.zeros(5).at[1:4].set(x * x)
    y = y.at[0].set(y[2] + 1.0)
    return jnp.sum(jnp.cumsum(y))


def accumulate_in_place(x, A):
    acc = np.zeros(3)
    for i in range(2):
        acc += A[i] * x
    acc *= 0.5
    return np.sum(acc ** 2)


def accumulate_in_place_twin(x, A):
    return jnp.sum((0.5 * (A[0] * x + A[1] * x)) ** 2)


def normalise_(a):
    a /= np.sum(np.abs(a)) + 1.0  # the caller's array, changed in place
    return a


def helper_writes_its_argument(x):
    y = x * 1.0
    z = normalise_(y)
    return np.sum(z * x) + np.sum(y)


def helper_writes_its_argument_twin(x):
    y = x / (jnp.sum(jnp.abs(x)) + 1.0)
    return jnp.sum(y * x) + jnp.sum(y)


def alias_then_write(x):
    a = np.zeros(3)
    b = a                         # one array, two names
    b[0] = x[0]
    return a[0] * x[1] + np.sum(b * x)


def alias_then_write_twin(x):
    a = jnp.zeros(3).at[0].set(x[0])
    return a[0] * x[1] + jnp.sum(a * x)


# -- 6. dict-of-parameters pytrees -------------------------------------------------------------
def mlp(params, x):
    h = np.tanh(params["W1"] @ x + params["b1"])
    return np.sum((params["W2"] @ h - 0.3) ** 2)


def mlp_twin(params, x):
    h = jnp.tanh(params["W1"] @ x + params["b1"])
    return jnp.sum((params["W2"] @ h - 0.3) ** 2)


PARAMS = {"W1": M, "b1": Y, "W2": np.array([[0.2, -0.4]])}


def layered(params, x):
    h = x
    for layer in params["layers"]:
        h = np.tanh(layer["W"] @ h + layer["b"])
    return np.sum(h * h) + params["scale"] * np.sum(x)


def layered_twin(params, x):
    h = x
    for layer in params["layers"]:
        h = jnp.tanh(layer["W"] @ h + layer["b"])
    return jnp.sum(h * h) + params["scale"] * jnp.sum(x)


LAYERED = {"layers": [{"W": M, "b": Y}, {"W": M.T[:2], "b": np.array([0.1, 0.2])}],
           "scale": 0.7}


class Point(typing.NamedTuple):
    loc: np.ndarray
    scale: float


def gaussian_nll(p, x):
    z = (x - p.loc) / p.scale
    return np.sum(0.5 * z * z) + x.size * np.log(p.scale)


def gaussian_nll_twin(p, x):
    z = (x - p.loc) / p.scale
    return jnp.sum(0.5 * z * z) + x.size * jnp.log(p.scale)


@dataclasses.dataclass
class Hyper:
    w: np.ndarray
    bias: float


def hyper_loss(h, x):
    return np.sum((h.w * x + h.bias) ** 2)


def hyper_loss_twin(w, bias, x):
    return jnp.sum((w * x + bias) ** 2)


def make_loss(lam):
    def loss(x):
        return np.sum(np.sin(x)) + lam * np.sum(x ** 2)
    return loss


CLOSURE_LOSS = make_loss(0.3)


def closure_twin(x):
    return jnp.sum(jnp.sin(x)) + 0.3 * jnp.sum(x ** 2)


def weighted_sum(x, w=2.0, power=3):
    return w * np.sum(x ** power)


PARTIAL_LOSS = functools.partial(weighted_sum, w=0.5)


def partial_inside(x):
    return PARTIAL_LOSS(x)


def partial_twin(x):
    return 0.5 * jnp.sum(x ** 3)


# (id, f, JAX twin, args, differentiated argument, backends)
ALL = ("python", "numba", "c")
CASES = [
    ("model_class", model_loss, model_loss_twin, (X,), 0, ALL),
    ("config_dict_and_globals", regularised, regularised_twin, (X,), 0, ALL),
    ("config_threshold", huber, huber_twin, (X,), 0, ALL),
    ("list_of_coefficients", poly, poly_twin, (X,), 0, ALL),
    ("list_built_by_helper", least_squares, least_squares_twin, (X,), 0, ALL),
    ("stacked_list_of_rows", stacked_rows, stacked_rows_twin, (M,), 0, ALL),
    ("zip_list_and_array", zipped, zipped_twin, (X,), 0, ALL),
    ("identity_of_number_and_array", scaled_by_same, scaled_by_same_twin, (X, 1.3), 1, ALL),
    ("identity_of_number_and_array_x", scaled_by_same, scaled_by_same_twin, (X, 1.3), 0, ALL),
    ("write_after_identity_helper", written_after_identity, written_after_identity_twin, (X,),
     0, ALL),
    ("view_scaled_in_place", view_scaled, view_scaled_twin, (X,), 0, ALL),
    ("rows_normalised_in_place", rows_normalised, rows_normalised_twin, (M,), 0, ALL),
    ("slice_assigned", slice_assigned, slice_assigned_twin, (X,), 0, ALL),
    ("accumulate_in_place", accumulate_in_place, accumulate_in_place_twin, (X, M), 0, ALL),
    ("accumulate_in_place_A", accumulate_in_place, accumulate_in_place_twin, (X, M), 1, ALL),
    ("helper_writes_its_argument", helper_writes_its_argument,
     helper_writes_its_argument_twin, (X,), 0, ALL),
    ("alias_then_write", alias_then_write, alias_then_write_twin, (X,), 0, ALL),
    ("dict_params", mlp, mlp_twin, (PARAMS, X), 0, ("python", "numba")),
    ("dict_params_input", mlp, mlp_twin, (PARAMS, X), 1, ("python", "numba")),
    ("nested_dict_list_params", layered, layered_twin, (LAYERED, X), 0, ("python",)),
    ("namedtuple_params", gaussian_nll, gaussian_nll_twin, (Point(Y[::-1] + 0.1, 1.7), Y), 0,
     ("python", "numba")),
    ("closure_config", CLOSURE_LOSS, closure_twin, (X,), 0, ALL),
    ("partial_config", PARTIAL_LOSS, partial_twin, (X,), 0, ("python", "numba")),
    ("partial_called_inside", partial_inside, partial_twin, (X,), 0, ALL),
]
RUNS = [(c[0] + "-" + b, c, b) for c in CASES for b in c[5]]


def _jax_grad(twin, args, argnum):
    return np.concatenate([np.ravel(np.asarray(v, dtype=float)) for v in
                           jax.tree_util.tree_leaves(jax.grad(twin, argnum)(
                               *[to_jax(a) for a in args]))])


def _grad(f, args, argnum, backend):
    if backend == "c":
        if CC is None:
            pytest.skip("needs a C compiler (cc)")
        return pullback.emit_c(f, *args, argnums=argnum).compile()(*args)[1]
    return pullback.grad(f, argnum, backend=backend)(*args)


def rejected_at_a_line(e):
    """A rejection names a file of the user's and a line: this file, or (for a program made
    by a helper) where that helper lives."""
    assert e.filename == HERE and e.line > 0, str(e)


@pytest.mark.parametrize("case,backend", [r[1:] for r in RUNS], ids=[r[0] for r in RUNS])
def test_outside_style(case, backend):
    _, f, twin, args, argnum, _ = case
    want_fd = fd(f, args, argnum)
    np.testing.assert_allclose(_jax_grad(twin, args, argnum), want_fd, rtol=1e-5, atol=1e-6)
    try:
        got = _grad(f, args, argnum, backend)
    except pullback.TransformError as e:
        rejected_at_a_line(e)
        return
    got = np.array(leaves(got))
    np.testing.assert_allclose(got, _jax_grad(twin, args, argnum), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(got, want_fd, rtol=1e-5, atol=1e-6)


def test_dataclass_params():
    h = Hyper(np.array([0.5, 1.5, -1.0]), 0.2)
    got = pullback.grad(hyper_loss)(h, X)
    assert isinstance(got, Hyper)
    want = jax.grad(hyper_loss_twin, (0, 1))(h.w, h.bias, X)
    np.testing.assert_allclose(got.w, want[0], rtol=1e-12)
    np.testing.assert_allclose(got.bias, want[1], rtol=1e-12)
    np.testing.assert_allclose(leaves(got), fd(hyper_loss, (h, X), 0), rtol=1e-6)


@pytest.mark.parametrize("backend", ["python", "numba"])
def test_config_changes_between_calls(backend):
    """A configuration dict, a global number and a global array changed (rebound, or in
    place) after the first call: the same gradient object sees the new values."""
    global LAM
    g = pullback.grad(regularised, backend=backend)
    saved = dict(CONFIG), LAM, WEIGHTS.copy()
    try:
        np.testing.assert_allclose(g(X), fd(regularised, (X,), 0), rtol=1e-6)
        CONFIG["lam"] = 2.0
        LAM = -1.0
        WEIGHTS[:] = [3.0, -1.0, 0.25]
        got = g(X)
        want = jax.grad(functools.partial(regularised_twin, lam=2.0, lam2=-1.0,
                                          w=jnp.asarray(WEIGHTS)))(X)
        np.testing.assert_allclose(got, want, rtol=1e-10)
        np.testing.assert_allclose(got, fd(regularised, (X,), 0), rtol=1e-6)
    finally:
        CONFIG.clear()
        CONFIG.update(saved[0])
        LAM = saved[1]
        WEIGHTS[:] = saved[2]


def test_model_attribute_changed_between_calls():
    g = pullback.grad(model_loss)
    g(X)
    old = MODEL.scale
    try:
        MODEL.scale = 2.0
        np.testing.assert_allclose(g(X), fd(model_loss, (X,), 0), rtol=1e-6)
        np.testing.assert_allclose(g(X), 16.0 * jax.grad(model_loss_twin)(X), rtol=1e-10)
    finally:
        MODEL.scale = old
