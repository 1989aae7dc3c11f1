"""Guards: the outside values a derivative was specialised to, checked on each call.

While a function is lowered, every value read from outside it -- a globals-dict entry,
a closure cell, a module attribute holding data, a function's ``__defaults__`` -- is
recorded here with a *signature* of what the lowering assumed about it.  A compiled
derivative is valid exactly while every guard holds; ``pullback.cache`` checks them
on each call and makes a new specialisation when one fails.

Invariants:
- numbers, strings, tuples, lists and dicts are folded into the generated code, so
  their guard compares values (identity first, for immutable ones);
- functions, modules and other callables are compared by identity; every Python
  function lowered (the entry and each helper inlined) also has its ``__code__``,
  ``__defaults__``/``__kwdefaults__`` and closure cells guarded, since each can be
  replaced while the function object stays the same;
- a user object's class (``obj.__class__``) is guarded, and so is every attribute
  lookup lowering resolved through a class (a method, property, ``__call__``,
  ``__init__``): a ``"lookup"`` ref reads what ``owner.name`` finds *before* descriptors
  run (the instance's own dict, unless the class has a data descriptor, else the MRO),
  so ``K.m = ...`` or ``obj.m = ...`` between calls fails the guard;
- a float or complex array is never folded: only its type, dtype and shape are
  assumed, and the generated code reads it by name at call time (``bind``);
- an integer or boolean array (an index, a mask, a shape) may decide shapes during
  typing, so its guard compares values too; so does every array when ``by_value``
  is set (the Numba backend, which freezes global arrays into the machine code);
- an array's guard compares its class too: an ndarray subclass other than np.memmap
  (np.matrix, a masked array) is refused when read (``ir.types.odd_array``), and one
  rebound in place of an ndarray of the same shape fails the guard, so it is refused too.
"""
import contextlib
import functools
import threading
import types

import numpy as np

MISSING = object()


class Ref:
    """Where an outside value lives; ``get()`` reads it now (``MISSING`` if gone)."""

    def __init__(self, kind, owner, key, parent=None):
        self.kind, self.owner, self.key, self.parent = kind, owner, key, parent

    def get(self):
        try:
            if self.kind == "global":
                return self.owner.get(self.key, MISSING)
            if self.kind == "cell":
                return self.owner.cell_contents
            if self.kind == "attr":
                return getattr(self.owner, self.key, MISSING)
            if self.kind == "lookup":
                return lookup(self.owner, self.key)
            outer = self.parent.get()         # "item": a part of another outside value
            return outer[self.key]
        except (ValueError, LookupError, TypeError):     # an empty cell, a shorter tuple
            return MISSING

    def getter(self):
        """``get`` as a fast callable (a global: the dict's own ``get``, in C)."""
        if self.kind == "global":
            return functools.partial(self.owner.get, self.key, MISSING)
        if self.kind == "attr" and type(self.owner) is types.FunctionType:
            return functools.partial(getattr, self.owner, self.key, MISSING)   # never raises
        return self.get

    def item(self, key):
        return Ref("item", None, key, self)

    def ident(self):
        """A hashable identity of the place (two reads of one global share a name)."""
        if self.kind == "item":
            return self.parent.ident() + (self.key,)
        return (self.kind, id(self.owner), self.key)

    def label(self):
        """A readable name for generated code: ``W``, ``PAIR_1``."""
        if self.kind == "item":
            return f"{self.parent.label()}_{self.key}"
        return str(self.key).strip("_") or "value"


def lookup(owner, name):
    """What ``owner.name`` finds before a descriptor runs (``MISSING``: nothing): for a
    class, the first of its MRO that holds ``name``; for an instance, its own
    ``__dict__`` entry unless its class holds a data descriptor (a property) there."""
    cls = owner if isinstance(owner, type) else type(owner)
    found = MISSING
    for klass in cls.__mro__:
        if name in klass.__dict__:
            found = klass.__dict__[name]
            break
    if cls is not owner and not hasattr(type(found), "__set__"):
        own = getattr(owner, "__dict__", None)
        if own is not None and name in own:
            return own[name]
    return found


class _Same:
    """Compares by identity (functions, modules, callables)."""
    __slots__ = ("obj",)

    def __init__(self, obj):
        self.obj = obj

    def __eq__(self, other):
        return type(other) is _Same and other.obj is self.obj

    __hash__ = None


_SCALARS = (bool, int, str, type(None), complex)


def signature(v, by_value=False):
    """What lowering assumes about ``v``; equal signatures give the same derivative."""
    t = type(v)
    if t is float:
        return (float, repr(v))       # -0.0 and nan are values too
    if t in _SCALARS:
        return (t, v)
    if isinstance(v, np.generic):
        return ("np", v.dtype.str, repr(v.item()))
    if t in (tuple, list):
        return (t, tuple(signature(x, by_value) for x in v))
    if t is dict:
        return (dict, tuple((k, signature(x, by_value)) for k, x in v.items()))
    if isinstance(v, np.ndarray):
        sig = ("array", type(v), v.dtype.str, v.shape)     # np.matrix is not an ndarray
        if by_value or v.dtype.kind in "biu":
            return sig + (np.ascontiguousarray(v).tobytes(),)
        return sig
    return _Same(v)


def _immutable(v):
    t = type(v)
    if t is tuple:
        return all(_immutable(x) for x in v)
    if isinstance(v, np.generic):       # NumPy's scalars are immutable, but a record's
        return not isinstance(v, np.void)    # fields may view its array
    return t in (float,) + _SCALARS or isinstance(v, (types.FunctionType, types.ModuleType,
                                                       types.BuiltinFunctionType, type,
                                                       types.CodeType))


def guard(ref, value):
    """Record ``value`` as found at ``ref`` in the guards being recorded, if any."""
    stack = _active_stack()
    if stack:
        stack[-1].record(ref, value)


class Guards:
    """The guards of one specialisation and the arrays its generated code reads by name."""

    def __init__(self, by_value=False):
        self.by_value = by_value
        self.checks = []         # (ref, object seen, fast by identity, signature)
        self.seen = set()
        self.arrays = {}         # extern name -> ref
        self.names = {}          # ref identity -> extern name
        self.namespace = None
        self.printed = {}        # extern name -> its name in the generated module, if renamed
        self.logs = []           # lists noting every record and name (``logging``)

    def record(self, ref, value):
        for log in self.logs:
            log.append((True, ref, value))
        key = ref.ident()
        if key in self.seen:
            return
        self.seen.add(key)
        self.checks.append((ref.getter(), value, _immutable(value),
                            signature(value, self.by_value)))

    def extern_name(self, ref):
        """A name for the array at ``ref`` in the generated module, unique per place."""
        name = _name(ref, self.names, self.arrays)
        for log in self.logs:
            log.append((False, ref, name))
        return name

    @contextlib.contextmanager
    def logging(self):
        """A list of what is recorded and named inside the block, for ``replay``."""
        log = []
        self.logs.append(log)
        try:
            yield log
        finally:
            self.logs.remove(log)

    def replay(self, log):
        """Record and name again what ``log`` noted, as if the code that made it ran again
        here; False, changing nothing, where an array would be named otherwise here (its
        name is in the code made)."""
        names, arrays = dict(self.names), dict(self.arrays)
        if any(not recorded and _name(ref, names, arrays) != x for recorded, ref, x in log):
            return False
        for recorded, ref, x in log:
            if recorded:
                self.record(ref, x)
            else:
                self.extern_name(ref)
        return True

    def hold(self):
        """True while every guard holds; then the arrays are bound to their current values."""
        by_value = self.by_value
        for get, seen, fast, sig in self.checks:
            v = get()
            if v is seen and fast:
                continue
            if v is MISSING or signature(v, by_value) != sig:
                return False
        ns = self.namespace
        if ns is not None:
            for name, ref in self.arrays.items():
                ns[self.printed.get(name, name)] = ref.get()
        return True

    def bind(self, namespace, printed=None):
        """The generated module whose globals name the arrays (None: nothing to rebind);
        ``printed``: the names it prints for arrays the backend renamed."""
        self.namespace = namespace if self.arrays and not self.by_value else None
        self.printed = printed or {}


def _name(ref, names, arrays):
    """The name of the array at ``ref``, given (and added to) ``names`` and ``arrays``."""
    key = ref.ident()
    if key not in names:
        base = "".join(c if c.isalnum() or c == "_" else "_" for c in ref.label())
        name, k = base, 1
        while name in arrays:
            k += 1
            name = f"{base}_{k}"
        names[key] = name
        arrays[name] = ref
    return names[key]


_ACTIVE = threading.local()     # per thread: two threads deriving at once each record
                                # their own guards (one shared stack mixed them up)


def _active_stack():
    stack = getattr(_ACTIVE, "stack", None)
    if stack is None:
        stack = _ACTIVE.stack = []
    return stack


@contextlib.contextmanager
def recording(by_value=False):
    """Guards for what is lowered inside the block (nested compiles record into it too)."""
    stack = _active_stack()
    g = stack[-1] if stack else Guards(by_value)
    stack.append(g)
    try:
        yield g
    finally:
        stack.pop()


def active():
    """The guards being recorded, or None (``emit_c`` reads values once, at emit time)."""
    stack = _active_stack()
    return stack[-1] if stack else None
