"""A foreign array type for the tests: it behaves as Dask and CuPy arrays do towards NumPy,
and fails loudly where generated code would leave its array type.

``Strict`` wraps a NumPy array and takes part in NumPy only through the protocols Dask and
CuPy implement: ufuncs (``__array_ufunc__``, NEP 13) and functions (``__array_function__``,
NEP 18).  Invariants, each one a way a derivative could silently fall back to NumPy:

- ``np.asarray(x)`` / ``np.array(x)`` raise (``__array__``), as CuPy's do;
- a NumPy float array of one or more dimensions mixed into a ufunc or function raises
  (CuPy refuses them; on Dask they would be one unchunked block made in the client);
  integer ones (axes, indices) pass, as both libraries take them;
- a NumPy function that Dask does not implement raises (Dask would compute the whole
  array and call NumPy on it);
- every array a function or ufunc returns is a ``Strict`` (0-d ones included, as Dask's and
  CuPy's reductions return), so a NumPy array in a result means generated code made one.

``Strict.conversions`` counts ``float()``/``bool()`` of 0-d arrays (a device sync on CuPy, a
compute on Dask), which tests can bound.
"""
import numpy as np
import numpy.lib.mixins

import dask.array as da

UFUNC_METHODS = frozenset(("__call__", "outer"))   # Dask's __array_ufunc__ handles these


def dask_implements(func):
    """Does Dask's ``__array_function__`` handle NumPy function ``func`` (by name in the
    matching ``dask.array`` submodule, or in its table of aliases)?"""
    if func in getattr(da.core, "_HANDLED_FUNCTIONS", {}):
        return True
    module = da
    for part in func.__module__.split(".")[1:]:
        module = getattr(module, part, None)
        if module is None:
            return False
    own = getattr(module, func.__name__, None)
    return own is not None and own is not func


class Strict(numpy.lib.mixins.NDArrayOperatorsMixin):
    __slots__ = ("a",)
    conversions = 0

    def __init__(self, a):
        self.a = a if isinstance(a, np.ndarray) else np.asarray(a)

    shape = property(lambda self: self.a.shape)
    dtype = property(lambda self: self.a.dtype)
    ndim = property(lambda self: self.a.ndim)
    size = property(lambda self: self.a.size)
    T = property(lambda self: Strict(self.a.T))

    def __repr__(self):
        return f"Strict({self.a!r})"

    def __array__(self, dtype=None, copy=None):
        raise TypeError("Strict array converted to NumPy (np.asarray/np.array)")

    def __len__(self):
        return len(self.a)

    def __getitem__(self, idx):
        return _wrap(self.a[_unwrap(idx)])

    def __setitem__(self, idx, v):
        self.a[_unwrap(idx)] = _unwrap(v)

    def __float__(self):
        Strict.conversions += 1
        return float(self.a)

    def __bool__(self):
        Strict.conversions += 1
        return bool(self.a)

    def astype(self, dtype, copy=True):
        return Strict(self.a.astype(dtype, copy=copy))

    def reshape(self, *shape):
        return Strict(self.a.reshape(*shape))

    def sum(self, axis=None, keepdims=False):
        return _wrap(self.a.sum(axis=axis, keepdims=keepdims))

    def copy(self):
        return Strict(self.a.copy())

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        if method not in UFUNC_METHODS:
            raise TypeError(f"np.{ufunc.__name__}.{method} on a Strict array (Dask has none)")
        return _wrap(getattr(ufunc, method)(*_unwrap(inputs), **_unwrap(kwargs)))

    def __array_function__(self, func, types, args, kwargs):
        if not dask_implements(func):
            raise TypeError(f"np.{func.__name__} on a Strict array: Dask does not implement "
                            "it (it would compute the array and call NumPy)")
        return _wrap(func(*_unwrap(args), **_unwrap(kwargs)))


def _unwrap(v):
    if isinstance(v, Strict):
        return v.a
    if isinstance(v, np.ndarray) and v.ndim > 0 and v.dtype.kind in "fc":
        raise TypeError(f"a NumPy array of shape {v.shape} mixed into Strict arrays")
    if isinstance(v, (tuple, list)):
        return type(v)(_unwrap(x) for x in v)
    if isinstance(v, dict):
        return {k: _unwrap(x) for k, x in v.items()}
    return v


def _wrap(v):
    if isinstance(v, (np.ndarray, np.generic)) and not isinstance(v, (np.str_, np.bytes_)):
        return Strict(np.asarray(v))
    if isinstance(v, (tuple, list)):
        return type(v)(_wrap(x) for x in v)
    return v


def unwrap(tree):
    """A result's arrays as NumPy arrays (for comparing with an oracle)."""
    if isinstance(tree, Strict):
        return tree.a
    if isinstance(tree, (tuple, list)):
        return type(tree)(unwrap(x) for x in tree)
    return tree
