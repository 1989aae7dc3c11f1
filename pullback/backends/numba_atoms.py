"""A constant's text in nopython code.

Invariant: a Python type given as a dtype (``np.eye(3, dtype=bool)``,
``np.zeros(n, dtype=int)``) prints as NumPy's type: Numba's typing reads the
builtin ``bool`` as a function (``Cannot interpret 'Function(<class 'bool'>)'
as a data type``), while the python backend prints the user's own spelling.
"""
from ..ir import Const
from .python import ATOM, render_atom

NUMBA_DTYPES = {bool: "np.bool_", int: "np.int64", float: "np.float64",
                complex: "np.complex128"}


def numba_atom(a):
    """``render_atom``, with a Python type given as a dtype printed as NumPy's."""
    if isinstance(a, Const) and isinstance(a.value, type) and a.value in NUMBA_DTYPES:
        return NUMBA_DTYPES[a.value], ATOM
    return render_atom(a)
