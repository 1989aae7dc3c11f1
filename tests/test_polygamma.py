"""The digamma/polygamma helper behind lgamma's and gamma's derivatives, over the whole
range of x: against SciPy, and lgamma of a huge argument differentiated without an
OverflowError (fuzz seed 9823277: x ** 16 overflowed in the asymptotic series)."""
import math

import jax
import numpy as np
import pytest
import scipy.special as sp

import pullback
from pullback.rules.helpers import polygamma

jax.config.update("jax_enable_x64", True)


@pytest.mark.parametrize("n", [0, 1, 2, 3])
@pytest.mark.parametrize("x", [0.3, 2.5, 11.0, 1e3, 1e40, 1e200, -2.5])
def test_polygamma_matches_scipy(n, x):
    assert polygamma(n, x) == pytest.approx(float(sp.polygamma(n, x)), rel=1e-13)


def huge(x):
    y = math.lgamma(1.0 + x ** 40)          # x ** 40 is about 1e40 at x = 10
    return math.log(y) * x


@pytest.mark.parametrize("backend", ["python", "numba"])
def test_lgamma_of_a_huge_argument(backend):
    want = jax.grad(lambda x: jax.numpy.log(jax.scipy.special.gammaln(1.0 + x ** 40)) * x)(10.0)
    assert pullback.grad(huge, backend=backend)(10.0) == pytest.approx(float(want), rel=1e-10)
