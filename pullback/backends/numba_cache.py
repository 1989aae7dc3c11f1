"""Numba's on-disk cache for generated code, kept in a private directory.

Numba's own ``cache=True`` keeps an index (``.nbi``) and object files (``.nbc``)
per function, both pickles, in the first of several places it finds writable
(``$NUMBA_CACHE_DIR``, a ``__pycache__`` beside the source, ``~/.cache``), and
unpickles them on the first call, before anything checks them.  A pickle runs
code, so for the generated module every dispatcher's cache is replaced, before
its first call, by ``PrivateCache``: index and objects live in ``index/`` beside
the generated file, a ``private_dir`` checked again before each load and save.

Each file is written as ``MAGIC``, the SHA-256 of the rest, then Numba's pickle, and
a data file's pickle also holds its function's name and index key (``_CheckedFile``):
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
import io
import os
import pickle
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

    def _load_index(self):
        try:
            body = _checked(self._index_path)
        except FileNotFoundError:
            return {}
        with io.BytesIO(body) as f:
            if pickle.load(f) != self._version:
                return {}
            stamp, overloads = pickle.loads(f.read())
        return overloads if stamp == self._source_stamp else {}

    def _save_index(self, overloads):
        body = pickle.dumps(self._version, protocol=-1) + self._dump(
            (self._source_stamp, overloads))
        with self._open_for_write(self._index_path) as f:
            f.write(_sealed(body))

    def _load_data(self, name):
        return pickle.loads(_checked(self._data_path(name)))

    def _save_data(self, name, data):
        with self._open_for_write(self._data_path(name)) as f:
            f.write(_sealed(self._dump(data)))

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


def _sealed(body):
    return MAGIC + hashlib.sha256(body).digest() + body


def _checked(path):
    """The contents of ``path`` after ``MAGIC`` and the hash, checked (``Damaged``)."""
    with open(path, "rb") as f:
        raw = f.read()
    body = raw[len(MAGIC) + 32:]
    if not raw.startswith(MAGIC) or raw[len(MAGIC):len(MAGIC) + 32] != hashlib.sha256(
            body).digest():
        raise Damaged(f"{path} is truncated or not what pullback wrote")
    return body


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
