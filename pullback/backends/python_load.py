"""The Python backend's loader: print a module (``python.emit_module``) and run it.

Invariant: tracebacks through generated code show its lines (the text is put
in ``linecache`` under ``<pullback NAME>``, numbered if another module has that
name, and each line's origin in the user's code registered with ``tracebacks``); global arrays the code reads by
name are bound in its namespace.
"""
import linecache

from ..ir.walk import externs
from .python import emit_module_mapped


class Compiled:
    """A loaded derivative: its source text and its functions (``comp[name]``).
    ``entry`` is ``f_grad`` (or ``f_fwd`` when split, then ``rev`` is ``f_rev``);
    ``outputs`` the types of ``f``'s results, ``result`` their structure, and
    ``with_value`` whether the entry returns the value before the gradients."""

    def __init__(self, source, namespace, names, outputs, result, with_value):
        self.source = source
        self.namespace = namespace
        self.entry = names[0]
        self.rev = names[1] if len(names) > 1 else None
        self.outputs = outputs
        self.n_out = len(outputs)
        self.result = result
        self.with_value = with_value

    def __getitem__(self, name):
        return self.namespace[name]


ORIGINS = {}    # generated module's file name -> {its line: the user's Loc} (tracebacks.py)


_FILES = {}     # name -> {module text: its file name}: one number per distinct text


def _filename(name, text):
    """``<pullback NAME>``, numbered when another module of that name is loaded: each
    traceback then shows its own lines.  The same text keeps its name (found in one
    look-up: a session loads thousands of ``f_grad``, and a scan of the numbers taken,
    comparing texts, was quadratic in them)."""
    files = _FILES.setdefault(name, {})
    filename = files.get(text)
    if filename is None:
        k = len(files) + 1
        filename = files[text] = f"<pullback {name}>" if k == 1 else f"<pullback {name} #{k}>"
    return filename


def require():
    """The Python backend runs wherever pullback does."""


def load(module, header, *, types=None, outputs=(), result=None, with_value=True, start=None):
    text, origins = emit_module_mapped(module, header)
    filename = _filename(module.functions[0].name, text)
    linecache.cache[filename] = (len(text), None, text.splitlines(True), filename)
    ORIGINS[filename] = origins
    namespace = {"__name__": "pullback_generated"}
    namespace.update(externs(module))
    exec(compile(text, filename, "exec"), namespace)
    return Compiled(text, namespace, [fn.name for fn in module.functions], outputs, result,
                    with_value)
