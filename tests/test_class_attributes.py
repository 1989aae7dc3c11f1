"""Class attributes read through an object passed as an argument (``self.scale`` where
``scale`` is set on the class, not the instance) are read where Python reads them, on
every call: guarded like a global (audit, issue 11: they were folded into the first
derivative with no guard, so 'A.scale = 5.0' or 'B.W[0] = 9.0' between calls, even
with a new value_and_grad, kept the old value and gradient).  Checked against JAX and
central differences after each change, on python and numba.
"""
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import pullback

jax.config.update("jax_enable_x64", True)
X = np.array([0.3, 0.7])


class Scaled:
    scale = 2.0                 # a class constant

    def __init__(self, w):
        self.w = w

    def __call__(self, x):
        return np.sum(self.w * x) * self.scale


class Weighted:
    W = np.array([1.0, 2.0])    # a class array

    def __init__(self, b):
        self.b = b

    def __call__(self, x):
        return np.sum(self.W * x) + self.b


def loss(x, m):
    return m(x) * 1.0


def _agrees(g, m, jf):
    v, grad = g(X, m)
    assert np.isclose(v, loss(X, m))
    assert np.allclose(grad, jax.grad(jf)(jnp.asarray(X)), rtol=1e-12)
    h = 1e-6
    fd = [(loss(X + h * e, m) - loss(X - h * e, m)) / (2 * h) for e in np.eye(2)]
    assert np.allclose(grad, fd, rtol=1e-6)


@pytest.mark.parametrize("backend", ["python", "numba"])
def test_a_class_constant_changed_between_calls(backend, monkeypatch):
    m = Scaled(np.ones(2))
    g = pullback.value_and_grad(loss, backend=backend)
    _agrees(g, m, lambda x: jnp.sum(m.w * x) * 2.0)
    monkeypatch.setattr(Scaled, "scale", 5.0)
    _agrees(g, m, lambda x: jnp.sum(m.w * x) * 5.0)


@pytest.mark.parametrize("change", ["in place", "rebound"])
def test_a_class_array_changed_between_calls(change, monkeypatch):
    m = Weighted(0.5)
    monkeypatch.setattr(Weighted, "W", np.array([1.0, 2.0]))
    g = pullback.value_and_grad(loss)
    _agrees(g, m, lambda x: jnp.sum(jnp.array([1.0, 2.0]) * x) + 0.5)
    if change == "in place":
        Weighted.W[0] = 9.0
    else:
        monkeypatch.setattr(Weighted, "W", np.array([9.0, 2.0]))
    _agrees(g, m, lambda x: jnp.sum(jnp.array([9.0, 2.0]) * x) + 0.5)


class _Private:
    """Private names (``self.__s``), which Python stores as ``_Private__s``."""

    def __init__(self, s):
        self.__s = s

    def __scale(self, v):
        return self.__s * v

    def loss(self, x):
        return self.__scale(x * x)


@pytest.mark.parametrize("backend", ["python", "numba"])
def test_private_names_are_read_as_python_spells_them(backend):
    k = _Private(3.0)
    setattr(k, "__s", 100.0)        # an unrelated attribute named as written (was read)
    assert pullback.grad(k.loss, backend=backend)(2.0) == 12.0
    assert pullback.grad(lambda x: _Private(3.0).loss(x), backend=backend)(2.0) == 12.0


def __module_private(x):
    return 3.0 * x


def _closure_over_a_module_private():
    def f(x):
        return __module_private(x) * x    # not in a class: not mangled
    return f


class _Nested:
    def __init__(self):
        self.__w = 2.0

    def closure(self):
        def inner(y):
            return self.__w * y * y           # in a class, nested: mangled
        return inner

    def local_private(self, x):
        def __h(y):
            return y * y
        return __h(x) * 3.0


def test_private_names_in_nested_functions_and_closures():
    assert pullback.grad(_closure_over_a_module_private())(3.0) == 18.0
    assert pullback.grad(_Nested().closure())(3.0) == 12.0
    assert pullback.grad(_Nested().local_private)(2.0) == 12.0


class _Config:
    """A class as a namespace of settings (``Cfg.alpha``), as outside code writes one."""
    alpha = 2.0
    weights = np.array([1.0, 2.0])


class _SubConfig(_Config):
    pass


def _configured(x):
    return np.sum(_Config.alpha * _Config.weights * x ** 2) + _SubConfig.alpha * x[0]


@pytest.mark.parametrize("backend", ["python", "numba"])
def test_a_class_used_as_a_config_is_read_and_guarded_as_a_global(backend):
    # was refused: "cannot differentiate the attribute '.alpha' here" (audit 32j)
    x = np.array([1.0, 3.0])
    g = pullback.grad(_configured, backend=backend)

    def want():
        return 2 * _Config.alpha * _Config.weights * x + np.array([_Config.alpha, 0.0])
    try:
        np.testing.assert_allclose(g(x), want())
        _Config.alpha = 7.0                         # rebound: seen by the next call
        np.testing.assert_allclose(g(x), want())
        _Config.weights = np.array([-1.0, 0.5])     # an array rebound
        np.testing.assert_allclose(g(x), want())
    finally:
        _Config.alpha, _Config.weights = 2.0, np.array([1.0, 2.0])
