"""The Numba backend: same gradients as finite differences and the Python backend.

A handful of corpus programs covers what the Numba printer changes: loop tapes
(preallocated for ``for`` loops, growable in ``while`` loops), fused record
tapes, callee ``fwd``/``rev`` pairs exchanging residual tuples (also with a
tape inside the tuple, via ``vjp``), early exits, and the error and cache
paths.  Compiled code is cached on disk (``PULLBACK_CACHE_DIR``), so a second
run of this file mostly loads machine code instead of compiling it.
"""
import math
import os
import subprocess
import sys

import pytest

pytest.importorskip("numba")

import pullback  # noqa: E402
import numpy as np  # noqa: E402
from pullback.errors import TransformError  # noqa: E402
from corpus import programs_control, programs_numerics  # noqa: E402
from test_corpus import assert_close, central_diff, normalized  # noqa: E402

PICK = {"sum_range", "early_return", "loop_break", "halve_until_small", "helper_in_loop",
        "spring_rk4", "nested_loops"}
CASES = [c for m in (programs_control, programs_numerics) for c in m.CASES if c.id in PICK]


def test_picked_programs_exist():
    assert {c.id for c in CASES} == PICK


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_numba_matches_finite_differences_and_python(case):
    got = normalized(pullback.grad(case.func, case.argnums, backend="numba")(*case.args),
                     case.argnums)
    assert_close(got, central_diff(case.func, case.args, case.argnums), 1e-5, 1e-6,
                 "numba vs finite differences")
    ref = normalized(pullback.grad(case.func, case.argnums)(*case.args), case.argnums)
    assert_close(got, ref, 1e-12, 1e-14, "numba vs python backend")


def pendulum(k, c, x0, n):
    x, v, cost = x0, 0.0, 0.0
    for i in range(n):
        a = -k * math.sin(x) - c * v
        x = x + 0.01 * v
        v = v + 0.01 * a
        cost = cost + x * x
    return cost


def test_value_and_grad_and_source():
    value, g = pullback.value_and_grad(pendulum, (0, 1, 2), backend="numba")(1.0, 0.1, 0.3, 200)
    assert value == pytest.approx(pendulum(1.0, 0.1, 0.3, 200), rel=1e-12)
    assert g == pytest.approx(pullback.grad(pendulum, (0, 1, 2))(1.0, 0.1, 0.3, 200), rel=1e-12)
    d = pullback.grad(pendulum, backend="numba")
    d(1.0, 0.1, 0.3, 5)
    text = pullback.source(d)
    assert "@njit(cache=True)" in text and ".append(" not in text and ".pop()" not in text


def test_vjp_carries_a_tape_in_the_residual():
    out, pull = pullback.vjp(pendulum, 1.0, 0.1, 0.3, 50, backend="numba")
    _, ref_pull = pullback.vjp(pendulum, 1.0, 0.1, 0.3, 50)
    assert out == pytest.approx(pendulum(1.0, 0.1, 0.3, 50), rel=1e-12)
    assert pull(2.0) == pytest.approx(ref_pull(2.0), rel=1e-12)


@pytest.mark.parametrize("name", ["rpow", "rpoly", "rfib", "cos_doubling"])
def test_self_recursion_keeps_its_residuals_in_a_store(name):
    """numba_recursion.py: a recursive residual travels as an index into one typed list;
    checked against central differences and JAX (Python recursion over a static n)."""
    import jax
    jax.config.update("jax_enable_x64", True)
    case = next(c for c in programs_control.CASES if c.id == name)
    x, n = case.args
    d = pullback.value_and_grad(case.func, backend="numba")
    value, g = d(x, n)
    h = 1e-6
    assert value == pytest.approx(case.func(x, n), rel=1e-12)
    assert g == pytest.approx((case.func(x + h, n) - case.func(x - h, n)) / (2 * h), rel=1e-6)
    assert g == pytest.approx(float(jax.grad(case.func)(x, n)), rel=1e-12)
    assert "_store.append(" in pullback.source(d)


def rtree(v, n):
    if n == 0:
        return np.sum(v * v)
    return rtree(np.sin(v), n - 1) * 0.5


def rdepth(v, n):
    if n == 0:
        return np.sum(v * v)
    w = np.sin(v) * 1.5
    return rdepth(w, n - 1) + np.sum(w * v) + np.sum([n * 0.5, w[0]])


@pytest.mark.parametrize("f", [rtree, rdepth])
def test_recursion_with_arrays_in_its_residuals_against_jax(f):
    """Arrays of one static shape in a recursive residual go into the store too (they
    were rejected; scalar fuzzer seed 9810146's npsum variant made a list an array)."""
    import jax
    jax.config.update("jax_enable_x64", True)
    jf = {rtree: lambda v, n: rtree_j(v, n), rdepth: lambda v, n: rdepth_j(v, n)}[f]
    v = np.array([0.2, -0.4, 1.0])
    value, g = pullback.value_and_grad(f, backend="numba")(v, 3)
    assert value == pytest.approx(f(v, 3), rel=1e-12)
    np.testing.assert_allclose(g, np.asarray(jax.grad(jf)(v, 3)), rtol=1e-12)


def rtree_j(v, n):
    import jax.numpy as jnp
    return jnp.sum(v * v) if n == 0 else rtree_j(jnp.sin(v), n - 1) * 0.5


def rdepth_j(v, n):
    import jax.numpy as jnp
    if n == 0:
        return jnp.sum(v * v)
    w = jnp.sin(v) * 1.5
    return rdepth_j(w, n - 1) + jnp.sum(w * v) + jnp.sum(jnp.array([n * 0.5, w[0]]))


def r0(a, d):
    if d <= 0:
        return a
    return r0(a * a, d - 1) * 1.106 + abs(d)


def through_helper(x):
    return r0(np.sin(x), 3)


def outlined(x, y):
    return through_helper(x) * y


def test_recursion_called_from_a_helper():
    """The store is passed down to a helper that calls the recursive pair (it was
    rejected: scalar fuzzer seed 9810332's outline variant)."""
    import jax
    jax.config.update("jax_enable_x64", True)
    got = pullback.grad(outlined, argnums=(0, 1), backend="numba")(0.7, 1.3)
    want = jax.grad(lambda x, y: outlined_j(x, y), argnums=(0, 1))(0.7, 1.3)
    assert got == pytest.approx(tuple(map(float, want)), rel=1e-12)


def outlined_j(x, y):
    import jax.numpy as jnp

    def r(a, d):
        return a if d <= 0 else r(a * a, d - 1) * 1.106 + abs(d)
    return r(jnp.sin(x), 3) * y


def test_recursion_in_forward_mode_and_where_nothing_is_differentiated():
    """A recursive ``_jvp`` and a recursive primal called where nothing is differentiated
    have no residuals: they compile as they are (fuzz seed 9810762's variants)."""
    import jax
    jax.config.update("jax_enable_x64", True)
    got = pullback.jvp(outlined, (0.7, 1.3), (1.0, -0.5), backend="numba")
    want = jax.jvp(outlined_j, (0.7, 1.3), (1.0, -0.5))
    assert got == pytest.approx(tuple(map(float, want)), rel=1e-12)

    def inactive(x):
        return x * r0(0.3, 3)
    assert pullback.grad(inactive, backend="numba")(2.0) == pytest.approx(r0(0.3, 3), rel=1e-15)


def test_recursive_code_runs_again_in_a_new_process(tmp_path):
    """Numba's disk cache crashes a process that reads back recursive code (numba#6061):
    such a module compiles uncached, so the second process runs it too."""
    code = ("import pullback, test_numba as t\n"
            "print(pullback.grad(t.outlined, argnums=(0, 1), backend='numba')(0.7, 1.3))\n")
    env = dict(os.environ, PULLBACK_CACHE_DIR=str(tmp_path))
    outs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           cwd=os.path.dirname(__file__), timeout=300, env=env)
            for _ in range(2)]
    assert [o.returncode for o in outs] == [0, 0], outs[1].stderr[-2000:]
    assert outs[0].stdout == outs[1].stdout


def test_recursion_it_cannot_store_is_a_pullback_error_at_the_source_line():
    case = next(c for c in programs_control.CASES if c.id == "rpow")
    with pytest.raises(TransformError, match="recursive") as err:   # a split entry
        pullback.vjp(case.func, 1.1, 13, backend="numba")
    assert err.value.filename.endswith("programs_control.py") and err.value.line > 0


@pytest.mark.parametrize("mode", ["grad", "jvp"])
def test_numba_compile_error_names_the_user_line(monkeypatch, mode):
    from pullback.backends import numba as printer
    monkeypatch.setitem(printer.HELPERS, "polygamma",
                        "\ndef polygamma(n, x):\n    return undefined_name")

    def f(x):
        y = math.lgamma(x) * 2.0
        return y
    with pytest.raises(TransformError, match="numba backend cannot compile") as err:
        if mode == "grad":
            pullback.grad(f, backend="numba")(1.5)
        else:
            pullback.jvp(f, (1.5,), (1.0,), backend="numba")
    assert err.value.line == f.__code__.co_firstlineno + 1
    assert "Traceback" not in str(err.value)


def test_missing_numba_is_a_clear_error():
    code = ("import sys; sys.modules['numba'] = None\n"
            "import pullback\n"
            "try:\n"
            "    pullback.grad(lambda x: x * x, backend='numba')(1.0)\n"
            "except ImportError as e:\n"
            "    print(e)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=os.path.dirname(__file__), timeout=120)
    assert "pip install pullback[numba]" in out.stdout, out.stderr


def test_compiled_code_is_cached_on_disk():
    g = pullback.grad(pendulum, (0, 1), backend="numba")
    g(1.0, 0.1, 0.3, 10)
    path = g.last.path
    assert os.path.exists(path)
    cached = os.listdir(os.path.join(os.path.dirname(path), "index"))     # private (issue 15)
    stem = os.path.splitext(os.path.basename(path))[0]
    assert any(name.startswith(stem) and name.endswith(".nbi") for name in cached)


# -- NumPy array programs: shape-specialised helpers (backends/numba_arrays.py) ----------------
scipy = pytest.importorskip("scipy")
import scipy.special  # noqa: E402


def rosenbrock(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def mlp(w1, b1, w2, b2, x, y):
    h = np.tanh(x @ w1 + b1)
    z = h @ w2 + b2
    zmax = np.max(z, axis=1, keepdims=True)
    logz = np.log(np.sum(np.exp(z - zmax), axis=1, keepdims=True)) + zmax
    return -np.sum(y * (z - logz)) / x.shape[0] + np.mean(w1 * w1, axis=0).sum()


def reductions(a, v):
    r = np.sum(a, axis=0) * v + np.min(a, axis=1).sum() + np.mean(a) * np.prod(v)
    return np.sum(r * r) + np.max(a) + a[1, 2] * (a @ v).sum() + v @ v


def heat(u0, w, steps):
    u = u0.copy()
    for _ in range(steps):
        u[1:-1] = u[1:-1] + 0.25 * (u[2:] - 2.0 * u[1:-1] + u[:-2])
    return np.sum(u * u * w)


PLACE = np.array([[[0.0, 0.0], [1.0, 0.0]]])


def gmm_like(alphas, means, icf, x):
    q, l = icf[:, :2], icf[:, 2:]
    lower = np.einsum("kp,pij->kij", l, PLACE)
    xc = x[:, None, :] - means[None, :, :]
    qxc = np.exp(q)[None, :, :] * xc + np.einsum("kij,nkj->nki", lower, xc)
    main = alphas[None, :] + np.sum(q, 1)[None, :] - 0.5 * np.sum(qxc * qxc, 2)
    return np.sum(scipy.special.logsumexp(main, 1)) - 4 * scipy.special.logsumexp(alphas)


def _rng_args():
    rng = np.random.default_rng(3)
    return rng


@pytest.mark.parametrize("name", ["rosenbrock", "mlp", "reductions", "heat", "gmm_like"])
def test_numba_array_programs_match_python_backend(name):
    rng = _rng_args()
    if name == "rosenbrock":
        f, args, nums = rosenbrock, (rng.uniform(-1, 1, 7),), (0,)
    elif name == "mlp":
        f = mlp
        args = (rng.normal(0, 0.3, (6, 5)), rng.normal(0, 0.1, 5), rng.normal(0, 0.3, (5, 3)),
                rng.normal(0, 0.1, 3), rng.normal(0, 1, (4, 6)), np.eye(3)[[0, 2, 1, 1]])
        nums = (0, 1, 2, 3)
    elif name == "gmm_like":
        f, nums = gmm_like, (0, 1, 2)
        args = (rng.normal(0, 1, 3), rng.normal(0, 1, (3, 2)), rng.normal(0, 0.3, (3, 3)),
                rng.normal(0, 1, (4, 2)))
    elif name == "heat":
        f, args, nums = heat, (rng.normal(0, 1, 9), rng.uniform(0.5, 1.5, 9), 5), (0, 1)
    else:
        f, args, nums = reductions, (rng.normal(0, 1, (3, 4)), rng.normal(0, 1, 4)), (0, 1)
    got = pullback.value_and_grad(f, nums, backend="numba")(*args)
    ref = pullback.value_and_grad(f, nums)(*args)
    assert got[0] == pytest.approx(ref[0], rel=1e-12)
    for g, r in zip(got[1], ref[1]):
        np.testing.assert_allclose(g, r, rtol=1e-10, atol=1e-12)


def nested_pushes(x, n):
    for i in range(n):
        x = math.sin(x) * 1.1
        for j in range(3):
            x = x * 0.9 + 0.1 * math.cos(x)
    return x


def test_a_tape_pushed_in_a_loop_and_its_nested_loop_checks_its_room():
    """The room reserved at the outer loop's entry is used up by the inner pushes: the
    outer push must check it (an unchecked store past the end corrupts the heap)."""
    g = pullback.grad(nested_pushes, backend="numba")
    assert g(0.4, 40) == pytest.approx(pullback.grad(nested_pushes)(0.4, 40), rel=1e-12)
    text = pullback.source(g)
    outer = text[text.index("for i in range(n)"):text.index("for j in range(3)")]
    assert "_grow(" in outer and "if " in outer.split("for i in range(n)")[1]


def ellipsis_einsum(x):
    y = np.einsum("...i,...i->...", x, x)
    return np.sum(y)


def test_a_numpy_call_the_printer_cannot_specialise_is_an_error_at_its_line():
    with pytest.raises(TransformError, match="einsum with '...'") as err:
        pullback.grad(ellipsis_einsum, backend="numba")(np.ones((2, 3)))
    assert err.value.line == ellipsis_einsum.__code__.co_firstlineno + 1


def sliced_at_run_time(x):
    acc = np.zeros((3, 4))
    for k in range(2):
        acc = acc + np.sum(x[k:k + 1] ** 2, axis=0) * acc + x[k]
    return np.sum(acc ** 2)


def test_an_array_of_run_time_shape_in_a_loop_is_an_error_at_the_line_that_makes_it():
    """Its zero start before the loop gave it shape () and the reduction a ZeroDivisionError
    (axis 0 of 0 dimensions); the Python backend differentiates it."""
    x = np.random.default_rng(1).normal(size=(2, 3, 4))
    h, e = 1e-6, np.zeros_like(x)
    e[1, 2, 3] = h
    fd = (sliced_at_run_time(x + e) - sliced_at_run_time(x - e)) / (2 * h)
    assert math.isclose(pullback.grad(sliced_at_run_time)(x)[1, 2, 3], fd, rel_tol=1e-6)
    with pytest.raises(TransformError, match="static array shapes") as err:
        pullback.grad(sliced_at_run_time, backend="numba")(x)
    assert err.value.line == sliced_at_run_time.__code__.co_firstlineno + 3


INTS = (1, 2, 3)


def _int_table_inverse(x, n):
    s = 0.0
    for i in range(n):
        s = s + x[i] / INTS[i] + x[i] * INTS[i] ** -1 + x[i] * n ** -2
    return s


def _int_to_run_time_power(x, m):
    return x * 2 ** m


def test_an_int_to_a_negative_power_is_a_float_or_an_error_at_its_line():
    """Python's 2 ** -1 is 0.5: typed float and printed float(a) ** b (Numba's int ** int
    gave 0, a silently wrong gradient; before that an unlocated ValueError); a run-time
    exponent is an int, and where it is negative an error naming the line."""
    x, h = np.array([0.3, -1.2, 0.8]), 1e-6
    fd = [(_int_table_inverse(x + h * e, 3) - _int_table_inverse(x - h * e, 3)) / (2 * h)
          for e in np.eye(3)]
    for backend in ("python", "numba"):
        np.testing.assert_allclose(pullback.grad(_int_table_inverse, backend=backend)(x, 3),
                                   fd, rtol=1e-6)
    g = pullback.grad(_int_to_run_time_power, backend="numba")
    assert g(1.5, 3) == 8.0
    line = _int_to_run_time_power.__code__.co_firstlineno + 1
    with pytest.raises(ValueError, match=f"test_numba.py:{line}: an int to a negative int"):
        g(1.5, -1)


def _cube(x, n):
    m = n * n * n
    return x * m


def _power_loop(x, n):
    k = 1
    for i in range(n):
        k *= 3
    return x * (k - 2 * k + k + 1) + x * float(-k)


@pytest.mark.parametrize("f, args", [(_cube, (2.0, 3_000_000)), (_power_loop, (1.5, 45))])
def test_int_overflow_is_an_error_not_a_wrapped_number(f, args):
    """Python's ints grow where Numba's int64 wraps: the Python backend gives the exact
    derivative, the Numba backend raises OverflowError instead of a wrapped number."""
    h = 1e-6 * abs(args[0])
    fd = (f(args[0] + h, args[1]) - f(args[0] - h, args[1])) / (2 * h)
    assert math.isclose(pullback.grad(f)(*args), fd, rel_tol=1e-6)
    with pytest.raises(OverflowError, match="int64 wraps"):
        pullback.grad(f, backend="numba")(*args)
    x, n = args[0], 5
    fd = (f(x + h, n) - f(x - h, n)) / (2 * h)
    assert math.isclose(pullback.grad(f, backend="numba")(x, n), fd, rel_tol=1e-6)


def clip_scalars(x, lo):
    # nopython np.clip takes arrays only; a float's clip, at and between the bounds
    return (np.clip(x[0] * 0.3, lo, 1.0) + np.clip(x[1], -1.0, 1.0) * x[1]
            + np.clip(0.5, -1.0, 1.0) * x[0])


@pytest.mark.parametrize("x", [[2.0, 0.5], [-5.0, 3.0], [10.0, -0.25]])
def test_clip_of_floats_compiles_and_matches_jax(x):
    import jax
    import jax.numpy as jnp
    jax.config.update("jax_enable_x64", True)
    args = (np.array(x), -1.0)
    got = pullback.grad(clip_scalars, (0, 1), backend="numba")(*args)
    jf = jax.grad(lambda x, lo: (jnp.clip(x[0] * 0.3, lo, 1.0) + jnp.clip(x[1], -1.0, 1.0)
                                 * x[1] + jnp.clip(0.5, -1.0, 1.0) * x[0]), (0, 1))
    want = jf(jnp.array(x), -1.0)
    np.testing.assert_allclose(got[0], np.asarray(want[0]), rtol=1e-12)
    np.testing.assert_allclose(got[1], float(want[1]), rtol=1e-12, atol=1e-15)


def test_a_global_generator_draw_is_an_error_at_its_line():
    """Nopython mode's np.random draws from Numba's own generator, which np.random.seed
    does not seed: the derivative's value would not be f's (the Python backend's is)."""
    def noisy(w):
        return np.sum(np.tanh(w + 0.1 * np.random.randn(3)) ** 2)
    with pytest.raises(TransformError, match="np.random's global generator") as e:
        pullback.grad(noisy, backend="numba")(np.ones(3))
    assert f"{__file__}:{noisy.__code__.co_firstlineno + 1}" in str(e.value)
    np.random.seed(0)
    v = noisy(np.ones(3))
    np.random.seed(0)
    assert pullback.value_and_grad(noisy)(np.ones(3))[0] == v


def _mask_zeroed(W, X):
    h = X @ W
    h[h < 0] = 0
    return np.sum(h ** 2)


def _max_pooled(x):
    out = np.zeros((2, 2))
    for i in range(2):
        for j in range(2):
            out[i, j] = np.max(x[2 * i:2 * i + 2, 2 * j:2 * j + 2])
    return np.sum(out ** 2)


@pytest.mark.parametrize("f, args", [
    (_mask_zeroed, (np.ones((4, 2)) * 0.3 - np.eye(4, 2), np.arange(12.0).reshape(3, 4) - 5)),
    (_max_pooled, (np.arange(16.0).reshape(4, 4) % 5,))], ids=["mask", "pool"])
def test_what_numba_cannot_build_is_an_error_in_the_users_file(f, args):
    """An assert in Numba's typing passes (a 2-d boolean mask write) and an index form the
    printer has no text for (a pooling window): located errors, not crashes inside."""
    with pytest.raises((TransformError, pullback.errors.UnsupportedError)) as e:
        pullback.grad(f, backend="numba")(*args)
    assert __file__ in str(e.value) and "backend='python'" in str(e.value)
    assert np.all(np.isfinite(pullback.grad(f)(*args)))



def test_a_runtime_error_inside_numbas_compiler_is_an_error_at_the_users_line():
    """Numba raised "liveness info missing" (a RuntimeError) compiling fuzz seed 9812206's
    never-left ``while True``: what Numba's own code raises is a located error naming
    backend='python'; the same error raised by the user's code passes through."""
    from pullback.backends.numba_build import _Guarded
    space = {}
    exec(compile("def inside(*a):\n    raise RuntimeError('liveness info missing')",
                 "/site-packages/numba/core/ir_utils.py", "exec"), space)

    class Compiled:
        compile_seconds = {}

        def translate(self, message):
            return TransformError(f"{__file__}:1: {message}")
    with pytest.raises(TransformError, match="liveness.*backend='python'"):
        _Guarded(Compiled(), "f_grad", space["inside"])(1.0)

    def users(*a):
        raise RuntimeError("the user's own")
    with pytest.raises(RuntimeError, match="the user's own"):
        _Guarded(Compiled(), "g_grad", users)(1.0)


def _transposed_flat(x):
    M = x.reshape(2, 3)
    return np.sum(M.T.reshape(-1) ** 2)


def test_reshape_of_a_transposed_view():
    """Numba reshapes contiguous arrays only (NotImplementedError 'incompatible shape for
    array' at run time, no line); NumPy copies such a view.  Against the analytic 2 x."""
    x = np.linspace(0.1, 0.6, 6)
    assert np.allclose(pullback.grad(_transposed_flat, backend="numba")(x), 2 * x)
