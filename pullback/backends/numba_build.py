"""Build a Numba derivative: generate, cache on disk, compile, report errors as pullback's.

    transform (IR -> Numba-ready source)  ->  <cache>/numba/pb_<hash>.py  ->  exec  ->  njit

The source file is named by a hash of its text, the argument types, the
Numba and Python versions and Numba's optimisation level (``$NUMBA_OPT``: code
built at one level is never loaded at another), and written once; Numba's machine
code is kept beside it (``index/``, ``numba_cache.PrivateCache``), so a second process that
asks for the same derivative loads the machine code instead of compiling.  The
cache folder is ``$PULLBACK_CACHE_DIR``, else ``$XDG_CACHE_HOME/pullback``, else
``~/.cache/pullback``; its ``numba`` folder is a ``private_dir`` (0700, checked).

Invariant: only text pullback generated in this process runs.  The module is
compiled from the text in memory, never imported (so no ``.pyc`` is looked up and
the file is not read back between check and use); the file on disk exists for
Numba's cache stamp and for tracebacks, and Numba's pickles are read only from
the checked ``index/``.

Numba compiles on the first call.  A Numba error there is re-raised as a
``TransformError`` at the user's source line of the generated statement that
failed, with Numba's one-line reason; the generated file is named in the note.

Invariant: an np.float32 (float16) number reaches the generated code as Numba's float32
scalar, never as the 0-d array the argument model holds it in (``_numbers``).  Numba's
arithmetic on a 0-d array yields a scalar, so a name that holds the argument on one path
and arithmetic of it on another was "Cannot unify float32 and array(float32, 0d)", and
its ``//`` of a 0-d array is ``floor(a / b)`` (10 at ``1.0 // 0.1`` where NumPy's is 9).
"""
import hashlib
import linecache
import os
import re
import sys
import tempfile
import time
import types as pytypes

import numpy as np

from ..errors import TransformError
from .numba import emit_numba_module
from .numba_arguments import check_globals, explain_overflow
from .numba_recursion import store_recursive_residuals
from ..ir.walk import externs
from .private_dir import private_dir
from .progress import slow
from .python_load import Compiled


def require():
    try:
        import numba
    except ImportError:
        raise ImportError("backend='numba' needs Numba: pip install pullback[numba]") from None
    return numba


def cache_dir():
    base = os.environ.get("PULLBACK_CACHE_DIR")
    if not base:
        xdg = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        base = os.path.join(xdg, "pullback")
    return os.path.join(base, "numba")


class NumbaCompiled(Compiled):
    """A generated module compiled by Numba; ``comp[name]`` is a callable that reports
    Numba's compile errors as ``TransformError``."""

    def __init__(self, source, module, names, outputs, result, with_value, locs, path,
                 transform_seconds):
        super().__init__(source, module.__dict__, names, outputs, result, with_value)
        self.module = module
        self.locs = locs
        self.path = path
        self.transform_seconds = transform_seconds
        self.compile_seconds = {}    # function name -> seconds of its first call
        self._callables = {}

    def __getitem__(self, name):
        if name not in self._callables:
            self._callables[name] = _Guarded(self, name, getattr(self.module, name))
        return self._callables[name]

    def translate(self, error):
        """A ``TransformError`` at the user's line for a Numba compile error."""
        text = str(error)
        lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
        reason = next((ln for ln in lines if not ln.startswith("Failed in")), text)[:300]
        gen_line = None
        for m in re.finditer(r'File "([^"]+)", line (\d+)', text):
            if os.path.abspath(m.group(1)) == os.path.abspath(self.path):
                gen_line = int(m.group(2))
                break
        loc = None
        if gen_line is not None:
            before = [n for n in self.locs if n <= gen_line]
            loc = self.locs[max(before)] if before else None
        if loc is None and self.locs:       # no generated line named: the function's first
            loc = self.locs[min(self.locs)]
        where = f" (generated {self.path}:{gen_line})" if gen_line else f" (generated {self.path})"
        return TransformError.at(loc, f"the numba backend cannot compile the derivative of "
                                 f"this line: {reason}{where}", "numba")


class _Guarded:
    """Calls a Numba dispatcher; a compile error becomes a ``TransformError`` at the user's
    line, and the first call's duration (Numba's compile, or loading it from the cache) is
    kept in ``compiled.compile_seconds``."""

    def __init__(self, compiled, name, dispatcher):
        from numba.core.errors import NumbaError
        self.compiled, self.name, self.dispatcher = compiled, name, dispatcher
        self.error = NumbaError
        self.__name__ = name

    def __call__(self, *args):
        args = _numbers(args)
        if self.name in self.compiled.compile_seconds:
            try:
                return self.dispatcher(*args)
            except self.error as e:     # new argument types: Numba compiles again
                raise self.compiled.translate(e) from None
            except OverflowError as e:  # an int beyond int64 through a fast path
                raise explain_overflow(e, self.dispatcher, args) or e from None
        start = time.perf_counter()
        try:
            with slow(f"compiling {self.name} with Numba"):
                result = self.dispatcher(*args)
        except self.error as e:
            raise self.compiled.translate(e) from None
        except OverflowError as e:
            raise explain_overflow(e, self.dispatcher, args) or e from None
        except (AssertionError, SystemError, RuntimeError) as e:
            # (an assert or error of the user's code, raised as it runs, is theirs)
            if not _inside_numba(e):
                raise
            raise self.compiled.translate(f"Numba failed ({type(e).__name__}: {e}); use "
                                          "backend='python'") from None
        self.compiled.compile_seconds[self.name] = time.perf_counter() - start
        return result


def _numbers(args):
    """``args`` with each 0-d float32 (float16) array as its NumPy number (module
    docstring); every other argument as it is."""
    if not any(type(a) is np.ndarray and a.ndim == 0 for a in args):
        return args
    return tuple(a[()] if type(a) is np.ndarray and a.ndim == 0 and a.dtype.kind == "f"
                 and a.dtype.itemsize < 8 else a for a in args)


def _inside_numba(error):
    """Whether ``error`` came from Numba's compiler or its object conversion (a limitation
    of Numba's, an ``assert`` in its typing passes), not from the generated code running."""
    tb, files = error.__traceback__, []
    while tb is not None:
        files.append(tb.tb_frame.f_code.co_filename.replace("\\", "/"))
        tb = tb.tb_next
    return isinstance(error, SystemError) or any("/numba/core/" in f and "dispatcher" not in f
                                                 for f in files)


def load(module, header, *, types, outputs=(), result=None, with_value=True, start=None):
    """Emit a finished module as Numba source, write it to the disk cache once and
    import it (the Python backend's ``load`` twin)."""
    numba = require()
    start = time.perf_counter() if start is None else start
    module = store_recursive_residuals(module)     # else rejected at the line
    text, locs = emit_numba_module(module, header)
    transform_seconds = time.perf_counter() - start
    arrays = externs(module)       # global arrays: Numba freezes them into the machine code
    check_globals(module, arrays)  # an int32 one would follow Numba's promotion: refused
    key = "\0".join([text, repr(tuple(map(str, types))), numba.__version__, sys.version,
                     f"opt={numba.config.OPT}"]      # tests build at NUMBA_OPT=1 (conftest)
                    + [f"{k}={_fingerprint(v)}" for k, v in sorted(arrays.items())])
    digest = hashlib.sha256(key.encode()).hexdigest()[:20]
    path = _write_once(os.path.join(private_dir(cache_dir()), f"pb_{digest}.py"), text)
    loaded = _exec(f"pullback_numba_{digest}", path, text)
    loaded.__dict__.update(arrays)
    return NumbaCompiled(text, loaded, [fn.name for fn in module.functions], outputs, result,
                         with_value, locs, path, transform_seconds)


def _fingerprint(value):
    a = np.asarray(value)
    return f"{a.dtype}{a.shape}" + hashlib.sha256(np.ascontiguousarray(a).tobytes()).hexdigest()


def _write_once(path, text):
    """Leave ``path`` holding ``text`` (in a private directory, so only this user wrote
    it); a stale or edited file of that name is replaced, atomically."""
    data = text.encode()
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        fd = None
    if fd is not None:
        with os.fdopen(fd, "rb") as fh:
            if fh.read(len(data) + 1) == data:
                return path
    fd, tmp = tempfile.mkstemp(prefix=".pb_", suffix=".tmp", dir=os.path.dirname(path))
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)     # a concurrent process sees the whole file or none
    except BaseException:
        os.unlink(tmp)
        raise
    return path


def _exec(name, path, text):
    """The module of ``text`` (what this process generated, never the file read back),
    its Numba dispatchers given the private cache before any call."""
    from .numba_cache import make_private
    if name in sys.modules:
        return sys.modules[name]
    module = pytypes.ModuleType(name)
    module.__file__ = path
    linecache.cache[path] = (len(text), None, text.splitlines(True), path)
    exec(compile(text, path, "exec"), module.__dict__)
    make_private(module.__dict__)
    sys.modules[name] = module
    return module
