"""``emit_c``: a Python function and its gradient as standalone C99.

    c = pullback.emit_c(simulate, 0.1, 0.0, 0.5, argnums=(0, 1, 2))
    print(c.header)              # the interface, documented
    c.write("build/")            # build/simulate.c, build/simulate.h
    f = c.compile()              # system cc + ctypes, for tests and quick use
    value, (d_theta, d_omega, d_c) = f(0.1, 0.0, 0.5)

The example arguments fix the argument types (float, int, bool, and NumPy
arrays, whose shapes become static: row-major pointers in C), as for
``value_and_grad``; the generated ``NAME_grad`` returns the gradient with
respect to ``argnums`` in parameter order.  ``max_iterations`` bounds loops
without a trip count known at generation time and the number of calls of a
recursive function; ``dtype="float32"`` emits single-precision code (an ``np.float32``
example, or a float32 array, makes float32 the default ``dtype``; an explicit ``dtype``
decides the precision, the examples only kinds and shapes).
"""
from __future__ import annotations

import ctypes
import functools
import os
from typing import Any, Callable, Optional
import subprocess
import sys
import tempfile

import numpy as np

from .arguments import Argnums, arg_type, argnum_tuple, bind
from .c_arguments import LimitExceeded, array_argument, scalar_argument, status_error
from .tracebacks import user_facing
from .analysis.activity import COMPLEX
from .optimize.tables import RUNTIME_LISTS
from .backends.c99 import emit_c_module, exported_name
from .backends.progress import slow
from .ir.names import is_temp
from .frontend.source import called_method
from .ir.types import Array
from .ir.walk import vars_written, walk
from .errors import TransformError, UnsupportedError
from .ir import Call, Const, Extern
from .rules.effects import python_only
from . import pipeline

_CTYPES = {"double": ctypes.c_double, "float": ctypes.c_float, "long": ctypes.c_long,
           "int": ctypes.c_int}
COMPILE_FLAGS = ("-std=c99", "-O2", "-Wall", "-Wextra", "-Werror", "-pedantic")


@user_facing
def emit_c(f: Callable, *example_args: Any, argnums: Argnums = 0, name: Optional[str] = None,
           dtype: Optional[str] = None, max_iterations: Optional[int] = None,
           checkpoint: Optional[int] = None,
           memory_budget: Optional[int] = None) -> EmittedC:
    """The C99 source of ``f`` and its gradient::

        c = pullback.emit_c(simulate, 0.1, 0.0, 0.5, argnums=(0, 1, 2))
        print(c.header)              # the interface, documented
        c.write("build/")            # build/simulate.c, build/simulate.h
        f = c.compile()              # system cc + ctypes, for tests and quick use
        value, (d_theta, d_omega, d_c) = f(0.1, 0.0, 0.5)

    The example arguments fix the argument types (arrays: their shapes, static in C).
    ``max_iterations`` bounds loops without a trip count known at generation time and
    the calls of a recursive function; ``dtype="float32"`` emits single precision (the
    default: float32 where an example is an np.float32 or float32 array, as NumPy would
    compute, else float64).  With
    ``memory_budget`` (bytes), top-level loops are checkpointed with as many snapshots
    as keep the static storage within it; an error if even one snapshot does not fit.
    In C only ``f``'s own top-level loops are checkpointed, and they may not call a
    function: a checkpointed loop in a callee, or a call in one, is an error at its line."""
    if dtype is None:
        dtype = "float32" if any(_narrow(a) for a in example_args) else "float64"
    if memory_budget is not None:
        if checkpoint is not None:
            raise ValueError("give checkpoint or memory_budget, not both")
        return _within_budget(f, example_args, memory_budget, argnums=argnums, name=name,
                              dtype=dtype, max_iterations=max_iterations)
    if isinstance(f, functools.partial):     # its bound values would be globals C cannot read
        raise TypeError("emit_c takes a function, not a functools.partial: emit "
                        f"{getattr(f.func, '__name__', 'the function')} itself and pass the "
                        "bound values as arguments (the C function reads nothing by name)")
    f = called_method(f) or f       # a callable object: its __call__
    args = bind(f, example_args, {})
    nums = argnum_tuple(argnums, len(args))
    types = []
    code = f.__code__
    for i, a in enumerate(args):
        t = _example_type(arg_type(a, i))
        if t not in ("float", "int", "bool") and not (isinstance(t, Array) and t.static):
            raise UnsupportedError(f"argument {i} of {f.__name__} is {t}: the C backend "
                                   "handles float, int and bool scalars and NumPy arrays of "
                                   "fixed shape", code.co_filename,
                                   code.co_firstlineno, 0, "C backend: argument type")
        if isinstance(t, Array):
            if i in nums and not str(t.dtype).startswith("float"):
                raise TypeError(f"cannot differentiate with respect to argument {i}: "
                                f"it is {t}")
            if np.dtype(t.dtype).kind in "iu" and t.dtype != "int64":   # as CFunction refuses
                raise TypeError(f"argument {i} of {f.__name__} is an array of {t.dtype}: C "
                                "computes with long (int64), not NumPy's arithmetic in "
                                f"{t.dtype}; pass .astype(np.int64)")
            types.append(t)
            continue
        if i in nums and t == "bool":
            raise TypeError(f"cannot differentiate with respect to argument {i}: it is a bool")
        types.append("float" if i in nums else t)
    if max_iterations is not None and (not isinstance(max_iterations, int) or
                                       isinstance(max_iterations, bool) or max_iterations < 1):
        raise ValueError(f"max_iterations must be a positive int, not {max_iterations!r}")
    cname = exported_name(name if name is not None else getattr(f, "__name__", "f"),
                          given=name is not None)
    mask = tuple(i in nums for i in range(len(args)))

    def require(typed):
        _no_global_arrays(typed)
        _one_shape_per_callee(typed)
        _solver_failures(typed)
        for fn in typed.functions:
            _python_only(fn)
            _static_shapes(fn)
            _one_precision(fn, dtype)
        if len(typed.functions[0].body[-1].values) != 1 or \
                typed.functions[0].body[-1].values[0].type not in ("float", "int", "bool"):
            raise TypeError(f"emit_c requires {f.__name__} to return a scalar")
    with slow(f"emitting C for {cname}"):
        token = COMPLEX.set(False)          # C differentiates real floats only
        lists = RUNTIME_LISTS.set(False)    # and has no lists for per-index tables
        try:
            typed, gradient = pipeline.derive(f, types, None, (pipeline.Reverse(mask, checkpoint=checkpoint),), require)
            primal = pipeline.value_functions(typed)
        finally:
            COMPLEX.reset(token)
            RUNTIME_LISTS.reset(lists)
        origin = f"{getattr(f, '__qualname__', cname)} " \
                 f"({os.path.basename(code.co_filename)}:{code.co_firstlineno})"
        wrt = [typed.functions[0].params[i].name for i in sorted(nums)]
        module = emit_c_module(primal, gradient, cname, wrt, dtype, max_iterations, origin)
    emitted = EmittedC(module, types, isinstance(argnums, int), dtype, max_iterations)
    emitted.nums = sorted(nums)
    emitted.params = [p.name for p in typed.functions[0].params]     # for argument errors
    emitted.origin = origin
    return emitted


def _within_budget(f, example_args, budget, **kw):
    """emit_c with the most snapshots whose static storage fits ``budget`` bytes: the
    storage is linear in the snapshots, so two emissions give the line."""
    if isinstance(budget, bool) or not isinstance(budget, int) or budget < 1:
        raise ValueError(f"memory_budget must be a number of bytes >= 1, not {budget!r}")
    one = emit_c(f, *example_args, checkpoint=1, **kw)
    low = one.module.storage_bytes
    if low > budget:
        raise UnsupportedError(f"the gradient of {getattr(f, '__name__', 'f')} needs "
                               f"{low} bytes of static storage with one snapshot per "
                               f"checkpointed loop, over the memory_budget of {budget}",
                               f.__code__.co_filename, f.__code__.co_firstlineno, 0,
                               "C backend: memory budget")
    step = emit_c(f, *example_args, checkpoint=2, **kw).module.storage_bytes - low
    if step <= 0:
        return one            # nothing is checkpointed: more snapshots cost nothing
    best = one
    snaps = 1 + (budget - low) // step
    if snaps > 1:
        best = emit_c(f, *example_args, checkpoint=snaps, **kw)
        assert best.module.storage_bytes <= budget, (snaps, best.module.storage_bytes)
    best.snapshots = snaps
    return best


def _unknown(t):
    return isinstance(t, Array) and not t.static


def _narrow(a):
    """Whether example ``a`` is a float32 (float16) number or array."""
    dtype = getattr(a, "dtype", None)
    return isinstance(a, (np.ndarray, np.floating)) and dtype.kind == "f" and dtype.itemsize < 8


def _example_type(t):
    """An np.float32 example (a float32 array) gives the argument's kind and shape, not its
    precision: the C function computes in ``dtype`` (all its floats are one C type), so it
    is typed as a float (a float64 array) is; its result is then a float, not the 0-d
    float32 that was refused as "not a scalar"."""
    if isinstance(t, Array) and np.dtype(t.dtype).kind == "f" and t.dtype != "float64":
        return "float" if t.shape == () else Array("float64", t.shape)
    return t


def _no_global_arrays(module):
    """A global array (or generator) read by the function has no C storage yet: rejected at
    the line that reads it (it was an AttributeError deep in the C printer)."""
    for fn in module.functions:
        for s in walk(fn.body):
            for a in getattr(s, "args", ()):
                if isinstance(a, Const) and isinstance(a.value, Extern):
                    raise UnsupportedError.at(
                        getattr(s, "loc", None) or fn.loc,
                        f"cannot emit C for the global '{a.value.name}' (an array or object "
                        "read by name): pass it as an argument", "C backend: global array")


def _one_shape_per_callee(typed):
    """A helper called with arrays of different shapes has no static shape in C (one
    function per helper): name the call that differs."""
    first = {}
    for fn in typed.functions:
        for s in walk(fn.body):
            if not isinstance(s, Call):
                continue
            for k, a in enumerate(s.args):
                t = getattr(a, "type", None)
                if not (isinstance(t, Array) and t.static):
                    continue
                seen = first.setdefault((s.func, k), t)
                if seen != t:
                    param = typed.get(s.func).params[k].name
                    raise UnsupportedError.at(
                        s.loc or fn.loc, f"'{s.func}' is called with its argument '{param}' "
                        f"of shape {tuple(seen.shape)} and here {tuple(t.shape)}; a C "
                        "function has one shape per array parameter: call a separate copy "
                        f"of '{s.func}' for each shape", "C backend: array shape")


def _python_only(fn):
    """Reject code only the python backend runs (``rules.effects.python_only``: pullback's
    ODE integrator) at its line, before the C printer meets what it cannot print."""
    for s in walk(fn.body):
        why = python_only(getattr(s, "op", None) or "", getattr(s, "args", ()))
        if why:
            raise UnsupportedError.at(getattr(s, "loc", None) or fn.loc, why, "C backend")


def _solver_failures(typed):
    """Reject a solver that raises where SciPy raises (``rules.helpers.solver_failed``: C has
    no status for it yet) at the user's call that reaches it, not at pullback's line."""
    raising = {fn.name for fn in typed.functions
               if any(getattr(s, "op", None) == "solver_failed" for s in walk(fn.body))}
    grew = True
    while grew:                                     # ... and every function calling one
        grew = False
        for fn in typed.functions:
            if fn.name not in raising and any(
                    set(getattr(s, "callees", ())) & raising for s in walk(fn.body)):
                raising.add(fn.name)
                grew = True
    if not raising:
        return
    own = os.path.dirname(os.path.abspath(__file__))
    sites = [s.loc for fn in typed.functions for s in walk(fn.body)
             if (set(getattr(s, "callees", ())) & raising or
                 getattr(s, "op", None) == "solver_failed") and s.loc is not None]
    user = [loc for loc in sites if not os.path.abspath(loc.file).startswith(own)]
    raise UnsupportedError.at((user or sites or [None])[0],
                              "a solver that raises where SciPy raises (scipy.optimize's "
                              "solvers, pullback.fixed_point's derivative) runs on the python "
                              "and numba backends only", "C backend")


def _one_precision(fn, dtype):
    """C computes in one precision (``dtype``): a float32 value made in float64 code
    (``np.zeros(n, dtype=np.float32)``, ``np.float32(x)``) would be a double, never
    rounded as NumPy rounds it, so it is rejected at its line, not computed silently."""
    if dtype != "float64":
        return
    for s in walk(fn.body):
        for v in vars_written(s):
            t = v.type
            if (t.dtype if isinstance(t, Array) else t) in ("float32", "float16"):
                raise UnsupportedError.at(
                    getattr(s, "loc", None) or fn.loc, f"a {t} value in float64 C code: C "
                    "computes in one precision, so it would not be rounded as NumPy rounds "
                    "it; make it float64, emit everything in float32 (dtype='float32'), or "
                    "use backend='python' or 'numba'", "C backend: float32")


def _static_shapes(fn):
    """Reject the first statement that makes a shape unknown from known ones (else the
    first with an unknown shape): it names the construct to change."""
    bad = [s for s in walk(fn.body) for v in vars_written(s) if _unknown(v.type)]
    if not bad:
        return
    s = next((s for s in bad if getattr(s, "op", None) not in ("copy", None) and
              not any(_unknown(a.type) for a in s.args)), bad[0])
    v = next(v for v in vars_written(s) if _unknown(v.type))
    raise UnsupportedError.at(
        getattr(s, "loc", None) or fn.loc,
        f"the shape of {'this value' if is_temp(v.name) else repr(v.name)} is not known at "
        f"emit time ({v.type}); the C backend needs "
        "static shapes (a slice with run-time bounds, x[i:i + 2], a boolean mask, or a size "
        "computed at run time has none)", "C backend: array shape")


class EmittedC:
    """Generated C for one function: ``source``, ``header``, ``write()``, ``compile()``."""

    def __init__(self, module, types, single, dtype, max_iterations):
        self.module = module
        self.name = module.name
        self.source = module.source
        self.header = module.header
        self.types = types
        self.single = single
        self.dtype = dtype
        self.max_iterations = max_iterations

    def __repr__(self):
        return f"<C99 {self.name} and {self.name}_grad>"

    def write(self, directory):
        """Write ``NAME.c`` and ``NAME.h`` into ``directory``; return their paths."""
        os.makedirs(directory, exist_ok=True)
        paths = []
        for ext, text in ((".c", self.source), (".h", self.header)):
            path = os.path.join(directory, self.name + ext)
            with open(path, "w") as fh:
                fh.write(text)
            paths.append(path)
        return paths

    def compile(self, cc="cc", flags=COMPILE_FLAGS):
        """Build a shared library with ``cc`` and load it: a callable
        ``(*args) -> (value, gradient)``, with ``.value(*args)`` for the function.
        Arguments must fit the compiled types (``c_arguments``): a float for an int, a
        float array for an int array or a complex value is a TypeError, not truncated."""
        tmp = tempfile.TemporaryDirectory(prefix="pullback-c-")
        c_path, _ = self.write(tmp.name)
        lib_path = os.path.join(tmp.name, f"lib{self.name}.so")
        cmd = [cc, *flags, "-shared", "-fPIC", "-o", lib_path, c_path, "-lm"]
        with slow(f"building {self.name}.c with {cc}"):
            done = subprocess.run(cmd, capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} failed:\n{done.stderr}")
        return CFunction(self, ctypes.CDLL(lib_path), tmp)


class CFunction:
    """A compiled ``EmittedC``: call it like ``value_and_grad(f, argnums)``."""

    def __init__(self, emitted, lib, tmp):
        self.emitted, self.lib, self._tmp = emitted, lib, tmp
        m = emitted.module
        real = _CTYPES[m.value_sig.result]
        self._value = getattr(lib, m.value_sig.name)
        self._value.argtypes = [_ptype(p, real) for p in m.value_sig.params]
        self._value.restype = real
        self._grad = getattr(lib, m.grad_sig.name)
        self._outs = [_CTYPES[t] for t, _ in m.grad_sig.outs]
        self._grad.argtypes = [_ptype(p, real) for p in m.grad_sig.params] + \
            [ctypes.POINTER(t) for t in self._outs]
        self._real = real
        self._np = "float64" if real is ctypes.c_double else "float32"
        wrt = [i for i, t in enumerate(emitted.types) if t == "float" or isinstance(t, Array)]
        self._shapes = [None] + [emitted.types[i].shape if isinstance(emitted.types[i], Array)
                                 else None for i in self._wrt(wrt)]
        self._grad.restype = ctypes.c_int
        self.__name__ = m.grad_sig.name

    def _wrt(self, candidates):
        n = len(self.emitted.module.grad_sig.outs) - 1
        return self.emitted.nums if hasattr(self.emitted, "nums") else candidates[:n]

    def _args(self, args):
        if len(args) != len(self.emitted.types):
            raise TypeError(f"{self.emitted.name} takes {len(self.emitted.types)} arguments")
        names = getattr(self.emitted, "params", [])
        out = []
        for i, (a, t) in enumerate(zip(args, self.emitted.types)):
            label = f"{self.emitted.name}: argument {i}" + \
                (f" ({names[i]})" if len(names) == len(args) else "")
            if isinstance(t, Array):
                kind = np.dtype(t.dtype).kind
                np_type, c_type = {"i": (np.int_, ctypes.c_long), "u": (np.int_, ctypes.c_long),
                                   "b": (np.intc, ctypes.c_int)}.get(kind,
                                                                     (self._np, self._real))
                arr = array_argument(a, np_type, t, label)
                if arr.shape != tuple(t.shape):
                    raise ValueError(f"{label}: an array of shape {arr.shape}, "
                                     f"compiled for {tuple(t.shape)}")
                self._keep.append(arr)
                out.append(arr.ctypes.data_as(ctypes.POINTER(c_type)))
            else:
                out.append(scalar_argument(a, t, label))
        return out

    def value(self, *args):
        self._keep = []
        return self._value(*self._args(args))

    def __call__(self, *args):
        self._keep = []
        outs = [t() if shape is None else np.zeros(shape, dtype=self._np)
                for t, shape in zip(self._outs, self._shapes)]
        ptrs = [ctypes.byref(o) if isinstance(o, ctypes._SimpleCData) else
                o.ctypes.data_as(ctypes.POINTER(self._real)) for o in outs]
        status = self._grad(*self._args(args), *ptrs)
        if status != 0:
            origin = getattr(self.emitted, "origin", None)
            where = self.__name__ + (f" (compiled from {origin})" if origin else "")
            raise status_error(status, where, self.emitted.max_iterations)
        value, *grads = [o if isinstance(o, np.ndarray) else o.value for o in outs]
        return value, (grads[0] if self.emitted.single else tuple(grads))


def _ctype(decl):
    return decl.rsplit(" ", 1)[0]


def _ptype(decl, real):
    """The ctypes type of a C parameter declaration (arrays: pointers)."""
    if "*" in decl:
        base = decl.replace("const ", "").split("*")[0].strip()
        return ctypes.POINTER(_CTYPES.get(base, real))
    return _CTYPES[_ctype(decl)]


def emit_c_files(f, types, mask, directory, dtype, max_iterations):
    """``python -m pullback FILE.py:F --emit c``: write F.c and F.h into ``directory``,
    or print both when it is None.  Returns the exit status."""
    example = [np.zeros(t.shape) if isinstance(t, Array) else
               {"float": 0.0, "int": 0, "bool": False}[t] for t in types]
    nums = tuple(i for i, m in enumerate(mask) if m)
    try:
        c = emit_c(f, *example, argnums=nums, dtype=dtype, max_iterations=max_iterations)
    except TransformError as e:
        raise SystemExit(f"pullback: {e}") from None
    if directory:
        for path in c.write(directory):
            print(f"wrote {path}", file=sys.stderr)
    else:
        sys.stdout.write(f"{c.header}\n{c.source}")
    return 0
