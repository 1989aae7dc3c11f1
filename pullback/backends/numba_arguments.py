"""The integers the numba backend accepts from a call: int64 (and bools), nothing else.

Numba types a uint8, int8, int16, int32, uint16, uint32 or uint64 array (or NumPy scalar)
as itself and then follows its own integer promotion, not NumPy's: ``k * k`` of a uint8
20 is 400 in Numba (promoted to int64) and 144 in NumPy (uint8 wraps), and an int32 70000
squared is 4.9e9 against NumPy's wrapped 6.05e8.  A Python int beyond int64 does not fit
Numba's int at all (Numba's bare ``OverflowError: int too big to convert``).  The python
backend runs NumPy's own arithmetic on them, so rather than compile a derivative that
differs from it, the numba backend refuses them where a call's arguments are bound, naming
the argument.  (Converting to int64 would not be faithful: arithmetic in the small dtype
wraps where int64 does not.)

Invariant: every integer leaf the numba backend's generated code is called with, and every
global or closure array it reads, is int64 or bool; a Python int is within int64.
"""
import inspect

import numpy as np

from ..errors import TransformError
from ..frontend.source import called_method
from ..ir.types import is_array
from ..ir.walk import extern_atoms, walk

INT64 = np.dtype(np.int64)
LO, HI = -2 ** 63, 2 ** 63 - 1


def _names(f):
    """The parameter names of ``f`` (for messages), or [] where its signature is opaque."""
    try:
        return [p.name for p in inspect.signature(called_method(f) or f).parameters.values()
                if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    except (TypeError, ValueError):
        return []


def _small_int(x):
    """The dtype of ``x`` where it is a NumPy integer array or scalar other than int64."""
    dtype = getattr(x, "dtype", None)
    if isinstance(x, (np.ndarray, np.generic)) and dtype.kind in "iu" and dtype != INT64:
        return dtype
    return None


def big_int(x):
    """Is ``x`` a Python int (not a bool) that int64 cannot hold?"""
    return isinstance(x, int) and not isinstance(x, bool) and not LO <= x <= HI


def big_int_error(what):
    return OverflowError(f"{what}: an int beyond int64 cannot go to the numba backend "
                         "(its ints are int64); use backend='python'")


def check(a, f, backend):
    """Refuse, on the numba backend, the leaves of ``a`` (an ``Arguments``) that its
    generated code would compute with differently from NumPy (see the module doc).
    Differentiated leaves are floats by then and are not checked."""
    if backend != "numba":
        return
    names = None
    for x, t, i in zip(a.raw, a.types, a.owner):
        if t == "float" or (is_array(t) and np.dtype(t.dtype).kind == "f"):   # a float leaf
            continue
        dtype = _small_int(x)
        if dtype is None and not big_int(x):
            continue
        if names is None:
            names = _names(f)
        what = f"argument {i}" + (f" ({names[i]})" if i < len(names) else "")
        if dtype is None:
            raise big_int_error(what)
        kind = "an array" if isinstance(x, np.ndarray) else "a NumPy scalar"
        fix = ".astype(np.int64)" if isinstance(x, np.ndarray) else " as np.int64(...)"
        raise TypeError(
            f"{what} is {kind} of dtype {dtype}: the numba backend computes with Numba's "
            f"integer promotion, not NumPy's ({dtype} arithmetic would not wrap as NumPy's "
            f"does), so its derivative could differ; pass it{fix} (if int64 arithmetic is "
            "what you mean) or use backend='python'")


def check_globals(module, arrays):
    """Refuse a global or closure integer array other than int64 that the generated code
    reads (``arrays``: name -> value), at the user's line that reads it."""
    for name, value in arrays.items():
        dtype = _small_int(value)
        if dtype is None:
            continue
        raise TransformError.at(
            _reader(module, name),
            f"a global or closure {dtype} array ({name}) is read here: the numba backend "
            f"computes with Numba's integer promotion, not NumPy's, so {dtype} arithmetic "
            "would not wrap as NumPy's does; make it .astype(np.int64) or use "
            "backend='python'", "numba")


def _reader(module, name):
    """The location of the first statement that reads global ``name`` (a simple one
    before a loop or branch that holds it), or None."""
    hits = [(hasattr(s, "body"), s.loc) for fn in module.functions for s in walk(fn.body)
            if getattr(s, "loc", None) is not None
            and any(a.value.name == name for a in extern_atoms([s]))]
    return min(hits, key=lambda h: h[0])[1] if hits else None


def explain_overflow(error, dispatcher, args):
    """Numba's bare ``OverflowError`` converting a call's Python int beyond int64 (a call
    through a fast path that skipped ``check``), as an error naming the parameter; None
    when no argument is such an int (an overflow of the generated code's own)."""
    if not isinstance(error, OverflowError):
        return None
    code = getattr(getattr(dispatcher, "py_func", None), "__code__", None)
    names = code.co_varnames[:code.co_argcount] if code is not None else ()
    for k, x in enumerate(args):
        if big_int(x):
            what = f"parameter {names[k]!r}" if k < len(names) else f"argument {k}"
            return big_int_error(what)
    return None
