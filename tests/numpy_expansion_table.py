"""Rule-table rows (``test_numpy_rules.py``) for NumPy functions that are Python in
NumPy itself, written as expansions (``pullback/rules/numpy_expansions.py``), and
for the ufuncs declared with them (mod, fmod, logaddexp2, rad2deg, ...).
Importing this module appends its rows to ``ROWS``."""
import jax.numpy as jnp
import numpy as np

from numpy_rule_table import P, R, U

R("cross", lambda a, b: np.cross(a, b), U(4, 3), U(3))
R("cross", lambda a, b: np.cross(a, b, axis=0), U(3, 2), U(3, 2))
R("cross", lambda a, b: np.cross(a, b, axisa=0, axisc=0), U(3, 2), U(2, 3))
R("kron", lambda a, b: np.kron(a, b), U(3), U(2))
R("kron", lambda a, b: np.kron(a, b), U(2, 3), U(2, 2))
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
R("pinv", lambda a: np.linalg.pinv(a), U(4, 3))
R("pinv", lambda a: np.linalg.pinv(a), U(2, 3))
R("lstsq", lambda a, b: np.linalg.lstsq(a, b)[0], U(4, 3), U(4))
R("lstsq", lambda a, b: np.linalg.lstsq(a, b)[1], U(4, 3), U(4, 2))
R("lstsq", lambda a, b: np.linalg.lstsq(a, b)[1] + np.linalg.lstsq(a, b)[3][0], U(5, 2), U(5))
