"""Audit 33: float32 values are computed as NumPy 2 computes them (NEP 50), on the python
and numba backends.  Oracles: NumPy's own call of ``f`` for values and dtypes, JAX
(float32, or x64) and central differences for derivatives; never pullback's output."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import pullback as pb

jax.config.update("jax_enable_x64", True)
BACKENDS = ("python", "numba")
BIG = np.float32(2 ** 24)       # 2**24 + 1 is not a float32: (x + 1) - x is 0 in float32


def same(got, want):
    """Equal value and dtype (a NumPy number's type, or an array's dtype)."""
    assert np.asarray(got).dtype == np.asarray(want).dtype, (got, want)
    assert np.array_equal(np.asarray(got), np.asarray(want)), (got, want)


def roundoff(x):
    return (x + 1.0) - x


def underflow(x):
    return x * x * 1e-30 * 1e-30


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("f, x", [(roundoff, BIG), (underflow, np.float32(1e-10))])
def test_float32_scalar_argument_is_computed_in_float32(backend, f, x):
    value, g = pb.value_and_grad(f, backend=backend)(x)
    same(value, f(x))               # np.float32(0.0): was 1.0 and 1e-80, float64 work
    assert type(g) is np.float32
    want = jax.grad(lambda t: f(t))(jnp.float32(x))
    assert np.allclose(g, want)


@pytest.mark.parametrize("backend", BACKENDS)
def test_float64_scalar_argument_still_a_float(backend):
    value, g = pb.value_and_grad(lambda x: x * x + 1.0, backend=backend)(np.float64(1.5))
    assert type(value) is float and value == 3.25 and g == 3.0


def k(x):
    return np.sum((x + 1.0) - x)


def q(x):
    return np.sum(np.pi * x - 3.1415927 * x)


def m(x):
    return np.sum(x * np.float64(0.1))


def p(x):
    return np.sum((x + np.float64(1.0)) - x)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("f, x", [(k, [2.0 ** 24]), (q, [1e4]), (m, [1.5, 2.5, 3.0]),
                                  (p, [2.0 ** 24, 2.0 ** 24 + 1])])
def test_float32_array_next_to_python_and_numpy_numbers(backend, f, x):
    """A Python float is weak (x32 + 1.0 is float32; Numba promoted it to float64), an
    np.float64 is strong (x32 * np.float64(0.1) is float64; the python backend folded it
    to a weak 0.1)."""
    x = np.array(x, dtype=np.float32)
    value, g = pb.value_and_grad(f, backend=backend)(x)
    same(value, f(x))
    assert g.dtype == np.float32


def cast32(x):
    return np.sum(np.float32(x) * x)


def cast32_scalar(x):
    return np.float32(x[0]) * 3.0


def cast64_scalar(x):
    return np.float64(x[0]) * x[1]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("f, jf", [
    (cast32, lambda x: jnp.sum(x.astype(jnp.float32) * x)),
    (cast32_scalar, lambda x: x[0].astype(jnp.float32) * 3.0),
    (cast64_scalar, lambda x: x[0] * x[1])])
def test_numpy_float_casts_are_differentiated(backend, f, jf):
    """np.float32(x) of an active value: a cast (was refused as 'no derivative rule')."""
    x = np.array([0.3, 1.7])
    value, g = pb.value_and_grad(f, backend=backend)(x)
    same(value, f(x))
    assert np.allclose(g, jax.grad(jf)(jnp.asarray(x)), rtol=1e-6)


def test_float32_of_constant_is_float32():
    x = np.array([0.3, 1.7])
    f = lambda x: np.sum(x * np.float32(0.1))        # noqa: E731
    value, g = pb.value_and_grad(f)(x)
    same(value, f(x))
    assert np.allclose(g, np.float64(np.float32(0.1)))


@pytest.mark.parametrize("backend", BACKENDS)
def test_jvp_of_float32_function_is_float32(backend):
    """Primal and tangent in float32, as NumPy's value and JAX's jvp (were float64)."""
    x = np.array([1.5, 2.5, 3.0], dtype=np.float32)
    prim, tan = pb.jvp(lambda x: x * 3.0 + 0.1, (x,), (np.ones(3, np.float32),),
                       backend=backend)
    same(prim, x * 3.0 + 0.1)
    jp, jt = jax.jvp(lambda x: x * 3.0 + 0.1, (jnp.asarray(x),), (jnp.ones(3, jnp.float32),))
    assert tan.dtype == jt.dtype == np.float32 and np.allclose(tan, jt)
