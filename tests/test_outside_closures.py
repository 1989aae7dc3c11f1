"""Programs in outside style for the causes found in autograd's examples (issue 13):
helpers that make and return closures (``make_nn_funs``), closures reading their cells
when called, dict keys from iterating a dict and dicts filled by item assignment
(``flatten``), ``isinstance(x, list)`` on a list argument (a recursive HMM likelihood),
and ``grad`` of a function whose output is an array of one element.

As in ``test_outside_style.py``: every derivative is compared with JAX (a twin written
with jax.numpy) and with central finite differences, never with pullback's own output; a
rejection must name this file and a line.
"""
import os
from functools import partial

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import pullback
from pullback.errors import UnsupportedError

jax.config.update("jax_enable_x64", True)

HERE = os.path.abspath(__file__)
BACKENDS = ["python", "numba"]
RS = np.random.RandomState(3)


def fd(f, x, h=1e-6):
    """Central differences of sum(f(x)) along each element of the array ``x``."""
    out = np.zeros(x.size)
    for j in range(x.size):
        e = np.zeros(x.size)
        e[j] = h
        e = e.reshape(x.shape)
        out[j] = (np.sum(f(x + e)) - np.sum(f(x - e))) / (2 * h)
    return out.reshape(x.shape)


def agrees(got, f, twin, x):
    np.testing.assert_allclose(got, np.asarray(jax.grad(twin)(x)), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(got, fd(f, x), rtol=1e-6, atol=1e-7)


def located(e):
    assert e.filename == HERE and e.line > 0, str(e)


# -- a helper that makes the model's functions and returns them (make_nn_funs) ------------------
def make_nn_funs(layer_sizes, l2=0.1, nonlinearity=np.tanh):
    shapes = list(zip(layer_sizes[:-1], layer_sizes[1:]))
    n_weights = sum((m + 1) * n for m, n in shapes)

    def act(z):                         # closes over the helper's argument, a function
        return nonlinearity(z)

    def predictions(W, inputs):        # closes over the list of shapes and a closure
        for m, n in shapes:
            w, b = W[:m * n].reshape((m, n)), W[m * n:(m + 1) * n]
            W = W[(m + 1) * n:]
            outputs = inputs @ w + b
            inputs = act(outputs)
        return outputs

    def loss(W, X, T):                 # and over that one
        return l2 * np.sum(W ** 2) + np.sum((predictions(W, X) - T) ** 2)

    return n_weights, predictions, loss


def nn_objective(W, X, T):
    _, _, loss = make_nn_funs([3, 4, 1])
    return loss(W, X, T)


def nn_twin(W, X, T, sizes=(3, 4, 1), l2=0.1):
    inputs, at = X, 0
    for m, n in zip(sizes[:-1], sizes[1:]):
        w, b = W[at:at + m * n].reshape((m, n)), W[at + m * n:at + (m + 1) * n]
        at += (m + 1) * n
        outputs = inputs @ w + b
        inputs = jnp.tanh(outputs)
    return l2 * jnp.sum(W ** 2) + jnp.sum((outputs - T) ** 2)


NN_X, NN_T = RS.randn(5, 3), RS.randn(5, 1)


@pytest.mark.parametrize("backend", BACKENDS)
def test_closures_returned_by_a_helper(backend):
    n, _, loss = make_nn_funs([3, 4, 1])
    W = RS.randn(n) * 0.5
    got = pullback.grad(loss, backend=backend)(W, NN_X, NN_T)      # the returned closure
    agrees(got, lambda w: loss(w, NN_X, NN_T), lambda w: nn_twin(w, NN_X, NN_T), W)
    if backend == "numba":      # there the sizes are run-time ints: shapes Numba cannot fix
        return
    got = pullback.grad(nn_objective, backend=backend)(W, NN_X, NN_T)   # made inside
    agrees(got, lambda w: nn_objective(w, NN_X, NN_T), lambda w: nn_twin(w, NN_X, NN_T), W)


# -- a closure reads its cells when it is called ------------------------------------------------
def named_then_rebound(x):
    c = 1.0

    def h(y):
        return c * y * np.sin(x)
    g = h                   # named here ...
    c = x * x               # ... called after c changed: Python reads c = x * x
    fs = [h]
    return np.sum(g(x) + fs[0](2.0))


def named_then_rebound_twin(x):
    c = x * x
    return jnp.sum(c * x * jnp.sin(x) + c * 2.0 * jnp.sin(x))


def maker(x):
    scale = 1.0

    def h(y):
        return scale * y * x
    scale = np.cos(x)       # rebound after the def, before the return
    return h


def through_maker(x):
    return np.sum(maker(x)(x))


def through_maker_twin(x):
    return jnp.sum(jnp.cos(x) * x * x)


def loop_reads(x):
    t = x

    def rate(y):
        return t * y
    s = 0.0
    for _ in range(3):
        t = t * 0.5 + 1.0   # each call reads the current t
        s = s + rate(x)
    return np.sum(s)


def loop_reads_twin(x):
    t, s = x, 0.0
    for _ in range(3):
        t = t * 0.5 + 1.0
        s = s + t * x
    return jnp.sum(s)


def compose(f, a):
    def g(y):
        return a * f(y)
    return g


def composed(x):
    g = compose(compose(np.sin, x), 3.0)       # closures of one def, two frames
    return np.sum(g(x))


def composed_twin(x):
    return jnp.sum(3.0 * x * jnp.sin(x))


@pytest.mark.parametrize("f, twin", [(named_then_rebound, named_then_rebound_twin),
                                     (through_maker, through_maker_twin),
                                     (loop_reads, loop_reads_twin),
                                     (composed, composed_twin)])
def test_closure_reads_its_cells_when_called(f, twin):
    x = np.array([0.4, -1.3])
    agrees(pullback.grad(f)(x), f, twin, x)


def identity(f):
    return f


def stale_after_a_call(x):
    c = 1.0

    def h(y):
        return c * y
    g = identity(h)          # came back from a call: its c is the one passed in
    c = x
    return np.sum(g(x))


def returns_a_function(x):
    return np.sin


def test_closures_that_cannot_be_exact_are_rejected_at_the_line():
    with pytest.raises(UnsupportedError, match="rebound after the closure") as e:
        pullback.grad(stale_after_a_call)(np.array([0.5]))
    located(e.value)
    with pytest.raises(UnsupportedError, match="returning a function") as e:
        pullback.grad(returns_a_function)(0.5)
    located(e.value)


# -- dict keys from iterating a dict; a dict filled by item assignment (flatten) ----------------
def parts(tree):
    if isinstance(tree, dict):
        return [np.ravel(tree[k]) for k in sorted(tree)]
    return [np.ravel(tree)]


def unflat(template, vec):
    if isinstance(template, dict):
        out, at = {}, 0
        for k in sorted(template):
            n = np.size(template[k])
            out[k] = np.reshape(vec[at:at + n], np.shape(template[k]))
            at = at + n
        return out
    return np.reshape(vec, np.shape(template))


TEMPLATE = {"means": np.zeros((2, 2)), "log weights": np.zeros(2)}


def dict_objective(params):
    total = 0.0
    for name, value in params.items():
        total = total + np.sum(np.sin(value)) * len(name)
    return total + np.sum(params["means"] @ params["log weights"])


def flat_objective(v):
    params = unflat(TEMPLATE, v)
    return dict_objective(params) + np.sum(np.concatenate(parts(params)) ** 2)


def flat_objective_twin(v):
    lw, means = v[:2], v[2:].reshape((2, 2))
    return (jnp.sum(jnp.sin(means)) * 5 + jnp.sum(jnp.sin(lw)) * 11 +
            jnp.sum(means @ lw) + jnp.sum(v ** 2))


@pytest.mark.parametrize("backend", BACKENDS)
def test_dict_keys_from_iteration_and_item_assignment(backend):
    v = RS.randn(6)
    agrees(pullback.grad(flat_objective, backend=backend)(v), flat_objective,
           flat_objective_twin, v)


def writes_a_shared_dict(x):
    d = {"a": x}
    e = d                    # another name sees the dict: a write must not be a copy
    d["a"] = 2.0 * x
    return np.sum(e["a"])


def writes_an_argument_dict(d):
    d["b"] = d["a"] * 2.0
    return np.sum(d["b"])


def test_dict_item_assignment_others_may_see_is_rejected_at_the_line():
    with pytest.raises(UnsupportedError, match="another name") as e:
        pullback.grad(writes_a_shared_dict)(np.array([0.5]))
    located(e.value)
    with pytest.raises(UnsupportedError, match="another name") as e:
        pullback.grad(writes_an_argument_dict)({"a": np.array([0.5])})
    located(e.value)


# -- isinstance(x, list) on a list argument: a recursive HMM likelihood (hmm_em) ----------------
def log_partition(params, data):
    if isinstance(data, list):
        return sum(map(partial(log_partition, params), data))
    log_pi, log_A, log_B = params
    log_alpha = log_pi
    for y in data:
        m = np.max(log_alpha)
        log_alpha = np.log(np.exp(log_alpha - m) @ np.exp(log_A)) + m + log_B[:, y]
    m = np.max(log_alpha)
    return m + np.log(np.sum(np.exp(log_alpha - m)))


def log_partition_twin(params, data):
    log_pi, log_A, log_B = params
    total = 0.0
    for seq in data:
        log_alpha = log_pi
        for y in seq:
            log_alpha = jax.scipy.special.logsumexp(log_alpha[:, None] + log_A, axis=0) + \
                log_B[:, y]
        total = total + jax.scipy.special.logsumexp(log_alpha)
    return total


def tuple_or_list(xs):
    if isinstance(xs, tuple):
        return np.sum(xs[0] * 3.0)
    return np.sum(xs[0] * 5.0)


def test_isinstance_tells_a_list_argument_from_a_tuple():
    params = [RS.randn(3), RS.randn(3, 3), RS.randn(3, 4)]
    data = [RS.randint(0, 4, size=5), RS.randint(0, 4, size=2)]
    got = pullback.grad(log_partition)(params, data)
    want = jax.grad(log_partition_twin)([jnp.asarray(p) for p in params], data)
    for p, g, w in zip(params, got, want):
        np.testing.assert_allclose(g, w, rtol=1e-10, atol=1e-12)
    B = params[2]
    np.testing.assert_allclose(
        got[2], fd(lambda b: log_partition([params[0], params[1], b], data), B), rtol=1e-6)
    x = np.array([0.5, 1.5])
    assert pullback.grad(tuple_or_list)([x])[0].tolist() == [5.0, 5.0]
    assert pullback.grad(tuple_or_list)((x,))[0].tolist() == [3.0, 3.0]


# -- grad of an output of one element (bayesian_optimization's acquisition) ---------------------
def one_element(x):
    return np.sin(x[:1]) * x[1] + np.cos(x[1:2])          # shape (1,)


def one_element_2d(x):
    return np.reshape(np.sum(x ** 3, keepdims=True), (1, 1))     # shape (1, 1)


def one_element_twin(x):
    return jnp.sum(jnp.sin(x[:1]) * x[1] + jnp.cos(x[1:2]))


def one_element_2d_twin(x):
    return jnp.sum(x ** 3)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("f, twin", [(one_element, one_element_twin),
                                     (one_element_2d, one_element_2d_twin)])
def test_grad_of_an_output_of_one_element(f, twin, backend):
    x = np.array([0.3, -1.1, 0.7])
    agrees(pullback.grad(f, backend=backend)(x), f, twin, x)
    value, g = pullback.value_and_grad(f, backend=backend)(x)
    np.testing.assert_allclose(value, f(x), rtol=1e-14)
    assert np.shape(value) == np.shape(f(x))             # the value as f returns it
    agrees(g, f, twin, x)


def two_elements(x):
    return np.sin(x[:2])


@pytest.mark.parametrize("backend", BACKENDS)
def test_grad_of_an_output_of_several_elements_is_rejected(backend):
    with pytest.raises(TypeError, match="one element"):
        pullback.grad(two_elements, backend=backend)(np.array([0.3, -1.1, 0.7]))
