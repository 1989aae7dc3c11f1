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
