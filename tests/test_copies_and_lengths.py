"""Found by the fuzzer's new constructs (dtype= keywords, per-layer rows): ``np.array(x)``
is a copy, as NumPy makes it, so a write to it is not a write to ``x`` (it was refused as
one); and an array stacked from a list of unknown length keeps the dimensions its type
knows, so ``min(t[n, k], 1.0)`` of one element types (it was refused as ambiguous), while
a dimension that only looks static at two stand-in lengths (``t[:2]`` of a list one long)
stays unknown.  Oracles: JAX and NumPy's own values."""
import shutil

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import pullback

jax.config.update("jax_enable_x64", True)
BACKENDS = ["python", "numba"]


def copied(x):
    z = x * 2.0
    y = np.array(z)
    y[0] = 5.0
    return np.sum(y * z)


def copied_jax(x):
    z = x * 2.0
    return jnp.sum(z.at[0].set(5.0) * z)


def cast(x):
    y = np.array(x[1:], dtype=float)
    y[0] = 1.0
    w = np.array(x, np.float64)
    w[2] = 0.0
    return np.sum(y * x[1:]) + np.sum(w * x)


def cast_jax(x):
    return jnp.sum(x[1:].at[0].set(1.0) * x[1:]) + jnp.sum(x.at[2].set(0.0) * x)


def truncated(x):
    y = np.array(x * 3.0, dtype=int)
    return np.sum(y * x)


def truncated_jax(x):
    return jnp.sum(jax.lax.stop_gradient(jnp.trunc(x * 3.0)) * x)


X = np.array([0.3, 0.5, 0.7])


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("f, twin", [(copied, copied_jax), (cast, cast_jax),
                                     (truncated, truncated_jax)])
def test_np_array_is_a_copy(f, twin, backend):
    value, grad = pullback.value_and_grad(f, backend=backend)(X.copy())
    want_v, want_g = jax.value_and_grad(twin)(X)
    assert value == pytest.approx(float(want_v), rel=1e-14)
    np.testing.assert_allclose(grad, want_g, rtol=1e-14)


def still_an_alias(x):
    z = x * 2.0
    y = np.asarray(z)
    y[0] = 5.0            # NumPy writes z too: refused, as before
    return np.sum(y * z)


def test_asarray_still_shares():
    with pytest.raises(pullback.UnsupportedError, match="shares its memory"):
        pullback.grad(still_an_alias)(X)


def stacked_min(x, s, n):
    rows = []
    for _ in range(3):
        rows.append(x * s)
    t = np.stack(rows)
    return min(t[n, (n + 1) % 3], 1.0) * s


def stacked_min_jax(x, s, n):
    t = jnp.stack([x * s] * 3)
    return jnp.minimum(t[n, (n + 1) % 3], 1.0) * s


def test_min_of_an_element_of_a_stacked_list():    # (numba: needs the list's length)
    got = pullback.value_and_grad(stacked_min, argnums=(0, 1))(X, 1.5, 1)
    want = jax.value_and_grad(stacked_min_jax, argnums=(0, 1))(X, 1.5, 1)
    assert got[0] == pytest.approx(float(want[0]), rel=1e-14)
    np.testing.assert_allclose(got[1][0], want[1][0], rtol=1e-14)
    assert got[1][1] == pytest.approx(float(want[1][1]), rel=1e-14)


def first_two(x, n):
    rows = []
    for i in range(n):
        rows.append(x * (i + 1.0))
    t = np.stack(rows)[:2]        # 2 long at stand-in lengths 2 and 3; 1 long for n = 1
    return np.sum(t * t) + np.sum(t[:, 1:] * x[:2])


def first_two_jax(x, n):
    t = jnp.stack([x * (i + 1.0) for i in range(n)])[:2]
    return jnp.sum(t * t) + jnp.sum(t[:, 1:] * x[:2])


@pytest.mark.parametrize("n", [1, 2, 3])
def test_a_slice_of_a_list_of_unknown_length(n):
    value, grad = pullback.value_and_grad(first_two)(X, n)
    want_v, want_g = jax.value_and_grad(first_two_jax)(X, n)
    assert value == pytest.approx(float(want_v), rel=1e-14)
    np.testing.assert_allclose(grad, want_g, rtol=1e-14)


def _cast_copy(x):
    return np.sum(np.array(x, dtype=np.float64) * x)


def cast_in_a_helper(x):
    return _cast_copy(x) + np.sum(x.astype(np.float64))


@pytest.mark.skipif(shutil.which("cc") is None, reason="needs a C compiler (cc)")
def test_c_cast_in_a_helper_compiles():
    """The helper's reverse loads x for astype's adjoint, which reads only its dtype: an
    unused variable C refused to compile (found by the fuzzer's outline variant)."""
    value, grad = pullback.emit_c(cast_in_a_helper, X).compile()(X)
    want_v, want_g = jax.value_and_grad(lambda x: jnp.sum(x * x) + jnp.sum(x))(X)
    assert value == pytest.approx(float(want_v), rel=1e-14)
    np.testing.assert_allclose(grad, want_g, rtol=1e-14)


def strided(x, n):
    rows = []
    for i in range(n):
        rows.append(x * (i + 1.0))
    t = np.stack(rows)[::3]      # 1 row long at every stand-in length 1, 2, 3; 2 at n = 4
    return np.sum(t) * len(t) + t.shape[0] + t.size + np.mean(t)


def strided_jax(x, n):
    t = jnp.stack([x * (i + 1.0) for i in range(n)])[::3]
    return jnp.sum(t) * len(t) + t.shape[0] + t.size + jnp.mean(t)


@pytest.mark.parametrize("n", [1, 3, 4, 7])
def test_a_stepped_slice_of_a_list_of_unknown_length(n):
    """Audit V: probing lengths cannot prove a slice's length (x[::3] is 1 long at lengths
    1 to 3): only an axis an int removes keeps the stand-ins' answer."""
    value, grad = pullback.value_and_grad(strided)(X, n)
    want_v, want_g = jax.value_and_grad(strided_jax)(X, n)
    assert value == pytest.approx(float(want_v), rel=1e-14)
    np.testing.assert_allclose(grad, want_g, rtol=1e-14)


def negative_root(x):
    s = float(x[0])
    return s ** 0.5


def test_a_float_of_an_element_to_a_fractional_power_raises():
    """Audit V: ``float(x[0]) ** 0.5`` of a negative entry is complex in Python; the python
    backend returned nan (the float() was dropped, the NumPy float's power is nan)."""
    with pytest.raises(ValueError, match="complex"):
        pullback.value_and_grad(negative_root)(np.array([-2.0, 1.0]))
