"""A constant's text in nopython code, and a literal's dtype next to a narrow array.

Invariants:
- a Python type given as a dtype (``np.eye(3, dtype=bool)``, ``np.zeros(n, dtype=int)``)
  prints as NumPy's type: Numba's typing reads the builtin ``bool`` as a function
  (``Cannot interpret 'Function(<class 'bool'>)' as a data type``), while the python
  backend prints the user's own spelling;
- an elementwise operation whose result is a float32 (or float16) array reads each int
  or float literal operand in that dtype (``narrow_numbers``): NumPy 2 takes a Python
  number as "weak" (NEP 50: ``x32 + 1.0`` is float32), while Numba promotes a float32
  array next to a float64 or int64 scalar to float64, another function's value
  (``(x + 1.0) - x`` at 2**24 is 0.0 in float32, 1.0 in float64).  A scalar *name* is
  left as it is: its IR type ``float`` does not say whether it holds a weak Python
  float or a strong np.float64 (``np.sum(x64)``, next to which NumPy computes in float64).
  A comparison with a float32 (float16) operand, scalar or array, reads its literals in
  that dtype too: NumPy 2 compares ``np.float32(0.1) > 0.1`` in float32 (False), Numba
  in float64 (True), which took the other branch, mask or tie.
"""
from ..ir import Const, Var
from ..ir.types import Array
from .loopnest import FUSIBLE
from .python import ATOM, render_atom

NUMBA_DTYPES = {bool: "np.bool_", int: "np.int64", float: "np.float64",
                complex: "np.complex128"}

NARROW = {"float32": "np.float32", "float16": "np.float16"}
# elementwise primitives whose number operands NumPy converts to the array's dtype
ELEMENTWISE = FUSIBLE | {"mod", "floordiv", "min", "max", "minimum", "maximum", "clip", "inplace",
                         "copysign"}
COMPARISONS = frozenset("lt le gt ge eq ne".split())


def numba_atom(a):
    """``render_atom``, with a Python type given as a dtype printed as NumPy's."""
    if isinstance(a, Const) and isinstance(a.value, type) and a.value in NUMBA_DTYPES:
        return NUMBA_DTYPES[a.value], ATOM
    return render_atom(a)


def narrow_cast(s):
    """The NumPy type ``s``'s number literals are read in (``np.float32``), or None."""
    t = s.target.type
    if isinstance(t, Array) and s.op in ELEMENTWISE and t.dtype in NARROW:
        return NARROW[t.dtype]
    if s.op in COMPARISONS:         # the operand's dtype decides, not the bool result's
        dtypes = {a.type.dtype for a in s.args if isinstance(a, Var) and isinstance(a.type, Array)}
        if len(dtypes) == 1 and dtypes <= set(NARROW):
            return NARROW[dtypes.pop()]
    return None


def narrow_numbers(s, env):
    """``(s, env)`` with the int and float literal operands of an elementwise ``s`` whose
    result is a float32 or float16 array read in that dtype (module docstring): each
    becomes a stand-in name whose text in ``env`` is ``np.float32(...)``."""
    cast = narrow_cast(s)
    if cast is None:
        return s, env
    args, env = list(s.args), dict(env)
    for i, a in enumerate(args):
        if not isinstance(a, Const) or type(a.value) not in (float, int):
            continue
        name = f" narrow{i}"        # (a space: no name of the program can be it)
        env[name] = (f"{cast}({numba_atom(a)[0]})", ATOM)
        args[i] = Var(name, a.type)
    return type(s)(s.target, s.op, tuple(args), s.loc), env
