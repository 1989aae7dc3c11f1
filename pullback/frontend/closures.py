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
- a closure that reads a cell of this function but has no token of this frame (it went
  through a call and came back: ``g = identity(h)``; or a nested def of this function
  made it and returned it: ``g = outer()`` with ``def outer(): return lambda y: c * y``)
  is rejected where it is used when that name may be bound more than once: its values
  may be older than Python's (never a stale number).  "May be bound more than once" is
  read from the text (``rebindable``: two binding sites, or one inside a loop), not from
  the bindings lowering has seen so far, which miss those in branches and loops; a
  cell it reads that was not bound yet when it was made is rejected too (without this
  frame, the name would be looked up as a global).
"""
import ast
from dataclasses import dataclass

from .bindings import DictB, FuncB, PartialB, RecordB, TupleB
from .scan import binding_counts, free_names, own_nodes
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
        self.no_builder([b for _, b in captured], d.source.node)    # (objects.py)
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
            cells = self.cells_read(b)
            taken = {k for k, _ in b.captured}
            stale = sorted(cells & (self.rebound | self.moving()) | cells - taken)
            if stale:
                raise self.error(node, f"a closure that came back from a call and reads "
                                       f"'{stale[0]}' of this function, which may be "
                                       "rebound after the closure was made (Python reads "
                                       "it at the call: call the closure directly, bind "
                                       "the value it needs as a default argument, or "
                                       f"bind '{stale[0]}' once)")
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

    def moving(self):
        """``rebindable`` of this function's text, read once per lowering."""
        found = getattr(self, "_moving", None)
        if found is None or found[0] is not self.src.node:
            found = self._moving = (self.src.node, rebindable(self.src.node))
        return found[1]

    def cells_read(self, b):
        """The names closure ``b`` reads that are cells of this function (bound in its
        text): for a def run here, all such free names; for a def nested deeper, those
        that no function between binds; none for a function defined elsewhere.  One
        not among ``b``'s captured values was unbound when the closure was made: Python
        reads it at the call, a lowering without this frame would read a global."""
        if b.source in self.defined:
            chain = []
        else:
            chain = _scopes_between(self.src.node, b.source.node)
            if chain is None:
                return set()
        here = _bound(self.src.node) if isinstance(self.src.node, _DEFS) else set()
        return {k for k in free_names(b.source.node) if k in here and
                not any(k in _bound(scope) for scope in chain)}


def _scopes_between(root, node):
    """The function nodes strictly between ``root`` and ``node`` nested in it, outermost
    first; None when ``node`` is not inside ``root``."""
    for child in ast.iter_child_nodes(root):
        if child is node:
            return []
        found = _scopes_between(child, node)
        if found is not None:
            return ([child] if isinstance(child, _DEFS) else []) + found
    return None


_DEFS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)


def _bound(fn):
    a = fn.args
    names = {p.arg for p in a.posonlyargs + a.args + a.kwonlyargs} | \
        {p.arg for p in (a.vararg, a.kwarg) if p is not None}
    return names | {k for k, n in binding_counts(fn).items() if n}


def rebindable(fn):
    """Names ``fn``'s text may bind more than once: bound at two places (parameters
    count), or at one inside a loop or comprehension, or written by item (``d[k] = v``)."""
    if not isinstance(fn, _DEFS):
        return set()
    many = {k for k, n in binding_counts(fn).items() if n > 1}
    for n in own_nodes(fn):         # d[k] = v rebinds a dict (a value here), in any block
        if isinstance(n, ast.Subscript) and isinstance(n.ctx, ast.Store):
            base = n.value
            while isinstance(base, (ast.Subscript, ast.Attribute)):
                base = base.value
            if isinstance(base, ast.Name):
                many.add(base.id)
    for loop in own_nodes(fn):
        if isinstance(loop, (ast.For, ast.AsyncFor, ast.While, ast.comprehension)):
            for n in ast.walk(loop):
                if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store):
                    many.add(n.id)
                elif isinstance(n, ast.FunctionDef):
                    many.add(n.name)
    return many


__all__ = ["ClosureLowerer", "LocalDef", "default_name"]
