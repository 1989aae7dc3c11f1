"""``pullback.defvjp(lib_fn, *makers)`` (autograd's form): code that calls a library
function directly differentiates through the user's rule, in every mode.  The oracle
for the Bessel function K_v is SciPy's own ``kvp`` and central differences (JAX has no
K_v).  Each test removes its rule again, so no other test sees it."""
import numpy as np
import pytest
import scipy.special
from scipy.special import kv

import pullback
from pullback.errors import UnsupportedError
from pullback.rules.registry import LIBRARY_RULES


def close(a, b, rtol=1e-9, atol=1e-11):
    np.testing.assert_allclose(np.asarray(a, float), np.asarray(b, float), rtol=rtol, atol=atol)


@pytest.fixture
def kv_rule():
    old = LIBRARY_RULES.get(kv)
    pullback.defvjp(scipy.special.kv, None,
                    lambda ans, v, z: lambda g: -g * (kv(v - 1, z) + kv(v + 1, z)) / 2)
    yield
    LIBRARY_RULES.pop(kv)
    if old is not None:
        LIBRARY_RULES[kv] = old


def bessel_loss(z):
    return kv(1.5, z * z) * z


def bessel_loss_grad(z):      # by hand, with SciPy's derivative of K_v
    return scipy.special.kvp(1.5, z * z) * 2 * z * z + kv(1.5, z * z)


def test_grad_and_jvp(kv_rule):
    close(pullback.grad(bessel_loss)(1.3), bessel_loss_grad(1.3))
    close(pullback.jvp(bessel_loss, (1.3,), (2.0,))[1], 2.0 * bessel_loss_grad(1.3))
    h = 1e-6
    close(pullback.grad(bessel_loss)(1.3),
          (bessel_loss(1.3 + h) - bessel_loss(1.3 - h)) / (2 * h), rtol=1e-7)


def test_hessian_differentiates_the_rule(kv_rule):
    h = 1e-5
    fd = (bessel_loss_grad(1.3 + h) - bessel_loss_grad(1.3 - h)) / (2 * h)
    close(pullback.hessian(bessel_loss)(1.3), fd, rtol=1e-7)


def test_arrays(kv_rule):
    def f(z):
        return np.sum(scipy.special.kv(0.5, z) * z)
    z = np.array([0.5, 1.0, 2.0])
    close(pullback.grad(f)(z), scipy.special.kvp(0.5, z) * z + kv(0.5, z))


def test_generated_code_calls_the_library(kv_rule):
    text = pullback.source(pullback.grad(bessel_loss))
    assert "scipy.special.kv(x0, x1)" in text and "import scipy.special" in text


def test_numba_says_why(kv_rule):
    pytest.importorskip("numba")
    with pytest.raises(UnsupportedError, match="numba backend has no scipy.special.kv"):
        pullback.grad(bessel_loss, backend="numba")(1.3)
