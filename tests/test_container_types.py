"""Sound types for containers and constants (issue 11, part 3).

A list or tuple literal that reaches a NumPy function is the array NumPy makes of
it: typed by the join of its elements (ints and a float make a float array; an
active element makes it active), never an index tuple that drops the derivative.
Each case runs on the python and numba backends (and C where it is in C's subset),
grad and jvp, against JAX (x64) and central finite differences; complex values are
rejected at their line, never a zero or a silent cast.
"""
import math
import os
import tempfile
import typing

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import pullback
from c_driver import CC, close, run_array_cases
from test_numpy_rules import fd_grad

jax.config.update("jax_enable_x64", True)

X = np.array([1.0, 2.0, 3.0])
ZERO = np.array([0.0, 2.0, 3.0])
ROWS_WITH_ZEROS = np.array([[0.0, 2.0, 3.0], [1.5, -2.0, 0.5], [0.0, 0.0, 4.0]])


def built(x):
    """A list grown in a callee's loop (its length is not in its type)."""
    items = []
    for i in range(3):
        items.append(x[i] * 2.0)
    return items


def third_item(x):
    items = built(x)
    return items[0] * items[1] + items[2]      # items[2]: past a two-item stand-in list


def items_looped(x):
    s = 0.0
    for v in built(x):
        s = s + v * v
    return s


def local_third_item(x):
    items = []
    for i in range(3):
        items.append(x[i] * 2.0)
    return items[2] * items[0] - items[-1]


# (id, f, JAX twin, arguments, backends): differentiated in argument 0
CASES = [
    ("callee_list_items", third_item, third_item, (X,), ("python", "numba")),
    ("callee_list_loop", items_looped, items_looped, (X,), ("python", "numba")),
    ("callee_list_array", lambda x: np.sum(np.array(built(x)) ** 2),
     lambda x: jnp.sum(jnp.array(built(x)) ** 2), (X,), ("python",)),
    ("local_list_items", local_third_item, local_third_item, (X,), ("python", "numba")),
    ("sum_list", lambda x: np.sum([x, 2.0 * x]),
     lambda x: jnp.sum(jnp.array([x, 2.0 * x])), (X,), ("python", "numba", "c")),
    ("mean_list", lambda x: np.mean([x, x + 2.0]),
     lambda x: jnp.mean(jnp.array([x, x + 2.0])), (X,), ("python", "numba")),
    ("norm_list", lambda x: np.linalg.norm([x, x + 2.0]),
     lambda x: jnp.linalg.norm(jnp.array([x, x + 2.0])), (X,), ("python",)),
    ("sum_mixed", lambda a: np.sum([1, a * a, 2]),
     lambda a: jnp.sum(jnp.array([1, a * a, 2])), (1.0,), ("python", "numba", "c")),
    ("sum_tuple", lambda x: np.sum((x, x * x)),
     lambda x: jnp.sum(jnp.array((x, x * x))), (X,), ("python", "numba", "c")),
    ("max_list", lambda x: np.max([x, 0.5 * x], axis=0) @ x,
     lambda x: jnp.max(jnp.array([x, 0.5 * x]), axis=0) @ x, (X,), ("python",)),
    ("dot_list", lambda x: np.dot([x[0], x[1] * x[2]], [1.0, 2.0]),
     lambda x: jnp.dot(jnp.array([x[0], x[1] * x[2]]), jnp.array([1.0, 2.0])), (X,),
     ("python",)),
    ("prod_zero", lambda x: np.prod(x), jnp.prod, (ZERO,), ("python", "numba", "c")),
    ("prod_two_zeros", lambda x: np.prod(x), jnp.prod, (np.array([0.0, 2.0, 0.0]),),
     ("python", "numba", "c")),
    ("prod_axis_zeros", lambda x: np.sum(np.prod(x, axis=1) ** 2),
     lambda x: jnp.sum(jnp.prod(x, axis=1) ** 2), (ROWS_WITH_ZEROS,), ("python", "numba", "c")),
    ("prod_axis0_keep", lambda x: np.sum(np.prod(x, axis=0, keepdims=True) * x),
     lambda x: jnp.sum(jnp.prod(x, axis=0, keepdims=True) * x), (ROWS_WITH_ZEROS,),
     ("python", "numba", "c")),
    ("repeat_zero", lambda x: np.sum(np.repeat(x, 0)) + np.sum(x * x),
     lambda x: jnp.sum(jnp.repeat(x, 0)) + jnp.sum(x * x), (X,), ("python",)),
    ("factorial", lambda x: x * math.factorial(3), lambda x: x * math.factorial(3), (1.5,),
     ("python",)),
    ("int_list_index", lambda x, n: np.sum(x[np.array([n, 0])] ** 2),
     lambda x, n: jnp.sum(x[jnp.array([n, 0])] ** 2), (X, 2), ("python",)),
    ("int_float_list", lambda x, n: np.sum(np.array([n, x[0] * 0.5]) * x[1:]),
     lambda x, n: jnp.sum(jnp.array([n, x[0] * 0.5]) * x[1:]), (X, 3), ("python", "numba")),
]
GRADS = [(c[0] + "-" + b, c, b) for c in CASES for b in c[4] if b != "c"]


@pytest.mark.parametrize("case,backend", [g[1:] for g in GRADS], ids=[g[0] for g in GRADS])
def test_grad(case, backend):
    _, f, jf, args, _ = case
    got = pullback.grad(f, backend=backend)(*args)
    np.testing.assert_allclose(got, jax.grad(jf)(*args), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(got, fd_grad(f, args, 0), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_jvp(case):
    _, f, jf, args, _ = case
    t = np.linspace(0.5, 1.5, np.size(args[0])).reshape(np.shape(args[0]))
    t = float(t) if isinstance(args[0], float) else t
    value, tangent = pullback.jvp(f, tuple(args), (t,) + (0,) * (len(args) - 1))
    want_value, want = jax.jvp(lambda x: jf(x, *args[1:]), (args[0],), (t,))
    np.testing.assert_allclose(value, want_value, rtol=1e-12)
    np.testing.assert_allclose(tangent, want, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("x", [ZERO, np.array([0.0, 0.0, 3.0]), np.array([1.5, 2.0, -3.0]),
                               np.array([0.0, 2.0, 3.0, -1.0])])
def test_prod_hessian_at_zeros(x):
    got = pullback.hessian(lambda x: np.prod(x))(x)
    np.testing.assert_allclose(got, jax.hessian(jnp.prod)(x), rtol=1e-12, atol=1e-12)
    f = lambda x: np.sum(np.prod(x, axis=1) ** 2)                           # noqa: E731
    got = pullback.hessian(f)(ROWS_WITH_ZEROS)
    want = jax.hessian(lambda x: jnp.sum(jnp.prod(x, axis=1) ** 2))(ROWS_WITH_ZEROS)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


def test_hessian_of_a_list():
    f = lambda x: np.sum(np.array([x, x * x]) ** 2)                         # noqa: E731
    want = jax.hessian(lambda x: jnp.sum(jnp.array([x, x * x]) ** 2))(X)
    np.testing.assert_allclose(pullback.hessian(f)(X), want, rtol=1e-12)
    np.testing.assert_allclose(pullback.hessian(lambda x: np.sum([x, x * x * x]))(X),
                               jax.hessian(lambda x: jnp.sum(jnp.array([x, x ** 3])))(X))


def test_stack_jvp_keeps_the_broadcast():
    f = lambda x: np.sum(np.stack([x])[0, 1] - np.ones(4))                  # noqa: E731
    jf = lambda x: jnp.sum(jnp.stack([x])[0, 1] - jnp.ones(4))              # noqa: E731
    t = np.array([0.3, 1.7, -0.2])
    value, tangent = pullback.jvp(f, (np.ones(3),), (t,))
    want_value, want = jax.jvp(jf, (np.ones(3),), (t,))
    assert np.isclose(value, want_value) and np.isclose(tangent, want)
    assert np.isclose(tangent, 4 * t[1])


def test_vjp_without_a_float_argument_gives_zero_cotangents():
    value, pb = pullback.vjp(lambda n: n * 2, 3)
    assert value == 6 and pb(1.0) == (0.0,)
    value, pb = pullback.vjp(lambda n, k: n * k, 3, np.arange(3))
    ct = pb(np.ones(3))
    assert ct[0] == 0.0 and np.array_equal(ct[1], np.zeros(3))
    _, jpb = jax.vjp(lambda n: n * 2, 3)    # JAX: a float0 zero
    assert jpb(1)[0].dtype == jax.dtypes.float0


def per_axis(x):
    return [x * x * (k + 1.0) for k in range(x.ndim)]   # a run-time list: the rank is typed later


def per_axis_jax(x):
    return [x * x * (k + 1.0) for k in range(x.ndim)]


@pytest.mark.parametrize("f, jf", [(per_axis, per_axis_jax),
                                   (lambda x: np.gradient(x), lambda x: list(jnp.gradient(x)))],
                         ids=["comprehension", "gradient"])
def test_a_returned_run_time_list(f, jf):
    # the list's cotangent is given as a list and its tangent comes back as one (they were
    # split into leaves and stacked into one array)
    rng = np.random.default_rng(3)
    x, t = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    cts = [rng.normal(size=(4, 3)), rng.normal(size=(4, 3))]
    out, f_vjp = pullback.vjp(f, x)
    want_out, j_vjp = jax.vjp(jf, x)
    assert isinstance(out, list) and len(out) == 2
    np.testing.assert_allclose(f_vjp(cts)[0], j_vjp(cts)[0], rtol=1e-12, atol=1e-12)
    value, tangent = pullback.jvp(f, (x,), (t,))
    _, want = jax.jvp(jf, (x,), (t,))
    assert isinstance(tangent, list) and len(tangent) == 2
    for a, b in zip(tangent, want):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


# -- complex values: right on Python (tests/test_complex.py), else rejected at their line ------
def loss(a, b):
    return np.sum(np.abs(a + b) ** 2)        # the complex a + b is rejected here on Numba


LOSS_LINE = loss.__code__.co_firstlineno + 1
A, B = np.array([1.0, 2.0]), np.array([1 + 1j, 2 + 0j])


def test_complex_intermediate_right_on_python_rejected_on_numba():
    np.testing.assert_allclose(pullback.grad(loss)(A, B), [4.0, 8.0])        # JAX: [4, 8]
    np.testing.assert_allclose(pullback.jvp(lambda a: loss(a, B), (A,), (np.ones(2),))[1], 12.0)
    with pytest.raises(pullback.TransformError, match=f"{os.path.basename(__file__)}:"
                       f"{LOSS_LINE}:.*complex"):
        pullback.grad(loss, backend="numba")(A, B)


def test_complex_argument_is_not_cast_to_real():
    with pytest.raises(TypeError, match="argument 1: it is complex"):
        pullback.grad(loss, argnums=1)(A, B)
    with pytest.raises(TypeError, match="argument 0 is a complex128"):
        pullback.jvp(lambda b: np.sum(np.abs(b)), (B,), (B,))


def test_complex_not_reaching_the_output_is_fine():
    def f(a, b):
        unused = np.abs(a + b)      # noqa: F841  (complex, but not useful)
        return np.sum(a * a)
    np.testing.assert_allclose(pullback.grad(f)(A, B), 2 * A)


# -- C -------------------------------------------------------------------------------------
C_CASES = [c for c in CASES if "c" in c[4]]


@pytest.mark.skipif(CC is None, reason="needs a C compiler (cc)")
def test_c():
    cases = [(name, f, args, 0) for name, f, _, args, _ in C_CASES]
    with tempfile.TemporaryDirectory() as d:
        out = run_array_cases(cases, d)
    for name, f, jf, args, _ in C_CASES:
        r = out[name]
        assert r.status == 0, name
        assert close(r.value, float(f(*args))), name
        want = np.ravel(jax.grad(jf)(*args))
        assert all(close(g, w) for g, w in zip(r.grads, want)), (name, r.grads, want)


def by_mode(x, cfg):
    y = x * cfg["scale"]
    if cfg["mode"] == "sq":
        y = y * y
    return np.sum(y) if cfg["norm"] is None else np.sum(y) / cfg["norm"]


@pytest.mark.parametrize("backend", ["python", "numba"])
@pytest.mark.parametrize("mode, norm", [("sq", None), ("lin", 2.0)])
def test_a_string_or_none_in_a_config_argument_is_static(backend, mode, norm):
    """Each value compiles its own derivative, as JAX's static arguments (a str leaf was
    'argument 1 has type str'); the gradient keeps it in its place."""
    cfg = {"scale": 1.5, "mode": mode, "norm": norm}

    def twin(x, scale, n):
        y = x * scale
        y = y * y if mode == "sq" else y
        return jnp.sum(y) if norm is None else jnp.sum(y) / n
    gx, gcfg = pullback.grad(by_mode, argnums=(0, 1), backend=backend)(X, cfg)
    want_x, want_s, want_n = jax.grad(twin, argnums=(0, 1, 2))(X, 1.5, norm or 1.0)
    np.testing.assert_allclose(gx, want_x, rtol=1e-12)
    assert gcfg["scale"] == pytest.approx(float(want_s), rel=1e-12)
    assert gcfg["mode"] == mode
    assert gcfg["norm"] is None if norm is None else \
        gcfg["norm"] == pytest.approx(float(want_n), rel=1e-12)


class _Pair(typing.NamedTuple):
    a: float
    b: float


def _replaced_inside(x):
    p = _Pair(x, 2.0)
    q = p._replace(b=x * x)
    return q.a * q.b


def _replaced_argument(p, x):
    q = p._replace(a=p.a * x)
    return q.a + q.b * x


def test_namedtuple_replace():
    """A NamedTuple's ``_replace(field=v)``: a new record (was rejected: 'too many
    arguments to _replace', the library's own source).  Against the analytic derivatives."""
    assert np.isclose(pullback.grad(_replaced_inside)(1.5), 3 * 1.5 ** 2)
    gp, gx = pullback.grad(_replaced_argument, argnums=(0, 1))(_Pair(2.0, 3.0), 1.5)
    assert isinstance(gp, _Pair) and np.allclose(tuple(gp), (1.5, 1.5)) and np.isclose(gx, 5.0)
