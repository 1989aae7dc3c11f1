"""Objects of the user's own classes: attributes, methods, properties, ``__call__``.

A model written as layer objects (``self.W``, ``layer(x)``, ``model.forward(x)``,
``@property``) is lowered by resolving each attribute while lowering:

- an instance found by name (a global, a closure cell) stays a ``PyObj``; reading
  ``obj.W`` reads the attribute where it lives, guarded (``Ref("attr", obj, "W")``),
  so an array attribute is read at call time like a global array, never folded;
- an instance passed as an argument is a record (``pytree``: its ``__dict__`` is the
  pytree, so gradients come back as an object of the same class); its fields are
  atoms, and ``grad`` w.r.t. it gives the adjoint of every array attribute;
- ``obj.method`` is a ``MethodB`` (the class's function and ``self``'s binding);
  calling it lowers the method like any user function with ``self`` as its first
  argument; ``@property`` getters are called on read; ``obj(x)`` calls ``__call__``.

Invariants: only classes defined in the user's code (not in a library, see
``library.py``) are looked into; objects are values pullback never changes: writes to
attributes (``self.h = ...``, ``model.W -= lr * g``) and instances of plain classes
made inside the differentiated code are rejected at their line with the rewrite
(dataclasses and NamedTuples made inside are records, ``calls.py``).
"""
import sys
import types
from dataclasses import dataclass

from .bindings import FuncB, PyObj, RecordB
from .guards import Ref
from .library import library_file
from .source import source_of


@dataclass(frozen=True)
class MethodB:
    """``obj.method`` awaiting its call: the class's function and ``self``'s binding."""
    func: object
    self_b: object


def is_user_instance(value):
    """An instance of a class defined in the user's code (not a library's)."""
    if isinstance(value, (type, types.ModuleType, types.FunctionType, types.MethodType,
                          types.BuiltinFunctionType)):
        return False
    cls = type(value)
    if cls.__module__ == "pullback" or cls.__module__.startswith("pullback."):
        return False                  # pullback's own objects (rules, frozen distributions)
    module = sys.modules.get(cls.__module__)
    filename = getattr(module, "__file__", None)
    return filename is not None and not library_file(filename) and hasattr(value, "__dict__")


def is_user_class(cls):
    """A class defined in the user's code (not a library's)."""
    filename = getattr(sys.modules.get(cls.__module__), "__file__", None)
    return filename is not None and not library_file(filename) and \
        not cls.__module__.startswith("pullback")


def _class_attribute(cls, name):
    for klass in cls.__mro__:
        if name in vars(klass):
            return vars(klass)[name]
    return None


class ObjectLowerer:
    def object_attribute(self, base, node):
        """``base.attr`` where ``base`` is a user instance (``PyObj``) or a record."""
        from .expressions import static      # expressions imports this module
        if isinstance(base, RecordB):
            cls, obj = base.cls, None
        else:
            obj = base.obj
            cls = type(obj)
        name = node.attr
        found = _class_attribute(cls, name)
        if isinstance(found, property):
            return self.call_value(MethodB(found.fget, base), [], {}, node)
        if isinstance(found, staticmethod):
            return PyObj(found.__func__)
        if isinstance(found, classmethod):
            return MethodB(found.__func__, PyObj(cls))
        if isinstance(found, types.FunctionType) and (obj is None or name not in vars(obj)):
            return MethodB(found, base)
        if obj is not None and hasattr(obj, name):
            return static(getattr(obj, name), self, node, Ref("attr", obj, name))
        if found is not None and obj is None:        # a class constant read through a record
            # guarded where Python reads it (the class, through its MRO, at each call):
            # 'A.scale = 5.0' between calls makes a new specialisation, never a stale one
            return static(found, self, node, Ref("attr", cls, name))
        raise self.error(node, f"the attribute '.{name}' (not set on this object)")

    def call_method(self, m, args, kwargs, node):
        return self.call_user(FuncB(source_of(m.func), m.func), [m.self_b] + list(args), kwargs,
                              node)

    def call_object(self, obj, args, kwargs, node):
        """``obj(x)`` for a user instance: its class's ``__call__``; None otherwise."""
        if not is_user_instance(obj):
            return None
        call = _class_attribute(type(obj), "__call__")
        if not isinstance(call, types.FunctionType):
            raise self.error(node, f"calling a '{type(obj).__name__}' object (no __call__)")
        return self.call_method(MethodB(call, PyObj(obj)), args, kwargs, node)

    def attribute_write(self, target):
        """The rejection of ``obj.attr = ...`` (an error to raise)."""
        return self.error(target, f"a write to the attribute '{target.attr}' of an object "
                                  "(pullback does not change objects: keep the value in a "
                                  "local variable and return it, or build a new object "
                                  "outside the differentiated code)")

    def instance_creation(self, cls, node):
        """The rejection of ``Cls(...)`` for a plain user class (an error to raise)."""
        return self.error(node, f"creating an instance of the class '{cls.__name__}' here "
                                "(pass the object in as an argument, whose array attributes "
                                "are differentiated, or make it a global; dataclasses and "
                                "NamedTuples can be made here)")


__all__ = ["MethodB", "ObjectLowerer", "is_user_class", "is_user_instance"]
