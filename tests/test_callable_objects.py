"""A callable object as the function (a loss or a model with ``__call__``), as
``jax.grad`` takes it: its ``__call__`` bound to it, the object's attributes read as a
method's are (guarded: a changed attribute recompiles).  Was "<unknown>:0:0: ... has no
Python source".  Against the analytic derivative."""
import numpy as np
import pytest

import pullback


class Loss:
    def __init__(self, t):
        self.t = t

    def __call__(self, x):
        return np.sum((x - self.t) ** 2)


class Quad:
    def __init__(self, a):
        self.a = a

    def __call__(self, x, y):
        return self.a * x * x + y


@pytest.mark.parametrize("backend", ["python", "numba"])
def test_grad_of_a_callable_object(backend):
    if backend == "numba":
        pytest.importorskip("numba")
    loss, x = Loss(np.ones(2)), np.array([0.0, 3.0])
    value, g = pullback.value_and_grad(loss, backend=backend)(x)
    assert value == 5.0 and np.allclose(g, 2 * (x - 1))
    loss.t = np.array([2.0, 2.0])
    assert np.allclose(pullback.grad(loss, backend=backend)(x), 2 * (x - 2))


def test_every_entry_point_takes_a_callable_object():
    loss, x = Loss(np.ones(2)), np.array([0.0, 3.0])
    assert np.allclose(pullback.jvp(loss, (x,), (np.ones(2),))[1], np.sum(2 * (x - 1)))
    assert np.allclose(pullback.vjp(loss, x)[1](1.0)[0], 2 * (x - 1))
    assert np.allclose(pullback.hessian(loss)(x), 2 * np.eye(2))
    assert np.allclose(pullback.jacobian(loss)(x), 2 * (x - 1))
    q = Quad(3.0)
    assert pullback.grad(q, argnums=(0, 1))(1.5, 2.0) == (9.0, 1.0)
    pullback.emit_c(q, 1.0, 2.0, argnums=(0, 1))      # (was an AttributeError inside)


class _Square:
    def __call__(self, x):
        return np.sum(x * x)


class _Cube(_Square):
    def __call__(self, x):
        return np.sum(x ** 3)


def _sines(self, x):
    return np.sum(np.sin(x))


def test_a_callable_objects_class_or_call_changed_between_calls_recompiles():
    """The bound __call__ was the cached derivative's, whatever the object became."""
    x = np.array([1.4, -2.6, 4.2])
    k = _Square()
    g = pullback.grad(k)
    assert np.allclose(g(x), 2 * x)
    k.__class__ = _Cube
    assert np.allclose(g(x), 3 * x * x)
    assert np.allclose(pullback.grad(k)(x), 3 * x * x)
    k.__class__ = _Square
    old = _Square.__call__
    try:
        _Square.__call__ = _sines
        assert np.allclose(pullback.grad(k)(x), np.cos(x))
    finally:
        _Square.__call__ = old


class _Static:
    @staticmethod
    def __call__(x):
        return np.sum(np.sin(x))


def test_a_static_call_method():
    """Python calls it without the object: its signature is the function's (was a bare
    TypeError 'too many positional arguments')."""
    x = np.array([0.7, -1.3, 2.1])
    assert np.allclose(pullback.grad(_Static())(x), np.cos(x))
