"""Tuples of constants as people pass them: a shape handed to a helper, a table of
coefficients indexed in a loop.  Checked against JAX (the loop unrolls under its trace)
and central differences; a changed global table gives the new derivative."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import pullback
from jax_fd import fd_grad
from pullback.errors import UnsupportedError

jax.config.update("jax_enable_x64", True)


def unpack(v, shape):
    return np.reshape(v, shape)


def shaped(x):
    return np.sum(unpack(x[:6], (2, 3)) @ unpack(x[6:], (3, 1)) ** 2)


def shaped_j(x):
    return jnp.sum(jnp.reshape(x[:6], (2, 3)) @ jnp.reshape(x[6:], (3, 1)) ** 2)


COEF = (1.0, 2.0, 3.0)
TABLEAU = ((0.0, 0.0), (0.5, 0.0))
WEIGHTS = [1, 2.5]


def weighted(x):
    s = 0.0
    for i in range(len(x)):       # a bound known after typing: the loop stays a loop
        s = s + COEF[i] * x[i] * x[i]
    return s


def weighted_j(x):
    return sum(COEF[i] * x[i] * x[i] for i in range(3))


def stages(x):
    s = x[0]
    for i in range(2):
        for j in range(2):
            s = s + TABLEAU[i][j] * x[1] * WEIGHTS[j] + WEIGHTS[i] * np.sin(s) * 0.1
    return s


def stages_jax(x):
    s = x[0]
    for i in range(2):
        for j in range(2):
            s = s + TABLEAU[i][j] * x[1] * WEIGHTS[j] + WEIGHTS[i] * jnp.sin(s) * 0.1
    return s


def present_value(r, cashflows):
    s = 0.0
    for i in range(len(cashflows)):
        s += cashflows[i] * (1 + r) ** (-(i + 1))
    return s


def layers(x, Ws, bs):
    h = x
    for i in range(len(Ws)):
        h = np.tanh(Ws[i] @ h + bs[i])
    return np.sum(h)


def layers_j(x, Ws, bs):
    h = x
    for i in range(len(Ws)):
        h = jnp.tanh(Ws[i] @ h + bs[i])
    return jnp.sum(h)


X9 = np.linspace(-0.7, 0.9, 9)
X3 = np.array([0.3, -1.2, 0.8])
X2 = np.array([0.4, 1.1])


@pytest.mark.parametrize("backend", ["python", "numba"])
@pytest.mark.parametrize("f, fj, x", [(shaped, shaped_j, X9), (weighted, weighted_j, X3),
                                       (stages, stages_jax, X2)],
                         ids=["shape-to-helper", "coefficients", "tableau"])
def test_against_jax_and_finite_differences(f, fj, x, backend):
    if backend == "numba":
        pytest.importorskip("numba")
    got = pullback.grad(f, backend=backend)(x)
    np.testing.assert_allclose(got, np.asarray(jax.grad(fj)(x)), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(got, fd_grad(f, [x], 0), rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("backend", ["python", "numba"])
def test_a_tuple_argument_indexed_in_a_loop(backend):
    if backend == "numba":
        pytest.importorskip("numba")
    flows = (5.0, 5.0, 105.0)
    got = pullback.grad(present_value, argnums=(0, 1), backend=backend)(0.05, flows)
    want = jax.grad(present_value, argnums=(0, 1))(0.05, flows)
    np.testing.assert_allclose(got[0], want[0], rtol=1e-12)
    np.testing.assert_allclose(got[1], want[1], rtol=1e-12)
    h = 1e-6
    fd_r = (present_value(0.05 + h, flows) - present_value(0.05 - h, flows)) / (2 * h)
    np.testing.assert_allclose(got[0], fd_r, rtol=1e-7)


def test_lists_of_weights_indexed_in_a_loop():
    R = np.random.default_rng(3)
    Ws = [R.normal(size=(4, 2)), R.normal(size=(1, 4))]
    bs = [R.normal(size=4), R.normal(size=1)]
    x = np.array([0.5, -0.2])
    got = pullback.grad(layers, argnums=(0, 1, 2))(x, Ws, bs)
    want = jax.grad(layers_j, argnums=(0, 1, 2))(x, Ws, bs)
    for a, b in zip(jax.tree_util.tree_leaves(got), jax.tree_util.tree_leaves(want)):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(got[0], fd_grad(layers, [x, Ws, bs], 0), rtol=1e-6)


def test_a_write_through_an_indexed_item_is_the_argument_it_names():
    def f(x, ws):
        s = 0.0
        for i in range(2):
            row = ws[i]
            row[0] = 5.0
            s = s + np.sum(ws[i] * x)
        return s + np.sum(ws[0] * x)
    with pytest.raises(UnsupportedError, match="in-place write to the argument"):
        pullback.grad(f)(np.ones(2), (np.ones(2), np.ones(2)))


def test_a_rebound_table_gives_the_new_derivative():
    global COEF
    g = pullback.grad(weighted)
    np.testing.assert_allclose(g(np.ones(3)), [2.0, 4.0, 6.0])
    old, COEF = COEF, (1.0, 2.0, 4.0)
    try:
        np.testing.assert_allclose(g(np.ones(3)), [2.0, 4.0, 8.0])
    finally:
        COEF = old


def test_c_rejects_a_table_at_its_line_naming_it():
    def f(a, n):
        s = a
        for i in range(n):          # a bound known only at run time: not unrolled
            s = s * COEF[i] + np.sin(s)
        return s
    with pytest.raises(UnsupportedError, match="'COEF'") as e:
        pullback.emit_c(f, 0.3, 3)
    assert e.value.line == f.__code__.co_firstlineno + 3


def upper_pairs(x):
    A = np.reshape(x, (3, 3))
    iu = np.triu_indices(3, 1)
    i, j = np.tril_indices(3)
    return np.sum(A[iu] ** 2) + np.sum(np.sin(A[i, j])) + np.sum(A[np.diag_indices(3)] ** 3)


def upper_pairs_j(x):
    A = jnp.reshape(x, (3, 3))
    i, j = np.tril_indices(3)
    return jnp.sum(A[np.triu_indices(3, 1)] ** 2) + jnp.sum(jnp.sin(A[i, j])) + \
        jnp.sum(A[np.diag_indices(3)] ** 3)


IDX = (np.array([0, 1]), np.array([1, 2]))


def global_pairs(x):
    return np.sum(np.reshape(x, (3, 3))[IDX] ** 3)


def test_index_tables_of_constants():
    x = np.linspace(-1.0, 1.2, 9)
    got = pullback.grad(upper_pairs)(x)
    np.testing.assert_allclose(got, np.asarray(jax.grad(upper_pairs_j)(x)), rtol=1e-12)
    np.testing.assert_allclose(got, fd_grad(upper_pairs, [x], 0), rtol=1e-6, atol=1e-8)
    want = np.zeros(9)
    want[[1, 5]] = 3 * x[[1, 5]] ** 2
    np.testing.assert_allclose(pullback.grad(global_pairs)(x), want, rtol=1e-13)
    pytest.importorskip("numba")        # two index arrays: a gather of pairs on Numba too
    np.testing.assert_allclose(pullback.grad(global_pairs, backend="numba")(x), want,
                               rtol=1e-13)
    np.testing.assert_allclose(pullback.grad(upper_pairs, backend="numba")(x),
                               np.asarray(jax.grad(upper_pairs_j)(x)), rtol=1e-12)


class Stack:
    """A model as people write one: its layers a list attribute, indexed in a loop."""

    def __init__(self, sizes, seed=0):
        R = np.random.default_rng(seed)
        self.layers = [R.normal(size=(m, n)) for n, m in zip(sizes, sizes[1:])]

    def __call__(self, x):
        h = x
        for i in range(len(self.layers)):
            h = np.tanh(self.layers[i] @ h)
        return np.sum(h)


STACK = Stack([2, 3, 1])


def stacked(x):
    return STACK(x)


def stacked_jax(x):
    h = x
    for W in STACK.layers:
        h = jnp.tanh(W @ h)
    return jnp.sum(h)


def test_an_objects_list_of_layers_indexed_in_a_loop():
    """``self.layers[i]`` was rejected ('a run-time index'); the loop now unrolls as for
    a name, and a layer appended later gives the new derivative (the list is guarded)."""
    g = pullback.grad(stacked)
    np.testing.assert_allclose(g(X2), jax.grad(stacked_jax)(X2), rtol=1e-12)
    np.testing.assert_allclose(g(X2), fd_grad(stacked, [X2], 0), rtol=1e-6, atol=1e-9)
    STACK.layers.append(np.full((1, 1), 2.0))
    try:
        np.testing.assert_allclose(g(X2), jax.grad(stacked_jax)(X2), rtol=1e-12)
    finally:
        STACK.layers.pop()


def nested_in_branch(x, flag):
    s = 0.0
    if flag > 0:
        for a in (1.0, 2.0):            # the inner loop is unrolled once per outer item,
            for k in W2:                # each time binding k to a constant in the branch
                s = s + a * k * x[0]
        s = s + k * x[1]                # the last item on the branch's path
    return s


def nested_in_branch_j(x, flag):
    s = 0.0
    if flag > 0:
        for a in (1.0, 2.0):
            for k in W2:
                s = s + a * k * x[0]
        s = s + k * x[1]
    return s


W2 = (3.0, 4.0)


@pytest.mark.parametrize("backend", ["python", "numba"])
@pytest.mark.parametrize("flag", [1, 0])
def test_a_table_loop_unrolled_in_an_unrolled_loop_in_a_branch(backend, flag):
    # was falsely rejected: "rebinding 'k' from a tuple or function ..." (fuzz seed 9820350)
    x = np.array([1.5, -0.5])
    got = pullback.grad(nested_in_branch, backend=backend)(x, flag)
    want = jax.grad(nested_in_branch_j)(jnp.asarray(x), flag)
    assert np.allclose(got, want, rtol=1e-12, atol=1e-12)
    assert np.allclose(got, fd_grad(nested_in_branch, (x, flag), 0), rtol=1e-7, atol=1e-9)


def in_alternating_branches(x, flag):
    s = 0.0
    for a in (1.0, -1.0):               # each item lowers the branch again, a new block
        if flag * a > 0:
            s = s + a * x[0]
        else:
            for k in W2:                # k is read only inside its own loop
                s = s + k * a * x[1]
    return s


def in_alternating_branches_j(x, flag):
    s = 0.0
    for a in (1.0, -1.0):
        if flag * a > 0:
            s = s + a * x[0]
        else:
            for k in W2:
                s = s + k * a * x[1]
    return s


@pytest.mark.parametrize("flag", [1, -1])
def test_a_table_loop_in_a_branch_lowered_once_per_outer_item(flag):
    # was falsely rejected: "rebinding 'k' from a tuple or function" (fuzz seed 9831879)
    x = np.array([1.5, -0.5])
    got = pullback.grad(in_alternating_branches)(x, flag)
    want = jax.grad(in_alternating_branches_j)(jnp.asarray(x), flag)
    assert np.allclose(got, want, rtol=1e-12, atol=1e-12)


def unread_inner_target(x, n):
    s = x * 2.0
    for c0 in W2:
        if n > 1:
            break               # the outer loop may stop: its later items sit in branches
        for c1 in W2:           # a target never read: constant wherever it is lowered
            s = s * 1.5
    return x * s


def test_an_unread_loop_target_in_a_loop_that_may_stop():
    # was falsely rejected: "rebinding 'c1' from a tuple or function" (fuzz seeds 9854384,
    # 9855364)
    for n in (0, 2):
        got = pullback.grad(unread_inner_target)(1.7, n)
        h = 1e-6
        fd = (unread_inner_target(1.7 + h, n) - unread_inner_target(1.7 - h, n)) / (2 * h)
        assert np.isclose(got, fd, rtol=1e-7)
