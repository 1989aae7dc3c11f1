"""NumPy forms that outside code uses (issue 13), beyond the python backend's rule table.

The rule table (``numpy_expansion_table.py``, ``numpy_rule_table_arrays.py``) checks
each form on the python backend against JAX and finite differences.  Here each form
runs on the Numba backend too (against JAX, the oracle), and C either emits it or
rejects it naming the user's line and construct, never a wrong number.
"""
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import pullback

jax.config.update("jax_enable_x64", True)

A = np.array([1.0, 2.0, 3.0])
B = np.array([0.5, -1.0])


def grid(a, b):
    X, Y = np.meshgrid(a, b)
    Z = np.meshgrid(a, b, indexing="ij", sparse=True)[1]
    return np.sum(X * Y ** 2 + X * Z.T)


def grid_jax(a, b):
    X, Y = jnp.meshgrid(a, b)
    Z = jnp.meshgrid(a, b, indexing="ij", sparse=True)[1]
    return jnp.sum(X * Y ** 2 + X * Z.T)


def rows(x):
    return np.sum(np.vstack(x).T * np.hstack(x)[None, :3]) + \
        np.sum(np.concatenate(x, axis=None) ** 2)


def rows_jax(x):
    return jnp.sum(jnp.vstack(x).T * jnp.hstack(x)[None, :3]) + \
        jnp.sum(jnp.concatenate(x, axis=None) ** 2)


def listed(x):      # a list made at run time: its length is not in its type (no Numba)
    return np.sum(np.vstack([np.sin(r) for r in x]).T * np.column_stack([r for r in x]))


def listed_jax(x):
    return jnp.sum(jnp.vstack([jnp.sin(r) for r in x]).T * jnp.column_stack([r for r in x]))


X = np.array([[1.0, 2.0], [0.5, -1.0], [3.0, 0.2]])
M = np.arange(12.0).reshape(3, 4) / 10.0


def keywords(x):
    return np.trace(x, offset=1) + np.sum(np.pad(x, 1, constant_values=0.5) ** 2) + \
        np.trace(x) * np.sum(np.diagonal(x, offset=-1))


def keywords_jax(x):
    return jnp.trace(x, offset=1) + jnp.sum(jnp.pad(x, 1, constant_values=0.5) ** 2) + \
        jnp.trace(x) * jnp.sum(jnp.diagonal(x, offset=-1))


def shifted(x):
    return np.sum(np.fft.fftshift(x) * x) + np.sum(np.fft.ifftshift(x, axes=1) ** 3)


def shifted_jax(x):
    return jnp.sum(jnp.fft.fftshift(x) * x) + jnp.sum(jnp.fft.ifftshift(x, axes=1) ** 3)


# (id, f, JAX twin, arguments, whether C emits it, backends): differentiated in every argument
CASES = [
    ("meshgrid", grid, grid_jax, (A, B), False, ("python", "numba")),
    ("rows", rows, rows_jax, (X,), False, ("python",)),     # Numba: no np.stack of an array
    ("listed", listed, listed_jax, (X,), False, ("python",)),
    # (Numba: offsets 1 and -1 once shared one twin, a wrong value and gradient)
    ("keywords", keywords, keywords_jax, (M,), False, ("python", "numba")),
    ("shifted", shifted, shifted_jax, (M,), False, ("python",)),   # Numba: no np.roll(axis=)
]
GRADS = [(c[0] + "-" + b, c, b) for c in CASES for b in c[5]]


@pytest.mark.parametrize("case,backend", [g[1:] for g in GRADS], ids=[g[0] for g in GRADS])
def test_grad(case, backend):
    if backend == "numba":
        pytest.importorskip("numba")
    _, f, jf, args, _, _ = case
    nums = tuple(range(len(args)))
    got = pullback.grad(f, argnums=nums, backend=backend)(*args)
    want = jax.grad(jf, argnums=nums)(*args)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("case", [c for c in CASES if not c[4]], ids=[c[0] for c in CASES
                                                                       if not c[4]])
def test_c_rejects_at_the_users_line(case):
    from pullback.emit_c import emit_c
    _, f, _, args, _, _ = case
    with pytest.raises(pullback.errors.UnsupportedError) as info:
        emit_c(f, *args)
    assert "test_numpy_forms.py:" in str(info.value)


def joined_lists(x):
    return np.sum(np.stack([r * 2.0 for r in x] + [r for r in x]))


def test_python_operator_on_run_time_lists_is_rejected():
    """``L1 + L2`` joins two lists in Python; NumPy's elementwise rule would be wrong."""
    with pytest.raises(pullback.errors.TransformError) as info:
        pullback.grad(joined_lists)(np.ones((3, 2)))
    assert "test_numpy_forms.py:" in str(info.value) and "'+' on a list" in str(info.value)


def test_nan_to_num_at_nan_and_infinities():
    """The replaced values are NumPy's; the derivative is 1 at the finite values, 0 elsewhere
    (finite differences cannot be taken there)."""
    x = np.array([1.0, np.nan, np.inf, -np.inf, 2.0])

    def f(x):
        return np.sum(np.nan_to_num(x, posinf=5.0, neginf=-7.0) * np.arange(5.0))
    value, g = pullback.value_and_grad(f)(x)
    assert value == f(x)
    np.testing.assert_array_equal(g, [0.0, 0.0, 0.0, 0.0, 4.0])


SUBSCRIPTS = ((Ellipsis, 0, 1), (Ellipsis, 1, 2), (Ellipsis, 0, 2))
LAST = (Ellipsis, 1)


def ellipsis_globals(a, b):
    return np.sum(np.einsum(a, SUBSCRIPTS[0], b, SUBSCRIPTS[1], SUBSCRIPTS[2]) ** 2) + \
        np.sum(a[LAST] ** 3)


def ellipsis_globals_jax(a, b):
    return jnp.sum(jnp.einsum(a, SUBSCRIPTS[0], b, SUBSCRIPTS[1], SUBSCRIPTS[2]) ** 2) + \
        jnp.sum(a[LAST] ** 3)


def test_ellipsis_in_a_global():
    """``Ellipsis`` read from a global (einsum's list form, an index) is the constant."""
    rng = np.random.default_rng(3)
    a, b = rng.normal(size=(2, 2, 3)), rng.normal(size=(2, 3, 4))
    got = pullback.grad(ellipsis_globals, argnums=(0, 1))(a, b)
    want = jax.grad(ellipsis_globals_jax, argnums=(0, 1))(a, b)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-12, atol=1e-12)
