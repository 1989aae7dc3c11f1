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


# (id, f, JAX twin, arguments, whether C emits it): differentiated in every argument
CASES = [
    ("meshgrid", grid, grid_jax, (A, B), False),
]


@pytest.mark.parametrize("backend", ["python", "numba"])
@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_grad(case, backend):
    if backend == "numba":
        pytest.importorskip("numba")
    _, f, jf, args, _ = case
    nums = tuple(range(len(args)))
    got = pullback.grad(f, argnums=nums, backend=backend)(*args)
    want = jax.grad(jf, argnums=nums)(*args)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("case", [c for c in CASES if not c[4]], ids=[c[0] for c in CASES
                                                                       if not c[4]])
def test_c_rejects_at_the_users_line(case):
    from pullback.emit_c import emit_c
    _, f, _, args, _ = case
    with pytest.raises(pullback.errors.UnsupportedError) as info:
        emit_c(f, *args)
    assert "test_numpy_forms.py:" in str(info.value)
