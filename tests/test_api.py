"""The public API: shapes of results, vjp, check_grad, source, caching, errors."""
import math

import numpy as np
import pytest

import pullback


def model(x, y, n=3):
    s = 0.0
    for i in range(n):
        s = s + math.sin(x * i) * y
    return s * s


def two_outputs(x, y):
    return x * y, math.exp(x) + y


def fd(f, args, i, h=1e-6):
    up = list(args); up[i] += h
    dn = list(args); dn[i] -= h
    return (f(*up) - f(*dn)) / (2 * h)


def test_grad_shapes_and_values():
    g0 = pullback.grad(model)(0.7, 1.3)
    assert isinstance(g0, float)
    assert g0 == pytest.approx(fd(model, (0.7, 1.3), 0), rel=1e-6)
    g = pullback.grad(model, argnums=(0, 1))(0.7, 1.3)
    assert isinstance(g, tuple) and len(g) == 2
    assert g[1] == pytest.approx(fd(model, (0.7, 1.3), 1), rel=1e-6)


def test_keyword_and_default_arguments():
    g = pullback.grad(model, argnums=1)
    assert g(0.7, 1.3, n=5) == pytest.approx(fd(lambda x, y: model(x, y, 5), (0.7, 1.3), 1),
                                            rel=1e-6)


def test_value_and_grad_returns_the_value():
    v, g = pullback.value_and_grad(model, argnums=(0,))(0.7, 1.3)
    assert v == pytest.approx(model(0.7, 1.3), rel=1e-14)
    assert len(g) == 1


def test_vjp_with_several_outputs():
    out, pull = pullback.vjp(two_outputs, 0.5, 2.0)
    assert out == pytest.approx(two_outputs(0.5, 2.0))
    ct = pull((1.0, 0.0))
    assert ct == pytest.approx((2.0, 0.5))
    ct = pull((0.0, 1.0))
    assert ct == pytest.approx((math.exp(0.5), 1.0))


def test_vjp_int_argument_gets_zero():
    out, pull = pullback.vjp(model, 0.7, 1.3, 4)
    assert pull(1.0)[2] == 0.0


def test_grad_of_tuple_output_is_an_error():
    with pytest.raises(TypeError, match="scalar"):
        pullback.grad(two_outputs)(1.0, 2.0)


def test_grad_of_bool_argument_is_an_error():
    with pytest.raises(TypeError, match="bool"):
        pullback.grad(lambda x, b: x if b else -x, argnums=1)(1.0, True)


def test_int_argument_is_differentiated_as_float():
    assert pullback.grad(lambda x: x * x)(3) == 6.0


def test_check_grad_passes_and_catches_a_wrong_gradient(monkeypatch):
    assert pullback.check_grad(model, 0.7, 1.3, argnums=(0, 1)) < 1.0
    from pullback import api
    real = api.Derivative.__call__

    def broken(self, *args, **kwargs):
        g = real(self, *args, **kwargs)
        return tuple(x * 1.01 for x in g) if isinstance(g, tuple) else g * 1.01
    monkeypatch.setattr(api.Derivative, "__call__", broken)
    with pytest.raises(pullback.GradientMismatch, match="finite differences"):
        pullback.check_grad(model, 0.7, 1.3, argnums=(0, 1))


def test_source_is_readable_and_cached():
    g = pullback.grad(model, argnums=(0, 1))
    text = pullback.source(g)
    assert "def model_grad(x, y, n):" in text and "x_bar" in text and "y_bar" in text
    assert text._repr_markdown_().startswith("```python")
    g(0.1, 0.2)
    from pullback.pipeline import _CACHE
    n = len(_CACHE)
    g(0.3, 0.4)
    assert len(_CACHE) == n


def test_generated_source_runs_on_its_own(tmp_path):
    text = pullback.source(pullback.value_and_grad(model, argnums=(0, 1)))
    ns = {}
    exec(compile(text, str(tmp_path / "m.py"), "exec"), ns)
    value, gx, gy = ns["model_grad"](0.7, 1.3, 3)
    assert value == pytest.approx(model(0.7, 1.3))
    # grad of array code returns the gradients only (nothing is computed just for the value)
    def rosen(x):
        return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)
    x = np.array([0.5, -0.2, 0.9])
    g = pullback.grad(rosen)
    expected = g(x)
    text = pullback.source(g)
    assert "return x_bar" in text and "np.sum(" not in text.split("def rosen_grad")[1]
    exec(compile(text, str(tmp_path / "g.py"), "exec"), ns)
    np.testing.assert_allclose(ns["rosen_grad"](x), expected, rtol=0, atol=0)
    np.testing.assert_allclose(expected, pullback.value_and_grad(rosen)(x)[1], rtol=1e-13)


def test_straight_line_code_pushes_nothing():
    def f(x, y):
        a = x * y
        a = math.sin(a) * x
        a = a * a + y
        return a
    text = pullback.source(pullback.grad(f, argnums=(0, 1)))
    assert "append" not in text and "pop" not in text


def test_loop_stores_only_what_the_reverse_reads():
    def f(x, c):
        for i in range(10):
            x = x + c      # linear: nothing to store
            x = 0.5 * x
        return x
    text = pullback.source(pullback.grad(f, argnums=(0, 1)))
    assert "append" not in text


def test_inactive_computations_are_not_differentiated():
    def f(x, n):
        k = n * 2 + 1
        m = math.sqrt(float(k))
        return x * m
    text = pullback.source(pullback.grad(f))
    assert "k_bar" not in text and "m_bar" not in text
    assert pullback.grad(f)(2.0, 4) == pytest.approx(3.0)


def test_vjp_pullback_can_be_called_twice():
    def f(x, y):
        for i in range(5):
            x = math.sin(x) * y
        return x
    out, pull = pullback.vjp(f, 0.3, 1.2)
    first = pull(1.0)
    assert pull(1.0) == first
    assert pull(2.0) == pytest.approx(tuple(2 * g for g in first))


def test_cli_argument_types():
    from pullback.cli import parse_types
    from pullback.ir.types import Array
    assert parse_types("x: float64[3, 2], n: int, c: float64", ["x", "n", "c", "d"]) == \
        ([Array("float64", (3, 2)), "int", "float", "float"], ["d"])
    with pytest.raises(SystemExit, match="bad --args entry 'n: complex'.*expected"):
        parse_types("n: complex", ["n"])
