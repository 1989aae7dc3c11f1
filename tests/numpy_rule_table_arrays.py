"""The second half of the rule table (see ``numpy_rule_table``): linear algebra,
shapes, indexing, constructors, methods, scipy.special and the functions
without a derivative.  Importing this module appends its rows to ``ROWS``.
"""
import jax.numpy as jnp
import numpy as np
import scipy.special

import jax.numpy as jnp
from numpy_rule_table import K, P, R, S, U, spd


def _fill_empty(x):
    e = np.empty(x.shape)
    e[:] = 2.0 * x
    return e


def _named_list(x):
    rows = [0, 2]           # a list: integer-array indexing, as in NumPy
    return x[rows]


def _run_time_list(x):
    i = int(x[0, 0] > -10.0)
    return x[[i, 2], 1]


def _named_tuple(x):
    at = (0, 1)             # a tuple: one element
    return x[at] * x


# -- linear algebra ----------------------------------------------------------------------
R("dot", lambda a, b: np.dot(a, b), U(3), U(3))
R("dot", lambda a, b: np.dot(a, b), U(2, 3), U(3))
R("dot", lambda a, b: np.dot(a, b), U(3), U(3, 2))
R("dot", lambda a, b: np.dot(a, b), U(2, 3), U(3, 4))
R("dot", lambda a, b: np.dot(a, b), S(), U(2, 3))
R("dot", lambda a, b: np.dot(a, b), U(2, 2, 3), U(4, 3, 2))
R("dot", lambda a, b: a.dot(b), U(2, 3), U(3, 2))
R("vdot", lambda a, b: np.vdot(a, b), U(2, 3), U(2, 3))
R("inner", lambda a, b: np.inner(a, b), U(3), U(3))
R("inner", lambda a, b: np.inner(a, b), U(2, 3), U(4, 3))
R("inner", lambda a, b: np.inner(a, b), U(2, 3), U(3))
R("outer", lambda a, b: np.outer(a, b), U(3), U(4))
R("outer", lambda a, b: np.outer(a, b), U(2, 2), U(3))
R("tensordot", lambda a, b: np.tensordot(a, b), U(2, 3, 4), U(3, 4, 2))
R("tensordot", lambda a, b: np.tensordot(a, b, axes=1), U(2, 3), U(3, 4))
R("tensordot", lambda a, b: np.tensordot(a, b, 0), U(2), U(3))
R("tensordot", lambda a, b: np.tensordot(a, b, axes=([0, 2], [2, 1])), U(2, 3, 4), U(4, 4, 2))
R("tensordot", lambda a, b: np.tensordot(a, b, axes=(1, 0)), U(2, 3), U(3, 2))
R("einsum", lambda a, b: np.einsum("ij,jk->ik", a, b), U(2, 3), U(3, 4))
R("einsum", lambda a: np.einsum("ii->", a), U(3, 3))
R("einsum", lambda a: np.einsum("ii->i", a), U(3, 3))
R("einsum", lambda a: np.einsum("ij->ji", a), U(2, 3))
R("einsum", lambda a: np.einsum("ij->", a), U(2, 3))
R("einsum", lambda a: np.einsum("ijk->j", a), U(2, 3, 2))
R("einsum", lambda a, b: np.einsum("i,i->", a, b), U(3), U(3))
R("einsum", lambda a, b: np.einsum("ij,ij->i", a, b), U(2, 3), U(2, 3))
R("einsum", lambda a, b: np.einsum("bij,bjk->bik", a, b), U(2, 2, 3), U(2, 3, 2))
R("einsum", lambda a, b: np.einsum("i,j->ij", a, b), U(2), U(3))
R("einsum", lambda a, b: np.einsum("ij,j->j", a, b), U(2, 3), U(3))
R("einsum", lambda a, b: np.einsum("...ij,jk->...ik", a, b), U(2, 2, 3), U(3, 2))
R("einsum", lambda a, b: np.einsum("ij,jk", a, b), U(2, 3), U(3, 2))
R("einsum", lambda a, b, c: np.einsum("ij,jk,kl->il", a, b, c), U(2, 3), U(3, 2), U(2, 2))
R("einsum", lambda a, b: np.einsum("ii,i->i", a, b), U(3, 3), U(3))
R("diag", lambda x: np.diag(x), U(3))
R("diag", lambda x: np.diag(x), U(3, 3))
R("diag", lambda x: np.diag(x, 1), U(3))
R("diag", lambda x: np.diag(x, k=-1), U(3, 4))
R("solve", lambda a, b: np.linalg.solve(a + 4.0 * np.eye(3), b), U(3, 3), U(3))
R("solve", lambda a, b: np.linalg.solve(a + 4.0 * np.eye(3), b), U(3, 3), U(3, 2))
R("solve", lambda a, b: np.linalg.solve(a + 4.0 * np.eye(2), b), U(2, 2, 2), U(2, 2, 3))
R("solve", lambda a, b: np.linalg.solve(a + 4.0 * np.eye(2), b), U(3, 2, 2), U(2))
R("inv", lambda a: np.linalg.inv(a + 4.0 * np.eye(3)), U(3, 3))
R("inv", lambda a: np.linalg.inv(a + 4.0 * np.eye(2)), U(3, 2, 2))
R("det", lambda a: np.linalg.det(a), U(3, 3))
R("det", lambda a: np.linalg.det(a), U(2, 3, 3))
R("det", lambda a: np.linalg.det(a), U(3, 2, 2))
R("slogdet", lambda a: np.linalg.slogdet(a)[1], U(3, 3))
R("slogdet", lambda a: np.linalg.slogdet(a)[0] * np.linalg.slogdet(a)[1], U(2, 3, 3))
R("slogdet", lambda a: np.linalg.slogdet(spd(a))[1], U(3, 3))
R("cholesky", lambda a: np.linalg.cholesky(spd(a)), U(3, 3))
R("cholesky", lambda a: np.linalg.cholesky(spd(a)), U(2, 2, 2))
R("cholesky", lambda a: np.linalg.cholesky(a + 3.0 * np.eye(3)), U(3, 3), jax=False)
R("eigh", lambda a: np.linalg.eigh(a + a.T)[0], U(3, 3))
R("eigh", lambda a: np.linalg.eigh(a + a.T)[1] ** 2, U(3, 3))
R("eigh", lambda a: np.linalg.eigh(a + np.swapaxes(a, -1, -2))[1] ** 2, U(2, 3, 3))
R("eigh", lambda a: np.linalg.eigh(a)[0], U(3, 3), jax=False)
R("eigh", lambda a: np.linalg.eigh(a)[1] ** 2, U(3, 3), jax=False)
R("qr", lambda a: np.linalg.qr(a)[0], U(3, 3))
R("qr", lambda a: np.linalg.qr(a)[1], U(4, 3))
R("qr", lambda a: np.linalg.qr(a)[0] * np.linalg.qr(a)[0][0, 0], U(4, 2))
R("eigvalsh", lambda a: np.linalg.eigvalsh(a + a.T), U(3, 3))
R("tril", lambda x: np.tril(x), U(3, 3))
R("tril", lambda x: np.tril(x, -1), U(2, 3, 4))
R("triu", lambda x: np.triu(x, k=1), U(3, 4))
R("diagonal", lambda x: np.diagonal(x), U(3, 3))
R("diagonal", lambda x: np.diagonal(x, 1), U(3, 4))
R("diagonal", lambda x: np.diagonal(x, offset=-1, axis1=1, axis2=2), U(2, 3, 3))
R("diff", lambda x: np.diff(x), U(5))
R("diff", lambda x: np.diff(x, n=2, axis=0), U(4, 3))

# -- shapes ------------------------------------------------------------------------------
R("reshape", lambda x: np.reshape(x, (3, 2)), U(2, 3))
R("reshape", lambda x: x.reshape(6), U(2, 3))
R("reshape", lambda x: x.reshape(3, -1), U(2, 3))
R("reshape", lambda x: x.reshape((1, 6)), U(2, 3))
R("ravel", lambda x: np.ravel(x), U(2, 3))
R("ravel", lambda x: x.ravel(), U(2, 3))
R("ravel", lambda x: x.flatten(), U(2, 3))
R("transpose", lambda x: np.transpose(x), U(2, 3))
R("transpose", lambda x: x.T, U(2, 3))
R("transpose", lambda x: np.transpose(x, (1, 2, 0)), U(2, 3, 4))
R("transpose", lambda x: x.transpose(2, 0, 1), U(2, 3, 4))
R("transpose", lambda x: np.transpose(x, (-1, 0, 1)), U(2, 3, 4))   # negative axes (audit 32i)
R("transpose", lambda x: x.transpose(1, -1, 0), U(3, 3, 3))
R("swapaxes", lambda x: np.swapaxes(x, 0, 2), U(2, 3, 4))
R("moveaxis", lambda x: np.moveaxis(x, 0, -1), U(2, 3, 4))
R("expand_dims", lambda x: np.expand_dims(x, 1), U(2, 3))
R("expand_dims", lambda x: np.expand_dims(x, (0, 2)), U(3))
R("expand_dims", lambda x: np.expand_dims(2.0 * x, 0), S())
R("squeeze", lambda x: np.squeeze(x), U(2, 1, 3))
R("squeeze", lambda x: np.squeeze(x, axis=1), U(2, 1, 3))
R("broadcast_to", lambda x: np.broadcast_to(x, (2, 3)), U(3))
R("broadcast_to", lambda x: np.broadcast_to(x, (2, 3)), U(2, 1))
R("concatenate", lambda a, b: np.concatenate((a, b)), U(2), U(3))
R("concatenate", lambda a, b: np.concatenate([a, b], axis=1), U(2, 3), U(2, 2))
R("concatenate", lambda a, b: np.concatenate((a, b, a), axis=0), U(1, 2), U(2, 2))
R("concatenate", lambda a, b: np.concatenate((b, a, b), 1), U(2, 3, 2), U(2, 1, 2))   # axis by position
R("concatenate", lambda a, b: np.concatenate((a, b), axis=None), U(2, 3), U(3))
R("stack", lambda a, b: np.stack((a, b)), U(3), U(3))
R("stack", lambda a, b: np.stack((a, b), -1), U(2, 3), U(2, 3))
R("stack", lambda a, b: np.stack([a, b], axis=1), U(2, 3), U(2, 3))
R("hstack", lambda a, b: np.hstack((a, b)), U(2), U(3))
R("hstack", lambda a, b: np.hstack((a, b)), U(2, 2), U(2, 1))
R("vstack", lambda a, b: np.vstack((a, b)), U(3), U(3))
R("vstack", lambda a, b: np.vstack((a, b)), U(2, 3), U(1, 3))
R("split", lambda x: np.split(x, 3)[1], U(6))
R("split", lambda x: np.split(x, [1, 3], axis=1)[2] * 2.0, U(2, 5))
R("split", lambda x: np.split(x, 2)[0] * np.split(x, 2)[1], U(4, 2))
R("tile", lambda x: np.tile(x, 2), U(3))
R("tile", lambda x: np.tile(x, (2, 1, 2)), U(2, 3))
R("repeat", lambda x: np.repeat(x, 2), U(2, 2))
R("repeat", lambda x: np.repeat(x, 3, axis=1), U(2, 2))
R("repeat", lambda x: x.repeat(2, axis=0), U(2, 3))
R("repeat", lambda x: np.repeat(x, [1, 2, 0, 3]) * np.arange(6.0), U(4),
  jf=lambda z: jnp.repeat(z, jnp.array([1, 2, 0, 3])) * jnp.arange(6.0))
R("repeat", lambda x: np.repeat(x, [2, 0, 1], axis=1) * np.arange(3.0), U(2, 3),
  jf=lambda z: jnp.repeat(z, jnp.array([2, 0, 1]), axis=1) * jnp.arange(3.0))
R("flip", lambda x: np.flip(x), U(2, 3))
R("flip", lambda x: np.flip(x, 1), U(2, 3))
R("roll", lambda x: np.roll(x, 2), U(5))
R("roll", lambda x: np.roll(x, -1, axis=0), U(3, 2))
R("roll", lambda x: np.roll(x, (1, -2), axis=(0, 1)), U(3, 4))
R("pad", lambda x: np.pad(x, 1), U(3))
R("pad", lambda x: np.pad(x, ((1, 0), (2, 1))), U(2, 3))
R("atleast_2d", lambda x: np.atleast_2d(x), U(3))

# -- indexing reads ----------------------------------------------------------------------
R("getitem", lambda x: x[1], U(4))
R("getitem", lambda x: x[1], U(3, 2))
R("getitem", lambda x: x[-1, 0], U(3, 2))
R("getitem", lambda x: x[1:3], U(4))
R("getitem", lambda x: x[::-2], U(5))
R("getitem", lambda x: x[:, 1:], U(2, 3))
R("getitem", lambda x: x[..., 0], U(2, 3, 2))
R("getitem", lambda x: x[None, :], U(3))
R("getitem", lambda x: x[:, None] * x[None, :], U(3))
R("getitem", lambda x: x[1, ..., None], U(2, 3))
R("getitem", lambda x: x[[0, 2, 2]], U(4), jf=lambda z: z[np.array([0, 2, 2])])
R("getitem", lambda x: x[[0, 2], [1, 1]], U(3, 2))
R("getitem", lambda x, i: x[i], U(4), K([3, 0, 3]))
R("getitem", lambda x, i: x[i, :], U(3, 2), K([2, 0]))
R("getitem", _named_list, U(3, 2), jf=lambda z: z[np.array([0, 2])])
R("getitem", _run_time_list, U(3, 2), jf=lambda z: z[np.array([1, 2]), 1])
R("getitem", _named_tuple, U(3, 2))
R("getitem", lambda x: x[x > 0.0], U(2, 4))
R("getitem", lambda x, m: x[m], U(5), K([True, False, True, True, False]))
R("getitem", lambda x, m: x[m] * 2.0, U(2, 3), K([True, False]))
R("getitem", lambda x, i: x[i], U(4), K(2))
R("take", lambda x: np.take(x, [2, 0, 2]), U(4), jf=lambda z: z[np.array([2, 0, 2])])
R("take", lambda x, i: np.take(x, i, axis=1), U(2, 3), K([0, 2, 2]))
R("take", lambda x, i: x.take(i, axis=0), U(3, 2), K([1, 1]))
R("take_along_axis", lambda x, i: np.take_along_axis(x, i, axis=1), U(2, 3),
  K([[2, 0], [1, 1]]))
R("take_along_axis", lambda x: np.take_along_axis(x, np.argsort(x, axis=0), axis=0), U(3, 2))
R("sort", lambda x: np.sort(x), U(5))
R("sort", lambda x: np.sort(x, axis=0), U(3, 2))
R("sort", lambda x: np.sort(x), U(1))
R("sort", lambda x: np.sort(x, axis=0), U(1, 3))
# the Numba twins' other paths (backends/numba_gathers.py): flat, the last of three axes,
# negative and nested indices, the flat array of take_along_axis
R("sort", lambda x: np.sort(x, axis=None), U(2, 3))
R("sort", lambda x: np.sort(x), U(2, 2, 3))


def _sort_in_place(x):
    y = x * 1.0
    y.sort(axis=0)          # lowered as y[:] = np.sort(y, axis=0)
    return y


def _sorted_numbers(x):
    a, b, c = sorted([x[0], x[1] * 2.0, x[2] ** 2], reverse=True)
    return a * 3.0 + b * 2.0 + c


R("sort", _sort_in_place, U(3, 2), jf=lambda x: jnp.sort(x, axis=0))
R("sort", _sorted_numbers, U(3),
  jf=lambda x: jnp.sort(jnp.stack([x[0], x[1] * 2.0, x[2] ** 2]))[::-1]
  @ jnp.array([3.0, 2.0, 1.0]))
R("take", lambda x: np.take(x, [[1, -1], [0, 5]]), U(2, 3),
  jf=lambda z: z.ravel()[np.array([[1, -1], [0, 5]])])
R("take_along_axis", lambda x, i: np.take_along_axis(x, i, axis=None), U(2, 3),
  K([5, 0, 0, 3]), jf=lambda z, i: z.ravel()[i])

# -- constructors ------------------------------------------------------------------------
R("array", lambda a, b: np.array([a, b, a * b]), S(), S())
R("array", lambda a, b: np.array([[a, b], [b, 2.0]]), S(), S())
R("array", lambda x: np.array([x[0], x[2]]), U(3))
R("array", lambda x: np.array([x, 2.0 * x]), U(3))
R("array", lambda x: np.array(x) * np.asarray(x), U(3))
R("zeros", lambda x: np.zeros(3) + x, U(3))
R("zeros", lambda x: np.zeros((2, 3)) * x + x, U(3))
R("zeros", lambda x: np.zeros_like(x) + x, U(2, 2))
R("ones", lambda x: np.ones((2, 3)) * x, U(3))
R("ones", lambda x: np.ones_like(x) * x, U(2))
R("full", lambda x: np.full((3,), 2.0) * x, U(3))
R("full", lambda a: np.full((2, 3), a), S())
R("full", lambda a: np.full((2, 3), a), U(3))
R("full", lambda x, a: np.full_like(x, a) * x, U(3), S())
R("empty", _fill_empty, U(2, 3), jf=lambda z: 2.0 * z)
R("empty", lambda x: np.empty_like(x).shape[0] * x, U(3))
R("arange", lambda x: np.arange(3) * x, U(3))
R("arange", lambda x: np.arange(1.0, 4.0) * x, U(3))
R("arange", lambda a: np.arange(a, a + 2.5, 0.5), S(0.0, 0.4), jax=False)
R("linspace", lambda x: np.linspace(0.0, 1.0, 4) * x, U(4))
R("linspace", lambda a, b: np.linspace(a, b, 5), S(), S())
R("linspace", lambda a, b: np.linspace(a, b, 4, endpoint=False), S(), S())
R("eye", lambda x: np.eye(3) * x, U(3, 3))
R("eye", lambda x: np.eye(2, 3, k=1) * x, U(3))
R("identity", lambda x: np.identity(3) * x, U(3, 3))
R("tri", lambda x: np.tri(3) * x, U(3, 3))
R("tri", lambda x: np.tri(2, 3, k=-1) @ x, U(3))

# -- methods and attributes --------------------------------------------------------------
R("copy", lambda x: x.copy() * 2.0, U(3))
R("copy", lambda x: np.copy(x), U(2, 2))
R("astype", lambda x: x.astype(np.float64) * x, U(3))
R("astype", lambda x: x * x.astype(int), U(3, lo=0.2, hi=3.0))
R("shape", lambda x: x * x.shape[0], U(3, 2))
R("shape", lambda x: x * np.shape(x)[1], U(3, 2))
R("ndim", lambda x: x * x.ndim, U(3, 2))
R("ndim", lambda x: x * np.ndim(x), U(3))
R("size", lambda x: x * x.size, U(3, 2))
R("size", lambda x: x * np.size(x), U(3))
R("len", lambda x: x * len(x), U(3, 2))

# -- scipy.special -----------------------------------------------------------------------
R("logsumexp", lambda x: scipy.special.logsumexp(x), U(4))
R("logsumexp", lambda x: scipy.special.logsumexp(x, axis=1), U(2, 3))
R("logsumexp", lambda x: scipy.special.logsumexp(x, axis=0, keepdims=True), U(2, 3))
R("expit", lambda x: scipy.special.expit(x), U(2, 3))
R("expit", lambda x: scipy.special.expit(x), S())
R("logit", lambda x: scipy.special.logit(x), U(3, lo=0.1, hi=0.9))
R("gammaln", lambda x: scipy.special.gammaln(x), P(2, 3, lo=0.3, hi=5.0))
R("gammaln", lambda x: scipy.special.gammaln(x), S(0.5, 3.0))
R("digamma", lambda x: scipy.special.digamma(x), P(3))
R("digamma", lambda x: scipy.special.psi(x), P(3))
R("polygamma", lambda x: scipy.special.polygamma(1, x), P(3))
R("erf", lambda x: scipy.special.erf(x), U(2, 3))
R("erf", lambda x: scipy.special.erf(x), S())
R("erfc", lambda x: scipy.special.erfc(x), U(3))
R("erfinv", lambda x: scipy.special.erfinv(x), U(3, lo=-0.9, hi=0.9))
R("ndtr", lambda x: scipy.special.ndtr(x), U(3))
R("log_ndtr", lambda x: scipy.special.log_ndtr(x), U(3))
R("xlogy", lambda a, b: scipy.special.xlogy(a, b), U(3), P(3))
R("xlog1py", lambda a, b: scipy.special.xlog1py(a, b), U(3), P(3))
R("softmax", lambda x: scipy.special.softmax(x, axis=0), U(3, 2))
R("softmax", lambda x: scipy.special.softmax(x), U(4))
R("log_softmax", lambda x: scipy.special.log_softmax(x, axis=1), U(2, 3))

# -- not differentiable: zero derivative through them ------------------------------------
R("argmax", lambda x: x * np.argmax(x), U(4))
R("argmax", lambda x: x * np.argmax(x, axis=0), U(3, 2))
R("argmin", lambda x: x * x.argmin(), U(4))
R("argsort", lambda x: x * np.argsort(x), U(4))
R("compare", lambda x: x * (x > 0.0), U(2, 3))
R("compare", lambda a, b: a * (a <= b) + b * (a == b), U(3), U(3))
R("compare", lambda a, b: a * np.greater(a, b) + b * np.less_equal(a, b), U(3), U(3))
R("compare", lambda a: a * np.logical_and(a > -1.0, a < 1.0), U(4))
R("compare", lambda a: a * np.isfinite(a), U(4))
R("random.rand", lambda x: x * np.random.rand(3), U(3))
R("random.randn", lambda x: x + np.random.randn(2, 3), U(3))
R("random.normal", lambda x: x * np.random.normal(size=3), U(3))
R("random.normal", lambda mu, s: np.random.normal(mu, s, size=(2, 3)), U(3), P(3), jax=False)
R("random.uniform", lambda x: x * np.random.uniform(0.0, 1.0, 4), U(4))
R("random.uniform", lambda a, b: np.random.uniform(a, a + b, 4), S(), P(4), jax=False)
R("random.random", lambda x: x * np.random.random((2, 2)), U(2, 2))

# np.interp in x and fp (knots XP constant; slopes are JAX's, right-hand at a knot)
XP = np.array([-1.5, -0.5, 0.2, 0.9, 1.6])
R("interp", lambda x, fp: np.interp(x, XP, fp), U(7, lo=-2.5, hi=2.5), U(5))
R("interp", lambda x, fp: np.interp(x, XP, fp, left=0.5, right=-1.0), U(7, lo=-2.5, hi=2.5), U(5))
R("interp", lambda x, fp: np.interp(x, XP, fp), S(), U(5))
R("interp", lambda x, fp: np.interp(x, XP, fp, period=2.0), U(2, 3, lo=-3.0, hi=3.0), U(5))
R("interp", lambda x, fp: np.interp(x, XP[:1], fp, left=2.0), U(4, lo=-3.0, hi=0.0), U(1))
