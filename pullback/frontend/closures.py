"""Nested functions (``def``/``lambda`` inside the function being lowered) as closures.

A nested def is a ``LocalDef`` while it sits in a name; read, it becomes a ``FuncB``
carrying the values of the locals it reads (``bind_closure``), which a call passes as
extra arguments.  Python reads a closure's cells when it is called, not when it is
named, so a closure made here and used later sees the names it reads as they are then.

Invariants:
- every ``FuncB`` made here carries this frame's token (``FuncB.frame``); wherever a
  closure is used (called, passed to a call, returned: ``current``) one with this token
  is bound again to the present values of the names it reads, so ``g = h; c = 2.0;
  g()`` and a helper that defines, rebinds and returns its closures read the last
  values, as Python does; once this function returns its locals are final, so a
  returned closure's captured values are what every later call reads;
- a closure of this function that lost its token (it went through a call and came back:
  ``g = identity(h)``) and reads a name this function rebound is rejected where it is
  used: its values may be older than Python's (never a stale number).
"""
import ast
from dataclasses import dataclass

from .bindings import DictB, FuncB, PartialB, RecordB, TupleB
from .scan import free_names
from .source import Source


@dataclass(frozen=True)
class LocalDef:
    """A nested ``def``/``lambda`` of the function being lowered; ``defaults``: the
    values of its defaults that are not literals, ((parameter, binding), ...), taken
    where the def runs, as Python evaluates them."""
    source: Source
    defaults: tuple = ()


SUFFIX = "__default"


def default_name(param):
    """The captured name a nested def's computed default travels under (no free name of
    a body ends so: ``free_names`` are the names its text reads)."""
    return param + SUFFIX


class ClosureLowerer:
    """Needs ``self.env``, ``self.ctx``, ``self.frame`` (a token unique to this lowering),
    ``self.defined`` (sources of the defs run here) and ``self.rebound`` (names given a
    new binding after their first), set by ``FunctionLowerer``."""

    def bind_closure(self, d, busy=()):
        """A nested function, with the current values of the locals it reads (nested
        functions it calls included; ``busy``: those being bound, to stop at recursion)."""
        captured = []
        for n in sorted(free_names(d.source.node)):
            b = self.env.get(n)
            if isinstance(b, LocalDef):
                if b.source == d.source or b.source in busy:
                    continue
                b = self.bind_closure(b, busy + (d.source,))
            if b is not None:
                captured.append((n, b))
        captured += [(default_name(p), b) for p, b in d.defaults]
        return FuncB(d.source, self.ctx, tuple(captured), frame=self.frame)

    def local_def(self, node):
        """The ``LocalDef`` of a ``def``/``lambda`` node, its computed defaults evaluated
        now (``lambda x, c=k: ...`` reads ``k`` here, a value the derivative follows)."""
        a = node.args
        pairs = list(zip(a.args[len(a.args) - len(a.defaults):], a.defaults)) + [
            (p, d) for p, d in zip(a.kwonlyargs, a.kw_defaults) if d is not None]
        computed = []
        for p, d in pairs:
            try:
                ast.literal_eval(d)
            except ValueError:
                if default_name(p.arg) in free_names(node):
                    raise self.error(d, "a default beside a name ending in '__default'")
                computed.append((p.arg, self.expr(d)))
        source = Source(node, self.src.filename)
        self.defined.add(source)
        return LocalDef(source, tuple(computed))

    def current(self, b, node):
        """``b`` with each closure of this frame bound to the present values of the names
        it reads (Python reads cells at the call); see the module's invariants."""
        if not self.defined:
            return b
        if isinstance(b, FuncB):
            if b.frame is self.frame:
                defaults = tuple((k[:-len(SUFFIX)], v) for k, v in b.captured
                                 if k.endswith(SUFFIX))
                return self.bind_closure(LocalDef(b.source, defaults))
            if b.source in self.defined and any(k in self.rebound for k, _ in b.captured):
                stale = sorted(k for k, _ in b.captured if k in self.rebound)
                raise self.error(node, f"a closure that came back from a call and reads "
                                       f"'{stale[0]}', which is rebound after the closure "
                                       "was made (call the closure directly, or bind the "
                                       "value it needs as a default argument)")
            captured = tuple((k, self.current(v, node)) for k, v in b.captured)
            return b if captured == b.captured else FuncB(b.source, b.context, captured)
        if isinstance(b, TupleB):
            return TupleB(tuple(self.current(x, node) for x in b.items), b.is_list)
        if isinstance(b, DictB):
            return DictB(b.keys, tuple(self.current(x, node) for x in b.items))
        if isinstance(b, RecordB):
            return RecordB(b.cls, b.fields, tuple(self.current(x, node) for x in b.items))
        if isinstance(b, PartialB):
            return PartialB(self.current(b.func, node),
                            tuple(self.current(x, node) for x in b.args),
                            tuple((k, self.current(v, node)) for k, v in b.kwargs))
        return b


__all__ = ["ClosureLowerer", "LocalDef", "default_name"]
