"""Numba's on-disk cache for generated code, kept in a private directory.

Numba's own ``cache=True`` keeps an index (``.nbi``) and object files (``.nbc``)
per function, both pickles, in the first of several places it finds writable
(``$NUMBA_CACHE_DIR``, a ``__pycache__`` beside the source, ``~/.cache``), and
unpickles them on the first call, before anything checks them.  A pickle runs
code, so for the generated module every dispatcher's cache is replaced, before
its first call, by ``PrivateCache``: index and objects live in ``index/`` beside
the generated file, a ``private_dir`` checked again before each load and save.

Each file Numba writes gets a seal beside it (``MAGIC`` and the file's SHA-256), checked
before Numba reads the file, and a data file also holds its function's name and index
key (``_CheckedFile``):
a file that is truncated, empty, garbage or another entry's (a disk filled up, a crash,
a file copied over another) is found before anything of it is unpickled or installed.
Such an entry is a cache miss: its files are removed with a warning naming them, and
Numba compiles again.  (The hash is no signature: ``private_dir`` is what keeps others
from writing here.)

Invariants
- A dispatcher passed through ``make_private`` never reads a file outside the
  checked ``index/`` directory; where Numba's settings pick another place
  (``$NUMBA_CACHE_LOCATOR_CLASSES``) it does not cache at all.
- A cache entry that cannot be loaded as written is never used and never an error.
- This relies on Numba's caching classes (``numba.core.caching``, stable since
  0.49): ``Dispatcher._cache`` is consulted only when a signature compiles.
"""
import glob
import hashlib
import os
import warnings

from numba.core.caching import (CompileResultCacheImpl, FunctionCache, IndexDataCacheFile,
                                NullCache, _CacheLocator, _SourceFileBackedLocatorMixin)

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


MAGIC = b"pullback-numba-cache-1\n"
SEAL = ".sha256"


class Damaged(Exception):
    """A cache file that is not what this module wrote for this entry."""


class _CheckedFile(IndexDataCacheFile):
    """Numba's index and data files, each behind ``MAGIC`` and a hash of its contents, a
    data file naming its function and key; under names of their own (``.pb.``), so files
    in Numba's plain format are never read."""

    def __init__(self, cache_path, filename_base, source_stamp):
        super().__init__(cache_path, filename_base, source_stamp)
        self._base = filename_base
        self._index_name = f"{filename_base}.pb.nbi"
        self._index_path = os.path.join(cache_path, self._index_name)
        self._data_name_pattern = f"{filename_base}.pb.{{number:d}}.nbc"

    def save(self, key, data):
        try:
            self._load_index()
        except Damaged as e:              # (load found it sound; since damaged): start over
            self.remove(e)
        super().save(key, (self._base, key, data))

    def load(self, key):
        got = super().load(key)
        if got is None:
            return None
        if not (isinstance(got, tuple) and len(got) == 3 and got[:2] == (self._base, key)):
            raise Damaged(f"{self._index_path}: its data file holds another entry")
        return got[2]

    # Numba's own (de)serialisation, each file behind a seal (``SEAL``: MAGIC and the
    # SHA-256 of the file) checked before Numba unpickles anything of it
    def _load_index(self):
        if not os.path.exists(self._index_path):
            return {}
        _check(self._index_path)
        return super()._load_index()

    def _save_index(self, overloads):
        super()._save_index(overloads)
        self._seal(self._index_path)

    def _load_data(self, name):
        _check(self._data_path(name))
        return super()._load_data(name)

    def _save_data(self, name, data):
        super()._save_data(name, data)
        self._seal(self._data_path(name))

    def _seal(self, path):
        with open(path, "rb") as f:
            digest = hashlib.sha256(f.read()).digest()
        with self._open_for_write(path + SEAL) as f:
            f.write(MAGIC + digest)

    def remove(self, why):
        """Delete this function's index and data files, warning with their names."""
        paths = sorted(glob.glob(glob.escape(os.path.join(
            self._cache_path, f"{self._base}.pb.")) + "*"))
        for path in paths:
            try:
                os.unlink(path)
            except FileNotFoundError:
                pass
        warnings.warn(f"pullback: a damaged Numba cache entry was removed and its code is "
                      f"compiled again ({why}; removed: {', '.join(paths) or 'nothing'})",
                      RuntimeWarning, stacklevel=2)


def _check(path):
    """Raise ``Damaged`` unless ``path`` is what its seal says pullback wrote."""
    try:
        with open(path, "rb") as f:
            digest = hashlib.sha256(f.read()).digest()
        with open(path + SEAL, "rb") as f:
            seal = f.read()
    except FileNotFoundError:
        raise Damaged(f"{path} or its seal is missing") from None
    if seal != MAGIC + digest:
        raise Damaged(f"{path} is truncated or not what pullback wrote")


class PrivateCache(FunctionCache):
    """Numba's function cache, reading and writing only the checked ``index/``; an entry
    that cannot be loaded is a miss (removed, with a warning), never an error."""
    _impl_class = _PrivateImpl

    def __init__(self, py_func):
        super().__init__(py_func)
        old = self._cache_file
        self._cache_file = _CheckedFile(old._cache_path, self._impl.filename_base,
                                        old._source_stamp)

    def load_overload(self, sig, target_context):
        private_dir(self._cache_path)
        target_context.refresh()
        try:
            return self._load_overload(sig, target_context)
        except Exception as e:        # damaged, or sound but not loadable here: compile
            self._cache_file.remove(e if isinstance(e, Damaged) else
                                    f"{type(e).__name__}: {e}")
            return None

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
