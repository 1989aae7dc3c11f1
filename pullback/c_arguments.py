"""Arguments and status codes of a compiled ``emit_c`` function (``CFunction``).

The C code is specialised to the example arguments' types, and ctypes converts
silently (``int(2.5)``, a float array cast to ``long``, a uint64 that wraps, a
complex array whose imaginary part is dropped), so each argument is checked
here against what was compiled and refused, naming it, where the conversion
would change a value or the type the code was specialised on:

- ``float`` (and float arrays): real numbers only (bool, int, float: NumPy's
  ``same_kind`` cast to the compiled float type); complex is a TypeError;
- ``int`` (and int arrays): integers only, as ``range(2.7)`` is a TypeError in
  Python (a float, even ``2.0``, may have taken other branches: the code was
  typed for an int); values that do not fit a C ``long`` are an OverflowError;
- ``bool`` (and bool arrays): bools only.

``status_error`` turns the generated code's status (``c_header``'s codes) into
the exception Python would raise.
"""
import ctypes
import numbers
import operator

import numpy as np

_LONG_BITS = 8 * ctypes.sizeof(ctypes.c_long)
_LONG_MIN, _LONG_MAX = -2 ** (_LONG_BITS - 1), 2 ** (_LONG_BITS - 1) - 1


def scalar_argument(a, t, label):
    """The Python value to pass for a scalar parameter compiled as ``t``."""
    if t == "float":
        if isinstance(a, (numbers.Real, np.bool_)) or _real_0d(a):
            return float(a)
        raise TypeError(f"{label} was compiled as float; got {_what(a)}")
    if t == "bool":
        if isinstance(a, (bool, np.bool_)) or (_0d(a) and a.dtype.kind == "b"):
            return int(bool(a))
        raise TypeError(f"{label} was compiled as bool; got {_what(a)}")
    if isinstance(a, (float, np.floating)) or (_0d(a) and a.dtype.kind not in "biu"):
        raise TypeError(f"{label} was compiled as int; got {_what(a)} (emit_c with a float "
                        "example to pass floats)")
    try:
        n = operator.index(a)
    except TypeError:
        raise TypeError(f"{label} was compiled as int; got {_what(a)}") from None
    if not _LONG_MIN <= n <= _LONG_MAX:
        raise OverflowError(f"{label} was compiled as int (a C long of {_LONG_BITS} bits); "
                            f"{n} does not fit")
    return n


def array_argument(a, target, compiled, label):
    """``a`` as a C-ordered array of dtype ``target`` (what the C code reads) for a
    parameter compiled as ``compiled`` (an ``Array``); shape checked by the caller."""
    arr = np.asarray(a)
    kind = np.dtype(compiled.dtype).kind
    given = arr.dtype
    if given.kind not in {"b": "b", "i": "iu", "u": "iu"}.get(kind, "biuf"):
        why = " (its values would be truncated)" if given.kind == "f" and kind in "iu" else \
            " (NumPy indexes with a bool array as a mask)" if given.kind == "b" else ""
        raise TypeError(f"{label} was compiled as {compiled}; got an array of {given}{why}")
    if kind in "iu" and given != np.dtype(np.int64):    # NumPy's arithmetic in a smaller
        raise TypeError(f"{label} was compiled as {compiled}; got an array of {given}, whose "
                        "arithmetic NumPy does in its own dtype (pass .astype(np.int64))")
    if given.kind in "iu" and np.dtype(target).kind == "i" and arr.size:
        info = np.iinfo(target)
        if arr.max() > info.max or arr.min() < info.min:
            raise OverflowError(f"{label} was compiled as {compiled} (C long of "
                                f"{info.bits} bits); a value of {given} does not fit")
    return np.asarray(arr, dtype=target, order="C")     # (0-d stays 0-d)


class LimitExceeded(RuntimeError):
    """The compiled gradient hit its ``max_iterations`` bound (status code non-zero)."""


def status_error(status, where, max_iterations):
    """The exception for a non-zero status of ``NAME_grad`` (``c_header``'s codes);
    ``where`` names the compiled function and the user's function it came from."""
    if status == 1:
        return LimitExceeded(f"{where}: a loop ran past max_iterations={max_iterations}")
    if status == 2:
        return LimitExceeded(f"{where}: a recursion made more calls than "
                             f"max_iterations={max_iterations}")
    if status == 3:
        return IndexError(f"{where}: an index is out of range")
    if status == 4:
        return ValueError(f"{where}: a range() step of zero, int(), round() or floor() of "
                          "NaN or infinity (where Python raises ValueError), or a negative "
                          "number to a non-integer power (complex in Python)")
    if status == 5:
        return ZeroDivisionError(f"{where}: integer division or modulo by zero")
    if status == 6:
        return OverflowError(f"{where}: an integer result does not fit a C long of "
                             f"{_LONG_BITS} bits (Python's int would grow; the C code stops)")
    return RuntimeError(f"{where}: the C code returned the unknown status {status}")


def _0d(a):
    return isinstance(a, np.ndarray) and a.shape == ()


def _real_0d(a):
    return _0d(a) and a.dtype.kind in "biuf"


def _what(a):
    if isinstance(a, np.ndarray):
        return f"an array of {a.dtype} and shape {a.shape}"
    return f"{type(a).__name__} {a!r}"
