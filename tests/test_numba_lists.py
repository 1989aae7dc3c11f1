"""Lists grown by ``append`` and lists of arrays written by index, under the Numba backend.

Gradients are checked against the python backend and a central difference along a
random direction; tangents (``jvp``) against the python backend.  A list construct
Numba cannot compile (``np.stack`` of a list) is a pullback error at its line.
"""
import math

import pytest

pytest.importorskip("numba")
np = pytest.importorskip("numpy")

import pullback  # noqa: E402
from pullback.errors import TransformError  # noqa: E402


def scalar_list(x, n):
    xs = []
    for i in range(n):
        x = math.sin(x) + 0.5 * x
        xs.append(x)
    s = 0.0
    for i in range(len(xs)):
        s += xs[i] * xs[len(xs) - 1 - i]
    return s


def array_list(x, w, n):
    hs = []
    h = x
    for i in range(n):
        h = np.tanh(h * w)
        hs.append(h)
    total = 0.0
    for h2 in hs:
        total = total + np.sum(h2 * h2)
    return total


def rows(state, w):
    hs = [state[i] for i in range(2)]
    for t in range(5):
        for i in range(2):
            hs[i] = np.tanh(hs[i] * w[i] + 0.1)
    return np.sum(hs[0] * hs[1])


def lstm_like(main, extra, state, seq):
    """Shaped like the ADBench LSTM (benchmarks/lstm.py), small: per-layer state lists."""
    hidden, cell, loss = [], [], 0.0
    n = main.shape[0] // 2
    for k in range(n):
        hidden.append(state[2 * k])
        cell.append(state[2 * k + 1])
    b = seq.shape[1]
    for step in range(seq.shape[0] - 1):
        inp = extra[0] * seq[step]
        for k in range(n):
            gate = 1.0 / (1.0 + np.exp(-(inp * main[2 * k, :b] + main[2 * k + 1, :b])))
            cell[k] = gate * cell[k] + np.tanh(main[2 * k, b:] * hidden[k] + main[2 * k + 1, b:])
            hidden[k] = np.tanh(cell[k])
            inp = hidden[k]
        out = extra[1] * inp + extra[2]
        loss = loss - np.sum(seq[step + 1] * (out - np.log(2.0 + np.sum(np.exp(out)))))
    return loss


def weigh(hs, w):
    s = 0.0
    for i in range(len(hs)):
        s = s + np.sum(hs[i] * w) * (i + 1)
    return s


def via_helper(x, w):
    """A list passed to a callee: its adjoint comes back from the callee's reverse half."""
    hs = []
    for i in range(4):
        x = np.sin(x) + w
        hs.append(x)
    return weigh(hs, w)


def while_list(x):
    xs = [x]
    while xs[len(xs) - 1] < 10.0:
        xs.append(xs[len(xs) - 1] * 1.5 + 0.1)
    return xs[len(xs) - 1] + xs[0] * len(xs)


def summed(x, n):
    """``sum`` of a list of scalars and of a list of arrays."""
    hs, cs = [], []
    for i in range(n):
        x = np.tanh(x) * 1.2
        hs.append(x * x)
        cs.append(np.sum(x) * i)
    return np.sum(sum(hs) * x) + sum(cs)


def _cases():
    rng = np.random.default_rng(11)
    return {
        "scalar_list": (scalar_list, (0.3, 6), (0,)),
        "array_list": (array_list, (rng.normal(size=4), rng.normal(size=4), 5), (0, 1)),
        "via_helper": (via_helper, (rng.normal(size=3), rng.normal(size=3)), (0, 1)),
        "while_list": (while_list, (1.3,), (0,)),
        "summed": (summed, (rng.normal(size=3), 4), (0,)),
        "rows": (rows, (rng.normal(size=(2, 3)), rng.normal(size=(2, 3))), (0, 1)),
        "lstm_like": (lstm_like, (rng.normal(0, 0.5, (4, 6)), rng.normal(0, 0.5, (3, 3)),
                                  rng.normal(0, 0.5, (4, 3)), rng.normal(0, 1, (6, 3))),
                      (0, 1, 2)),
    }


CASES = _cases()


def _directional_fd(f, args, nums, dirs, h=1e-6):
    def at(s):
        return f(*[a + s * d if i in nums else a
                   for i, (a, d) in enumerate(zip(args, dirs))])
    return (at(h) - at(-h)) / (2 * h)


@pytest.mark.parametrize("name", sorted(CASES))
def test_list_gradients_match_python_backend_and_finite_differences(name):
    f, args, nums = CASES[name]
    got = pullback.value_and_grad(f, nums, backend="numba")(*args)
    ref = pullback.value_and_grad(f, nums)(*args)
    assert got[0] == pytest.approx(ref[0], rel=1e-12)
    for g, r in zip(got[1], ref[1]):
        np.testing.assert_allclose(g, r, rtol=1e-10, atol=1e-12)
    rng = np.random.default_rng(5)
    dirs = [rng.normal(size=np.shape(a)) if i in nums else 0 for i, a in enumerate(args)]
    slope = sum(np.sum(g * dirs[i]) for g, i in zip(got[1], nums))
    assert slope == pytest.approx(_directional_fd(f, args, nums, dirs), rel=1e-6, abs=1e-8)


@pytest.mark.parametrize("name", ["array_list", "rows", "lstm_like"])
def test_list_tangents_match_python_backend(name):
    f, args, nums = CASES[name]
    rng = np.random.default_rng(2)
    tangents = tuple(rng.normal(size=np.shape(a)) if i in nums else 0 * a
                     for i, a in enumerate(args))
    got = pullback.jvp(f, args, tangents, backend="numba")
    ref = pullback.jvp(f, args, tangents)
    np.testing.assert_allclose(got, ref, rtol=1e-10, atol=1e-12)


def stacked(x, n):
    xs = []
    for i in range(n):
        x = np.sin(x) * 1.1
        xs.append(x)
    return np.sum(np.stack(xs) ** 2)


def test_stack_of_a_list_is_a_pullback_error_at_its_line():
    with pytest.raises(TransformError, match="numba backend") as err:
        pullback.grad(stacked, backend="numba")(np.ones(3), 4)
    assert err.value.line == stacked.__code__.co_firstlineno + 5
    assert "Traceback" not in str(err.value)


def prefixes(x, n):
    xs = []
    for i in range(3):
        xs.append(x[:n] * float(i))     # elements of a run-time length
    return np.sum(xs[0] * xs[2])


def test_list_of_elements_without_a_static_shape_names_the_users_line():
    # the list scan runs before any statement is printed: it named <unknown>:0
    with pytest.raises(TransformError, match="static shape") as err:
        pullback.grad(prefixes, backend="numba")(np.ones(4), 2)
    assert err.value.filename == __file__
    assert err.value.line == prefixes.__code__.co_firstlineno + 3


def int_literal_counts(x, n):
    s = x
    for _ in range(np.sum([n, 1])):
        k = 0
        while k < np.sum([n, 1]):
            k += 1
            s = s * x
    return s


def test_int_list_literal_keeps_its_dtype_on_numba():
    """An int list literal's room is an int64 array on Numba as on NumPy: printed as
    float64, ``range(np.sum([n, 1]))`` did not compile (a false rejection, scalar fuzzer
    seed 9800015, npsum variant).  x ** ((n + 1) ** 2 + 1): against the exact derivative
    and central differences, grad and jvp."""
    x, n = 0.9, 1
    exact = 5 * x ** 4
    h = 1e-6
    fd = (int_literal_counts(x + h, n) - int_literal_counts(x - h, n)) / (2 * h)
    value, (g,) = pullback.value_and_grad(int_literal_counts, argnums=(0,), backend="numba")(x, n)
    assert value == pytest.approx(x ** 5, rel=1e-12)
    assert g == pytest.approx(exact, rel=1e-12) and g == pytest.approx(fd, rel=1e-6)
    _, tangent = pullback.jvp(int_literal_counts, (x, n), (1.0, 0), backend="numba")
    assert tangent == pytest.approx(exact, rel=1e-12)


CONSTS = (2.0, 3.0)


def folded_literals(x, A):
    # each list's items are constants, so it reaches NumPy as one folded tuple
    return (x * np.sum([2.0, CONSTS[1]]) + np.prod([2, 3]) * x
            + np.max([1.0, -3.0, CONSTS[0]]) * x * x + np.sum(np.dot(A, [1.0, 2.0])) * x)


def test_a_list_of_constants_reaching_numpy_is_an_array_on_numba():
    """Nopython NumPy takes no tuple where it reads an array: np.sum((2.0, 3.0)), folded
    from a list of constants, did not compile (false rejections, scalar fuzzer seeds
    9810038, 9810049, 9810098, npsum variant).  Against the exact derivative."""
    x, A = 0.7, np.arange(6.0).reshape(3, 2)
    s = float(np.sum(A @ np.array([1.0, 2.0])))
    value, (gx, gA) = pullback.value_and_grad(folded_literals, argnums=(0, 1),
                                              backend="numba")(x, A)
    assert value == pytest.approx(11 * x + 2 * x * x + s * x, rel=1e-12)
    assert gx == pytest.approx(11 + 4 * x + s, rel=1e-12)
    np.testing.assert_allclose(gA, np.tile([x, 2 * x], (3, 1)), rtol=1e-12)
    _, tangent = pullback.jvp(folded_literals, (x, A), (1.0, np.zeros((3, 2))), backend="numba")
    assert tangent == pytest.approx(11 + 4 * x + s, rel=1e-12)
