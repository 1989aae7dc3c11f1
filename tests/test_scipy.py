"""SciPy in differentiated code: where a derivative is unknown it is rejected at the
user's line (never a silent zero), and backends without SciPy say so.  The rules
themselves are checked row by row in ``test_numpy_rules.py`` (``scipy_rule_table.py``)."""
import numpy as np
import pytest
import scipy.special

import pullback
from pullback.errors import TransformError, UnsupportedError


def gammainc_in_a(a, x):
    return np.sum(scipy.special.gammainc(a, x))


def bessel_order(v, x):
    return scipy.special.jv(v * 1.0, x)


@pytest.mark.parametrize("f, argnums", [(gammainc_in_a, 0), (gammainc_in_a, (0, 1)),
                                        (bessel_order, 0)])
def test_unknown_derivative_is_rejected_at_the_line(f, argnums):
    with pytest.raises(UnsupportedError) as info:
        pullback.grad(f, argnums=argnums)(1.5, 2.0)
    assert "test_scipy.py" in str(info.value) and "no derivative of" in str(info.value)
    with pytest.raises(UnsupportedError):          # forward mode: the same check
        pullback.jacobian(f, argnums=argnums, mode="forward")(1.5, 2.0)


def test_unknown_derivative_is_fine_where_constant():
    # a constant order: d/dx only, checked against finite differences
    g = pullback.grad(gammainc_in_a, argnums=1)(2.5, np.array([0.5, 1.0, 3.0]))
    h = 1e-6
    x = np.array([0.5, 1.0, 3.0])
    fd = [(gammainc_in_a(2.5, x + h * e) - gammainc_in_a(2.5, x - h * e)) / (2 * h)
          for e in np.eye(3)]
    np.testing.assert_allclose(g, fd, rtol=1e-6)


def test_numba_rejects_scipy_special_at_the_line():
    def f(x):
        return np.sum(scipy.special.expit(x))
    with pytest.raises(TransformError) as info:
        pullback.grad(f, backend="numba")(np.ones(3))
    assert "test_scipy.py" in str(info.value) and "scipy.special.expit" in str(info.value)
