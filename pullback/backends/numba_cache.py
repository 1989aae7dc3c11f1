"""Numba's on-disk cache for generated code, kept in a private directory.

Numba's own ``cache=True`` keeps an index (``.nbi``) and object files (``.nbc``)
per function, both pickles, in the first of several places it finds writable
(``$NUMBA_CACHE_DIR``, a ``__pycache__`` beside the source, ``~/.cache``), and
unpickles them on the first call, before anything checks them.  A pickle runs
code, so for the generated module every dispatcher's cache is replaced, before
its first call, by ``PrivateCache``: index and objects live in ``index/`` beside
the generated file, a ``private_dir`` checked again before each load and save.

Invariants
- A dispatcher passed through ``make_private`` never reads a file outside the
  checked ``index/`` directory; where Numba's settings pick another place
  (``$NUMBA_CACHE_LOCATOR_CLASSES``) it does not cache at all.
- This relies on Numba's caching classes (``numba.core.caching``, stable since
  0.49): ``Dispatcher._cache`` is consulted only when a signature compiles.
"""
import os

from numba.core.caching import (CompileResultCacheImpl, FunctionCache, NullCache,
                                _CacheLocator, _SourceFileBackedLocatorMixin)

from .private_dir import private_dir


class _PrivateLocator(_SourceFileBackedLocatorMixin, _CacheLocator):
    """``index/`` beside the generated file (itself in a private directory)."""

    def __init__(self, py_func, py_file):
        self._py_file = py_file
        self._lineno = py_func.__code__.co_firstlineno
        self._cache_path = os.path.join(os.path.dirname(py_file), "index")

    def get_cache_path(self):
        return self._cache_path

    def ensure_cache_path(self):
        private_dir(self._cache_path)

    @classmethod
    def from_function(cls, py_func, py_file):
        if not os.path.exists(py_file):
            return None
        return cls(py_func, py_file)


class _PrivateImpl(CompileResultCacheImpl):
    _locator_classes = [_PrivateLocator]


class PrivateCache(FunctionCache):
    """Numba's function cache, reading and writing only the checked ``index/``."""
    _impl_class = _PrivateImpl

    def load_overload(self, sig, target_context):
        private_dir(self._cache_path)
        return super().load_overload(sig, target_context)

    def save_overload(self, sig, data):
        private_dir(self._cache_path)
        return super().save_overload(sig, data)


def make_private(namespace):
    """Give every Numba dispatcher in ``namespace`` (a generated module's, not yet
    called) the private cache."""
    from numba.core.dispatcher import Dispatcher
    for value in list(namespace.values()):
        # a plain ``@njit`` (a recursive module: numba_recursion.recurses) stays uncached
        if isinstance(value, Dispatcher) and not isinstance(value._cache, NullCache):
            cache = PrivateCache(value.py_func)
            if not isinstance(cache._impl.locator, _PrivateLocator):
                cache = NullCache()          # Numba was told to look elsewhere: no cache
            value._cache = cache
