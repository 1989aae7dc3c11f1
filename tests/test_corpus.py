"""Corpus of scalar programs: pullback gradients against finite differences and JAX.

``test_oracles_*`` need only the corpus and JAX; they check that the two
oracles agree, i.e. that every case is a valid test.  The other tests exercise
``pullback.grad``, ``pullback.value_and_grad`` and ``pullback.source``.
"""
import functools
import math
import types

import jax
import jax.numpy as jnp
import jax.scipy.special as jsp
import pytest

from corpus import programs, programs_control, programs_names, programs_numerics

jax.config.update("jax_enable_x64", True)

MODULES = (programs, programs_control, programs_numerics, programs_names)
CASES = [case for module in MODULES for case in module.CASES]
IDS = [case.id for case in CASES]

FD_RTOL, FD_ATOL = 1e-5, 1e-6  # any gradient against finite differences
AD_RTOL, AD_ATOL = 1e-9, 1e-11  # pullback against JAX: same computation, exact AD


# --- finite differences ---------------------------------------------------------

def _argnums_tuple(argnums):
    return (argnums,) if isinstance(argnums, int) else tuple(argnums)


def central_diff(f, args, argnums, step=1e-6):
    grads = []
    for i in _argnums_tuple(argnums):
        h = step * max(1.0, abs(args[i]))
        hi, lo = list(args), list(args)
        hi[i] += h
        lo[i] -= h
        grads.append((f(*hi) - f(*lo)) / (2 * h))
    return tuple(grads)


# --- JAX oracle: the same source, with math-style names bound to jax.numpy ------

def _jax_log(x, base=None):
    return jnp.log(x) if base is None else jnp.log(x) / jnp.log(base)


_JAX_MATH = {
    "sin": jnp.sin, "cos": jnp.cos, "tan": jnp.tan,
    "asin": jnp.arcsin, "acos": jnp.arccos, "atan": jnp.arctan, "atan2": jnp.arctan2,
    "sinh": jnp.sinh, "cosh": jnp.cosh, "tanh": jnp.tanh,
    "asinh": jnp.arcsinh, "acosh": jnp.arccosh, "atanh": jnp.arctanh,
    "exp": jnp.exp, "expm1": jnp.expm1, "log": _jax_log, "log1p": jnp.log1p,
    "log2": jnp.log2, "log10": jnp.log10, "sqrt": jnp.sqrt, "pow": jnp.power,
    "hypot": jnp.hypot, "fabs": jnp.abs, "erf": jsp.erf, "erfc": jsp.erfc,
    "lgamma": jsp.gammaln, "floor": jnp.floor, "ceil": jnp.ceil, "trunc": jnp.trunc,
    "pi": math.pi, "e": math.e, "tau": math.tau, "inf": math.inf,
}
_JAX_BUILTINS = {"float": lambda v=0.0: jnp.asarray(v, dtype=jnp.float64)}


def _jax_replacement(value):
    """What a global bound to ``value`` becomes under JAX (``value`` itself if unchanged)."""
    if value is math:
        return types.SimpleNamespace(**_JAX_MATH)
    for name, fn in _JAX_MATH.items():
        if callable(fn) and value is getattr(math, name):
            return fn
    return value


def _build_jax_functions(modules):
    """Rebuild every module-level function with globals that resolve to JAX.

    Returns a map from each original function to its JAX twin.  Globals that
    name functions of other corpus modules are patched to the twins too, so
    helpers called across modules also run under JAX.
    """
    twins, namespaces = {}, []
    for module in modules:
        ns = {k: _jax_replacement(v) for k, v in vars(module).items()}
        ns.update(_JAX_BUILTINS)
        namespaces.append(ns)
        for value in vars(module).values():
            if isinstance(value, types.FunctionType) and value.__module__ == module.__name__:
                twins[value] = types.FunctionType(
                    value.__code__, ns, value.__name__, value.__defaults__, value.__closure__)
                twins[value].__kwdefaults__ = value.__kwdefaults__
    for ns in namespaces:
        for key, value in ns.items():
            if isinstance(value, types.FunctionType) and value in twins:
                ns[key] = twins[value]
    return twins


JAX_TWINS = _build_jax_functions(MODULES)


@functools.cache
def jax_gradient(case):
    grads = jax.grad(JAX_TWINS[case.func], argnums=_argnums_tuple(case.argnums))(*case.args)
    return tuple(float(g) for g in grads)


# --- helpers --------------------------------------------------------------------

def assert_close(actual, expected, rtol, atol, what):
    assert len(actual) == len(expected), what
    for i, (a, e) in enumerate(zip(actual, expected)):
        assert math.isfinite(a), f"{what}: component {i} is {a}"
        assert abs(a - e) <= atol + rtol * abs(e), f"{what}: component {i}: {a!r} vs {e!r}"


def normalized(grads, argnums):
    """Check the documented return shape and return the grads as a tuple of floats."""
    if isinstance(argnums, int):
        assert not isinstance(grads, tuple), "int argnums must give a single gradient"
        grads, argnums = (grads,), (argnums,)
    assert isinstance(grads, tuple) and len(grads) == len(argnums)
    for g in grads:
        assert isinstance(g, float), f"gradient {g!r} is not a float"
    return grads


@pytest.fixture(scope="module")
def pullback():
    import pullback as module
    return module


# --- the corpus itself ----------------------------------------------------------

def test_oracles_corpus_is_well_formed():
    assert len(CASES) >= 70
    assert len({case.func for case in CASES}) >= 70, "at least 70 distinct programs"
    assert len(set(IDS)) == len(IDS), "case ids must be unique"
    for case in CASES:
        for i in _argnums_tuple(case.argnums):
            assert type(case.args[i]) is float, f"{case.id}: argument {i} is not a float"


def test_oracles_jax_coverage():
    assert sum(case.jax for case in CASES) >= 40


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_oracles_agree(case):
    fd = central_diff(case.func, case.args, case.argnums)
    assert all(math.isfinite(g) for g in fd)
    if not case.jax:
        pytest.skip("finite differences are the only oracle for this case")
    assert_close(jax_gradient(case), fd, FD_RTOL, FD_ATOL, "JAX vs finite differences")


# --- pullback -------------------------------------------------------------------

@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_grad(pullback, case):
    grads = normalized(pullback.grad(case.func, argnums=case.argnums)(*case.args), case.argnums)
    fd = central_diff(case.func, case.args, case.argnums)
    assert_close(grads, fd, FD_RTOL, FD_ATOL, "pullback vs finite differences")
    if case.jax:
        assert_close(grads, jax_gradient(case), AD_RTOL, AD_ATOL, "pullback vs JAX")


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_value_and_grad(pullback, case):
    value, grads = pullback.value_and_grad(case.func, argnums=case.argnums)(*case.args)
    assert value == pytest.approx(case.func(*case.args), rel=1e-12, abs=1e-12)
    expected = pullback.grad(case.func, argnums=case.argnums)(*case.args)
    assert normalized(grads, case.argnums) == pytest.approx(normalized(expected, case.argnums))


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_source(pullback, case):
    text = pullback.source(pullback.grad(case.func, argnums=case.argnums))
    assert isinstance(text, str) and "def " in text
