"""Derivatives of derivatives written as JAX and autograd users write them
(transforms/jvp_calls.py, transforms/grad_calls.py): ``jvp`` of a function that calls
``jvp`` to any depth (autograd's ``elementwise_grad`` of an elementwise function is
its jvp with ones), ``pullback.grad``/``value_and_grad`` called inside differentiated
code, and closures over an outer argument (no perturbation confusion).  Checked
against JAX's nested derivatives and central differences."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import pullback
from pullback.errors import UnsupportedError

jax.config.update("jax_enable_x64", True)


def close(a, b, rtol=1e-9, atol=1e-10):
    np.testing.assert_allclose(np.asarray(a, float), np.asarray(b, float), rtol=rtol, atol=atol)


def fd(f, x, h=1e-5):
    """Central differences of ``f`` at float or array ``x`` (elementwise for arrays
    when ``f`` maps arrays elementwise, else the gradient of a scalar ``f``)."""
    x = np.asarray(x, float)
    if x.ndim == 0:
        return (f(float(x) + h) - f(float(x) - h)) / (2 * h)
    out = np.zeros_like(x)
    for k in np.ndindex(x.shape):
        up, dn = x.copy(), x.copy()
        up[k] += h
        dn[k] -= h
        out[k] = (np.sum(f(up)) - np.sum(f(dn))) / (2 * h)
    return out


def tanh(x):
    return (1.0 - np.exp(-2 * x)) / (1.0 + np.exp(-(2 * x)))


def egrad(fun):
    """autograd's elementwise_grad of an elementwise function, as the outside shim has it."""
    def egrad_of(x):
        return pullback.jvp(fun, (x,), (np.ones_like(x),))[1]
    return egrad_of


def jax_nth(f, n):
    for _ in range(n):
        f = jax.grad(f)
    return jax.vmap(f)


@pytest.mark.parametrize("n", [2, 3, 4])
def test_elementwise_grad_of_elementwise_grad(n):
    """autograd's examples/tanh.py: the 2nd to 4th derivatives of tanh on an array."""
    f = tanh
    for _ in range(n):
        f = egrad(f)
    x = np.linspace(-3.0, 3.0, 9)
    close(f(x), jax_nth(jnp.tanh, n)(x))
    lower = tanh
    for _ in range(n - 1):
        lower = egrad(lower)
    close(f(x), fd(lower, x), rtol=1e-5, atol=1e-6)


def test_grad_of_nested_jvp_and_fd():
    """Reverse over forward over forward: grad of the 2nd derivative is the 3rd."""
    e2 = egrad(egrad(tanh))
    close(pullback.grad(lambda x: e2(x))(0.3), jax.grad(jax.grad(jax.grad(jnp.tanh)))(0.3))
    close(pullback.grad(lambda x: e2(x))(0.3), fd(e2, 0.3), rtol=1e-6)


# -- pullback.grad / value_and_grad called inside differentiated code -------------------------
def times_inner(x):
    """Perturbation confusion: the inner grad is w.r.t. y only; x is the outer's."""
    return x * pullback.grad(lambda y: x * y)(2.0)


def times_inner_jax(x):
    return x * jax.grad(lambda y: x * y)(2.0)


def wave(x, a):
    return np.sin(x * a) * x


def wave_jax(x, a):
    return jnp.sin(x * a) * x


def squared_slope(x):
    return pullback.grad(wave)(x, 0.7) ** 2


def squared_slope_jax(x):
    return jax.grad(wave_jax)(x, 0.7) ** 2


def both(x):
    v, (gx, ga) = pullback.value_and_grad(wave, argnums=(0, 1))(x, x * 2.0)
    return v * gx + ga


def both_jax(x):
    v, (gx, ga) = jax.value_and_grad(wave_jax, argnums=(0, 1))(x, x * 2.0)
    return v * gx + ga


slope_of_wave = pullback.grad(wave, argnums=1)       # a grad object made outside


def outside_object(x):
    return np.cos(slope_of_wave(x, x + 1.0))


def outside_object_jax(x):
    return jnp.cos(jax.grad(wave_jax, argnums=1)(x, x + 1.0))


def deeper(x):
    """grad of a function whose body calls grad of a function that calls grad."""
    return pullback.grad(squared_slope)(x * 1.5) + x


def deeper_jax(x):
    return jax.grad(squared_slope_jax)(x * 1.5) + x


SCALAR = [(times_inner, times_inner_jax), (squared_slope, squared_slope_jax),
          (both, both_jax), (outside_object, outside_object_jax), (deeper, deeper_jax)]


@pytest.mark.parametrize("f,fj", SCALAR, ids=[f.__name__ for f, _ in SCALAR])
def test_grad_inside_on_a_number(f, fj):
    x = 0.45
    close(f(x), fj(x))
    close(pullback.grad(f)(x), jax.grad(fj)(x))
    close(pullback.grad(f)(x), fd(f, x), rtol=1e-6, atol=1e-8)


def test_perturbation_confusion_gives_2x():
    close(pullback.grad(times_inner)(3.0), 6.0)


@pytest.mark.parametrize("f,fj", SCALAR[1:3], ids=[f.__name__ for f, _ in SCALAR[1:3]])
def test_hessian_and_third_order_over_grad_inside(f, fj):
    """Forward over reverse over the inner forward sweeps; grad of grad of it."""
    x = 0.45
    close(pullback.hessian(f)(x), jax.hessian(fj)(x), rtol=1e-8)
    close(pullback.grad(pullback.grad(f))(x), jax.grad(jax.grad(fj))(x), rtol=1e-8)


def ripple(x):
    return np.sum(np.sin(x) * x[0, 0]) + np.prod(np.cos(x[1]))


def ripple_jax(x):
    return jnp.sum(jnp.sin(x) * x[0, 0]) + jnp.prod(jnp.cos(x[1]))


def grad_norm(x):
    return np.sum(pullback.grad(ripple)(x) ** 2)


def grad_norm_jax(x):
    return jnp.sum(jax.grad(ripple_jax)(x) ** 2)


def test_grad_inside_on_an_array():
    """The inner gradient column by column (one forward sweep per element)."""
    x = np.array([[0.3, 0.5, -0.2], [0.7, -1.1, 0.4]])
    close(grad_norm(x), grad_norm_jax(x))
    close(pullback.grad(grad_norm)(x), jax.jit(jax.grad(grad_norm_jax))(x))
    close(pullback.grad(grad_norm)(x), fd(grad_norm, x), rtol=1e-6, atol=1e-8)
    close(pullback.jacobian(pullback.grad(ripple))(x), jax.jit(jax.hessian(ripple_jax))(x))


def test_grad_of_grad_of_a_ufunc():
    """autograd's examples/fixed_points.py: grad(grad(np.sqrt)) of a NumPy ufunc."""
    close(pullback.grad(np.sqrt)(2.0), jax.grad(jnp.sqrt)(2.0))
    close(pullback.grad(pullback.grad(np.sqrt))(2.0), jax.grad(jax.grad(jnp.sqrt))(2.0))
    close(pullback.grad(np.arctan2, argnums=1)(2.0, 3.0),
          jax.grad(jnp.arctan2, argnums=1)(2.0, 3.0))


def sqrt_by_fixed_point(a):
    return pullback.fixed_point(lambda x, a: x - 0.05 * (x ** 2 - a), 10.0, a, tol=1e-13)


def test_grad_of_grad_through_fixed_point():
    """Two tangent functions of one step (w.r.t. x and w.r.t. a) keep distinct names."""
    close(pullback.grad(sqrt_by_fixed_point)(2.0), jax.grad(jnp.sqrt)(2.0), rtol=1e-8)
    close(pullback.grad(pullback.grad(sqrt_by_fixed_point))(2.0),
          jax.grad(jax.grad(jnp.sqrt))(2.0), rtol=1e-7)


def newton_fprime(r):
    """autograd's examples/negative_binomial_maxlike.py: grad inside a lambda."""
    loglike = lambda r, p: np.sum(np.log(r + p) * p - r * r)
    return pullback.grad(loglike)(r, 1.0 / (1.0 + r))


def newton_fprime_jax(r):
    loglike = lambda r, p: jnp.sum(jnp.log(r + p) * p - r * r)
    return jax.grad(loglike)(r, 1.0 / (1.0 + r))


def test_grad_and_grad_of_grad_of_a_function_calling_grad():
    close(pullback.grad(newton_fprime)(1.3), jax.grad(newton_fprime_jax)(1.3))
    close(pullback.grad(pullback.grad(newton_fprime))(1.3),
          jax.grad(jax.grad(newton_fprime_jax))(1.3), rtol=1e-8)


def second_inside(x):
    """grad(grad(f)) written inside: its inner derivative becomes a function of its own."""
    return pullback.grad(pullback.grad(wave))(x, 0.5) * x


def second_inside_jax(x):
    return jax.grad(jax.grad(wave_jax))(x, 0.5) * x


third_of_wave = pullback.grad(pullback.grad(pullback.grad(wave, 1)))     # made outside


def third_inside(x):
    """A grad-of-grad object made outside, and a closure over x inside one."""
    c = x * 2.0
    return third_of_wave(x, c) + pullback.grad(pullback.grad(lambda y: y ** 3 * c))(x)


def third_inside_jax(x):
    c = x * 2.0
    return jax.grad(jax.grad(jax.grad(wave_jax, 1)))(x, c) + \
        jax.grad(jax.grad(lambda y: y ** 3 * c))(x)


@pytest.mark.parametrize("f,fj", [(second_inside, second_inside_jax),
                                  (third_inside, third_inside_jax)], ids=["second", "third"])
def test_grad_of_grad_inside(f, fj):
    close(f(0.3), fj(0.3))
    close(pullback.grad(f)(0.3), jax.grad(fj)(0.3))
    close(pullback.grad(f)(0.3), fd(f, 0.3), rtol=1e-6, atol=1e-8)


def grad_of_array_result(x):
    return np.sum(pullback.grad(lambda y: y * 2.0)(x))


def grad_wrt_int(x):
    return x * pullback.grad(lambda y, z: y * z, argnums=1)(x, 2)


def grad_of_value_and_grad_inside(x):
    return pullback.grad(pullback.value_and_grad(wave))(x, 0.5)


@pytest.mark.parametrize("f,arg,match", [
    (grad_of_array_result, np.ones(3), "returns an array"),
    (grad_wrt_int, 0.3, "with respect to a value of type int"),
    (grad_of_value_and_grad_inside, 0.3, "it returns a pair"),
])
def test_rejections_name_the_line(f, arg, match):
    with pytest.raises(UnsupportedError, match=match) as info:
        pullback.grad(f)(arg)
    assert "test_nested.py" in str(info.value)


# -- factories: a call that returns a function (autograd's fixed_point examples) --------------
def newton_sqrt_iter(a):
    return lambda x: 0.5 * (x + a / x)


def make_scale(a):
    """A def made and returned (its docstring aside)."""
    def scale(x):
        return x * a * np.sin(a)
    return scale


def made(a):
    return newton_sqrt_iter(a)(3.0) + make_scale(a * 2.0)(a)


def made_jax(a):
    return 0.5 * (3.0 + a / 3.0) + a * (a * 2.0) * jnp.sin(a * 2.0)


def sqrt_by_factory(a):
    return pullback.fixed_point(lambda x, theta: newton_sqrt_iter(theta)(x), 1.0, a, tol=1e-13)


def test_a_factory_call_makes_its_function():
    close(made(0.7), made_jax(0.7))
    close(pullback.grad(made)(0.7), jax.grad(made_jax)(0.7))
    close(pullback.grad(made)(0.7), fd(made, 0.7), rtol=1e-7)
    close(pullback.grad(pullback.grad(sqrt_by_factory))(2.0), jax.grad(jax.grad(jnp.sqrt))(2.0),
          rtol=1e-8)


def smooth(x):
    return np.sum(np.sin(x) * x[0, 0]) + np.sum(np.cos(x[1]) ** 2)


def smooth_jax(x):
    return jnp.sum(jnp.sin(x) * x[0, 0]) + jnp.sum(jnp.cos(x[1]) ** 2)


def value_times_slope(x):
    v, g = pullback.value_and_grad(smooth)(x)
    return v * np.sum(g * x)


def value_times_slope_jax(x):
    v, g = jax.value_and_grad(smooth_jax)(x)
    return v * jnp.sum(g * x)


def test_value_and_grad_inside_on_an_array_and_its_hessian():
    """Forward over reverse over the inner forward sweeps (a third derivative of smooth)."""
    x = np.array([[0.3, 0.5], [0.7, -1.1]])
    close(pullback.grad(value_times_slope)(x), jax.jit(jax.grad(value_times_slope_jax))(x))
    close(pullback.hessian(value_times_slope)(x),
          jax.jit(jax.hessian(value_times_slope_jax))(x), rtol=1e-8)


# -- pullback.jacobian inside (autograd's test_jacobian_higher_order) -------------------------
def outer_wave(x):
    return np.sin(np.outer(x, x)) + np.cos(np.dot(x, x))


def outer_wave_jax(x):
    return jnp.sin(jnp.outer(x, x)) + jnp.cos(jnp.dot(x, x))


def sum_sin_jacobian(x):
    return np.sum(np.sin(pullback.jacobian(outer_wave)(x)))


def sum_sin_jacobian_jax(x):
    return jnp.sum(jnp.sin(jax.jacfwd(outer_wave_jax)(x)))


def sum_sin_second_jacobian(x):
    return np.sum(np.sin(pullback.jacobian(pullback.jacobian(outer_wave))(x)))


def sum_sin_second_jacobian_jax(x):
    return jnp.sum(jnp.sin(jax.jacfwd(jax.jacfwd(outer_wave_jax))(x)))


def curve_slope(t):
    """A number in, an array out: its Jacobian is the tangent vector."""
    return pullback.jacobian(lambda a: np.array([a, a * a * t]), mode="forward")(t * 2.0)[1]


def curve_slope_jax(t):
    return jax.jacfwd(lambda a: jnp.array([a, a * a * t]))(t * 2.0)[1]


JACOBIANS = [(sum_sin_jacobian, sum_sin_jacobian_jax, np.array([0.3, -0.8])),
             (sum_sin_second_jacobian, sum_sin_second_jacobian_jax, np.array([0.3, -0.8])),
             (curve_slope, curve_slope_jax, 0.7)]


@pytest.mark.parametrize("f,fj,x", JACOBIANS, ids=["jacobian", "jacobian2", "curve"])
def test_jacobian_inside(f, fj, x):
    close(f(x), fj(x))
    close(pullback.grad(f)(x), jax.grad(fj)(x))
    close(pullback.grad(f)(x), fd(f, x), rtol=1e-6, atol=1e-7)
