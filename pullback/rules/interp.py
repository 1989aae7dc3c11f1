"""np.interp: linear interpolation in a table (helpers: ``interp_helpers.py``).

Differentiable in ``x`` and in the values ``fp``; the knots ``xp`` have no rule (a
derivative through them is rejected at the user's line), and ``left``, ``right`` and
``period`` are constants written at the call.  Python backend only: the Numba and C
backends reject the helpers at the user's line.
"""
import numpy as np

from . import interp_helpers as I
from .registry import NO_RULE, array_op

_TABLE = "xp, left, right, period"
array_op("interp", np.interp, "x xp fp left=None right=None period=None",
         "g * interp_slope(x, xp, fp, left, right, period)", NO_RULE,
         f"interp_fp_vjp(g, x, {_TABLE.replace('xp,', 'xp, fp,')})", python=(np.interp,),
         jvps=("t * interp_slope(x, xp, fp, left, right, period)", NO_RULE,
               f"interp_fp_jvp(t, x, {_TABLE})"))
# the slope is piecewise constant in x (derivative 0 between knots); in fp it is linear,
# a derivative nobody has written here; the weights' derivative in x is not written either
array_op("interp_slope", I.interp_slope, "x xp fp left right period", None, NO_RULE, NO_RULE,
         helper="interp_slope", jvps=(None, NO_RULE, NO_RULE))
array_op("interp_fp_jvp", I.interp_fp_jvp, "t x xp left right period",
         "interp_fp_vjp(g, x, xp, t, left, right, period)", NO_RULE, NO_RULE,
         helper="interp_fp_jvp", linear=0)
array_op("interp_fp_vjp", I.interp_fp_vjp, "g x xp fp left right period",
         f"interp_fp_jvp(g, x, {_TABLE})", NO_RULE, NO_RULE, None,
         helper="interp_fp_vjp", linear=0)
