"""Guards cover what can be replaced while the object found by name stays the same.

A function's ``__code__``, an object's ``__class__``, a method rebound on its class or
shadowed on the instance, the arrays a global ``functools.partial`` holds: each changes
what the function computes without rebinding any global, so a cached derivative must
not survive it (pullback/frontend/guards.py).  Every expected value is the analytic
derivative (or central finite differences), never pullback's own output.
"""
import functools

import numpy as np
import pytest

import pullback
from jax_fd import fd_grad

BACKENDS = ["python", "numba"]
X = np.array([1.5, 0.3, -0.7])


def _double(x):
    return 2.0 * x


def _triple(x):
    return 3.0 * x


def helper(x):
    return 2.0 * x


def uses_helper(x):
    return np.sum(helper(x) * x)


def squares(x):
    return np.sum(x ** 2)


def _cubes(x):
    return np.sum(x ** 3)


@pytest.mark.parametrize("backend", BACKENDS)
def test_helper_code_replaced(backend):
    helper.__code__ = _double.__code__
    try:
        assert np.allclose(pullback.grad(uses_helper, backend=backend)(X), 4 * X)
        helper.__code__ = _triple.__code__
        assert np.allclose(pullback.grad(uses_helper, backend=backend)(X), 6 * X)
        assert np.allclose(fd_grad(uses_helper, (X,), 0), 6 * X)
        _, t = pullback.jvp(uses_helper, (X,), (np.ones(3),), backend=backend)
        assert t == pytest.approx(np.sum(6 * X))
    finally:
        helper.__code__ = _double.__code__


@pytest.mark.parametrize("backend", BACKENDS)
def test_own_code_replaced(backend):
    code = squares.__code__
    g = pullback.grad(squares, backend=backend)
    try:
        assert np.allclose(g(X), 2 * X)
        squares.__code__ = _cubes.__code__
        assert np.allclose(g(X), 3 * X ** 2)                       # the same grad object
        assert np.allclose(pullback.grad(squares, backend=backend)(X), 3 * X ** 2)
    finally:
        squares.__code__ = code


def scalar_entry(x):
    return x * x


def _scalar_cube(x):
    return x * x * x


def test_own_code_replaced_scalar_fast_path():
    code = scalar_entry.__code__
    g = pullback.grad(scalar_entry)
    try:
        assert g(2.0) == pytest.approx(4.0)
        assert g(2.0) == pytest.approx(4.0)                        # the scalar fast path
        scalar_entry.__code__ = _scalar_cube.__code__
        assert g(2.0) == pytest.approx(12.0)
    finally:
        scalar_entry.__code__ = code


class Quad:
    def m(self, x):
        return np.sum(2.0 * x * x)


class Quad10(Quad):
    def m(self, x):
        return np.sum(10.0 * x * x)


OBJ = Quad()


def calls_obj(x):
    return OBJ.m(x)


@pytest.mark.parametrize("backend", BACKENDS)
def test_object_class_swapped_and_method_shadowed(backend):
    try:
        assert np.allclose(pullback.grad(calls_obj, backend=backend)(X), 4 * X)
        OBJ.__class__ = Quad10
        assert np.allclose(pullback.grad(calls_obj, backend=backend)(X), 20 * X)
        OBJ.__class__ = Quad
        assert np.allclose(pullback.grad(calls_obj, backend=backend)(X), 4 * X)
        OBJ.m = lambda x: np.sum(0.5 * x ** 4)
        assert np.allclose(pullback.grad(calls_obj, backend=backend)(X), 2 * X ** 3)
        del OBJ.m
        assert np.allclose(pullback.grad(calls_obj, backend=backend)(X), 4 * X)
    finally:
        OBJ.__class__ = Quad
        OBJ.__dict__.clear()


class Lin:
    def m(self, x):
        return np.sum(2.0 * x)

    def __call__(self, x):
        return np.sum(3.0 * x)


KO = Lin()


def calls_method(x):
    return KO.m(x)


def calls_call(x):
    return KO(x)


def calls_on_class(x):
    return Lin.m(KO, x)


def calls_argument(x, k):
    return k.m(x)


@pytest.mark.parametrize("backend", BACKENDS)
def test_method_rebound_on_class(backend):
    m, call = Lin.m, Lin.__call__
    try:
        for f in (calls_method, calls_on_class):
            assert np.allclose(pullback.grad(f, backend=backend)(X), 2.0)
        assert np.allclose(pullback.grad(calls_argument, backend=backend)(X, Lin()), 2.0)
        assert np.allclose(pullback.grad(calls_call, backend=backend)(X), 3.0)
        Lin.m = lambda self, x: np.sum(5.0 * x * x)
        Lin.__call__ = lambda self, x: np.sum(x ** 3)
        for f in (calls_method, calls_on_class):
            assert np.allclose(pullback.grad(f, backend=backend)(X), 10 * X)
        assert np.allclose(pullback.grad(calls_argument, backend=backend)(X, Lin()), 10 * X)
        assert np.allclose(pullback.grad(calls_call, backend=backend)(X), 3 * X ** 2)
    finally:
        Lin.m, Lin.__call__ = m, call


class Static:
    @staticmethod
    def s(x):
        return np.sum(2.0 * x)


SO = Static()


def calls_static(x):
    return SO.s(x)


@pytest.mark.parametrize("backend", BACKENDS)
def test_staticmethod_shadowed_on_instance(backend):
    try:
        assert np.allclose(pullback.grad(calls_static, backend=backend)(X), 2.0)
        SO.s = lambda x: np.sum(x * x)                 # Python calls the instance's
        assert np.allclose(pullback.grad(calls_static, backend=backend)(X), 2 * X)
    finally:
        SO.__dict__.clear()
    assert np.allclose(pullback.grad(calls_static, backend=backend)(X), 2.0)


def _weighted(x, w):
    return np.sum(w * x)


PW = np.array([1.0, 2.0, 3.0])
BY_KEYWORD = functools.partial(_weighted, w=PW)
PA = np.array([1.0, 2.0, 3.0])
BY_POSITION = functools.partial(lambda w, x: np.sum(w * x * x), PA)


def calls_keyword(x):
    return BY_KEYWORD(x)


def calls_position(x):
    return BY_POSITION(x)


@pytest.mark.parametrize("backend", BACKENDS)
def test_partial_bound_array_mutated(backend):
    try:
        assert np.allclose(pullback.grad(calls_keyword, backend=backend)(X), PW)
        assert np.allclose(pullback.grad(calls_position, backend=backend)(X), 2 * PA * X)
        PW[:] = 9.0
        PA[:] = -4.0
        assert np.allclose(pullback.grad(calls_keyword, backend=backend)(X), 9.0)
        assert np.allclose(pullback.grad(calls_position, backend=backend)(X), -8.0 * X)
        value, t = pullback.jvp(calls_keyword, (X,), (np.ones(3),), backend=backend)
        assert (value, t) == pytest.approx((9.0 * np.sum(X), 27.0))
    finally:
        PW[:] = [1.0, 2.0, 3.0]
        PA[:] = [1.0, 2.0, 3.0]
