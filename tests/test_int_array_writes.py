"""A float written into an integer array: NumPy keeps the array's dtype and truncates
the value, so no derivative flows through the write.  pullback typed the write as a
float array and differentiated through it (audit, issue 11: 'a = np.array([1, 2, 3]);
a[0] = x; np.sum(a * x)' gave 7.3 where central differences give 6.0); it is now
rejected at the write's line.  Writes that keep the dtype are checked against JAX and
central differences.
"""
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import pullback
from pullback.errors import TransformError

jax.config.update("jax_enable_x64", True)
HERE = __file__


def float_into_ints(x):
    a = np.array([1, 2, 3])
    a[0] = x                    # write
    return np.sum(a * x)


@pytest.mark.parametrize("mode", ["grad", "jvp"])
def test_a_float_written_into_an_int_array_is_rejected_at_the_write(mode):
    with pytest.raises(TransformError, match="truncates") as e:
        if mode == "grad":
            pullback.grad(float_into_ints)(1.3)
        else:
            pullback.jvp(float_into_ints, (1.3,), (1.0,))
    assert e.value.filename == HERE and "# write" in open(HERE).readlines()[e.value.line - 1]


def ints_into_ints(x):
    a = np.array([1, 2, 3])
    a[0] = 5
    return np.sum(a * x)


def float_into_floats(x):
    a = np.array([1.0, 2, 3])
    a[0] = x
    return np.sum(a * x)


def float_into_floats_jax(x):
    return jnp.sum(jnp.array([1.0, 2, 3]).at[0].set(x) * x)


@pytest.mark.parametrize("f, jf", [(ints_into_ints, ints_into_ints),
                                   (float_into_floats, float_into_floats_jax)])
def test_writes_that_keep_the_dtype_agree_with_jax_and_differences(f, jf):
    x, h = 1.3, 1e-6
    v, g = pullback.value_and_grad(f)(x)
    assert np.isclose(v, f(x))
    assert np.isclose(g, float(jax.grad(jf)(x)), rtol=1e-12)
    assert np.isclose(g, (f(x + h) - f(x - h)) / (2 * h), rtol=1e-6)
