"""Which Python functions are the user's code, and which belong to a library.

Invariant: pullback lowers only the user's own functions.  A function whose
source file lies in an installed package (site-packages, dist-packages) or in
the standard library is a library's implementation: it is differentiated only
through a rule (``rules``), and without one the call is rejected at the user's
line, naming the function and how to give it a rule.  Following a call into
SciPy's source would stop at some ``raise`` deep inside SciPy with SciPy's
file:line, which tells the user nothing (issue 13, cause 6).

Where the line is drawn: the directories ``sysconfig`` and ``site`` report for
the standard library and installed packages, plus any path with a
``site-packages`` or ``dist-packages`` component (virtual environments nested
elsewhere).  A user's project installed in editable mode lives in its own
checkout, so it stays user code.
"""
import os
import site
import sysconfig
import types


def _roots():
    paths = set()
    for key in ("stdlib", "platstdlib", "purelib", "platlib"):
        p = sysconfig.get_paths().get(key)
        if p:
            paths.add(p)
    try:
        paths.update(site.getsitepackages())
    except AttributeError:        # some virtualenv builds of site.py lack it
        pass
    user = getattr(site, "getusersitepackages", lambda: None)()
    if user:
        paths.add(user)
    paths.add(os.path.dirname(os.__file__))
    return tuple(sorted({os.path.realpath(p) + os.sep for p in paths}))


_ROOTS = _roots()
_MARKERS = (os.sep + "site-packages" + os.sep, os.sep + "dist-packages" + os.sep)


def library_file(filename):
    """Whether ``filename`` is part of an installed package or of Python itself."""
    if not filename or filename.startswith("<frozen"):
        return bool(filename)
    if filename.startswith("<"):          # exec'd or REPL code: the user's
        return False
    path = os.path.realpath(filename)
    return any(m in path for m in _MARKERS) or path.startswith(_ROOTS)


def is_library_function(obj):
    """A Python function defined in a library's source (never lowered)."""
    code = getattr(obj, "__code__", None)
    return isinstance(obj, types.FunctionType) and code is not None and \
        library_file(code.co_filename)


def qualified_name(obj):
    module = getattr(obj, "__module__", None) or ""
    name = getattr(obj, "__qualname__", None) or getattr(obj, "__name__", None) or repr(obj)
    return f"{module}.{name}" if module and module != "builtins" else name


# Library functions with no rule whose rejection says how to write them instead,
# by module and name (``numpy.fft`` alone: every function of the module)
ADVICE = {
    ("scipy.integrate", "quad"): "write the quadrature over fixed samples "
                                 "(np.trapezoid, scipy.integrate.trapezoid)",
    ("numpy.fft", None): "np.fft.fft, ifft, rfft, irfft, fft2 and ifft2 have rules (the "
                         "Python backend); write others with them, or as real products "
                         "with cos and sin tables",
}


def advice(obj):
    """The rewrite ``ADVICE`` names for library function ``obj``, or None."""
    module = getattr(obj, "__module__", None) or ""
    name = getattr(obj, "__name__", None)
    for (mod, fn), text in ADVICE.items():
        if (module == mod or module.startswith(mod + ".")) and fn in (None, name):
            return text
    return None


def library_call_message(obj, written):
    """The words of the rejection of a call to library function ``obj``, ``written``
    as the user wrote it (``scipy.signal.convolve``)."""
    name = qualified_name(obj)
    where = f"'{written}'" if written == name else f"'{written}' ({name})"
    short = getattr(obj, "__name__", "f")
    rewrite = advice(obj) or "write the computation with NumPy in your own function"
    return (f"cannot differentiate a call to {where}: it is library code (pullback "
            f"differentiates a library function only through a derivative rule, never by "
            f"reading its source); give it one with pullback.defvjp({short}, ...), or "
            f"{rewrite}")


__all__ = ["ADVICE", "advice", "is_library_function", "library_call_message", "library_file", "qualified_name"]
