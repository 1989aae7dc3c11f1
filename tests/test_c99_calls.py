"""The C99 backend on user functions that take and return arrays (issue 5).

Helpers become static C functions taking row-major pointers and writing
array results through out-pointers; their gradients are ``_fwd``/``_rev``
pairs whose frames hold array residuals.  Programs are written as a user
would: an integrator calling ``step(s, dt)``, a Kalman filter calling
``predict`` and ``update``, an RNN calling its cell on rows.  All compile
into one executable with the strict flags under AddressSanitizer and UBSan
and must agree with the Python backend to 1e-12.
"""
import numpy as np
import pytest

from c_driver import CC, agrees, close, results_fixture, run_array_cases
from pullback.emit_c import emit_c

pytestmark = pytest.mark.skipif(CC is None, reason="needs a C compiler (cc)")


def pendulum_rhs(s, c):
    ds = np.zeros(2)
    ds[0] = s[1]
    ds[1] = -9.81 * np.sin(s[0]) - c * s[1]
    return ds


def rk2_step(s, dt, c):
    k1 = pendulum_rhs(s, c)
    k2 = pendulum_rhs(s + 0.5 * dt * k1, c)
    return s + dt * k2


def pendulum(s0, c):
    s = s0
    for i in range(20):
        s = rk2_step(s, 0.01, c)
    return s[0] ** 2 + 0.1 * s[1] ** 2


def predict(x, P, F, Q):
    return F @ x, F @ P @ F.T + Q


def update(x, P, h, r, z):
    y = z - h @ x
    s = h @ P @ h + r
    k = P @ h / s
    x = x + k * y
    P = P - np.outer(k, h @ P)
    return x, P, y * y / s + np.log(s)


def kalman_nll(x0, F, Q, h, zs):
    x, P = x0, np.eye(2)
    nll = 0.0
    for t in range(zs.shape[0]):
        x, P = predict(x, P, F, Q)
        x, P, e = update(x, P, h, 0.25, zs[t])
        nll = nll + 0.5 * e
    return nll + 0.1 * np.sum(x ** 2) + 0.1 * np.sum(P)


def cell(W, U, b, h, x):
    return np.tanh(W @ h + U @ x + b)


def rnn_cells(W, U, b, xs):
    hs = np.zeros((xs.shape[0] + 1, W.shape[0]))
    for t in range(xs.shape[0]):
        hs[t + 1, :] = cell(W, U, b, hs[t, :], xs[t, :])
    return np.sum(hs ** 2)


def sigmoid_gate(W, U, b, h, x):
    return 1.0 / (1.0 + np.exp(-(W @ h + U @ x + b)))


def lstm(Ws, Us, bs, xs):
    """An LSTM whose gates share one helper; the state is carried through the calls."""
    H = Ws.shape[1]
    h, c = np.zeros(H), np.zeros(H)
    total = 0.0
    for t in range(xs.shape[0]):
        f = sigmoid_gate(Ws[0], Us[0], bs[0], h, xs[t, :])
        i = sigmoid_gate(Ws[1], Us[1], bs[1], h, xs[t, :])
        o = sigmoid_gate(Ws[2], Us[2], bs[2], h, xs[t, :])
        c = f * c + i * np.tanh(Ws[3] @ h + Us[3] @ xs[t, :] + bs[3])
        h = o * np.tanh(c)
        total = total + np.sum(h ** 2)
    return total


def gates_of_two_shapes(W, V, x, y):
    return np.sum(cell(W, W, x, x, x)) + np.sum(cell(V, V, y, y, y))


def square_rows(A):
    return np.sum(A * A, axis=1)


def two_outs(a, b):
    return a * b, a + np.sin(b)


def swapping(x, y, A):
    """Array results assigned over the arguments, and a parameter written in a loop."""
    for i in range(3):
        x, y = two_outs(y, x)
        A = A * 0.5 + np.outer(x, y)
    return np.sum(square_rows(A)) + np.sum(x * y)


def powers(x, n):
    if n == 0:
        return x
    return np.sin(powers(x, n - 1)) * x


def recursive(x):
    return np.sum(powers(x, 4) ** 2)


def scaled_sum(x, c):
    return np.sum(np.sin(x) * c)


def zero_trip_call(x, c):
    """A call in a loop of no trips: its residual pool was declared of size 0 (scalar
    fuzzer seed 9810164, outline variant; C forbids it)."""
    s = np.sum(x * x)
    for i in range(0):
        s = s + scaled_sum(x, c)
    return s + c


def self_compare(x, c):
    """``c < c`` in a helper: GCC rejects the self-comparison under -Werror (scalar fuzzer
    seed 9810237, an int; rules/algebra.py folds it: False for every number, nan too)."""
    def g0(t0):
        if c < c:
            return t0
        return 1.0 + c
    return np.sum(x * g0(1.0))


RNG = np.random.default_rng(5)
CASES = [
    ("pendulum", pendulum, (np.array([1.2, 0.3]), 0.5), (0, 1)),
    ("kalman_nll", kalman_nll, (RNG.normal(size=2), np.array([[1.0, 0.1], [0.0, 1.0]]),
                                0.01 * np.eye(2), np.array([1.0, 0.0]),
                                RNG.normal(size=6)), (0, 1, 2, 3, 4)),
    ("rnn_cells", rnn_cells, (0.5 * RNG.normal(size=(3, 3)), RNG.normal(size=(3, 2)),
                              RNG.normal(size=3), RNG.normal(size=(4, 2))), (0, 1, 2, 3)),
    ("lstm", lstm, (0.5 * RNG.normal(size=(4, 3, 3)), RNG.normal(size=(4, 3, 2)),
                    RNG.normal(size=(4, 3)), RNG.normal(size=(5, 2))), (0, 1, 2, 3)),
    ("zero_trip_call", zero_trip_call, (RNG.normal(size=3), 0.5), (0, 1)),
    ("self_compare", self_compare, (RNG.normal(size=3), 3), (0,)),
    ("swapping", swapping, (RNG.normal(size=3), RNG.normal(size=3), RNG.normal(size=(3, 3))),
     (0, 1, 2)),
]


results = results_fixture(CASES, "c99_calls")


@pytest.mark.parametrize("name, f, args, argnums", CASES, ids=[c[0] for c in CASES])
def test_agrees_with_python(results, name, f, args, argnums):
    agrees(results[name], f, args, argnums)


def test_helpers_are_static_functions_with_pointer_arguments():
    c = emit_c(kalman_nll, *CASES[1][2], argnums=(0, 1, 2, 3, 4))
    assert "static void predict(const double *x, const double *P" in c.source
    assert "static void update_rev(" in c.source and "malloc" not in c.source


def test_recursion_with_arrays_keeps_frames_on_the_stack(tmp_path):
    x = np.array([0.3, -0.2])
    c = emit_c(recursive, x, max_iterations=8)
    body = c.source[c.source.rindex("static int powers_fwd("):]
    assert "static double" not in body.split("\n}\n")[0]
    assert "d_x[k0] = NAN;" in c.source      # every element when the bound is hit
    done = run_array_cases([("recursive", recursive, (x,), 0)], str(tmp_path),
                           max_iterations=8)
    agrees(done["recursive"], recursive, (x,), 0)


def test_compiled_kalman_with_float32():
    args = CASES[1][2]
    f = emit_c(kalman_nll, *args, argnums=0, dtype="float32").compile()
    value, g = f(*args)
    assert "double" not in emit_c(kalman_nll, *args, dtype="float32").source
    assert close(value, kalman_nll(*args), tol=1e-4)


def test_every_single_argument_gradient_compiles_strictly(tmp_path):
    """Each activity pattern specialises the _fwd/_rev pairs differently."""
    import subprocess
    from c_driver import STRICT
    sources = []
    for name, f, args, argnums in CASES:
        for i in argnums:
            c = emit_c(f, *args, argnums=i, name=f"{name}_{i}")
            sources.append(c.write(tmp_path)[0])
    done = subprocess.run([CC, *STRICT, "-fsyntax-only", *sources], capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stderr[-3000:]


def kalman_plain(x0, F, Q, h, zs):
    """The final state and covariance unused: their adjoints are zero arrays into the
    last update_rev (the Python backend passes a scalar 0.0 there and fails)."""
    x, P = x0, np.eye(2)
    nll = 0.0
    for t in range(zs.shape[0]):
        x, P = predict(x, P, F, Q)
        x, P, e = update(x, P, h, 0.25, zs[t])
        nll = nll + 0.5 * e
    return nll


def _finite_differences(f, args, i, step=1e-6):
    a = [np.array(x, dtype=float) for x in args]
    out = np.zeros_like(a[i])
    for k in np.ndindex(out.shape):
        plus, minus = a[i].copy(), a[i].copy()
        plus[k] += step
        minus[k] -= step
        out[k] = (f(*a[:i], plus, *a[i + 1:]) - f(*a[:i], minus, *a[i + 1:])) / (2 * step)
    return out


def test_zero_array_adjoints_into_callees_match_finite_differences(tmp_path):
    args = CASES[1][2]
    done = run_array_cases([("kalman_plain", kalman_plain, args, (0, 1, 3))],
                           str(tmp_path))["kalman_plain"]
    assert done.status == 0 and close(done.value, kalman_plain(*args))
    ref = np.concatenate([_finite_differences(kalman_plain, args, i).ravel() for i in (0, 1, 3)])
    assert np.allclose(done.grads, ref, rtol=1e-6, atol=1e-7)


def test_a_helper_called_with_two_shapes_gets_a_copy_per_shape(tmp_path):
    """Type inference copies a callee per argument types (analysis/split_callees.py), so
    each C function keeps one static shape per array parameter."""
    args = (np.array([[0.5, -0.2], [0.3, 0.8]]), np.array([[0.1, 0.4, -0.3], [0.2, -0.6, 0.5],
                                                         [0.7, 0.1, 0.2]]),
            np.array([0.3, -0.4]), np.array([0.2, 0.5, -0.1]))
    done = run_array_cases([("two_shapes", gates_of_two_shapes, args, (0, 1, 2, 3))],
                           str(tmp_path))["two_shapes"]
    assert done.status == 0 and close(done.value, gates_of_two_shapes(*args))
    ref = np.concatenate([_finite_differences(gates_of_two_shapes, args, i).ravel()
                          for i in range(4)])
    assert np.allclose(done.grads, ref, rtol=1e-6, atol=1e-7)