"""``np.add.at(a, indices, b)`` and ``np.subtract.at``: unbuffered scatter into ``a``.

NumPy adds every value in place, so an index given k times adds all k of them, which
``a[indices] += b`` does not: that one reads once and writes once per element.  The
statement lowers as the augmented assignment it is on ``a``::

    np.add.at(F, I, f)    ->    F += getitem_vjp(np.broadcast_to(f, F[I].shape), F, I)

The increment is the scatter whose adjoint is the gather ``g[I]`` (rules/numpy_core.py),
and the alias analysis sees one in-place write to ``F``, checked as ``F += v`` is.

Invariant: only a name as the target and the two ufuncs whose ``at`` is a sum; any
other ufunc's ``at`` (``np.multiply.at``, ``np.maximum.at``) stays rejected at its line.
"""
import ast

import numpy as np

from .bindings import PyObj

AT_SIGN = {np.add: ast.Add, np.subtract: ast.Sub}


class UfuncAtLowerer:
    def ufunc_at(self, s):
        """Lower statement ``s`` if it is ``np.add.at(...)``/``np.subtract.at(...)``;
        returns whether it was."""
        call = s.value
        if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
                and call.func.attr == "at"):
            return False
        ufunc = self.expr(call.func.value)
        if not (isinstance(ufunc, PyObj) and isinstance(ufunc.obj, np.ufunc)):
            return False
        if ufunc.obj not in AT_SIGN:
            raise self.error(call, f"np.{ufunc.obj.__name__}.at (np.add.at and "
                                   "np.subtract.at are differentiated)")
        if len(call.args) != 3 or call.keywords or not isinstance(call.args[0], ast.Name):
            raise self.error(call, f"np.{ufunc.obj.__name__}.at other than on an array "
                                   "name with indices and values: np.add.at(a, indices, b)")
        target = call.args[0]
        # the indices as a subscript reads them: a list is an integer array, not a tuple
        a, idx = self.expr(target), self.index_part(call.args[1])
        values = self.array_arg(self.expr(call.args[2]), call)
        room = self.op("shape_of", (self.op("getitem", (a, idx), call),), call)
        spread = self.op("broadcast_to", (values, room), call)
        self.augment(target, AT_SIGN[ufunc.obj](), self.op("getitem_vjp", (spread, a, idx), call), s)
        return True
