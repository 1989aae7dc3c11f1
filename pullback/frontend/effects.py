"""Statements with no numerical effect: they run in the forward sweep only.

``print`` with keywords, f-strings, ``warnings.warn``, ``logging.*``, ``raise`` and
``with np.errstate(...)`` each lower to one impure primitive ``effect<k>(spec, a...)``
(``rules.effects``, run by ``rules.helpers.run_effect``).  ``spec`` is the literal
text of the statement's shape (constants, f-string templates, builtin exception
classes by name); the ``a...`` are the run-time values it reads.  Being impure, the
primitive is never folded, reordered or dropped; having no derivative, it gets no
adjoint or tangent, so it runs once, in the forward sweep, in the user's order.

Invariants: an f-string is a ``FormatB`` binding that only an effect consumes (it
never becomes an IR value); ``raise`` names a builtin exception class (anything
else is rejected at its line); a ``with`` statement is accepted only over
``np.errstate``, whose settings are restored after the body however it is left
(a ``return`` inside the body becomes a flag, so the restore still runs).
"""
import ast
import builtins
import logging
import warnings
from dataclasses import dataclass

import numpy as np

from ..ir import Const, literal
from .bindings import PyObj, TupleB, is_atom

MAX_VALUES = 8          # effect0 .. effect8 (rules.effects)
_CONVERSIONS = {-1: "", 115: "!s", 114: "!r", 97: "!a"}
_LOG = {getattr(logging, n): n for n in ("debug", "info", "warning", "error", "critical",
                                          "exception")}
_PRINT_KEYWORDS = ("sep", "end", "flush")
FSTRING_ELSEWHERE = "an f-string outside print, warnings.warn, logging or raise"


@dataclass(frozen=True)
class FormatB:
    """An f-string: a ``str.format`` template and the atoms its fields read."""
    template: str
    values: tuple


def _builtin_class(b):
    obj = b.obj if isinstance(b, PyObj) else None
    return isinstance(obj, type) and getattr(builtins, obj.__name__, None) is obj


class EffectLowerer:
    def expr_JoinedStr(self, node):
        parts, values = [], []
        for v in node.values:
            if isinstance(v, ast.Constant):
                parts.append(str(v.value).replace("{", "{{").replace("}", "}}"))
                continue
            spec = ""
            if v.format_spec is not None:
                if not all(isinstance(p, ast.Constant) for p in v.format_spec.values):
                    raise self.error(v, "an f-string field with a computed format")
                spec = ":" + "".join(str(p.value) for p in v.format_spec.values)
            values.append(self.effect_value(self.expr(v.value), v))
            parts.append("{" + _CONVERSIONS[v.conversion] + spec + "}")
        if all(map(literal, values)):      # f"W{i}" of constants: a key
            return Const("".join(parts).format(*[x.value for x in values]))
        return FormatB("".join(parts), tuple(values))

    def effect_value(self, b, node):
        if is_atom(b):
            return b
        if isinstance(b, TupleB) and all(map(literal, b.items)):
            return Const(repr(tuple(x.value for x in b.items)))
        raise self.error(node, "formatting a tuple, function or module")

    # -- the statements ---------------------------------------------------------------------
    def effect_call(self, obj, args, kwargs, node):
        """``print``/``warnings.warn``/``logging.*`` with keywords or f-strings; None where
        ``obj`` is no such function or the plain ``print{k}`` primitives do."""
        try:
            kind = "print" if obj is print else "warn" if obj is warnings.warn else \
                "log" if obj in _LOG else None
        except TypeError:           # an unhashable callable
            return None
        if kind is None:
            return None
        plain = all(is_atom(a) for a in args) and not kwargs
        if kind != "warn" and plain:
            return None
        if kind == "print" and set(kwargs) - set(_PRINT_KEYWORDS):
            raise self.error(node, "print to a file (only sep=, end=, flush=)")
        self.effect(kind, _LOG.get(obj), args, kwargs, node)
        return Const(None)

    def stmt_Raise(self, s):
        exc = s.exc
        if exc is None:
            raise self.error(s, "a bare 'raise' (re-raising)")
        call = exc if isinstance(exc, ast.Call) else None
        cls = self.expr(call.func if call else exc)
        if not _builtin_class(cls) or not issubclass(cls.obj, BaseException):
            raise self.error(s, "raising an exception that is not one of Python's builtin "
                                "exceptions (ValueError, TypeError, ...)")
        args = [self.expr(a) for a in call.args] if call else []
        if call and call.keywords:
            raise self.error(s, "an exception constructed with keyword arguments")
        self.effect("raise", cls.obj.__name__, args, {}, s)

    def stmt_With(self, s):
        for item in s.items:
            call = item.context_expr
            fn = self.expr(call.func) if isinstance(call, ast.Call) else None
            if not (isinstance(fn, PyObj) and fn.obj is np.errstate) or \
                    item.optional_vars is not None or call.args:
                raise self.error(s, "a 'with' statement other than 'with np.errstate(...)'")
        for item in s.items:
            kwargs = {k.arg: self.expr(k.value) for k in item.context_expr.keywords}
            if not all(isinstance(v, Const) and isinstance(v.value, str) for v in kwargs.values()):
                raise self.error(s, "np.errstate with settings not known at compile time")
            self.effect("errstate", None, [], kwargs, s)
        self.block(s.body)
        for _ in s.items:
            self.effect("errstate_end", None, [], {}, s)

    # -- one effect primitive ------------------------------------------------------------------
    def effect(self, kind, what, args, kwargs, node):
        values = []

        def encode(b):
            if isinstance(b, FormatB):
                values.extend(b.values)
                return ("f", b.template, len(b.values))
            if literal(b):
                return ("c", b.value)
            if is_atom(b):
                values.append(b)
                return ("v",)
            if _builtin_class(b):
                return ("t", b.obj.__name__)
            if isinstance(b, TupleB) and all(map(literal, b.items)):
                return ("c", tuple(x.value for x in b.items))
            raise self.error(node, "a tuple, function or module as an argument of "
                                   f"{kind if kind != 'log' else 'logging.' + what}")
        spec = (kind, what, tuple(encode(a) for a in args),
                tuple((k, encode(v)) for k, v in kwargs.items()))
        if len(values) > MAX_VALUES:
            raise self.error(node, f"a statement reading more than {MAX_VALUES} values")
        self.op(f"effect{len(values)}", [Const(repr(spec))] + values, node)


__all__ = ["EffectLowerer", "FSTRING_ELSEWHERE", "FormatB"]
