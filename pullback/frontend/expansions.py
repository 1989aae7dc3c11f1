"""Lowering of calls into expansions (``rules/expansions.py``): library functions
declared as Python source in pullback's subset (scipy.stats, scipy.linalg).

    scipy.stats.norm.logpdf(x, mu, s)   ->  a call of rules.scipy_stats.norm_logpdf
    d = scipy.stats.norm(mu, s)         ->  a static record (frozen distribution)
    d.logpdf(x)                         ->  scipy.stats.norm.logpdf(x, mu, s)

Invariants: these checks run before any other treatment of a call (before a
library's own source is refused): an expansion's target is never lowered from
its library's source.  A frozen distribution is a ``RecordB`` of its arguments
(``Frozen`` names the generator), so it flattens, specialises and guards like any
record; a global one (made outside the function) is bound the same way.
"""
import inspect
from dataclasses import dataclass

from ..rules import expansions
from ..ir import Const
from .bindings import ConstB, FuncB, PyObj, RecordB, TupleB
from .source import source_of


@dataclass(frozen=True)
class Frozen:
    """The class of a frozen-distribution record: generator and positional count."""
    dist: object
    npos: int


@dataclass(frozen=True)
class Partial:
    """``frozen.logpdf`` awaiting its call: the generator's method and the frozen args."""
    method: object
    record: RecordB


def frozen_record(dist, args, kwargs):
    names = tuple(f"_{i}" for i in range(len(args))) + tuple(kwargs)
    return RecordB(Frozen(dist, len(args)), names, tuple(args) + tuple(kwargs.values()))


class ExpansionLowerer:
    def expansion_attribute(self, base, node):
        """``norm.logpdf`` or ``frozen.logpdf``: a binding, or None if not an expansion."""
        if isinstance(base, RecordB) and isinstance(base.cls, Frozen):
            return PyObj(Partial(self._method(base.cls.dist, node), base))
        if isinstance(base, PyObj) and expansions.methods_of(base.obj):
            return PyObj(self._method(base.obj, node))
        return None

    def _method(self, dist, node):
        names = expansions.methods_of(dist)
        if node.attr not in names:
            raise self.error(node, f"the method '.{node.attr}' of {type(dist).__name__} (with a "
                                   f"derivative: {', '.join(names)})")
        return getattr(dist, node.attr)

    def _bind_expansion(self, fn, obj, args, kwargs, node):
        """Every parameter of expansion ``fn`` by name, defaults included; flags and names
        (``lower=True``, ``trans="T"``) as ``ConstB``, so the expansion is specialised to
        them and its branches on them fold.  A keyword it lacks is an error here."""
        try:
            bound = inspect.signature(fn).bind(*args, **kwargs)
        except TypeError as e:
            name = getattr(obj, "__qualname__", getattr(obj, "__name__", repr(obj)))
            raise self.error(node, f"this call of {name} ({e}; supported: "
                                   f"{inspect.signature(fn)})") from None
        given = dict(bound.arguments)
        bound.apply_defaults()
        # defaults are literals of pullback's own expansions (numbers, flags, names, tuples:
        # ``args=()``, which a ``*args`` spreads, so a tuple, never one constant)
        named = {k: _static(v if k in given else _literal(v))
                 for k, v in bound.arguments.items()}
        star = [p.name for p in bound.signature.parameters.values()
                if p.kind is p.VAR_POSITIONAL]
        if not star:
            return [], named
        # f(a, *rest, k=...): the parameters up to *rest go by position, rest spread
        names = list(bound.signature.parameters)
        positional = [named.pop(n) for n in names[:names.index(star[0])]]
        rest = named.pop(star[0])
        if isinstance(rest, TupleB):        # the default ``()``, already a static tuple
            return positional + list(rest.items), named
        return positional + ([] if isinstance(rest, Const) else [_static(v) for v in rest]), named

    def call_expansion(self, obj, args, kwargs, node):
        """The lowered call if ``obj`` is an expansion (or a frozen method, or a
        distribution being frozen), else None."""
        if isinstance(obj, Partial):
            rec, npos = obj.record, obj.record.cls.npos
            kw = dict(zip(rec.fields[npos:], rec.items[npos:]))
            for k, v in kwargs.items():
                if k in kw:
                    raise self.error(node, f"the keyword argument '{k}' given twice")
                kw[k] = v
            return self.call_python(obj.method, list(args) + list(rec.items[:npos]), kw, node)
        fn = expansions.lookup(obj)
        if fn is None and expansions.is_body(obj):
            fn = obj
        if fn is not None:
            pos, named = self._bind_expansion(fn, obj, args, kwargs, node)
            return self.call_user(FuncB(source_of(fn), fn), pos, named, node)
        if callable(obj) and expansions.methods_of(obj):
            return frozen_record(obj, args, kwargs)
        return None


def _literal(v):
    """The binding of a literal default value of an expansion's parameter."""
    if isinstance(v, tuple):
        return TupleB(tuple(_literal(x) for x in v))
    return Const(v)


def _static(b):
    """Constants that select code paths (bools, ints, strings, None) as ``ConstB``."""
    if isinstance(b, Const) and (b.value is None or type(b.value) in (bool, int, str)):
        return ConstB(b.value)
    value = _ints(b)
    if isinstance(b, TupleB) and b.items and value is not None:
        return ConstB(value)    # indices: np.hsplit(a, [1, 3]); np.pad(x, ((1, 2), (3, 4)))
    return b


def _ints(b):
    """The value of a (nested) static tuple of int constants, else None."""
    if isinstance(b, Const) and type(b.value) is int:
        return b.value
    if isinstance(b, TupleB):
        items = [_ints(x) for x in b.items]
        return None if None in items else tuple(items)
    return None


def frozen_binding(value, bind):
    """A frozen distribution made outside the function as a record, or None if
    ``value`` is not one; ``bind(argument, path)`` makes the binding of an argument
    read at ``path`` (``(attribute, key)``) of the frozen value."""
    parts = expansions.frozen_parts(value)
    if parts is None:
        return None
    dist, args, kwds = parts
    return frozen_record(dist, [bind(expansions.read_path(value, p), p) for p in args],
                         {k: bind(expansions.read_path(value, p), p) for k, p in kwds.items()})
