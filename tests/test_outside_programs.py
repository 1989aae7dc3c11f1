"""More programs in outside style (issue 11), each a regression test for a cause found by
writing numerical Python as other people's code does: ``grad(model.loss)`` of a bound
method, global arrays whose names are names the derivative uses itself (``x_bar``,
``result``, a property getter ``W`` over ``self._W``), a loop over the rows of a global
array on Numba, forward-mode rejections on Numba without a line.

As in ``test_outside_style.py``: every derivative is compared with JAX (a twin written
with jax.numpy) and with central finite differences, never with pullback's own output; a
rejection must name this file and a line.
"""
import os

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import pullback
from test_outside_style import fd

jax.config.update("jax_enable_x64", True)

HERE = os.path.abspath(__file__)
X = np.array([0.5, -1.2, 2.0])
A = np.array([[0.3, -0.7, 1.1], [0.9, 0.4, -0.2]])
T = np.array([1.0, -0.5])
BACKENDS = ["python", "numba"]


def agrees(got, f, twin, args, argnum=0):
    want = np.ravel(np.asarray(jax.grad(twin, argnum)(*args)))
    np.testing.assert_allclose(np.ravel(got), want, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(np.ravel(got), fd(f, args, argnum), rtol=1e-6, atol=1e-7)


def located(e):
    assert e.filename == HERE and e.line > 0, str(e)


# -- grad(model.loss): a bound method is the object's function with self bound ------------------
class Ridge:
    """sklearn style: fit stores the data, loss(coef) is what a user hands to an optimiser."""

    def __init__(self, alpha):
        self.alpha = alpha

    def fit(self, X, y):
        self.X_, self.y_ = X, y
        return self

    def predict(self, X, coef=None):
        return X @ coef

    def loss(self, coef, scale=0.5):
        resid = self.predict(self.X_, coef) - self.y_
        return scale * np.mean(resid ** 2) + self.alpha * np.sum(coef ** 2)


def ridge_twin(coef, alpha=0.3, X=A, y=T):
    return 0.5 * jnp.mean((X @ coef - y) ** 2) + alpha * jnp.sum(coef ** 2)


@pytest.mark.parametrize("backend", BACKENDS)
def test_grad_of_a_bound_method(backend):
    """Was "'loss' is called without its argument 'coef'": the first argument went to self."""
    model = Ridge(0.3).fit(A, T)
    g = pullback.grad(model.loss, backend=backend)
    agrees(g(X), model.loss, ridge_twin, (X,))
    model.alpha = 2.0                 # an attribute changed between calls is seen
    model.X_ = A[::-1].copy()
    agrees(g(X), model.loss, lambda c: ridge_twin(c, 2.0, A[::-1]), (X,))
    out, tangent = pullback.jvp(model.loss, (X,), (np.ones(3),), backend=backend)
    want = jax.jvp(lambda c: ridge_twin(c, 2.0, A[::-1]), (X,), (jnp.ones(3),))
    np.testing.assert_allclose((out, tangent), want, rtol=1e-10)


def test_bound_method_with_a_defaulted_argument_and_c():
    model = Ridge(0.3).fit(A, T)
    value, grads = pullback.value_and_grad(model.loss, argnums=(0, 1))(X, 0.25)
    want = jax.value_and_grad(lambda c, s: s * jnp.mean((A @ c - T) ** 2) +
                              0.3 * jnp.sum(c ** 2), (0, 1))(X, 0.25)
    np.testing.assert_allclose(value, want[0], rtol=1e-12)
    np.testing.assert_allclose(grads[0], want[1][0], rtol=1e-10)
    np.testing.assert_allclose(grads[1], want[1][1], rtol=1e-10)
    np.testing.assert_allclose(pullback.hessian(model.loss)(X), jax.hessian(ridge_twin)(X),
                               rtol=1e-10)
    try:          # C has no storage for the arrays an object holds: rejected at the read
        pullback.emit_c(model.loss, X)
    except pullback.TransformError as e:
        located(e)
        assert "'X_'" in str(e), str(e)


class Spring:
    def __init__(self, k):
        self.k = k

    def energy(self, x):
        return 0.5 * self.k * x * x + np.sin(x)


def test_bound_method_through_c():
    from c_driver import CC
    if CC is None:
        pytest.skip("needs a C compiler (cc)")
    s = Spring(3.0)
    _, got = pullback.emit_c(s.energy, 0.7).compile()(0.7)
    np.testing.assert_allclose(got, jax.grad(lambda x: 1.5 * x * x + jnp.sin(x))(0.7), rtol=1e-12)


# -- global arrays named like the derivative's own names --------------------------------------
x_bar = np.array([1.0, 2.0, 3.0])
result = np.array([0.5, -1.0, 2.0])
t1 = np.array([0.5, 0.5, 2.0])
residual = np.array([3.0, 1.0, 1.0])
tape = np.array([1.0, -1.0, 1.0])


def reads_x_bar(x):
    return np.sum(x * x) + np.sum(x_bar * x)     # the gradient's own adjoint is x_bar


def reads_x_bar_twin(x):
    return jnp.sum(x * x) + jnp.sum(x_bar * x)


def sine_by_residual(x):
    return np.sin(x) * residual


def reads_result_tape(x):
    s = 0.0
    for i in range(3):
        s = s + np.sum(sine_by_residual(x) * t1) * x[i] * tape[i]
    return s * np.sum(result * x)


def reads_result_tape_twin(x):
    s = 0.0
    for i in range(3):
        s = s + jnp.sum(jnp.sin(x) * residual * t1) * x[i] * tape[i]
    return s * jnp.sum(result * x)


class Layer:
    def __init__(self, W):
        self._W = W

    @property
    def W(self):                # the getter becomes a function W; the array's label is W too
        return self._W

    def __call__(self, x):
        return np.tanh(self.W @ x)


LAYER = Layer(A.copy())


def through_property(x):
    return np.sum(LAYER(x) ** 2)


def through_property_twin(x, W=A):
    return jnp.sum(jnp.tanh(W @ x) ** 2)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("f,twin", [(reads_x_bar, reads_x_bar_twin),
                                    (reads_result_tape, reads_result_tape_twin),
                                    (through_property, through_property_twin)],
                         ids=["x_bar", "result_tape_residual_t1", "property_W"])
def test_global_array_named_like_a_generated_name(f, twin, backend):
    """Was UnboundLocalError (Python) or an undefined variable (Numba): the array's global
    name was also a local of the derivative (or the getter function's name)."""
    agrees(pullback.grad(f, backend=backend)(X), f, twin, (X,))
    _, tangent = pullback.jvp(f, (X,), (X[::-1].copy(),), backend=backend)
    np.testing.assert_allclose(tangent, jax.jvp(twin, (X,), (X[::-1],))[1], rtol=1e-10)


def test_renamed_global_array_is_still_read_at_call_time():
    g = pullback.grad(through_property)
    agrees(g(X), through_property, through_property_twin, (X,))
    old = LAYER._W.copy()
    try:
        LAYER._W[0, 0] = 5.0                 # in place
        agrees(g(X), through_property, lambda x: through_property_twin(x, LAYER._W.copy()),
               (X,))
        LAYER._W = A[::-1].copy()            # rebound
        agrees(g(X), through_property, lambda x: through_property_twin(x, A[::-1]), (X,))
    finally:
        LAYER._W = old


# -- the rows of a global array, on Numba ------------------------------------------------------
def rows_of_global(theta):
    total = 0.0
    for i, row in enumerate(A):
        total += (i + 1.0) * (np.dot(row, theta) - T[i]) ** 2
    return total


def rows_of_global_twin(theta):
    return jnp.sum(jnp.array([1.0, 2.0]) * (A @ theta - T) ** 2)


@pytest.mark.parametrize("backend", BACKENDS)
def test_rows_of_a_global_array(backend):
    """Was a Numba typing error (np.full of an array): the loop's copy of the global."""
    agrees(pullback.grad(rows_of_global, backend=backend)(X), rows_of_global,
           rows_of_global_twin, (X,))


# -- forward mode on Numba: a rejection names the line -----------------------------------------
def running_product(x):
    return np.sum(np.cumprod(x))


def test_forward_rejection_on_numba_names_the_line():
    """The tangent of a one-step rule lost its line: '<unknown>:0:0' on Numba."""
    want = jax.jvp(lambda x: jnp.sum(jnp.cumprod(x)), (X,), (jnp.ones(3),))[1]
    try:
        _, tangent = pullback.jvp(running_product, (X,), (np.ones(3),), backend="numba")
    except pullback.TransformError as e:
        located(e)
        return
    np.testing.assert_allclose(tangent, want, rtol=1e-10)


# -- Hessians through a helper that takes a data array -----------------------------------------
def predict(X, coef):
    return X @ coef


def squared_tanh(c, X):
    return np.sum(np.tanh(predict(X, c)) ** 2)


def squared_tanh_global(c):
    return np.sum(predict(A, c) ** 2)


@pytest.mark.parametrize("backend", BACKENDS)
def test_hessian_through_a_helper_taking_data(backend):
    """Was AttributeError 'float' object has no attribute 'T': the residual's tangent held
    0.0 for the inactive X, which predict's rev (made for every caller) reads as X_dot.T."""
    h = pullback.hessian(squared_tanh, backend=backend)(X, A)
    np.testing.assert_allclose(h, jax.hessian(lambda c: jnp.sum(jnp.tanh(A @ c) ** 2))(X),
                               rtol=1e-10, atol=1e-12)
    h = pullback.hessian(squared_tanh_global, backend=backend)(X)
    np.testing.assert_allclose(h, 2 * A.T @ A, rtol=1e-12, atol=1e-12)
