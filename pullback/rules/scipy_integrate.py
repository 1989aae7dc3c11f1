"""scipy.integrate: the quadrature rules over samples as expansions
(``rules/expansions.py``), and the ODE solvers ``odeint`` and ``solve_ivp`` (their
expansions are pullback's own integrator, ``pullback/ode.py``, which loads this
module: ``ON_DEMAND`` names it for scipy.integrate, since rules never import above).

Invariants: ``trapezoid`` is NumPy's (the same expansion); ``cumulative_trapezoid``
returns SciPy's values, with ``initial`` only 0 or None as SciPy allows.
``quad`` and the other solvers are library code with no rule: a call is rejected at
the user's line with the rewrite (``frontend/library.py``, ``ADVICE``).
"""
import numpy as np
import scipy.integrate as si

from .expansions import expands
from .numpy_expansions import trapezoid

expands(si.trapezoid)(trapezoid)


@expands(si.cumulative_trapezoid)
def cumulative_trapezoid(y, x=None, dx=1.0, axis=-1, initial=None):
    u = np.moveaxis(y, axis, -1)
    if x is None:
        steps = dx * 0.5 * (u[..., 1:] + u[..., :-1])
    else:
        steps = np.diff(np.moveaxis(x, axis, -1) if np.ndim(x) > 1 else x) * 0.5 * \
            (u[..., 1:] + u[..., :-1])
    out = np.cumsum(steps, axis=-1)
    if initial is not None:
        out = np.concatenate([np.zeros_like(u[..., :1]) + initial, out], axis=-1)
    return np.moveaxis(out, -1, axis)
