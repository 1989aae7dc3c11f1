"""ndarray subclasses taken from outside differentiated code (audit 31f, repros 8, 9, c2).

np.matrix's ``*`` is a matrix product and a masked array's operations skip its masked
entries, so differentiating either as an ndarray gives another function's derivative.
Read from a global, a closure cell, a default or an attribute, such a value is refused
with an error at the user's line naming it; passed as an argument, a tangent or a
cotangent, with a TypeError.  np.memmap behaves as an ndarray and is accepted.  Every
expected value is analytic or from central differences, never from pullback.
"""
import importlib
import inspect

import numpy as np
import pytest

import pullback

BACKENDS = ["python", pytest.param("numba", marks=pytest.mark.skipif(
    importlib.util.find_spec("numba") is None, reason="needs numba"))]

MAT = np.matrix([[1.0, 2.0], [3.0, 4.0]])
MA = np.ma.array([1.0, 2.0, 3.0, 4.0], mask=[0, 1, 0, 0])
PLAIN = np.array([[1.0, 2.0], [3.0, 4.0]])


def uses_matrix(x):
    return np.sum(MAT * x[:2].reshape(2, 1))     # sum(MAT @ x[:2]) = 4 x0 + 6 x1


def uses_masked(x):
    return np.sum(MA * x)                        # x0 + 3 x2 + 4 x3: the mask skips x1


def uses_plain(x):
    return np.sum(PLAIN * x)


def _line(f, text):
    lines, first = inspect.getsourcelines(f)
    return first + next(i for i, s in enumerate(lines) if text in s)


X = np.array([1.1, 2.3, -0.7, 0.4])


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("f, name", [(uses_matrix, "MAT"), (uses_masked, "MA")])
def test_global_subclass_is_refused_at_its_line(f, name, backend):
    where = rf"{__file__.split('/')[-1]}:{_line(f, name + ' *')}:.*'{name}'.*np\.asarray\({name}\)"
    with pytest.raises(pullback.UnsupportedError, match=where):
        pullback.grad(f, backend=backend)(X)
    with pytest.raises(pullback.UnsupportedError, match=where):
        pullback.jvp(f, (X,), (np.ones(4),), backend=backend)


def test_the_refused_globals_mean_other_functions():
    """What the refusal protects: the analytic gradients are not an ndarray's."""
    h = 1e-6
    for f, want in [(uses_matrix, [4, 6, 0, 0]), (uses_masked, [1, 0, 3, 4])]:
        fd = [(f(X + h * e) - f(X - h * e)) / (2 * h) for e in np.eye(4)]
        np.testing.assert_allclose(fd, want, atol=1e-6)


@pytest.mark.parametrize("backend", BACKENDS)
def test_closure_default_and_attribute_subclasses_are_refused(backend):
    M = np.matrix([[1.0, 2.0], [3.0, 4.0]])

    def closure(x):
        return np.sum(M * x)

    def default(x, A=M):
        return np.sum(A * x)

    class Model:
        W = M

    model = Model()

    def attribute(x):
        return np.sum(model.W * x)

    for f, words in [(closure, "'M'"), (default, "default argument of 'default'"),
                     (attribute, "'model.W'")]:
        with pytest.raises(pullback.UnsupportedError, match=f"{words}.*np.matrix"):
            pullback.grad(f, backend=backend)(np.ones((2, 1)))


@pytest.mark.parametrize("backend", BACKENDS)
def test_plain_global_rebound_to_a_matrix_is_refused(backend):
    """The guard of a global array compares its class: a matrix of the same shape and
    dtype put in its place is refused, not read by the derivative made for the array."""
    global PLAIN
    g = pullback.grad(uses_plain, backend=backend)
    x = np.array([[1.0], [2.0]])
    np.testing.assert_allclose(g(x), [[3.0], [7.0]])      # column sums of PLAIN
    saved = PLAIN
    try:
        PLAIN = np.matrix(saved)
        with pytest.raises(pullback.UnsupportedError, match="'PLAIN'.*np.matrix"):
            g(x)
    finally:
        PLAIN = saved
    np.testing.assert_allclose(g(x), [[3.0], [7.0]])


def _f(A, x):
    return np.sum(A * x)


def _sin(x):
    return np.sin(x)


def _in_dict(p, x):
    return np.sum(p["A"] * x)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("value", [np.matrix([[1.0, 2.0], [3.0, 4.0]]),
                                   np.ma.array([[1.0, 2.0], [3.0, 4.0]], mask=[[0, 1], [0, 0]])])
def test_subclass_arguments_and_directions_are_refused(value, backend):
    plain = np.asarray(value)
    with pytest.raises(TypeError, match="argument 0 is an np.*ndarray subclass.*np.asarray"):
        pullback.grad(_f, argnums=1, backend=backend)(value, plain)
    with pytest.raises(TypeError, match="argument 0 is an np"):
        pullback.grad(_f, argnums=0, backend=backend)(value, plain)
    with pytest.raises(TypeError, match="argument 0 is an np"):
        pullback.grad(_in_dict, argnums=1, backend=backend)({"A": value}, plain)
    with pytest.raises(TypeError, match="tangent of argument 1 is an np"):
        pullback.jvp(_f, (plain, plain), (np.zeros((2, 2)), value), backend=backend)
    _, back = pullback.vjp(_sin, plain, backend=backend)
    with pytest.raises(TypeError, match="a cotangent is an np"):
        back(value)


@pytest.mark.parametrize("backend", BACKENDS)
def test_memmap_behaves_as_an_ndarray(tmp_path, backend):
    """np.memmap (an ndarray view of a file) is accepted: as a global and an argument."""
    mm = np.memmap(tmp_path / "w.dat", dtype="float64", mode="w+", shape=(2, 2))
    mm[:] = [[1.0, 2.0], [3.0, 4.0]]
    x = np.array([[0.5, -1.0], [2.0, 0.25]])

    def with_global(x):
        return np.sum(mm * np.sin(x))

    np.testing.assert_allclose(pullback.grad(with_global, backend=backend)(x),
                               np.asarray(mm) * np.cos(x), rtol=1e-12)
    g = pullback.grad(_f, argnums=(0, 1), backend=backend)(mm, x)
    np.testing.assert_allclose(g[0], x, rtol=1e-12)
    np.testing.assert_allclose(g[1], np.asarray(mm), rtol=1e-12)
