"""The same generated source on CuPy arrays (GPU), when CuPy and a GPU are present (issue 19).

Skipped cleanly otherwise.  The programs and the JAX oracle are test_foreign_arrays'; the
derivative printed for CuPy arrays is the one printed for the ``Strict`` arrays there (one
text for every foreign library: only the cache entry differs), and its gradients stay on
the device until compared.
"""
import numpy as np
import pytest

cupy = pytest.importorskip("cupy")
try:
    if cupy.cuda.runtime.getDeviceCount() < 1:
        pytest.skip("CuPy without a GPU", allow_module_level=True)
except Exception as e:     # no driver, no device
    pytest.skip(f"CuPy without a usable GPU: {type(e).__name__}", allow_module_level=True)

import jax                                          # noqa: E402
import jax.numpy as jnp                             # noqa: E402

import pullback                                     # noqa: E402
from strict_arrays import Strict                    # noqa: E402
from test_foreign_arrays import VECTORISED, _case, jax_twin   # noqa: E402

jax.config.update("jax_enable_x64", True)


@pytest.mark.parametrize("name", VECTORISED + ["row_loop"])
def test_gradients_on_the_gpu(name):
    f, args, nums = _case(name)
    g = pullback.grad(f, argnums=nums)
    got = g(*[cupy.asarray(a) if isinstance(a, np.ndarray) else a for a in args])
    cupy_source = g.source()
    g(*[Strict(a.copy()) if isinstance(a, np.ndarray) else a for a in args])
    assert g.source() == cupy_source        # one generated text for every foreign library
    want = jax.grad(jax_twin(f), argnums=nums)(*[jnp.asarray(a) if isinstance(a, np.ndarray)
                                                  else a for a in args])
    for i, gi, ref in zip(nums, got, want):
        if isinstance(args[i], np.ndarray):
            assert isinstance(gi, cupy.ndarray)
        np.testing.assert_allclose(cupy.asnumpy(gi), np.asarray(ref), rtol=1e-10, atol=1e-12)
