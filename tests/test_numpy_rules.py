"""One row per NumPy / scipy.special function: ``pullback.grad`` of
``sum(f(*xs) * W)`` (W a fixed random weight of the output's shape, so every
output element matters) against ``jax.grad`` of the same function run on
``jax.numpy`` and against central finite differences of NumPy itself.

A row is ``R(name, f, *inputs)``.  ``f`` is written once with ``np`` (and
``scipy.special``); the JAX twin is the same code with those globals rebound
to ``jax.numpy`` / ``jax.scipy.special``.  Inputs: ``U(shape)`` uniform in
(-2, 2) or ``(lo, hi)``, ``P(shape)`` positive, ``S()`` a Python float,
``K(value)`` a fixed, non-differentiated argument (indices, masks).  The
table lives in ``numpy_rule_table.py`` and ``numpy_rule_table_arrays.py``.
"""
import types
import zlib

import jax
import jax.numpy as jnp
import jax.scipy.special as jsp
import numpy as np
import pytest
import scipy.special

import pullback

import numpy_rule_table_arrays  # noqa: F401  (appends the second half of the table)
import numpy_expansion_table  # noqa: F401  (appends NumPy's Python functions)
import scipy_rule_table  # noqa: F401  (appends the SciPy rows)
import signal_rule_table  # noqa: F401  (appends the convolutions)
from numpy_rule_table import ROWS

jax.config.update("jax_enable_x64", True)


# -- the JAX twin of a row ----------------------------------------------------------
class _JaxNumpy:
    random = np.random     # draws are constants to JAX (same seed as NumPy's run)

    def __getattr__(self, name):
        return getattr(jnp, name)


_SPECIAL = types.SimpleNamespace(
    logsumexp=jsp.logsumexp, expit=jsp.expit, logit=jsp.logit, gammaln=jsp.gammaln,
    erf=jsp.erf, erfc=jsp.erfc, erfinv=jsp.erfinv, digamma=jsp.digamma, psi=jsp.digamma,
    polygamma=jsp.polygamma, xlogy=jsp.xlogy, xlog1py=jsp.xlog1py, ndtr=jsp.ndtr,
    log_ndtr=jsp.log_ndtr, softmax=lambda x, axis=None: jax.nn.softmax(x, axis=axis),
    log_softmax=lambda x, axis=None: jax.nn.log_softmax(x, axis=axis),
    **scipy_rule_table.JAX_SPECIAL)
_JAX_GLOBALS = {"np": _JaxNumpy(), "scipy": types.SimpleNamespace(
    special=_SPECIAL, **scipy_rule_table.JAX_SCIPY,
    **signal_rule_table.JAX_SCIPY)}


def jax_twin(f):
    g = dict(f.__globals__)
    g.update(_JAX_GLOBALS)
    return types.FunctionType(f.__code__, g, f.__name__, f.__defaults__, f.__closure__)


# -- objectives -----------------------------------------------------------------------
def objective(f, n):
    """``sum(f(*xs) * w)`` with the weight ``w`` as argument 0."""
    if n == 1:
        def obj(w, a):
            return np.sum(f(a) * w)
    elif n == 2:
        def obj(w, a, b):
            return np.sum(f(a, b) * w)
    elif n == 3:
        def obj(w, a, b, c):
            return np.sum(f(a, b, c) * w)
    else:
        def obj(w, a, b, c, d):
            return np.sum(f(a, b, c, d) * w)
    return obj


def differentiated(xs):
    return [i for i, x in enumerate(xs)
            if isinstance(x, float) or (isinstance(x, np.ndarray) and x.dtype.kind == "f")]


def fd_grad(fun, xs, i, h=1e-6):
    """Central differences of ``fun`` in argument ``i`` (NumPy's random state fixed)."""
    def at(x):
        np.random.seed(0)
        return fun(*xs[:i], x, *xs[i + 1:])
    x = xs[i]
    if isinstance(x, float):
        return (at(x + h) - at(x - h)) / (2 * h)
    out = np.zeros(x.shape)
    for j in np.ndindex(x.shape):
        up, dn = x.copy(), x.copy()
        up[j] += h
        dn[j] -= h
        out[j] = (at(up) - at(dn)) / (2 * h)
    return out


def inputs(row):
    rng = np.random.default_rng(zlib.crc32(row.id.encode()))
    return [spec(rng) for spec in row.inputs]


@pytest.mark.parametrize("row", ROWS, ids=[r.id for r in ROWS])
def test_rule(row):
    xs = inputs(row)
    np.random.seed(0)
    y = row.f(*xs)
    rng = np.random.default_rng(1)
    w = rng.normal(size=np.shape(y)) if np.ndim(y) else float(rng.normal())
    nums = differentiated(xs)
    assert nums, "a row needs a differentiated argument"
    obj = objective(row.f, len(xs))
    np.random.seed(0)
    value, got = pullback.value_and_grad(obj, argnums=tuple(i + 1 for i in nums))(w, *xs)

    def fun(*a):
        return float(np.sum(row.f(*a) * w))
    np.random.seed(0)
    np.testing.assert_allclose(value, fun(*xs), rtol=1e-12, atol=1e-12 * row.scale,
                               err_msg=f"{row.id}: the value against NumPy's")
    for k, i in enumerate(nums):
        want = fd_grad(fun, xs, i, row.h)
        np.testing.assert_allclose(got[k], want, rtol=1e-5, atol=1e-6 * row.scale,
                                   err_msg=f"{row.id}: argument {i} against finite differences")
        assert np.shape(got[k]) == np.shape(xs[i])
    if row.jax:
        fj = row.jf or jax_twin(row.f)
        jxs = [jnp.asarray(x) if isinstance(x, np.ndarray) else x for x in xs]
        np.random.seed(0)
        jgrad = jax.grad(lambda *a: jnp.sum(fj(*a) * w), argnums=tuple(nums))
        try:        # compiled whole: much faster than op by op
            want = jax.jit(jgrad)(*jxs)
        except (jax.errors.ConcretizationTypeError, IndexError, TypeError):
            np.random.seed(0)       # masks and other value-dependent shapes: op by op
            want = jgrad(*jxs)
        for k, i in enumerate(nums):
            np.testing.assert_allclose(got[k], np.asarray(want[k]), rtol=1e-7, atol=1e-9,
                                       err_msg=f"{row.id}: argument {i} against JAX")


def test_table_covers_every_listed_function():
    names = {r.name for r in ROWS}
    for n in ("add", "matmul", "einsum", "tensordot", "solve", "slogdet", "eigh", "qr",
              "cholesky", "logsumexp", "gammaln", "take_along_axis", "random.normal"):
        assert n in names, n


# -- rejected: a clear error at the user's line, never a silent zero ---------------------------
REJECTED = [
    lambda x: np.linalg.eig(x)[0],
    lambda x: np.abs(np.sign(np.fft.fft(x))),      # sign is not constant in a complex z
    lambda x: np.linalg.qr(x, mode="complete")[0],
    lambda x: np.einsum("ii->", x, optimize=True),
    lambda x: x * np.random.randint(0, 3, 3),
    lambda x: np.median(x, overwrite_input=True),     # a keyword the expansion has not
    lambda x: np.pad(x, 1, mode="mean"),      # a keyword's value an expansion refuses
    lambda x: np.pad(x, 1, mode="edge", constant_values=2.0),
    lambda x: np.quantile(x, 0.3, method="nearest"),
    lambda x: np.quantile(x, [[0.1], [0.2]]),
    lambda x: np.cov(x, aweights=np.ones(3)),
    lambda x: np.nanmean(x, dtype=float),
    lambda x: np.pad(x, 1, constant_values=((1, 2), (3, 4))),
    lambda x: x[np.nonzero(x)[0]],     # (x[np.nonzero(x)] is x[x != 0]: supported)
    lambda x: scipy.special.logsumexp(x, return_sign=True)[0],
    lambda x: np.concatenate((x, x), 0, dtype=float),    # a keyword never ignored
    lambda x: np.linalg.svd(x, compute_uv=False, hermitian=True),   # the lower triangle only
]


@pytest.mark.parametrize("f", REJECTED, ids=range(len(REJECTED)))
def test_rejected(f):
    def obj(a):
        return np.sum(f(a))
    with pytest.raises(pullback.errors.TransformError) as info:
        pullback.grad(obj)(np.eye(3) + 0.1)
    assert "numpy_rule" in str(info.value) or "test_numpy_rules" in str(info.value)


# -- random draws: the derivative program draws what NumPy would, in order ---------------------
def draws(x):
    a = np.random.rand()            # unused: must still be drawn
    b = np.random.normal(0.0, 1.0, 3)
    return np.sum(x * b) + np.random.rand() - 2.0 * np.random.rand()


def test_random_draws_are_kept_in_order():
    x = np.arange(3.0)
    np.random.seed(5)
    want = draws(x)
    np.random.seed(5)
    np.random.rand()
    b = np.random.normal(0.0, 1.0, 3)
    np.random.seed(5)
    d = pullback.value_and_grad(draws)
    value, g = d(x)         # compiling draws nothing; running draws as NumPy would
    assert value == pytest.approx(want, abs=1e-12)
    np.testing.assert_allclose(g, b)
    assert d.source().count("np.random.rand()") == 3


# -- the coverage page is generated from the registry -------------------------------------------
def test_coverage_doc_is_up_to_date():
    import importlib.util
    from pathlib import Path
    path = Path(__file__).resolve().parent.parent / "tools" / "numpy_coverage.py"
    spec = importlib.util.spec_from_file_location("numpy_coverage", path)
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    assert tool.DOC.read_text() == tool.render(), "run: python tools/numpy_coverage.py"
