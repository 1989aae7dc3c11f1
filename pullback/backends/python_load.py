"""The Python backend's loader: print a module (``python.emit_module``) and run it.

Invariant: tracebacks through generated code show its lines (the text is put
in ``linecache`` under ``<pullback NAME>``); global arrays the code reads by
name are bound in its namespace.
"""
import linecache

from ..ir.walk import externs
from .python import emit_module


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


def require():
    """The Python backend runs wherever pullback does."""


def load(module, header, *, types=None, outputs=(), result=None, with_value=True, start=None):
    text = emit_module(module, header)
    filename = f"<pullback {module.functions[0].name}>"
    linecache.cache[filename] = (len(text), None, text.splitlines(True), filename)
    namespace = {"__name__": "pullback_generated"}
    namespace.update(externs(module))
    exec(compile(text, filename, "exec"), namespace)
    return Compiled(text, namespace, [fn.name for fn in module.functions], outputs, result,
                    with_value)
