"""Rule-table rows (``test_numpy_rules.py``) for NumPy functions that are Python in
NumPy itself, written as expansions (``pullback/rules/numpy_expansions.py``), and
for the ufuncs declared with them (mod, fmod, logaddexp2, rad2deg, ...).
Importing this module appends its rows to ``ROWS``."""
import jax.numpy as jnp
import numpy as np

from numpy_rule_table import P, R, S, U

R("cross", lambda a, b: np.cross(a, b), U(4, 3), U(3))
R("cross", lambda a, b: np.cross(a, b, axis=0), U(3, 2), U(3, 2))
R("cross", lambda a, b: np.cross(a, b, axisa=0, axisc=0), U(3, 2), U(2, 3))
R("kron", lambda a, b: np.kron(a, b), U(3), U(2))
R("kron", lambda a, b: np.kron(a, b), U(2, 3), U(2, 2))
R("kron", lambda a, b: np.kron(a, b), U(3), U(2, 1))         # fewer axes: leading 1s
R("kron", lambda a, b: np.kron(a, b), U(1, 3), U(2))
R("kron", lambda a, b: np.kron(a, b), S(), U(2, 2))
R("kron", lambda a, b: np.kron(a, b), U(2, 3, 2), U(2, 1, 3))
R("kron", lambda a, b: np.kron(a, b), U(2), U(2, 1, 2))
R("atleast_1d", lambda a: np.atleast_1d(a), U(3))
R("atleast_3d", lambda a: np.atleast_3d(a), U(2, 3))
R("atleast_3d", lambda a: np.atleast_3d(a), U(3))
R("column_stack", lambda a, b: np.column_stack([a, b]), U(3), U(3, 2))
R("rollaxis", lambda a: np.rollaxis(a, 2), U(2, 3, 4))
R("rollaxis", lambda a: np.rollaxis(a, -1, 1), U(2, 3, 4))
R("real", lambda a: np.real(a) + np.imag(a) + np.conj(a) + np.angle(a), U(3))
R("trapezoid", lambda y: np.trapezoid(y), U(5))
R("trapezoid", lambda y, x: np.trapezoid(y, np.cumsum(x)), U(5), P(5))
R("trapezoid", lambda y: np.trapezoid(y, dx=0.5, axis=0), U(4, 2))
R("average", lambda a: np.average(a), U(2, 3))
R("average", lambda a, w: np.average(a, axis=1, weights=w), U(2, 3), P(3))
R("average", lambda a, w: np.average(a, weights=w), U(2, 3), P(2, 3))
R("ptp", lambda a: np.ptp(a, axis=0), U(3, 2))
R("append", lambda a, b: np.append(a, b), U(2, 2), U(3))
R("append", lambda a, b: np.append(a, b, axis=0), U(2, 2), U(1, 2))
R("fliplr", lambda a: np.fliplr(a) + np.flipud(a), U(2, 2))
R("dstack", lambda a, b: np.dstack([a, b]), U(2, 2), U(2, 2))
R("multi_dot", lambda a, b, c: np.linalg.multi_dot([a, b, c]), U(2, 3), U(3, 3), U(3, 2))
R("matrix_power", lambda a: np.linalg.matrix_power(a, 3), U(3, 3))
R("matrix_power", lambda a: np.linalg.matrix_power(a + 3.0 * np.eye(3), -2), U(3, 3))
R("mod", lambda a, b: np.mod(a, b) + np.remainder(a, 0.7), U(3), P(3))
R("fmod", lambda a, b: np.fmod(a, b), U(4), P(4))
R("logaddexp2", lambda a, b: np.logaddexp2(a, b), U(3), U(2, 3))
R("rad2deg", lambda a: np.rad2deg(a) + np.deg2rad(a), U(3))
R("heaviside", lambda a: a * np.heaviside(a, 0.5), U(4))
R("svd", lambda a: np.linalg.svd(a, compute_uv=False), U(4, 3))
R("svd", lambda a: np.linalg.svd(a)[1], U(3, 4), jf=lambda a: jnp.linalg.svd(a, False)[1])
R("svd", lambda a: np.linalg.svd(a, full_matrices=False)[1], U(2, 3, 3))
# singular vectors, sign-invariant (u**2, u_k vh_k), square, tall, wide, batched
R("svd", lambda a: np.linalg.svd(a)[0] ** 2 + np.linalg.svd(a)[2] ** 2, U(3, 3),
  jf=lambda a: jnp.linalg.svd(a, False)[0] ** 2 + jnp.linalg.svd(a, False)[2] ** 2)
R("svd", lambda a: np.linalg.svd(a, full_matrices=False)[0] ** 2, U(4, 3),
  jf=lambda a: jnp.linalg.svd(a, full_matrices=False)[0] ** 2)
R("svd", lambda a: np.linalg.svd(a)[0][..., :, :3] ** 2, U(4, 3),
  jf=lambda a: jnp.linalg.svd(a, False)[0] ** 2)
R("svd", lambda a: np.linalg.svd(a, full_matrices=False)[2] ** 2, U(3, 5),
  jf=lambda a: jnp.linalg.svd(a, full_matrices=False)[2] ** 2)
R("svd", lambda a: np.linalg.svd(a, full_matrices=False)[0][..., :, :1] *
  np.linalg.svd(a, full_matrices=False)[2][..., :1, :], U(2, 3, 4),
  jf=lambda a: jnp.linalg.svd(a, full_matrices=False)[0][..., :, :1] *
  jnp.linalg.svd(a, full_matrices=False)[2][..., :1, :])
R("pinv", lambda a: np.linalg.pinv(a), U(4, 3))
R("pinv", lambda a: np.linalg.pinv(a), U(2, 3))
R("lstsq", lambda a, b: np.linalg.lstsq(a, b)[0], U(4, 3), U(4))
R("lstsq", lambda a, b: np.linalg.lstsq(a, b)[0], U(3, 3), U(3))
R("lstsq", lambda a, b: np.linalg.lstsq(a, b)[1], U(4, 3), U(4, 2))
R("lstsq", lambda a, b: np.linalg.lstsq(a, b)[1] + np.linalg.lstsq(a, b)[3][0], U(5, 2), U(5))
R("array_split", lambda a: np.array_split(a, 3)[1] * np.array_split(a, 3)[2][0], U(8))
R("array_split", lambda a: np.array_split(a, [1, 3], axis=1)[2], U(2, 5))
R("hsplit", lambda a: np.hsplit(a, 2)[1] + np.vsplit(a, 2)[0].T, U(4, 4))
R("hsplit", lambda a: np.hsplit(a, [1])[1], U(3))
R("dsplit", lambda a: np.dsplit(a, 2)[1], U(2, 2, 4))
R("gradient", lambda a: np.gradient(a), U(6))
R("gradient", lambda a: np.gradient(a, 0.5, edge_order=2), U(6), jax=False)  # JAX: 1st order
R("gradient", lambda a, x: np.gradient(a, np.cumsum(x)), U(6), P(6), jax=False)
R("gradient", lambda a, x: np.gradient(a, np.cumsum(x), edge_order=2), U(5), P(5), jax=False)
R("gradient", lambda a, x: np.gradient(a, np.cumsum(x), axis=0, edge_order=2), U(4, 2), P(4),
  jax=False)
R("gradient", lambda a: np.gradient(a, axis=1), U(3, 4))
R("gradient", lambda a: np.gradient(a, 2.0)[0] + np.gradient(a)[1], U(3, 4))
# partition: JAX places the other elements differently, so finite differences only
R("partition", lambda a: np.partition(a, 2), U(6), jax=False)
R("partition", lambda a: np.partition(a, (0, 2), axis=0), U(4, 3), jax=False)
R("einsum", lambda a, b: np.einsum(a, [0, 1], b, [1, 2], [0, 2]), U(2, 3), U(3, 2))
R("einsum", lambda a: np.einsum(a, [Ellipsis, 0, 0]), U(2, 3, 3))
R("r_", lambda a, b: np.r_[a, 2.0 * b, 1.5, 0:3] * np.r_[b, b, a[0], 1:7:2], U(4), U(4))
R("c_", lambda a, b: np.c_[a, b, a ** 2], U(3), U(3, 2))
R("gradient", lambda a: np.gradient(a, 0.5, 2.0, axis=(0, 1))[1], U(3, 4),
  jf=lambda a: jnp.gradient(a, 2.0, axis=1))
R("meshgrid", lambda a, b: np.meshgrid(a, b)[0] * np.meshgrid(a, b)[1] ** 2, U(3), U(2))
R("meshgrid", lambda a, b: np.meshgrid(a, b, indexing="ij")[1] - np.meshgrid(a, b)[0].T,
  U(3), U(2))
R("meshgrid", lambda a, b: np.meshgrid(a, b, sparse=True)[0] * np.meshgrid(a, b)[1], U(3), U(2))
R("meshgrid", lambda a, b, c: np.meshgrid(a, b, c)[2] * np.meshgrid(a, b, c)[0], U(3), U(2), U(4))
R("meshgrid", lambda a, b, c: np.meshgrid(a, b, c, indexing="ij", sparse=True)[1] *
  np.meshgrid(a, b, c, indexing="ij")[2], U(3), U(2), U(2, 2),
  jf=lambda a, b, c: jnp.meshgrid(a, b, c.ravel(), indexing="ij", sparse=True)[1] *
  jnp.meshgrid(a, b, c.ravel(), indexing="ij")[2])    # JAX takes 1-d inputs only
R("meshgrid", lambda a: np.meshgrid(a)[0], U(3))
# joins of an array's rows or of a list made at run time (NumPy iterates the first axis)
R("vstack", lambda a: np.vstack(a), U(3))
R("vstack", lambda a: np.vstack(a) + np.vstack([a]).T, U(3))            # one-item list
R("vstack", lambda a: np.vstack(a), U(2, 3, 2))
R("vstack", lambda a: np.vstack([np.sin(r) for r in a]).T, U(3, 2))
R("hstack", lambda a: np.hstack(a), U(3))
R("hstack", lambda a: np.hstack(a) * np.hstack((a[0], a[1], a[2])), U(3, 2))
R("hstack", lambda a: np.hstack(tuple(r * r for r in a)), U(2, 3, 2))
R("concatenate", lambda a: np.concatenate(a, axis=-1), U(2, 3, 2))
R("concatenate", lambda a: np.concatenate([r ** 2 for r in a], axis=1), U(2, 3, 2))
R("concatenate", lambda a: np.concatenate(a, axis=None), U(2, 3))
R("stack", lambda a: np.stack([r * 2.0 for r in a], axis=1), U(3, 2))
R("column_stack", lambda a: np.column_stack(a), U(3))
R("column_stack", lambda a: np.column_stack([r * 2.0 for r in a]), U(3, 2))
R("column_stack", lambda a: np.column_stack(a), U(2, 3, 2))
R("row_stack", lambda a: np.row_stack(a), U(3), jf=lambda a: jnp.vstack(a))
R("row_stack", lambda a, b: np.row_stack((a, b)), U(2, 3), U(1, 3),
  jf=lambda a, b: jnp.vstack((a, b)))
R("trace", lambda a: np.trace(a, offset=1) + np.trace(a, -1), U(4, 5))
R("trace", lambda a: np.trace(a, offset=-1), U(3, 4, 5))
R("trace", lambda a: np.trace(a, 1, axis1=2, axis2=0), U(3, 4, 5))
R("diagonal", lambda a: np.diagonal(a, offset=1, axis1=-1, axis2=-2), U(3, 4, 5))
R("pad", lambda a: np.pad(a, ((1, 2), (3, 4)), "constant"), U(2, 2))
R("pad", lambda a: np.pad(a, ((3, 2),), mode="constant") + np.pad(a, (3, 2)), U(2, 2))
R("pad", lambda a: np.pad(a, 3, "constant") * np.pad(a, (3,)), U(2, 2))
R("pad", lambda a: np.pad(a, (3, 2), constant_values=1.5), U(2, 2))
R("pad", lambda a, c: np.pad(a, 1, constant_values=c), U(2, 3), S())
R("fftshift", lambda a: np.fft.fftshift(a) * np.fft.ifftshift(a), U(5))
R("fftshift", lambda a: np.fft.fftshift(a) + np.fft.ifftshift(a), U(4, 5))
R("fftshift", lambda a: np.fft.fftshift(a, axes=1) * np.fft.ifftshift(a, axes=-1), U(3, 5, 4))
R("fftshift", lambda a: np.fft.ifftshift(a), U(2, 3, 5))
R("real_if_close", lambda a: np.real_if_close(a) ** 2, U(3), jf=lambda a: a ** 2)
R("median", lambda a: np.median(a), U(5))
R("median", lambda a: np.median(a), U(3, 4))
R("median", lambda a: np.median(a, axis=0) * np.median(a, -1)[0], U(3, 5))
R("nan_to_num", lambda a: np.nan_to_num(a) + np.nan_to_num(a, nan=1.0, posinf=2.0), U(3, 4))
R("polyval", lambda p, x: np.polyval(p, x), U(4), U(5))
R("polyval", lambda p, x: np.polyval(p, x), U(3), S())
R("polyval", lambda p, x: np.polyval(p, x), U(1), U(2, 2))
R("pad", lambda a: np.pad(a, 2, "edge") * np.pad(a, (1, 3), mode="wrap"), U(3))
R("pad", lambda a: np.pad(a, ((1, 2), (3, 1)), "reflect"), U(3, 2))
R("pad", lambda a: np.pad(a, ((4, 5),), "symmetric") + np.pad(a, (4, 5), "reflect"), U(2, 3))
R("pad", lambda a: np.pad(a, (1,), "edge") - np.pad(a, 1, "wrap"), U(2, 3, 2))
R("pad", lambda a: np.pad(a, 5, "reflect") * np.pad(a, (5, 5), "symmetric"), U(1, 2))
# statistics (pullback/rules/numpy_statistics.py)
R("cov", lambda a: np.cov(a), U(3, 5))
R("cov", lambda a: np.cov(a), U(5))                         # one variable: a number
R("cov", lambda a, b: np.cov(a, b, bias=True), U(6), U(6))
R("cov", lambda a, b: np.cov(a, b, rowvar=False), U(6, 2), U(6),
  jf=lambda a, b: jnp.cov(a, b[:, None], rowvar=False))     # JAX: b as a column
R("cov", lambda a: np.cov(a, rowvar=False, ddof=2), U(5, 3))
R("cov", lambda a: np.cov(a, None, True, False, 0), U(2, 4))
R("corrcoef", lambda a: np.corrcoef(a), U(3, 5))
R("corrcoef", lambda a, b: np.corrcoef(a, b), U(5), U(5))
R("corrcoef", lambda a: np.corrcoef(a, rowvar=False), U(6, 3))
R("quantile", lambda a: np.quantile(a, 0.3), U(7))
R("quantile", lambda a: np.quantile(a, 0.5) + np.quantile(a, 1.0) * np.quantile(a, 0.0), U(3, 5))
R("quantile", lambda a: np.quantile(a, 0.7, axis=1), U(3, 6))
R("quantile", lambda a, q: np.quantile(a, q, axis=0), U(6, 2), U(3, lo=0.05, hi=0.95))
R("quantile", lambda a, q: np.quantile(a, q, axis=-1, keepdims=True), U(2, 5, 4), S(0.05, 0.95))
R("quantile", lambda a: np.quantile(a, [0.2, 0.9], keepdims=True), U(3, 4),
  jf=lambda a: jnp.quantile(a, jnp.array([0.2, 0.9]), keepdims=True))
R("percentile", lambda a: np.percentile(a, 30) + np.percentile(a, 75.0, axis=0)[1], U(5, 3))
R("percentile", lambda a: np.percentile(a, [10, 50, 95], axis=1), U(2, 7),
  jf=lambda a: jnp.percentile(a, jnp.array([10, 50, 95]), axis=1))
R("nanquantile", lambda a: np.nanquantile(np.where(a > 1.0, np.nan, a), 0.4, axis=1), U(3, 8))
R("nanquantile", lambda a, q: np.nanquantile(np.where(a > 1.2, np.nan, a), q), U(9),
  U(2, lo=0.05, hi=0.95))
R("nanpercentile", lambda a: np.nanpercentile(np.where(a > 1.0, np.nan, a), [25, 60], axis=0,
                                                keepdims=True), U(8, 2),
  jf=lambda a: jnp.nanpercentile(jnp.where(a > 1.0, jnp.nan, a), jnp.array([25, 60]), axis=0,
                                 keepdims=True))
R("nansum", lambda a: np.nansum(np.where(a > 1.0, np.nan, a)), U(3, 4))
R("nansum", lambda a: np.nansum(np.where(a > 1.0, np.nan, a), axis=0, keepdims=True), U(3, 4))
R("nanprod", lambda a: np.nanprod(np.where(a > 1.0, np.nan, a), axis=1), U(3, 4))
R("nanmean", lambda a: np.nanmean(np.where(a > 1.0, np.nan, a)), U(3, 4))
R("nanmean", lambda a: np.nanmean(np.where(a > 1.0, np.nan, a), axis=1, keepdims=True), U(3, 4))
R("nanvar", lambda a: np.nanvar(np.where(a > 1.0, np.nan, a), axis=0, ddof=1), U(5, 3))
R("nanvar", lambda a: np.nanvar(np.where(a > 1.0, np.nan, a), keepdims=True), U(5, 3))
R("nanstd", lambda a: np.nanstd(np.where(a > 1.0, np.nan, a), axis=-1), U(3, 5))
R("nanmax", lambda a: np.nanmax(np.where(a > 1.0, np.nan, a), axis=1), U(4, 3))
R("nanmax", lambda a: np.nanmax(np.where(a > 1.0, np.nan, a)), U(4, 3))
R("nanmin", lambda a: np.nanmin(np.where(a < -1.0, np.nan, a), axis=0, keepdims=True), U(4, 3))
R("select", lambda a: np.select([a < -0.5, a > 0.5], [a * a, np.sin(a)], 0.3), U(6))
R("select", lambda a, b: np.select([a > 0.0], [a], b), U(2, 3), U(3))
R("select", lambda a, b: np.select((a < 0.5, a < 1.0), (b, 2.0 * a)), U(4), S())
R("vander", lambda a: np.vander(a), U(4))
R("vander", lambda a: np.vander(a, 3, increasing=True) + np.vander(a, N=3), U(5))
