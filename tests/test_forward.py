"""Forward mode and higher derivatives against JAX and central finite differences.

The corpus (tests/corpus) runs through ``jvp`` (every case), forward and reverse
``jacobian`` and ``hessian``; the programs below cover what the corpus does not:
vector-valued simulations, third derivatives, while loops, recursion and
closures under forward over reverse, nested ``grad``, shapes and errors.
"""
import math
import sys

import jax
import pytest

import pullback
from pullback import layout, pipeline
from test_corpus import CASES, IDS, JAX_TWINS, _build_jax_functions, central_diff

jax.config.update("jax_enable_x64", True)

FD_RTOL, FD_ATOL = 1e-5, 1e-6
AD_RTOL, AD_ATOL = 1e-9, 1e-11


def close(a, e, rtol=AD_RTOL, atol=AD_ATOL):
    return math.isfinite(a) and abs(a - e) <= atol + rtol * abs(e)


def nums_of(case):
    return (case.argnums,) if isinstance(case.argnums, int) else tuple(case.argnums)


def direction(case):
    """A tangent that moves the case's differentiated arguments only."""
    nums = nums_of(case)
    return tuple(0.3 + 0.4 * k if i in nums else 0.0 for k, i in enumerate(range(len(case.args))))


def jax_restricted(func, args, nums):
    """``func`` as a function of the arguments at ``nums`` only (JAX differentiates floats)."""
    def g(*xs):
        full = list(args)
        for i, x in zip(nums, xs):
            full[i] = x
        return func(*full)
    return g, tuple(args[i] for i in nums)


# --- the corpus --------------------------------------------------------------------

@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_jvp_corpus(case):
    t = direction(case)
    out, out_dot = pullback.jvp(case.func, case.args, t)
    assert out == pytest.approx(case.func(*case.args), rel=1e-12, abs=1e-12)
    assert isinstance(out_dot, float)
    h = 1e-6 * max(1.0, max(abs(case.args[i]) for i in nums_of(case)))
    up = [a + h * v if v else a for a, v in zip(case.args, t)]
    dn = [a - h * v if v else a for a, v in zip(case.args, t)]
    fd = (case.func(*up) - case.func(*dn)) / (2 * h)
    assert close(out_dot, fd, FD_RTOL, FD_ATOL), (out_dot, fd)
    if case.jax:
        nums = nums_of(case)
        g, primals = jax_restricted(JAX_TWINS[case.func], case.args, nums)
        _, expected = jax.jvp(g, primals, tuple(t[i] for i in nums))
        assert close(out_dot, float(expected)), (out_dot, float(expected))


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_jacobian_corpus_forward_and_reverse(case):
    fd = central_diff(case.func, case.args, case.argnums)
    for mode in ("forward", "reverse"):
        jac = pullback.jacobian(case.func, argnums=case.argnums, mode=mode)(*case.args)
        row = (jac,) if isinstance(case.argnums, int) else jac
        assert isinstance(row, tuple) and all(isinstance(v, float) for v in row)
        assert len(row) == len(fd)
        for a, e in zip(row, fd):
            assert close(a, e, FD_RTOL, FD_ATOL), (mode, row, fd)


def lines_executed(f, args):
    """How many lines a call runs: JAX's eager oracle costs about 1 ms per line
    for second derivatives, so long simulations use finite differences only."""
    count = 0

    def trace(frame, event, arg):
        nonlocal count
        count += event == "line"
        return trace
    sys.settrace(trace)
    try:
        f(*args)
    finally:
        sys.settrace(None)
    return count


def jax_hessian(g, primals):
    """Forward over reverse in JAX, one direction at a time (``jax.hessian`` vmaps,
    which Python control flow on values does not survive)."""
    n = len(primals)
    grad = jax.grad(g, argnums=tuple(range(n)))
    cols = [jax.jvp(grad, primals, tuple(float(i == j) for i in range(n)))[1] for j in range(n)]
    return [[float(cols[j][i]) for j in range(n)] for i in range(n)]


def fd_hessian(f, args, nums, h=1e-4):
    """Central second differences, Richardson-extrapolated (error O(h**4))."""
    coarse, fine = fd_hessian_step(f, args, nums, h), fd_hessian_step(f, args, nums, h / 2)
    return [[(4 * b - a) / 3 for a, b in zip(r, s)] for r, s in zip(coarse, fine)]


def fd_hessian_step(f, args, nums, h):
    def at(di, dj, i, j):
        a = list(args)
        a[i] += di
        a[j] += dj
        return f(*a)
    out = []
    for i in nums:
        hi = h * max(1.0, abs(args[i]))
        row = []
        for j in nums:
            hj = h * max(1.0, abs(args[j]))
            row.append((at(hi, hj, i, j) - at(hi, -hj, i, j) - at(-hi, hj, i, j)
                        + at(-hi, -hj, i, j)) / (4 * hi * hj))
        out.append(row)
    return out


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_hessian_corpus(case):
    nums = nums_of(case)
    hess = pullback.hessian(case.func, argnums=nums)(*case.args)
    assert len(hess) == len(nums) and all(len(row) == len(nums) for row in hess)
    fd = fd_hessian(case.func, case.args, nums)
    scale = max(1.0, abs(case.func(*case.args)))
    for i in range(len(nums)):
        for j in range(len(nums)):
            assert abs(hess[i][j] - fd[i][j]) <= 1e-5 * scale + 1e-5 * abs(fd[i][j]), \
                (i, j, hess[i][j], fd[i][j])
    # JAX on every other case (its eager second derivatives dominate the run time)
    if case.jax and CASES.index(case) % 2 == 0 and lines_executed(case.func, case.args) < 300:
        g, primals = jax_restricted(JAX_TWINS[case.func], case.args, nums)
        expected = jax_hessian(g, primals)
        for i in range(len(nums)):
            for j in range(len(nums)):
                assert close(hess[i][j], expected[i][j], 1e-8, 1e-9), (i, j, hess, expected)


# --- programs ------------------------------------------------------------------------

def pendulum(theta, omega, c):
    for i in range(20):
        alpha = -9.81 * math.sin(theta) - c * omega
        theta = theta + 0.01 * omega
        omega = omega + 0.01 * alpha
    return theta ** 2 + 0.1 * omega ** 2


def projectile(x, y, vx, vy, drag, g):
    """A 6-input, 4-output simulation."""
    for i in range(100):
        v = math.sqrt(vx * vx + vy * vy)
        ax = -drag * v * vx
        ay = -g - drag * v * vy
        x = x + 0.005 * vx
        y = y + 0.005 * vy
        vx = vx + 0.005 * ax
        vy = vy + 0.005 * ay
    return x, y, vx, vy


def newton_sqrt(a):
    x = a
    while abs(x * x - a) > 1e-12 * a:
        x = 0.5 * (x + a / x)
    return x * math.sin(x)


def rpow(x, n):
    if n == 0:
        return 1.0
    return x * rpow(x, n - 1)


def with_closure(x, y):
    def scaled(z):
        return math.exp(z * y) / (1 + z * z)
    s = 0.0
    k = 0
    while k < 4:
        s = s + scaled(x + 0.1 * k)
        k += 1
    return s


def branchy(x, y):
    s = 0.0
    for i in range(5):
        if x * i > y:
            s += math.log(x + i) * y
            if s > 3.0:
                break
        else:
            s -= x * y / (i + 1)
    return s * x


def bounded_interval(x):
    t = x
    for i in range(8):
        t = t - 0.25 * math.tanh(t) + 0.1 * x * math.cos(t)
    return t ** 3


JAX_OF = _build_jax_functions([sys.modules[__name__]])
PROGRAMS = [(pendulum, (0.5, 0.1, 0.3)), (newton_sqrt, (2.3,)), (rpow, (1.3, 5)),
            (with_closure, (0.4, 0.7)), (branchy, (1.3, 0.8)), (bounded_interval, (0.6,))]


def float_nums(args):
    return tuple(i for i, a in enumerate(args) if isinstance(a, float))


@pytest.mark.parametrize("f,args", PROGRAMS, ids=[f.__name__ for f, _ in PROGRAMS])
def test_hessian_and_hvp_programs(f, args):
    nums = float_nums(args)
    g, primals = jax_restricted(JAX_OF[f], args, nums)
    hess = pullback.hessian(f, argnums=nums)(*args)
    expected = jax_hessian(g, primals)
    for i in range(len(nums)):
        for j in range(len(nums)):
            assert close(hess[i][j], expected[i][j], 1e-8, 1e-10), (i, j, hess, expected)
    v = tuple(0.5 - 0.3 * k if k in nums else 0.0 for k in range(len(args)))
    hv = pullback.hvp(f, args, v)
    assert len(hv) == len(args)
    for i, n in enumerate(nums):
        expected = sum(hess[i][j] * v[m] for j, m in enumerate(nums))
        assert close(hv[n], expected, 1e-10, 1e-12)


@pytest.mark.parametrize("f,args", PROGRAMS[:3], ids=[f.__name__ for f, _ in PROGRAMS[:3]])
def test_jacobian_of_grad_both_modes(f, args):
    """jacobian(grad(f)) in either mode is the Hessian (jax.jacrev(jax.grad(f)))."""
    nums = float_nums(args)
    g, primals = jax_restricted(JAX_OF[f], args, nums)
    expected = jax_hessian(g, primals)
    for mode in ("reverse", "forward"):
        got = pullback.jacobian(pullback.grad(f, argnums=nums), argnums=nums, mode=mode)(*args)
        for i in range(len(nums)):
            for j in range(len(nums)):
                assert close(got[i][j], expected[i][j], 1e-8, 1e-10), (mode, got, expected)


@pytest.mark.parametrize("f,args", PROGRAMS, ids=[f.__name__ for f, _ in PROGRAMS])
def test_third_derivative(f, args):
    """grad(grad(grad(f))): forward over forward over reverse."""
    d3 = pullback.grad(pullback.grad(pullback.grad(f)))(*args)
    g, primals = jax_restricted(JAX_OF[f], args, (0,))
    expected = float(jax.grad(jax.grad(jax.grad(g)))(*primals))
    assert close(d3, expected, 1e-8, 1e-9), (d3, expected)


def test_second_derivative_against_finite_differences():
    h = 1e-4
    for f, args in PROGRAMS:
        d2 = pullback.grad(pullback.grad(f))(*args)
        up, dn = list(args), list(args)
        up[0] += h
        dn[0] -= h
        fd = (f(*up) - 2 * f(*args) + f(*dn)) / (h * h)
        assert abs(d2 - fd) <= 1e-5 + 1e-4 * abs(fd), (f.__name__, d2, fd)


def test_vector_valued_simulation_jacobians():
    args = (0.0, 0.0, 10.0, 12.0, 0.05, 9.81)
    nums = tuple(range(6))
    expected = jax.jacfwd(JAX_OF[projectile], argnums=nums)(*args)
    for mode in ("forward", "reverse"):
        jac = pullback.jacobian(projectile, argnums=nums, mode=mode)(*args)
        assert len(jac) == 4 and all(len(row) == 6 for row in jac)
        for r in range(4):
            for c in range(6):
                assert close(jac[r][c], float(expected[r][c]), 1e-9, 1e-10), (mode, r, c)
    # one input, several outputs: a tuple of floats
    col = pullback.jacobian(projectile, argnums=4, mode="forward")(*args)
    assert col == pytest.approx(tuple(float(expected[r][4]) for r in range(4)), rel=1e-10)
    fd = [(a - b) / 2e-6 for a, b in zip(projectile(*args[:4], 0.05 + 1e-6, 9.81),
                                         projectile(*args[:4], 0.05 - 1e-6, 9.81))]
    assert col == pytest.approx(fd, rel=1e-5, abs=1e-6)


def test_jvp_of_tuple_outputs_matches_jax():
    args = (0.0, 0.0, 10.0, 12.0, 0.05, 9.81)
    t = (0.1, -0.2, 0.3, 0.4, -0.5, 0.6)
    out, out_dot = pullback.jvp(projectile, args, t)
    e_out, e_dot = jax.jvp(JAX_OF[projectile], args, t)
    assert isinstance(out, tuple) and isinstance(out_dot, tuple) and len(out_dot) == 4
    for a, e in zip(out + out_dot, tuple(e_out) + tuple(e_dot)):
        assert close(a, float(e), 1e-10, 1e-12)


def test_forward_jacobian_is_one_sweep_and_chunks(monkeypatch):
    args = (0.0, 0.0, 10.0, 12.0, 0.05, 9.81)
    full = pullback.jacobian(projectile, argnums=tuple(range(6)), mode="forward")
    expected = full(*args)
    assert "6 directions per sweep" in pullback.source(full)
    monkeypatch.setattr(layout, "MAX_DIRECTIONS", 4)
    monkeypatch.setattr(pipeline, "_CACHE", {})
    chunked = pullback.jacobian(projectile, argnums=(5, 0, 1, 2, 3, 4), mode="forward")
    got = chunked(*args)
    assert "4 directions per sweep" in pullback.source(chunked)
    for r in range(4):
        assert got[r] == pytest.approx((expected[r][5],) + expected[r][:5], rel=1e-12)


# --- API shapes, sources, errors --------------------------------------------------------

def test_result_shapes():
    assert isinstance(pullback.jacobian(pendulum)(0.5, 0.1, 0.3), float)
    assert len(pullback.jacobian(pendulum, argnums=(0, 2), mode="forward")(0.5, 0.1, 0.3)) == 2
    h = pullback.hessian(pendulum)(0.5, 0.1, 0.3)
    assert isinstance(h, float)
    h2 = pullback.hessian(pendulum, argnums=(0, 1))(0.5, 0.1, 0.3)
    assert len(h2) == 2 and all(len(r) == 2 for r in h2)
    assert h2[0][1] == pytest.approx(h2[1][0], rel=1e-9)
    assert h2[0][0] == pytest.approx(h, rel=1e-12)
    out, out_dot = pullback.jvp(rpow, (1.3, 5), (1.0, 0))
    assert out == pytest.approx(1.3 ** 5) and out_dot == pytest.approx(5 * 1.3 ** 4)
    v, g = pullback.value_and_grad(pullback.grad(pendulum))(0.5, 0.1, 0.3)
    assert v == pytest.approx(pullback.grad(pendulum)(0.5, 0.1, 0.3), rel=1e-12)
    assert g == pytest.approx(h, rel=1e-12)


def test_argnums_order_is_respected():
    jac = pullback.jacobian(pendulum, argnums=(2, 0), mode="forward")(0.5, 0.1, 0.3)
    fd = central_diff(pendulum, (0.5, 0.1, 0.3), (2, 0))
    assert jac == pytest.approx(fd, rel=1e-5)
    jr = pullback.jacobian(pendulum, argnums=(2, 0), mode="reverse")(0.5, 0.1, 0.3)
    assert jr == pytest.approx(jac, rel=1e-10)


def test_mixed_partials_of_nested_grad():
    """grad(grad(f, 0), 2) = d2f/dtheta dc."""
    mixed = pullback.grad(pullback.grad(pendulum, 0), 2)(0.5, 0.1, 0.3)
    hess = pullback.hessian(pendulum, argnums=(0, 2))(0.5, 0.1, 0.3)
    assert mixed == pytest.approx(hess[0][1], rel=1e-12)
    jvp_of_grad = pullback.jvp(pullback.grad(pendulum, argnums=(0, 1, 2)), (0.5, 0.1, 0.3),
                               (1.0, 0.0, 0.0))[1]
    assert jvp_of_grad[2] == pytest.approx(mixed, rel=1e-12)


def test_source_is_readable_tangent_code():
    text = pullback.jvp_source(pendulum, (0.5, 0.1, 0.3))
    assert "def pendulum_jvp(theta, omega, c, theta_dot, omega_dot, c_dot):" in text
    assert "alpha_dot = " in text and "theta_dot += 0.01 * omega_dot" in text
    assert "i_dot" not in text          # the loop index is inactive
    text = pullback.source(pullback.hessian(pendulum, argnums=(0, 1)))
    assert "theta_bar_dot0" in text and "omega_bar_dot1" in text and "theta_dot1" in text
    assert ".append(" in text and ".pop()" in text      # tangents are taped with values
    rec = pullback.jvp_source(rpow, (1.3, 5))
    assert "rpow_jvp2(x, n - 1, x_dot)" in rec or "rpow_jvp(x, n - 1, x_dot)" in rec
    assert "n_dot" not in rec


def test_only_active_variables_get_tangents():
    def f(x, y):
        k = 3.0            # varied? no: a constant
        unused = math.sin(y) * x   # not useful
        return x * k
    text = pullback.jvp_source(f, (1.0, 2.0))
    assert "def f_jvp(x, y, x_dot, y_dot):" in text
    assert "k_dot" not in text and "unused" not in text


def test_errors():
    with pytest.raises(TypeError, match="tangent must be 0"):
        pullback.jvp(rpow, (1.3, 5), (1.0, 1.0))
    with pytest.raises(TypeError, match="scalar"):
        pullback.grad(pullback.grad(pendulum, argnums=(0, 1)))(0.5, 0.1, 0.3)
    with pytest.raises(ValueError, match="mode"):
        pullback.jacobian(pendulum, mode="sideways")
    with pytest.raises(ValueError, match="tangents"):
        pullback.jvp(pendulum, (0.5, 0.1, 0.3), (1.0,))


@pytest.mark.parametrize("case", CASES[::4], ids=lambda c: c.id)
def test_verifier_on_tangent_modules(case):
    """Tangent modules of user code, of reverse-mode code and of tangent code verify."""
    from pullback.pipeline import Forward, Primal, Reverse, derive
    from pullback.ir.verify import verify_module
    nums = nums_of(case)
    types = ["float" if i in nums or isinstance(a, float) else
             ("bool" if isinstance(a, bool) else "int") for i, a in enumerate(case.args)]
    mask = tuple(i in nums for i in range(len(types)))
    verify_module(derive(case.func, types, None, (Primal(), Forward(mask, 2)))[1])
    over_reverse = derive(case.func, types, None, (Reverse(mask), Forward(mask)))[1]
    verify_module(over_reverse)
    verify_module(derive(case.func, types, None, (Reverse(mask), Forward(mask), Forward(mask)))[1])
