"""Globals, closures, defaults, decorators and source mean what Python means (issue 11).

A derivative is specialised to the outside values it read (guards, see
pullback/frontend/guards.py); rebinding, mutating or replacing them gives the
derivative of the function as it now runs.  Every expected value comes from JAX
or from central finite differences, never from pullback.
"""
import functools
import importlib
import sys
import textwrap

import numpy as np
import pytest

import pullback

jax = pytest.importorskip("jax")
jax.config.update("jax_enable_x64", True)
jnp = jax.numpy

BACKENDS = ["python", pytest.param("numba", marks=pytest.mark.skipif(
    importlib.util.find_spec("numba") is None, reason="needs numba"))]


def fd(f, x, h=1e-6):
    """Central finite differences of scalar ``f`` at float or array ``x``."""
    x = np.asarray(x, dtype=float)
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[i] = h
        g[i] = (f(x + e) - f(x - e)) / (2 * h)
    return g


LAM = 0.1


def reg(x):
    return LAM * x ** 2


@pytest.mark.parametrize("backend", BACKENDS)
def test_rebound_global_number(backend):
    global LAM
    g = pullback.grad(reg, backend=backend)
    try:
        assert g(1.0) == pytest.approx(fd(reg, 1.0))
        LAM = 10.0
        assert g(1.0) == pytest.approx(20.0)
        assert pullback.grad(reg, backend=backend)(1.0) == pytest.approx(fd(reg, 1.0))
        assert pullback.vjp(reg, 1.0, backend=backend)[1](1.0)[0] == pytest.approx(20.0)
        assert pullback.jvp(reg, (1.0,), (1.0,), backend=backend)[1] == pytest.approx(20.0)
    finally:
        LAM = 0.1


W = np.ones(3)


def wsum(x):
    return np.sum(W * x)


@pytest.mark.parametrize("backend", BACKENDS)
def test_global_array_rebound_and_written_in_place(backend):
    global W
    g = pullback.grad(wsum, backend=backend)
    x = np.ones(3)
    try:
        assert np.allclose(g(x), jax.grad(lambda x: jnp.sum(jnp.asarray(W) * x))(x))
        W = np.full(3, 2.0)
        assert np.allclose(g(x), 2.0)
        W[:] = 5.0
        assert np.allclose(g(x), 5.0)
        assert np.allclose(pullback.jacobian(wsum, backend=backend)(x), 5.0)
        W = np.arange(4.0)          # another shape: a new specialisation, not a stale one
        assert np.allclose(g(np.ones(4)), np.arange(4.0))
    finally:
        W = np.ones(3)


MASK = np.array([True, False, True])


def masked(x, y):
    return np.sum(np.where(MASK, x, y))


@pytest.mark.parametrize("backend", BACKENDS)
def test_global_mask_is_not_folded(backend):
    global MASK
    x = np.array([1.0, 2.0, 3.0])
    ref = jax.grad(lambda x, y: jnp.sum(jnp.where(MASK, x, y)), argnums=(0, 1))(x, x)
    got = pullback.grad(masked, argnums=(0, 1), backend=backend)(x, x)
    assert all(np.allclose(a, b) for a, b in zip(got, ref))
    try:
        MASK[:] = [False, True, True]
        got = pullback.grad(masked, argnums=(0, 1), backend=backend)(x, x)
        assert np.allclose(got[0], [0, 1, 1]) and np.allclose(got[1], [1, 0, 0])
    finally:
        MASK = np.array([True, False, True])


def test_closure_mask():
    mask = np.array([True, False, True])
    x = np.array([1.0, 2.0, 3.0])
    got = pullback.grad(lambda x, y: np.sum(np.where(mask, x, y)), argnums=(0, 1))(x, x)
    assert np.allclose(got[0], [1, 0, 1]) and np.allclose(got[1], [0, 1, 0])


IDX = np.array([0, 3, 3, 5])


def test_global_integer_index_array():
    global IDX
    x = np.arange(6.0)
    f = lambda x: np.sum(x[IDX] ** 2)   # noqa: E731
    want = jax.grad(lambda x: jnp.sum(x[IDX] ** 2))(x)      # a repeated index sums
    if importlib.util.find_spec("numba") is not None:
        assert np.allclose(pullback.grad(f, backend="numba")(x), want)
    g = pullback.grad(f)
    assert np.allclose(g(x), want)
    try:
        IDX = np.array([1, 1])
        assert np.allclose(g(x), fd(f, x))
    finally:
        IDX = np.array([0, 3, 3, 5])


PAIR = (np.ones(3), np.full(3, 2.0))


@pytest.mark.parametrize("backend", BACKENDS)
def test_global_tuple_of_arrays_gets_one_name_per_array(backend):
    def f(x):
        return np.sum(PAIR[0] * x) + np.sum(PAIR[1] * x * x)
    x = np.array([1.0, 2.0, 3.0])
    ref = jax.grad(lambda x: jnp.sum(PAIR[0] * x) + jnp.sum(PAIR[1] * x * x))(x)
    assert np.allclose(pullback.grad(f, backend=backend)(x), ref)


t = np.linspace(0.0, 1.0, 5)      # named like the generated code's temporaries
t1 = np.array([0.5, -1.0, 2.0, 0.3, 1.5])


def _waves(w, s):
    out = s * 0.0
    for i in range(3):
        out = np.sin(out + w * s)
    return out


def _l1(pred, targets):
    return np.mean(np.abs(pred - targets))


@pytest.mark.parametrize("backend", BACKENDS)
def test_global_arrays_named_like_temporaries_are_not_shadowed(backend):
    """Globals ``t`` and ``t1`` read by name: no temporary of the generated function may
    take their names (was UnboundLocalError: a local ``t`` assigned later in it)."""
    def f(w):
        return _l1(_waves(w, t), t1)

    def f_jax(w):
        out = jnp.asarray(t) * 0.0
        for i in range(3):
            out = jnp.sin(out + w * t)
        return jnp.mean(jnp.abs(out - t1))
    assert np.allclose(pullback.grad(f, backend=backend)(0.7), jax.grad(f_jax)(0.7))
    assert np.allclose(pullback.grad(f, backend=backend)(0.7), fd(f, 0.7))


X5 = np.linspace(0.0, 1.0, 5)


def test_global_named_like_a_temporary_was_silently_read_as_one():
    """A global ``t1`` next to a call result: the frontend's temporary ``t1`` took its
    name and the gradient was 0.0 (no error)."""
    def f(w):
        return np.sum((_waves(w, X5) - t1) ** 2)

    def f_jax(w):
        out = jnp.asarray(X5) * 0.0
        for i in range(3):
            out = jnp.sin(out + w * X5)
        return jnp.sum((out - t1) ** 2)
    assert np.allclose(pullback.grad(f)(0.7), jax.grad(f_jax)(0.7))


CFG = {"lr": 0.5, "power": 3}


@pytest.mark.parametrize("backend", BACKENDS)
def test_global_dict_config(backend):
    def f(x):
        return CFG["lr"] * x ** CFG["power"]
    g = pullback.grad(f, backend=backend)
    assert g(2.0) == pytest.approx(fd(f, 2.0))
    try:
        CFG["lr"] = 2.0         # mutated in place: the same dict object
        assert g(2.0) == pytest.approx(24.0)
        assert g(2.0) == pytest.approx(fd(f, 2.0))
    finally:
        CFG["lr"] = 0.5


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_key_added_to_a_global_config_is_seen(backend):
    def f(x):
        s = x * CFG["lr"]
        if "decay" in CFG:
            s = s + CFG["decay"] * x ** 2
        return s if "scale" not in CFG else s * CFG["scale"]
    g = pullback.grad(f, backend=backend)
    assert g(1.5) == pytest.approx(jax.grad(lambda x: x * 0.5)(1.5))
    try:
        CFG["decay"] = 0.25
        assert g(1.5) == pytest.approx(jax.grad(lambda x: x * 0.5 + 0.25 * x ** 2)(1.5))
        CFG["scale"] = 4.0
        assert g(1.5) == pytest.approx(fd(f, 1.5))
        assert g(1.5) == pytest.approx(4.0 * (0.5 + 0.75))
    finally:
        CFG.pop("decay", None)
        CFG.pop("scale", None)


def test_a_missing_key_is_a_key_error_at_its_line():
    def f(x, cfg):
        return x * cfg["scale"]
    with pytest.raises(KeyError, match="'scale' is not a key of the dict"):
        pullback.grad(f)(1.5, {"scal": 2.0})


def _counter():
    k = 1.0

    def f(x):
        return k * x * x

    def setk(v):
        nonlocal k
        k = v
    return f, setk


@pytest.mark.parametrize("backend", BACKENDS)
def test_reassigned_nonlocal(backend):
    f, setk = _counter()
    g = pullback.grad(f, backend=backend)
    assert g(1.5) == pytest.approx(3.0)
    setk(5.0)
    assert g(1.5) == pytest.approx(fd(f, 1.5))


@pytest.mark.parametrize("backend", BACKENDS)
def test_replaced_defaults(backend):
    def fd_(x, k=1.0):
        return k * x * x
    g = pullback.grad(fd_, backend=backend)
    assert g(1.0) == pytest.approx(2.0)
    fd_.__defaults__ = (7.0,)
    assert g(1.0) == pytest.approx(14.0)
    assert pullback.vjp(fd_, 1.0, backend=backend)[1](1.0)[0] == pytest.approx(14.0)


def test_helper_defaults_are_the_live_ones():
    def helper(x, k=2.0):
        return k * x

    def f(x):
        return helper(x) * x
    g = pullback.grad(f)
    assert g(1.0) == pytest.approx(4.0)
    helper.__defaults__ = (3.0,)
    assert g(1.0) == pytest.approx(fd(f, 1.0))


def test_function_valued_default_and_vjp_defaults():
    def f(x, _r=np.sum):
        return _r(x * x)
    x = np.array([1.0, 2.0, 3.0])
    assert np.allclose(pullback.grad(f)(x), jax.grad(lambda x: jnp.sum(x * x))(x))

    def fk(x, k=2.0):
        return k * x
    assert pullback.vjp(fk, 1.0)[1](1.0) == pytest.approx((2.0,))
    assert pullback.vjp(fk, 1.0, 3.0)[1](1.0)[0] == pytest.approx(3.0)


def test_computed_defaults_of_nested_defs_are_taken_where_the_def_runs():
    def f(x):
        s = x * x
        g = lambda y, t=s + 1.0: y * t       # noqa: E731 (a lambda's computed default)

        def h(y, t=2.0 * s):                 # a def's, evaluated at the def statement
            return y * t
        s = 100.0                            # later rebinding: not seen by the defaults
        return g(x) + h(x) + s
    for x in (0.7, 1.3):
        assert pullback.grad(f)(x) == pytest.approx(fd(f, x))
        assert pullback.jvp(f, (x,), (1.0,))[1] == pytest.approx(fd(f, x))


C = 3.0


def test_vjp_of_a_function_returning_a_global_constant():
    def fc(x):
        return x * x, C
    out, pull = pullback.vjp(fc, 2.0)
    assert out == (4.0, 3.0)
    assert pull((1.0, 1.0))[0] == pytest.approx(4.0)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_closure_array_returned_as_it_is(backend):
    c = np.arange(6.0).reshape(3, 2)

    def fun(x):
        return c            # read by name only in the return: it must be bound all the same
    x = np.ones((3, 2))
    out, pull = pullback.vjp(fun, x, backend=backend)
    assert np.array_equal(out, c) and np.array_equal(pull(np.ones((3, 2)))[0], np.zeros((3, 2)))
    out, tangent = pullback.jvp(fun, (x,), (x,), backend=backend)
    assert np.array_equal(out, c) and np.array_equal(tangent, np.zeros((3, 2)))


def _scaled(k):
    def deco(f):
        @functools.wraps(f)
        def w(x):
            return k * f(x)
        return w
    return deco


def _scaled_variadic(k):
    def deco(f):
        @functools.wraps(f)
        def w(*a, **kw):
            return k * f(*a, **kw)
        return w
    return deco


@pytest.mark.parametrize("backend", BACKENDS)
def test_wraps_decorator_is_differentiated_not_skipped(backend):
    @_scaled(10.0)
    def sq(x):
        return x * x
    assert pullback.grad(sq, backend=backend)(1.5) == pytest.approx(fd(sq, 1.5))

    @_scaled_variadic(10.0)
    def sq2(x):
        return x * x
    # a variadic wrapper is lowered too (issue 13): *a and **kw are static
    assert pullback.grad(sq2, backend=backend)(1.5) == pytest.approx(fd(sq2, 1.5))


def test_edited_source_is_rejected(tmp_path, monkeypatch):
    path = tmp_path / "edited_mod.py"
    path.write_text("def f(x):\n    return x * x\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    mod = importlib.import_module("edited_mod")
    try:
        path.write_text("def f(x):\n    return x * x * x * x * x\n")
        with pytest.raises(pullback.UnsupportedError, match="edited_mod.py:1:.*not the code"):
            pullback.grad(mod.f)(2.0)
        importlib.reload(mod)
        assert pullback.grad(mod.f)(2.0) == pytest.approx(fd(mod.f, 2.0))
    finally:
        sys.modules.pop("edited_mod", None)


def test_module_attribute_data(tmp_path, monkeypatch):
    (tmp_path / "cfg_mod.py").write_text("SCALE = 2.0\n")
    (tmp_path / "user_mod.py").write_text(textwrap.dedent("""
        import cfg_mod

        def f(x):
            return cfg_mod.SCALE * x * x
        """))
    monkeypatch.syspath_prepend(str(tmp_path))
    import cfg_mod
    import user_mod
    try:
        g = pullback.grad(user_mod.f)
        assert g(1.0) == pytest.approx(4.0)
        cfg_mod.SCALE = 5.0
        assert g(1.0) == pytest.approx(fd(user_mod.f, 1.0))
    finally:
        sys.modules.pop("cfg_mod", None)
        sys.modules.pop("user_mod", None)


def test_c_reads_globals_at_emit_time():
    global LAM
    cc = pytest.importorskip("shutil").which("cc")
    if cc is None:
        pytest.skip("needs a C compiler")
    from pullback import emit_c
    try:
        LAM = 3.0
        lib = emit_c(reg, 1.0).compile()
        value, grads = lib(1.0)
        assert value == pytest.approx(3.0) and np.allclose(grads, 6.0)
    finally:
        LAM = 0.1


GX = np.ones((8, 2))


def eye_of_global_len(t):
    # len(GX) and GX.shape fold to the guarded shape: Numba needs np.eye's size static
    return np.sum(t[0] * np.eye(len(GX))) + np.sum(GX) * t[1] + t[0] * GX.shape[1]


@pytest.mark.parametrize("backend", BACKENDS)
def test_len_of_a_global_array_is_its_guarded_shape(backend):
    global GX
    g = pullback.grad(eye_of_global_len, backend=backend)
    t = np.array([1.0, 0.5])
    for shape in ((8, 2), (3, 5), (8, 2)):
        GX = np.arange(float(np.prod(shape))).reshape(shape)
        want = jax.grad(lambda t: jnp.sum(t[0] * jnp.eye(len(GX))) + jnp.sum(GX) * t[1]
                        + t[0] * GX.shape[1])(t)
        np.testing.assert_allclose(g(t), np.asarray(want), rtol=1e-12)


result = np.array([1, 2])       # a global index array named like a generated local


def index_tuple_of_a_global(x):
    return np.sum(x[result, 0] ** 2)


@pytest.mark.parametrize("backend", ["python"])      # (Numba: x[I, 0] is rejected at the line)
def test_a_global_inside_an_index_tuple_is_renamed_where_its_name_is_taken(backend):
    """``x[I, 0]`` keeps ``I`` inside a constant index tuple, where the renaming of a
    global whose name the derivative also uses did not look: 'result' was read as the
    generated local (an UnboundLocalError; after an assignment it would be its value)."""
    x = np.arange(6.0).reshape(3, 2) + 1
    value, g = pullback.value_and_grad(index_tuple_of_a_global, backend=backend)(x)
    fj = lambda x: jnp.sum(x[jnp.array(result), 0] ** 2)   # noqa: E731
    assert value == pytest.approx(float(fj(x)), rel=1e-12)
    np.testing.assert_allclose(g, np.asarray(jax.grad(fj)(x)), rtol=1e-12)
    np.testing.assert_allclose(g, fd(index_tuple_of_a_global, x), rtol=1e-6, atol=1e-8)


_WN = np.array([1.0, 2.0, 3.0])


def _reads_wn(x):
    return np.sum(_WN * x ** 2)


def test_a_global_array_is_printed_under_its_own_name():
    """docs/edges.md: a global array keeps its name unless the module uses it otherwise;
    every extern had clashed with its own read and was printed ``_WN_g``."""
    g = pullback.grad(_reads_wn)
    assert np.allclose(g(np.ones(3)), 2 * _WN)
    src = str(pullback.source(g))
    assert "WN" in src and "WN_g" not in src      # (a leading underscore is dropped)
