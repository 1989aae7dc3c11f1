"""Audit 33's dtype findings, each now NumPy's value with JAX's derivative (x64) or a
rejection naming the user's line: ``np.array([...], dtype=...)`` of run-time values
honours its dtype (an int or bool cast cuts the derivative, float32 rounds); np.max
and np.min propagate NaN on every backend; an integer array is never differentiated
(a TypeError naming it, as in JAX)."""
import warnings

import numpy as np
import pytest

import pullback
from c_driver import CC
from jax_fd import fd_grad
from pullback.errors import UnsupportedError

jax = pytest.importorskip("jax")
jnp = jax.numpy
jax.config.update("jax_enable_x64", True)

X = np.array([0.3, 1.7, -2.2])


# -- np.array / np.asarray of a list with dtype= ------------------------------------------
def list_int(x):
    return np.sum(np.array([x[0], x[1]], dtype=int) * x[:2])


def list_int_jax(x):
    return jnp.sum(jnp.array([x[0], x[1]], dtype=int) * x[:2])


def list_bool(x):
    return np.sum(np.array([x[0], 0.0, x[2]], dtype=bool) * x)


def list_bool_jax(x):
    return jnp.sum(jnp.array([x[0], 0.0, x[2]], dtype=bool) * x)


def list_float32(x):
    return np.asarray([x[0], x[1]], np.float32)[0] + x[1]


def list_float32_jax(x):
    return jnp.asarray([x[0], x[1]], jnp.float32)[0] + x[1]


def list_positional_int(x):
    return np.sum(np.asarray([x[0] * 2.0, x[2]], int) * x[1])


def list_positional_int_jax(x):
    return jnp.sum(jnp.asarray([x[0] * 2.0, x[2]], int) * x[1])


@pytest.mark.parametrize("backend", ["python", "numba"])
@pytest.mark.parametrize("f, f_jax", [(list_int, list_int_jax), (list_bool, list_bool_jax),
                                      (list_float32, list_float32_jax),
                                      (list_positional_int, list_positional_int_jax)],
                         ids=["int", "bool", "float32", "positional"])
def test_array_of_a_list_honours_dtype(f, f_jax, backend):
    x = np.array([0.3, 1.7 + 1e-9, -2.2])
    value, g = pullback.value_and_grad(f, backend=backend)(x)
    assert value == pytest.approx(float(f(x)), rel=1e-15, abs=0)     # float32 rounds
    assert np.allclose(g, jax.grad(f_jax)(x), rtol=1e-6, atol=1e-12)
    coarse = f is list_float32                  # differences of float32-rounded values
    assert np.allclose(g, fd_grad(f, (x,), 0, h=1e-3 if coarse else 1e-6),
                       rtol=1e-3 if coarse else 1e-5, atol=1e-7)


@pytest.mark.parametrize("backend", ["python", "numba"])
def test_array_of_a_list_int_forward(backend):
    def f(x):
        return np.array([x[0], x[1]], dtype=int) * x[:2]
    want = jax.jacfwd(lambda x: jnp.array([x[0], x[1]], dtype=int) * x[:2])(X)
    primal, tangent = pullback.jvp(f, (X,), (np.ones(3),), backend=backend)
    assert np.allclose(primal, f(X)) and np.allclose(tangent, want @ np.ones(3))
    assert np.allclose(pullback.jacobian(f, backend=backend)(X), want)
    assert np.allclose(pullback.jacobian(f, mode="forward", backend=backend)(X), want)


@pytest.mark.skipif(CC is None, reason="needs a C compiler (cc)")
def test_array_of_a_list_with_dtype_in_c_is_located():
    with pytest.raises(UnsupportedError, match=r"test_audit33_dtypes.py:\d+"):
        pullback.emit_c(list_int, X).compile()


# -- np.max / np.min propagate NaN (Numba's per-axis reduction skipped it) ---------------
NAN_CASES = {
    "max": (lambda x: np.max(x), lambda x: jnp.max(x), [np.nan, 1.0]),
    "min": (lambda x: np.min(x), lambda x: jnp.min(x), [np.nan, 1.0]),
    "max_axis0": (lambda x: np.sum(np.max(x.reshape(2, 2), axis=0)),
                  lambda x: jnp.sum(jnp.max(x.reshape(2, 2), axis=0)), [np.nan, 1.0, 2.0, 3.0]),
    "min_axis1": (lambda x: np.sum(np.min(x.reshape(2, 2), axis=1)),
                  lambda x: jnp.sum(jnp.min(x.reshape(2, 2), axis=1)), [1.0, 3.0, np.nan, 2.0]),
    "methods": (lambda x: x.max() + x.min(), lambda x: x.max() + x.min(), [1.0, 3.0, np.nan, 2.0]),
}


@pytest.mark.parametrize("backend", ["python", "numba", "c"])
@pytest.mark.parametrize("case", sorted(NAN_CASES))
def test_max_min_propagate_nan(case, backend):
    f, f_jax, x = NAN_CASES[case]
    x = np.array(x)
    if backend == "c":
        if CC is None:
            pytest.skip("needs a C compiler (cc)")
        value, g = pullback.emit_c(f, x).compile()(x)
    else:
        value, g = pullback.value_and_grad(f, backend=backend)(x)
    assert np.isnan(value) and np.isnan(f(x))
    assert np.allclose(g, jax.grad(f_jax)(x), equal_nan=True)


# -- an integer array at a differentiated position is refused, as jax.grad refuses it ----
def sum_squares(x):
    return np.sum(x * x)


def squares(x):
    return x * x


ENTRIES = {
    "grad": lambda x, be: pullback.grad(sum_squares, backend=be)(x),
    "value_and_grad": lambda x, be: pullback.value_and_grad(sum_squares, backend=be)(x),
    "jacobian": lambda x, be: pullback.jacobian(squares, backend=be)(x),
    "jacobian_forward": lambda x, be: pullback.jacobian(squares, mode="forward", backend=be)(x),
    "hessian": lambda x, be: pullback.hessian(sum_squares, backend=be)(x),
    "jvp": lambda x, be: pullback.jvp(squares, (x,), (np.ones(2),), backend=be),
}


@pytest.mark.parametrize("backend", ["python", "numba"])
@pytest.mark.parametrize("entry", sorted(ENTRIES))
@pytest.mark.parametrize("dtype", [np.uint8, np.int32, np.int64, np.bool_])
def test_integer_array_argument_is_refused(dtype, entry, backend):
    x = np.array([200, 3]).astype(dtype)
    with pytest.raises(TypeError, match="argument 0"):
        ENTRIES[entry](x, backend)
    with pytest.raises(TypeError):
        jax.grad(lambda x: jnp.sum(x * x))(jnp.asarray(x))      # JAX refuses it too


def test_integer_array_message_says_what_to_pass():
    with pytest.raises(TypeError, match=r"array of uint8.*astype\(float\)"):
        pullback.grad(sum_squares)(np.array([200, 3], dtype=np.uint8))


@pytest.mark.parametrize("backend", ["python", "numba"])
def test_int_scalar_and_undifferentiated_int_array_still_work(backend):
    assert pullback.grad(lambda s: s * s, backend=backend)(3) == 6.0    # docs/edges.md
    x, n = np.array([0.5, -1.0]), np.array([2, 3])
    g = pullback.grad(lambda x, n: np.sum(x * n), backend=backend)(x, n)
    assert np.allclose(g, [2.0, 3.0])


# -- emit_c refuses an int32 example array where it is given, not at the call -------------
@pytest.mark.skipif(CC is None, reason="needs a C compiler (cc)")
def test_emit_c_refuses_an_int32_array_at_emit_time():
    def f(x, i):
        return np.sum(i * x)
    i = np.array([1, 2, 3], dtype=np.int32)
    with pytest.raises(TypeError, match=r"argument 1 of f is an array of int32.*int64"):
        pullback.emit_c(f, X, i)
    value, g = pullback.emit_c(f, X, i.astype(np.int64)).compile()(X, i.astype(np.int64))
    assert value == pytest.approx(f(X, i)) and np.allclose(g, jax.grad(
        lambda x: jnp.sum(jnp.asarray(i) * x))(X))


# -- a complex output in forward mode keeps its imaginary part (JAX's jvp); jacrev refuses it
B = np.array([1 + 2j, -0.5 + 0.1j])
COMPLEX_OUT = {
    "mul": (lambda x: x * B, lambda x: x * B),
    "sqrt": (lambda x: np.sqrt(x * B), lambda x: jnp.sqrt(x * B)),
    "conj": (lambda x: np.conj(x * B) * B, lambda x: jnp.conj(x * B) * B),
    "fft": (lambda x: np.fft.fft(x * x), lambda x: jnp.fft.fft(x * x)),
}


@pytest.mark.parametrize("case", sorted(COMPLEX_OUT))
def test_complex_output_forward_mode(case):
    f, f_jax = COMPLEX_OUT[case]
    x, t = np.array([0.3, 1.7]), np.array([0.7, -1.3])
    with warnings.catch_warnings():
        warnings.simplefilter("error")              # NumPy's ComplexWarning: a dropped part
        primal, tangent = pullback.jvp(f, (x,), (t,))
        jac = pullback.jacobian(f, mode="forward")(x)
    want_primal, want_tangent = jax.jvp(f_jax, (x,), (t,))
    assert np.allclose(primal, f(x)) and np.iscomplexobj(primal)
    assert np.allclose(tangent, want_tangent) and np.iscomplexobj(tangent)
    assert np.allclose(jac, jax.jacfwd(f_jax)(x))
    with pytest.raises(TypeError, match=r"complex output.*mode='forward'"):
        pullback.jacobian(f)(x)
    with pytest.raises(TypeError):
        jax.jacrev(f_jax)(x)                        # JAX refuses it too


def test_complex_output_of_a_real_valued_chain_is_unchanged():
    def f(x):
        return np.abs(x * B + 1.0)
    x = np.array([0.3, 1.7])
    assert np.allclose(pullback.jacobian(f)(x),
                       jax.jacrev(lambda x: jnp.abs(x * B + 1.0))(x))
