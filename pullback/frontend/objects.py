"""Objects of the user's own classes: attributes, methods, properties, ``__call__``.

A model written as layer objects (``self.W``, ``layer(x)``, ``model.forward(x)``,
``@property``) is lowered by resolving each attribute while lowering:

- an instance found by name (a global, a closure cell) stays a ``PyObj``; reading
  ``obj.W`` reads the attribute where it lives, guarded (``Ref("attr", obj, "W")``),
  so an array attribute is read at call time like a global array, never folded; its
  class is guarded (``expressions._binding``), and so is every method, property,
  ``__call__`` or ``__init__`` found through a class (``Ref("lookup", ...)``), so a
  method rebound on the class or shadowed on the instance between calls recompiles;
- an instance passed as an argument is a record (``pytree``: its ``__dict__`` is the
  pytree, so gradients come back as an object of the same class); its fields are
  atoms, and ``grad`` w.r.t. it gives the adjoint of every array attribute;
- ``obj.method`` is a ``MethodB`` (the class's function and ``self``'s binding);
  calling it lowers the method like any user function with ``self`` as its first
  argument; ``@property`` getters are called on read; ``obj(x)`` calls ``__call__``;
- ``Cls(...)`` of a plain class runs its ``__init__`` with ``self`` a ``BuilderB``: each
  ``self.attr = v`` binds a local, and the call returns a record of the attributes set,
  which then behaves as an object passed in as an argument.

Invariants: only classes defined in the user's code (not in a library, see
``library.py``) are looked into; objects are values pullback never changes: writes to
attributes outside a constructor (``self.h = ...`` in a method, ``model.W -= lr * g``)
are rejected at their line with the rewrite, as are classes with their own ``__new__``,
``__slots__`` or metaclass (dataclasses and NamedTuples made inside are records,
``calls.py``).
"""
import ast
import sys
import types
from dataclasses import dataclass

from ..ir import Const
from .bindings import BuilderB, DictB, FuncB, PyObj, RecordB, TupleB
from .guards import Ref, guard
from .library import library_file
from .source import source_of


@dataclass(frozen=True)
class SuperB:
    """``super()`` in a method of ``cls``: attributes from the classes after ``cls`` in
    the MRO of ``self``'s class, bound to ``self_b``."""
    cls: object
    self_b: object


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


def class_attribute(cls, name):
    """What ``cls.name`` finds in the MRO before descriptors run (None: nothing)."""
    for klass in cls.__mro__:
        if name in vars(klass):
            return vars(klass)[name]
    return None


def class_data(cls, name):
    """The value ``cls.name`` holds when it is plain data (``Cfg.alpha``: a class used as a
    config), read and guarded as a global is; None for a function, descriptor or class."""
    found = class_attribute(cls, name)
    if isinstance(found, (staticmethod, classmethod, types.FunctionType, type)) or \
            hasattr(type(found), "__get__"):
        return None
    return found


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
        found = class_attribute(cls, name)
        shadowed = obj is not None and not isinstance(found, property) and name in vars(obj)
        if isinstance(found, (property, staticmethod, classmethod, types.FunctionType)) and \
                not shadowed:       # what the class holds: 'K.m = ...' makes a new one
            guard(Ref("lookup", cls if obj is None else obj, name), found)
        if isinstance(found, property):
            return self.call_value(MethodB(found.fget, base), [], {}, node)
        if isinstance(found, staticmethod) and not shadowed:
            return PyObj(found.__func__)
        if isinstance(found, classmethod) and not shadowed:
            return MethodB(found.__func__, PyObj(cls))
        if isinstance(found, types.FunctionType) and not shadowed:
            return MethodB(found, base)
        if obj is not None and hasattr(obj, name):
            return static(getattr(obj, name), self, node, Ref("attr", obj, name))
        if found is not None and obj is None:        # a class constant read through a record
            # guarded where Python reads it (the class, through its MRO, at each call):
            # 'A.scale = 5.0' between calls makes a new specialisation, never a stale one
            return static(found, self, node, Ref("attr", cls, name))
        raise self.error(node, f"the attribute '.{name}' (not set on this object)")

    def call_method(self, m, args, kwargs, node):
        self.no_builder(list(args) + list(kwargs.values()), node)
        got = self.call_user(FuncB(source_of(m.func), m.func), [m.self_b] + list(args),
                             kwargs, node, building=isinstance(m.self_b, BuilderB))
        if isinstance(m.self_b, BuilderB) and isinstance(got, RecordB):
            # ``super().__init__(...)`` while making an object: its attributes are ours
            for name, item in zip(got.fields, got.items):
                self.set_field(m.self_b, name, item, node)
            return Const(None)
        return got

    def super_binding(self, node):
        """``super()``: the class whose method this is (its ``__class__`` cell, which
        Python makes for a method that calls ``super``) and ``self``'s binding."""
        func = self.fb.context
        cells = dict(zip(getattr(getattr(func, "__code__", None), "co_freevars", ()),
                         getattr(func, "__closure__", None) or ()))
        params = self.param_names()
        if "__class__" not in cells or not params or params[0] not in self.env:
            raise self.error(node, "super() outside a method of a class")
        return SuperB(cells["__class__"].cell_contents, self.env[params[0]])

    def super_attribute(self, base, node):
        """``super().name``: the first class after ``base.cls`` in the MRO that has it."""
        b = base.self_b
        cls = b.cls if isinstance(b, (RecordB, BuilderB)) else type(b.obj)
        mro = cls.__mro__
        for klass in mro[mro.index(base.cls) + 1:]:
            if node.attr in vars(klass):
                found = vars(klass)[node.attr]
                if isinstance(found, types.FunctionType) and klass is not object:
                    return MethodB(found, b)
                break
        raise self.error(node, f"super().{node.attr} (only methods of the user's classes)")

    def class_attribute(self, cls, node):
        """``Cls.name`` of a user class: a static or class method, or a plain function;
        None for anything else (``class_data``, or a property or another descriptor)."""
        found = class_attribute(cls, node.attr)
        if isinstance(found, (staticmethod, classmethod, types.FunctionType)):
            guard(Ref("lookup", cls, node.attr), found)
        if isinstance(found, staticmethod):
            return PyObj(found.__func__)
        if isinstance(found, classmethod):
            return MethodB(found.__func__, PyObj(cls))
        if isinstance(found, types.FunctionType):
            return PyObj(found)
        return None

    def call_object(self, obj, args, kwargs, node):
        """``obj(x)`` for a user instance: its class's ``__call__``; None otherwise."""
        if not is_user_instance(obj):
            return None
        call = class_attribute(type(obj), "__call__")
        guard(Ref("lookup", type(obj), "__call__"), call)     # (with the class's own guard)
        if not isinstance(call, types.FunctionType):
            raise self.error(node, f"calling a '{type(obj).__name__}' object (no __call__)")
        return self.call_method(MethodB(call, PyObj(obj)), args, kwargs, node)

    def attribute_write(self, target):
        """The rejection of ``obj.attr = ...`` (an error to raise)."""
        return self.error(target, f"a write to the attribute '{target.attr}' of an object "
                                  "(pullback does not change objects: keep the value in a "
                                  "local variable and return it, or build a new object "
                                  "outside the differentiated code)")

    def construct(self, cls, args, kwargs, node):
        """``Cls(...)`` of a plain user class: its ``__init__`` called with ``self`` a
        ``BuilderB``; the attributes it sets (``field_write``) are the record it returns,
        an object as one passed in as an argument is.  A class with its own ``__new__``,
        ``__slots__``, a metaclass or an ``__init__`` that is not the user's Python is
        rejected."""
        init = class_attribute(cls, "__init__")
        guard(Ref("lookup", cls, "__init__"), init)
        hooks = ("__setattr__", "__getattr__", "__getattribute__", "__delattr__")
        if type(cls) is not type or cls.__new__ is not object.__new__ or \
                any("__slots__" in vars(k) for k in cls.__mro__[:-1]) or \
                any(class_attribute(cls, h) is not getattr(object, h, None) for h in hooks) or \
                not isinstance(init, types.FunctionType) and init is not object.__init__ or \
                not is_user_class(cls):
            raise self.instance_creation(cls, node)
        if init is object.__init__:         # no __init__ (a stateless layer: ReLU())
            if args or kwargs:
                raise self.error(node, f"'{cls.__name__}()' with arguments: the class has no "
                                 "__init__ (Python raises TypeError)")
            return RecordB(cls, (), ())
        return self.call_user(FuncB(source_of(init), init), [BuilderB(cls)] + list(args),
                              kwargs, node, building=True)

    def no_builder(self, bindings, node):
        """The object an ``__init__`` is making passed anywhere but to a base class's
        ``__init__``: rejected here, since the attributes the callee sets would not come
        back (and a class default of the same name would be read instead)."""
        todo = list(bindings)
        while todo:
            b = todo.pop()
            if isinstance(b, BuilderB):
                raise self.error(node, "passing the object its __init__ is making to a "
                                 "function (set its attributes in __init__, or call "
                                 "super().__init__(...); call helpers after it is made)")
            if isinstance(b, (TupleB, DictB, RecordB)):
                todo.extend(b.items)

    def builder_attribute(self, base, node):
        """``self.attr`` inside the ``__init__`` that builds ``base``."""
        key = "self." + node.attr
        if key in self.env:
            return self.env[key]
        found = class_attribute(base.cls, node.attr)
        if found is None or isinstance(found, (types.FunctionType, property, classmethod,
                                                staticmethod)):
            raise self.error(node, f"reading '.{node.attr}' of the object its __init__ is "
                             "still making (set it first; call methods after the object is "
                             "made)")
        return self.object_attribute(RecordB(base.cls, (), ()), node)   # a class constant

    def field_write(self, target, value, node):
        """``self.attr = value`` in a constructor (``construct``): a local of its own,
        never a name the user spells; True when ``target`` is one."""
        base = self.env.get(target.value.id) if isinstance(target.value, ast.Name) else None
        if not isinstance(base, BuilderB):
            return False
        self.set_field(base, target.attr, value, target)
        return True

    def set_field(self, base, attr, value, node):
        """Attribute ``attr`` of the object ``base`` (a ``BuilderB``) is ``value``."""
        key = "self." + attr
        if hasattr(class_attribute(base.cls, attr), "__set__"):
            raise self.error(node, f"setting '{attr}' in __init__, which is a property or "
                             "descriptor of the class (its setter would run)")
        if key not in self.env and not self.top:
            raise self.error(node, f"the attribute '{attr}' first set inside a branch or "
                             "loop of __init__ (set it before, e.g. to 0.0)")
        self.fields.setdefault(attr, key)
        self.bind(key, value, node)

    def built(self):
        """The record ``__init__`` made: its attributes in the order it first set them."""
        names = tuple(self.fields)
        return RecordB(self.building.cls, names, tuple(self.env[self.fields[n]] for n in names))

    def instance_creation(self, cls, node):
        """The rejection of ``Cls(...)`` for a plain user class (an error to raise)."""
        return self.error(node, f"creating an instance of the class '{cls.__name__}' here "
                                "(it has its own __new__, __slots__, attribute hooks or a "
                                "metaclass: pass the object in as an argument, whose array "
                                "attributes are differentiated, or make it a global)")


__all__ = ["MethodB", "ObjectLowerer", "SuperB", "is_user_class", "is_user_instance"]
