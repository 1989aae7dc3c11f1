"""The rule table run by ``test_numpy_rules.py``: one row per function and
variant (shapes, broadcasting, keywords).  This file has the operators,
elementwise functions and reductions; ``numpy_rule_table_arrays`` the rest.
Each ``f`` is written with ``np`` and ``scipy.special`` only, one lambda per
line, so that the same code runs on NumPy (pullback, finite differences) and
on ``jax.numpy`` (the JAX twin).  Domains keep away from kinks, ties and poles.
"""
import math
import operator
from dataclasses import dataclass

import jax.numpy as jnp
import numpy as np


@dataclass(frozen=True)
class _Spec:
    shape: tuple
    lo: float
    hi: float
    kind: str = "array"
    value: object = None

    def __call__(self, rng):
        if self.kind == "fixed":
            return np.array(self.value) if isinstance(self.value, list) else self.value
        if self.kind == "float":
            return float(rng.uniform(self.lo, self.hi))
        return rng.uniform(self.lo, self.hi, size=self.shape)


def U(*shape, lo=-2.0, hi=2.0):
    return _Spec(shape, lo, hi)


def P(*shape, lo=0.5, hi=2.0):
    return _Spec(shape, lo, hi)


def S(lo=-2.0, hi=2.0):
    return _Spec((), lo, hi, "float")


def K(value):
    return _Spec((), 0, 0, "fixed", value)


@dataclass(frozen=True)
class Row:
    name: str
    f: object
    inputs: tuple
    id: str
    jax: bool = True
    jf: object = None
    h: float = 1e-6
    scale: float = 1.0


ROWS = []


def R(name, f, *inputs, **kw):
    k = sum(r.name == name for r in ROWS)
    ROWS.append(Row(name, f, inputs, f"{name}-{k}", **kw))


def spd(x):
    """A well-conditioned symmetric positive definite matrix from any square x."""
    return x @ np.swapaxes(x, -1, -2) + 3.0 * np.eye(x.shape[-1])


# -- operators --------------------------------------------------------------------------
R("add", lambda a, b: a + b, U(3), U(3))
R("add", lambda a, b: a + b, U(2, 3), U(3))
R("add", lambda a, b: a + b, S(), U(2, 2))
R("add", lambda a, b: a + b, U(), U(3))
R("add", lambda a, b: a + b, U(3, 1), U(1, 4))
R("add", lambda a: np.add(a, 1.0), U(3))
R("add", lambda a, b: operator.add(a, b), U(2, 3), U(3))
R("mul", lambda a, b: operator.mul(a, operator.sub(b, a)), U(3), U(3))
R("mod", lambda a, b: operator.mod(a, b), U(3, lo=0.1, hi=0.9), P(3, lo=1.5, hi=2.0))
R("sub", lambda a, b: a - b, U(2, 3), U(2, 1))
R("sub", lambda a, b: np.subtract(a, b), S(), U(3))
R("mul", lambda a, b: a * b, U(2, 3), U(3))
R("mul", lambda a, b: a * b, U(), U(2, 2))
R("mul", lambda a, b: np.multiply(a, b), U(4), S())
R("truediv", lambda a, b: a / b, U(2, 3), P(3))
R("truediv", lambda a, b: a / b, S(), P(2, 2))
R("truediv", lambda a, b: np.divide(a, b), U(3), P(3))
R("pow", lambda a, b: a ** b, P(2, 3), U(3))
R("pow", lambda a: a ** 2, U(3))
R("pow", lambda a: a ** 3.0, U(2, 2))
R("pow", lambda b: 2.0 ** b, U(3))
R("pow", lambda a, b: np.power(a, b), P(3), S())
R("matmul", lambda a, b: a @ b, U(2, 3), U(3, 4))
R("matmul", lambda a, b: a @ b, U(3), U(3, 2))
R("matmul", lambda a, b: a @ b, U(2, 3), U(3))
R("matmul", lambda a, b: a @ b, U(3), U(3))
R("matmul", lambda a, b: a @ b, U(2, 2, 3), U(3, 4))
R("matmul", lambda a, b: np.matmul(a, b), U(2, 2, 3), U(2, 3, 2))
R("matmul", lambda a, b: a @ b, U(2, 2, 3), U(3))
R("matmul", lambda a, b: a @ b, U(3), U(2, 3, 4))
R("neg", lambda a: -a, U(2, 3))
R("neg", lambda a: np.negative(a), U())

# -- elementwise ------------------------------------------------------------------------
R("sin", lambda x: np.sin(x), U(2, 3))
R("sin", lambda x: np.sin(x), U())
R("cos", lambda x: np.cos(x), U(4))
R("tan", lambda x: np.tan(x), U(4, lo=-1.2, hi=1.2))
R("arcsin", lambda x: np.arcsin(x), U(4, lo=-0.9, hi=0.9))
R("arccos", lambda x: np.arccos(x), U(4, lo=-0.9, hi=0.9))
R("arctan", lambda x: np.arctan(x), U(2, 2))
R("sinh", lambda x: np.sinh(x), U(3))
R("cosh", lambda x: np.cosh(x), U(3))
R("tanh", lambda x: np.tanh(x), U(3))
R("arcsinh", lambda x: np.arcsinh(x), U(3))
R("arccosh", lambda x: np.arccosh(x), U(3, lo=1.2, hi=3.0))
R("arctanh", lambda x: np.arctanh(x), U(3, lo=-0.9, hi=0.9))
R("exp", lambda x: np.exp(x), U(2, 3))
R("exp2", lambda x: np.exp2(x), U(3))
R("expm1", lambda x: np.expm1(x), U(3))
R("log", lambda x: np.log(x), P(2, 3))
R("log2", lambda x: np.log2(x), P(3))
R("log10", lambda x: np.log10(x), P(3))
R("log1p", lambda x: np.log1p(x), P(3))
R("sqrt", lambda x: np.sqrt(x), P(2, 2))
R("cbrt", lambda x: np.cbrt(x), P(3))
R("cbrt", lambda x: np.cbrt(x), U(3, lo=-2.0, hi=-0.5))
R("square", lambda x: np.square(x), U(3))
R("reciprocal", lambda x: np.reciprocal(x), P(3))
R("abs", lambda x: np.abs(x), U(2, 3))
R("abs", lambda x: abs(x), U(3))
R("abs", lambda x: np.fabs(x), U(3))
R("degrees", lambda x: np.degrees(x), U(3))
R("radians", lambda x: np.radians(x), U(3))
R("maximum", lambda a, b: np.maximum(a, b), U(3), U(3))
R("maximum", lambda a, b: np.maximum(a, b), U(2, 3), U(3))
R("maximum", lambda a: np.maximum(a, 0.0), U(2, 3))
R("minimum", lambda a, b: np.minimum(a, b), U(3), U(2, 3))
R("minimum", lambda a, b: np.minimum(a, b), S(), U(4))
R("fmax", lambda a, b: np.fmax(a, b), U(3), U(3))
R("fmin", lambda a, b: np.fmin(a, b), U(2, 3), U(3))
R("clip", lambda x: np.clip(x, -0.5, 0.7), U(2, 4))
R("clip", lambda x, lo, hi: np.clip(x, lo, hi), U(5), S(-1.0, -0.2), S(0.2, 1.0))
R("clip", lambda x: x.clip(-1.0, 1.0), U(4))
R("clip", lambda x: np.clip(x, 0.0, None) ** 2, U(2, 4))      # one bound: ReLU
R("clip", lambda x: x.clip(None, 0.3) * x, U(5))
R("where", lambda a, b: np.where(a > 0, a, b), U(2, 3), U(2, 3))
R("where", lambda a, b: np.where(a > b, a * b, 0.0), U(2, 3), U(3))
R("where", lambda a, s: np.where(a < 0, s, a), U(4), S())
R("hypot", lambda a, b: np.hypot(a, b), U(3), U(3))
R("hypot", lambda a, b: np.hypot(a, b), U(2, 3), S())
R("arctan2", lambda a, b: np.arctan2(a, b), U(3), U(3))
R("arctan2", lambda a, b: np.arctan2(a, b), U(2, 3), U(3))
R("logaddexp", lambda a, b: np.logaddexp(a, b), U(3), U(2, 3))
R("sinc", lambda x: np.sinc(x), U(4))
R("sign", lambda x: x * np.sign(x), U(2, 3))
R("floor", lambda x: x * np.floor(x), U(2, 3))
R("ceil", lambda x: x * np.ceil(x), U(4))
R("round", lambda x: x * np.round(x), U(4))
R("np_round", lambda x: x * x.round(), U(4), jf=lambda x: x * jnp.round(x))
R("rint", lambda x: x * np.rint(x), U(4))
R("trunc", lambda x: x * np.trunc(x), U(4))

# -- reductions (axis, keepdims) ---------------------------------------------------------
R("sum", lambda x: np.sum(x), U(2, 3))
R("sum", lambda x: np.sum(x, axis=0), U(2, 3))
R("sum", lambda x: np.sum(x, axis=-1, keepdims=True), U(2, 3))
R("sum", lambda x: np.sum(x, axis=(0, 2)), U(2, 3, 2))
R("sum", lambda x: np.sum(x), U())
R("sum", lambda x: x.sum(), U(3))
R("sum", lambda x: x.sum(axis=1), U(2, 3))
R("sum", lambda x: x.sum(0, keepdims=True), U(2, 3))
R("mean", lambda x: np.mean(x), U(2, 3))
R("mean", lambda x: np.mean(x, axis=1), U(2, 3))
R("mean", lambda x: x.mean(axis=(0, 1), keepdims=True), U(2, 3, 2))
R("prod", lambda x: np.prod(x), P(2, 3))
R("prod", lambda x: np.prod(x, axis=0), U(3, 2))
R("prod", lambda x: np.prod(x, axis=1, keepdims=True), P(2, 3))
R("prod", lambda x: np.prod(x), K([0.0, 2.0, 3.0]))        # d/dx at a zero: no y / x
R("prod", lambda x: np.prod(x, axis=1), K([[0.0, 2.0], [0.0, 0.0], [1.5, -1.0]]))
R("prod", lambda x: np.prod(x, axis=0, keepdims=True), K([[0.0, 2.0], [3.0, 0.0]]))
R("sum", lambda x: np.sum([x, 2.0 * x]), U(3), jf=lambda x: jnp.sum(jnp.array([x, 2.0 * x])))
R("mean", lambda x: np.mean((x, x * x), axis=0), U(3),
  jf=lambda x: jnp.mean(jnp.array((x, x * x)), axis=0))
R("norm", lambda x: np.linalg.norm([x, x + 2.0]), U(3),
  jf=lambda x: jnp.linalg.norm(jnp.array([x, x + 2.0])))
R("sum", lambda a: np.sum([1, a * a, 2]), S(), jf=lambda a: jnp.sum(jnp.array([1, a * a, 2])))
R("factorial", lambda x: x * math.factorial(4), S())
R("max", lambda x: np.max(x), U(2, 3))
R("max", lambda x: np.max(x, axis=0), U(3, 4))
R("max", lambda x: x.max(axis=1, keepdims=True), U(3, 4))
R("max", lambda x: np.amax(x, axis=-1), U(2, 3))
R("min", lambda x: np.min(x), U(5))
R("min", lambda x: x.min(axis=0), U(3, 2))
R("var", lambda x: np.var(x), U(5))
R("var", lambda x: np.var(x, axis=0), U(3, 2))
R("var", lambda x: np.var(x, axis=1, ddof=1, keepdims=True), U(2, 4))
R("var", lambda x: x.var(), U(2, 3))
R("std", lambda x: np.std(x), U(5))
R("std", lambda x: np.std(x, axis=1, ddof=1), U(2, 4))
R("std", lambda x: x.std(axis=0, keepdims=True), U(3, 2))
# over a length-1 axis std is identically 0 (derivative 0); JAX's sqrt(var) gives 0 * inf = nan
R("std", lambda x: np.std(x, axis=0), U(1, 3), jax=False)
R("std", lambda x: np.std(x, axis=0, keepdims=True) + np.std(x, axis=1), U(1, 3), jax=False)
R("var", lambda x: np.var(x, axis=0, keepdims=True) * np.var(x, axis=1), U(1, 3))
R("cumsum", lambda x: np.cumsum(x), U(4))
R("cumsum", lambda x: np.cumsum(x), U(2, 3))
R("cumsum", lambda x: np.cumsum(x, axis=1), U(2, 3))
R("cumsum", lambda x: x.cumsum(axis=0), U(3, 2))
R("cumprod", lambda x: np.cumprod(x), U(4))
R("cumprod", lambda x: np.cumprod(x, axis=0), U(3, 2))
R("cumprod", lambda x: np.cumprod(x), K([1.5, 0.0, 2.0, -1.0]))   # a zero: no cumsum(g y) / x
R("cumprod", lambda x: np.cumprod(x, axis=1), K([[0.0, 2.0, 3.0], [0.5, 0.0, 0.0]]))
R("cumprod", lambda x: np.cumprod(x), K([[0.7, 2.0, 3.0], [0.5, 0.0, -1.5]]))   # flat y
R("cumprod", lambda x: np.cumprod(x, axis=-1), U(2, 2, 3))
R("norm", lambda x: np.linalg.norm(x), U(4))
R("norm", lambda x: np.linalg.norm(x), U(2, 3))
R("norm", lambda x: np.linalg.norm(x, axis=1), U(2, 3))
R("norm", lambda x: np.linalg.norm(x, axis=0, keepdims=True), U(2, 3))
R("norm", lambda x: np.linalg.norm(x, 1), U(4))
R("norm", lambda x: np.linalg.norm(x, np.inf), U(4))
R("norm", lambda x: np.linalg.norm(x, -np.inf), U(4))
R("norm", lambda x: np.linalg.norm(x, 3), U(4))
R("norm", lambda x: np.linalg.norm(x, ord=1, axis=1), U(2, 3))
R("norm", lambda x: np.linalg.norm(x, "fro"), U(2, 3))
R("norm", lambda x: np.linalg.norm(x, "nuc"), U(3, 3))
R("norm", lambda x: np.linalg.norm(x, 2), U(3, 2))
R("norm", lambda x: np.linalg.norm(x, -2), U(3, 3))
R("norm", lambda x: np.linalg.norm(x, 1), U(3, 3))
R("norm", lambda x: np.linalg.norm(x, np.inf), U(3, 3))
R("norm", lambda x: np.linalg.norm(x, -1), U(3, 3))
R("norm", lambda x: np.linalg.norm(x, 2, axis=(1, 2)), U(2, 3, 3))
R("norm", lambda x: np.linalg.norm(x, axis=(0, 1)), U(2, 3))
R("trace", lambda x: np.trace(x), U(3, 3))
R("trace", lambda x: np.trace(x), U(2, 3))
R("trace", lambda x: x.trace(), U(3, 3))
