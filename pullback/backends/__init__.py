"""Backends: a finished IR module -> code that runs.

``BACKENDS`` maps a name to its module: ``require()`` fails early where the backend
cannot run (Numba missing), ``load(module, header, *, types, outputs, result,
with_value, start) -> Compiled`` (``comp[name]`` is a generated function).  Adding a
backend is one module with these two functions and one row here.  C is emitted rather than
loaded (``pullback.emit_c``), from the same pipeline.
"""
from . import numba_build, python_load

BACKENDS = {"python": python_load, "numba": numba_build}


def loader(name):
    """The ``load`` of backend ``name``, after checking that it can run."""
    if name not in BACKENDS:
        raise ValueError(f"unknown backend {name!r}; choose one of {tuple(BACKENDS)}")
    BACKENDS[name].require()
    return BACKENDS[name].load
