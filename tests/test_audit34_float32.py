"""Audit 34t: float32 numbers as NumPy 2 computes them (NEP 50) on every backend.

Numba compared an np.float32 with a Python float in float64, floor-divided a 0-d array
as floor(a / b), and summed float32 arrays one by one; math.* of an np.float32 stayed
float32 (Python's is a float); np.nan_to_num put float64's max (inf in float32) for inf;
emit_c printed constants float32 cannot hold and refused np.float32 examples.  Oracles:
``f``'s own run under NumPy for values and dtypes, JAX (float32) or central differences
for derivatives; never pullback's output."""
import math
import shutil

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import pullback as pb

jax.config.update("jax_enable_x64", True)
BACKENDS = ("python", "numba")
needs_cc = pytest.mark.skipif(shutil.which("cc") is None, reason="needs a C compiler (cc)")
f32 = np.float32


def same(got, want):
    """Equal value and dtype (a NumPy number's type, or an array's dtype)."""
    assert np.asarray(got).dtype == np.asarray(want).dtype, (got, want)
    assert np.array_equal(np.asarray(got), np.asarray(want)), (got, want)


def central(f, x, h=1e-3):
    return (f(np.float64(x) + h) - f(np.float64(x) - h)) / (2 * h)


# -- comparisons with a Python float are float32 comparisons -----------------------------------
def branch(x):
    return x * 2.0 if x > 0.1 else x * 3.0


def equal_branch(x):
    if x == 0.1:
        return x * 5.0
    return x


def scaled_compare(x):
    return x * 2.0 if x * 3.0 > 0.3 else x


def tie_max(x):
    return max(x, 0.1) * 3.0


def tie_maximum(x):
    return np.maximum(x, 0.1) * 3.0


def floordiv(x):
    return (x // 0.1) * x


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("f, x, grad", [
    (branch, f32(0.1), 3.0),            # np.float32(0.1) > 0.1 is False in NumPy 2
    (equal_branch, f32(0.1), 5.0),      # numba: "Cannot unify float32 and array(float32, 0d)"
    (scaled_compare, f32(0.1), 1.0),
    (tie_max, f32(0.1), 1.5),           # a tie in float32: edges.md's half
    (tie_maximum, f32(0.1), 1.5),
    (floordiv, f32(1.0), 9.0),          # NumPy's float32 1.0 // 0.1 is 9 (numba gave 10)
    (floordiv, f32(0.7), 6.0),
    (floordiv, f32(-0.3), -4.0),
])
def test_float32_scalar_compared_in_float32(backend, f, x, grad):
    value, g = pb.value_and_grad(f, backend=backend)(x)
    same(value, f(x))
    same(g, f32(grad))


@pytest.mark.parametrize("backend", BACKENDS)
def test_float32_scalar_compared_in_float32_forward(backend):
    value, tangent = pb.jvp(branch, (f32(0.1),), (f32(1.0),), backend=backend)
    same(value, branch(f32(0.1)))
    assert tangent == 3.0


def where_mask(x):
    return np.sum(np.where(x > 0.1, x * 2.0, x * 3.0))


def maximum_tie(x):
    return np.sum(np.maximum(x, 0.1) * 3.0)


def clip_ties(x):
    return np.sum(np.clip(x, 0.1, 0.2))


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("f, x", [
    (where_mask, [0.1, 0.3]), (maximum_tie, [0.1, 0.3]), (clip_ties, [0.1, 0.2])])
def test_float32_array_compared_in_float32(backend, f, x):
    x = np.array(x, dtype=np.float32)
    value, g = pb.value_and_grad(f, backend=backend)(x)
    same(value, f(x))
    xj = jnp.asarray(x, dtype=jnp.float32)       # JAX float32: x[0] is a tie (or not > 0.1)
    want = {where_mask: lambda v: jnp.sum(jnp.where(v > 0.1, v * 2.0, v * 3.0)),
            maximum_tie: lambda v: jnp.sum(jnp.maximum(v, 0.1) * 3.0),
            clip_ties: lambda v: jnp.sum(jnp.clip(v, 0.1, 0.2))}[f]
    assert g.dtype == np.float32
    assert np.allclose(g, jax.grad(want)(xj))


# -- math.* of an np.float32 is a Python float ------------------------------------------------
def math_exp(x):
    return math.exp(x) - 1.0


def math_exp_big(x):
    return math.exp(x) * 0.5


def math_sqrt(x):
    return math.sqrt(x) - 1.0


def math_two(x):
    return math.hypot(x, 1e-5) + math.atan2(x, 1.0)


def math_pow(x):
    return math.pow(x, 2.0) * 1e-9


def as_float(x):
    return float(x) * 0.1 - 0.1


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("f, x", [(math_exp, f32(1e-5)), (math_exp_big, f32(89.0)),
                                  (math_sqrt, f32(1.00001)), (math_two, f32(1.00001)),
                                  (math_pow, f32(1.00001)), (as_float, f32(1.00001))])
def test_math_of_float32_is_a_float(backend, f, x):
    """math.exp(np.float32(89.0)) * 0.5 is 2.2e38 (a float), was inf (float32 work)."""
    value, g = pb.value_and_grad(f, backend=backend)(x)
    want = f(x)
    assert type(value) is float and value == pytest.approx(want, rel=1e-15), (value, want)
    assert type(g) is np.float32
    assert float(g) == pytest.approx(central(f, x), rel=1e-5)


@pytest.mark.parametrize("backend", BACKENDS)
def test_math_of_float32_forward(backend):
    value, tangent = pb.jvp(math_exp_big, (f32(89.0),), (f32(1.0),), backend=backend)
    assert value == pytest.approx(math_exp_big(f32(89.0)), rel=1e-15)
    assert np.isfinite(tangent) and float(tangent) == pytest.approx(2.2448064e38, rel=1e-6)


# -- np.nan_to_num replaces inf by the largest float32 ----------------------------------------
def to_num(x):
    return np.sum(np.nan_to_num(x) * 1e-30)


@pytest.mark.parametrize("backend", BACKENDS)
def test_nan_to_num_of_float32_uses_float32_max(backend):
    x = np.array([np.inf, -np.inf, np.nan, 1.0], dtype=np.float32)
    value, g = pb.value_and_grad(to_num, backend=backend)(x)
    same(value, to_num(x))                          # 1e-30, was nan (inf - inf)
    same(g, np.array([0, 0, 0, 1e-30], dtype=np.float32))
    x64 = x.astype(np.float64)                      # float64 keeps float64's max
    assert pb.value_and_grad(to_num, backend=backend)(x64)[0] == to_num(x64)


# -- numba float32 sums in NumPy's order ------------------------------------------------------
def squared_total(x):
    return np.sum(x) ** 2 * 1e-10


def spread(x):
    return np.std(x)


def sum_squares(x):
    return np.sum(x * x) + np.mean(x)


def norm(x):
    return np.linalg.norm(x)


def rows(x):
    return np.sum(np.sum(x, axis=-1) ** 2) + np.sum(np.var(x, axis=-1, ddof=1))


def columns(x):
    return np.sum(np.sum(x, axis=0) * 1.5)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("f, shape", [(squared_total, (10 ** 6,)), (spread, (10 ** 6,)),
                                      (sum_squares, (10 ** 6,)), (norm, (10 ** 6,)),
                                      (rows, (300, 517)), (columns, (10 ** 5, 2))])
def test_float32_sums_are_numpys(backend, f, shape):
    """10**6 entries of 0.1 summed one by one in float32 were 1% off NumPy's pairwise sum
    (np.std of a constant array 9.6e-4, not 7e-9); X.sum(axis=0) adds row by row in
    NumPy, in float32."""
    x = np.full(shape, 0.1, dtype=np.float32)
    if f is rows:
        x = (np.random.default_rng(3).standard_normal(shape) * 10).astype(np.float32)
    value, g = pb.value_and_grad(f, backend=backend)(x)
    same(value, f(x))
    if f is squared_total:
        assert np.all(g == f32(2 * np.sum(x) * 1e-10))


@pytest.mark.parametrize("n", [1, 7, 8, 9, 127, 128, 129, 1000, 4097, 100_003])
def test_numba_float32_sum_matches_numpy_bit_for_bit(n):
    x = (np.random.default_rng(n).standard_normal(n) * 1000 + 0.1).astype(np.float32)
    value, _ = pb.value_and_grad(squared_total, backend="numba")(x)
    same(value, squared_total(x))


# -- emit_c in float32 ------------------------------------------------------------------------
def tiny(x):
    return x * 1e-30 * 1e-30


def tiny1(x):
    return x * 1e-50 + x * 1e-42


@needs_cc
@pytest.mark.parametrize("f", [tiny, tiny1])
def test_c_float32_constants_are_floats(f):
    """1e-50 in float32 is 0: printed 1e-50f, which cc -Werror refused."""
    value, g = pb.emit_c(f, 1e-10, dtype="float32").compile()(1e-10)
    want_v, want_g = pb.value_and_grad(f)(f32(1e-10))     # NumPy's float32 numbers
    assert value == float(f(f32(1e-10))) == float(want_v)
    assert g == pytest.approx(float(want_g), rel=1e-6, abs=0)


def rounded(x):
    return np.sum((x + 1.0) - x)


def masked(x):
    return np.sum(np.where(x > 0.1, x * 2.0, x * 3.0))


@needs_cc
@pytest.mark.parametrize("f", [rounded, masked])
def test_c_takes_float32_examples(f):
    """An np.float32 example: emit_c said "requires f to return a scalar"."""
    x = np.array([2.0 ** 24, 0.1], dtype=np.float32)
    value, g = pb.emit_c(f, x).compile()(x)          # float32 C by default, as NumPy's
    want_v, want_g = pb.value_and_grad(f)(x)
    assert value == float(f(x)) == float(want_v)
    assert np.array_equal(g, want_g)
    value, g = pb.emit_c(math_exp, f32(1e-5), dtype="float64").compile()(1e-5)
    assert value == pytest.approx(math_exp(1e-5), rel=1e-12)
