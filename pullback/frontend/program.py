"""Lowering of a whole program: the entry function and every callee.

Invariants: one IR function per (function, static-argument shape); a callee
is lowered once and reused; recursion finds the callee in progress and emits
a call to it; the entry function is first in the module; the ``__code__`` of every
live function lowered is guarded (``guards.py``).
"""
import ast
import sys
import types

from ..errors import UnsupportedError
from ..ir import Function, Module, Var
from .bindings import FuncB, PyObj, flatten, leaf_names, n_atoms, unflatten
from .scan import return_shape
from .source import source_of
from .generators import first_yield, is_generator
from .guards import Ref, guard
from .lower import FunctionLowerer
from .objects import class_attribute, is_user_instance
from ..ir.walk import walk
from ..ir import Call
from ..rules import helpers, np_helpers

MAX_SPECIALISATIONS = 64
# runtime helpers copied into generated modules by name: a user function named
# ``cumprod`` must not become ``cumprod_jvp``, the name of cumprod's forward helper
_HELPERS = {n for n in dir(np_helpers) + dir(helpers) if not n.startswith("_")}
_SUFFIXES = ("fwd", "rev", "jvp", "grad", "vjp", "res", "dot")
MAX_VALUES = 10_000         # scalars and arrays passed to one call, tuples flattened
DEEP = 20000                # recursion limit while lowering: 10,000-term expressions lower


class Program:
    def __init__(self):
        self.done = {}        # key -> Function
        self.names = {}       # key -> IR name
        self.ret = {}         # key -> return skeleton
        self.expected = set()  # keys whose skeleton was read before they were lowered
        self.order = []
        self.per_source = {}

    def lower_entry(self, pyfunc, skels):
        if isinstance(pyfunc, types.MethodType):
            # grad(model.loss): the call's arguments start after self, which is the object
            # as if found by name (its attributes read where they live, guarded), as in a
            # call model.loss(x) inside differentiated code
            skels = [flatten(PyObj(pyfunc.__self__))[0]] + list(skels)
            obj, name = pyfunc.__self__, pyfunc.__func__.__name__
            if is_user_instance(obj):   # obj.__class__ = ..., K.__call__ = ...: recompiles
                guard(Ref("attr", obj, "__class__"), type(obj))
                if class_attribute(type(obj), name) is pyfunc.__func__:
                    guard(Ref("lookup", type(obj), name), pyfunc.__func__)
            pyfunc = pyfunc.__func__
        fb = FuncB(source_of(pyfunc), pyfunc)
        name, ret = self.function(fb, _variadic(fb.source, list(skels)), None)
        entry = self.done[self._key_by_name(name)]
        rest = [self.done[k] for k in self.order if self.names[k] != name]
        return Module((entry,) + tuple(rest), ret)

    def _key_by_name(self, name):
        return next(k for k, n in self.names.items() if n == name)

    def function(self, fb, arg_skels, call_node, site=None):
        """IR name and return skeleton of ``fb`` specialised to ``arg_skels``; an
        expansion's body also to ``site``, the user's call its statements are placed at."""
        size = sum(n_atoms(s) for s in arg_skels)
        if size > MAX_VALUES:     # before hashing: a tuple that doubles per call grows fast
            src = fb.source
            raise UnsupportedError(f"'{src.name}' is called with {size} values (recursion on "
                                   "a growing tuple?)", src.filename, src.node.lineno,
                                   src.node.col_offset, "unbounded specialisation")
        if fb.source.pyfunc is not None:    # a live function: its code can be replaced
            guard(Ref("attr", fb.context, "__code__"), fb.context.__code__)
        cap_skel, _ = flatten(fb)
        key = (cap_skel, tuple(arg_skels)) + ((site,) if site is not None else ())
        if key in self.names:
            return self.names[key], self.ret[key]
        src = fb.source
        count = self.per_source.get(src, 0) + 1
        self.per_source[src] = count
        if count > MAX_SPECIALISATIONS:
            raise UnsupportedError(f"'{src.name}' needs more than {MAX_SPECIALISATIONS} "
                                   "specialisations (recursion on a tuple or function argument?)",
                                   src.filename, src.node.lineno, src.node.col_offset,
                                   "unbounded specialisation")
        taken = set(self.names.values())
        base = src.name if src.name not in ("<lambda>", "lambda") else "lambda_"
        name, k = base, 1
        while name in taken or any(f"{name}_{s}" in _HELPERS for s in _SUFFIXES):
            k += 1
            name = f"{base}_{k}"
        self.names[key] = name
        self.ret[key] = return_shape(src.node)
        low = FunctionLowerer(self, fb, site)       # the fence first ('yield from')
        low.entry = call_node is None
        if call_node is None and is_generator(src.node):   # reported at its first yield
            y = first_yield(src.node)
            raise UnsupportedError("cannot differentiate a 'yield' in the function itself (a "
                                   "generator: differentiate a function that consumes it)",
                                   src.filename, y.lineno, y.col_offset,
                                   "a 'yield' in the function itself")
        params, env = [], {}
        for pname, skel in zip(low.param_names(), arg_skels):
            vars_ = [low.new_var(n) for n in leaf_names(pname, skel)]
            params += vars_
            if call_node is not None:   # a helper's parameter may get a caller's None
                low.may_be_none.update(v.name for v in vars_)
            env[pname] = unflatten(skel, iter(vars_))
        missing = low.param_names()[len(arg_skels):]
        if missing:     # the entry called without its trailing defaulted parameters
            defaults = low.defaults(fb)
            for pname in missing:
                if pname not in defaults:
                    raise UnsupportedError(f"'{src.name}' is called without its argument "
                                           f"'{pname}'", src.filename, src.node.lineno,
                                           src.node.col_offset, "missing argument")
                env[pname] = defaults[pname]
        cap_vars = []
        for cname, skel in cap_skel[3]:
            # a captured function's values are never named after it: it is called by name
            vars_ = [low.new_var(cname if skel == ("atom",) else f"{cname}_{i}")
                     for i in range(n_atoms(skel))]
            cap_vars += vars_
            env[cname] = unflatten(skel, iter(vars_))
        body, ret_skel = low.lower(env)
        if call_node is None and ret_skel == ("const", None):
            raise UnsupportedError("cannot differentiate a function without a 'return' value",
                                   src.filename, src.node.lineno, src.node.col_offset,
                                   "a function without a 'return' value")
        if ret_skel != self.ret[key]:
            if key in self.expected:    # a custom rule was lowered against the guess
                raise UnsupportedError(
                    f"'{src.name}' calls the custom function it is the forward rule of, and "
                    "its residuals are not shaped as its 'return' is written; return them "
                    "as a tuple or dict literal (return f(x), (a, b))", src.filename,
                    src.node.lineno, src.node.col_offset, "custom rule")
            if any(self.names[k] == name for k in self.order) or self._recursive(name, body):
                raise UnsupportedError(f"'{src.name}' returns differently shaped values",
                                       src.filename, src.node.lineno, src.node.col_offset,
                                       "return shape")
            self.ret[key] = ret_skel
        doc = ast.get_docstring(src.node) if isinstance(src.node, ast.FunctionDef) else None
        self.done[key] = Function(name, tuple(params + cap_vars), tuple(body),
                                  src.loc(src.node), doc or "")
        self.order.append(key)
        return name, self.ret[key]

    def expect(self, fb, arg_skels, ret_skel):
        """Where ``fb`` at ``arg_skels`` is being lowered and calls itself, ``ret_skel``
        replaces the return skeleton guessed from its first ``return``'s syntax: a custom
        rule's forward function that calls the custom function (``return f(x), res``, the
        JAX idiom) returns the function's output first, whatever the call's syntax says.
        The guess is still checked against the body once lowered."""
        key = (flatten(fb)[0], tuple(arg_skels))
        if key in self.names and key not in self.done:
            self.ret[key] = ret_skel
            self.expected.add(key)

    def made(self, base, params, body, ret_skel, loc):
        """The name of a function the frontend made itself (a grad of a grad's inner
        derivative: ``pullback_calls.call_grad_of_grad``), added to the program."""
        taken = set(self.names.values())
        name, k = base, 1
        while name in taken or any(f"{name}_{s}" in _HELPERS for s in _SUFFIXES):
            k += 1
            name = f"{base}_{k}"
        key = ("made", name)
        self.names[key], self.ret[key] = name, ret_skel
        self.done[key] = Function(name, params, body, loc)
        self.order.append(key)
        return name

    @staticmethod
    def _recursive(name, body):
        return any(isinstance(s, Call) and s.func == name for s in walk(body))


def _variadic(src, skels):
    """The entry's argument skeletons with its ``*args`` gathered into one tuple; its
    ``**kwargs`` arrive as one dict, last (``arguments.bind``)."""
    a = getattr(src.node, "args", None)
    if a is None or (a.vararg is None and a.kwarg is None):
        return skels
    if a.kwonlyargs or len(skels) < len(a.args):
        raise UnsupportedError(f"'{src.name}' has keyword-only or defaulted parameters beside "
                               "*args/**kwargs; differentiate a wrapper that passes them all",
                               src.filename, src.node.lineno, src.node.col_offset, "variadic")
    n = len(a.args)
    out, rest = skels[:n], skels[n:]
    kwargs = rest.pop() if a.kwarg is not None and rest and rest[-1][0] == "dict" else None
    if a.vararg is not None:
        out.append(("tuple",) + tuple(rest))
    elif rest:
        raise UnsupportedError(f"'{src.name}' called with more arguments than parameters",
                               src.filename, src.node.lineno, src.node.col_offset, "variadic")
    if a.kwarg is not None:
        out.append(kwargs or ("dict", ()))
    return out


def lower_program(pyfunc, args):
    """The module for ``pyfunc``; ``args`` is the number of scalar/array arguments,
    or one binding skeleton per argument (see ``bindings.flatten``)."""
    skels = [("atom",)] * args if isinstance(args, int) else args
    limit = sys.getrecursionlimit()       # lowering recurses once per level of nesting
    sys.setrecursionlimit(max(limit, DEEP))
    try:
        return Program().lower_entry(pyfunc, skels)
    except RecursionError:
        code = getattr(pyfunc, "__code__", None)
        raise UnsupportedError(
            f"an expression nested more deeply than pullback follows ({DEEP} calls deep); "
            "split it into several statements", getattr(code, "co_filename", "<unknown>"),
            getattr(code, "co_firstlineno", 0), 0, "deep nesting") from None
    finally:
        sys.setrecursionlimit(limit)


__all__ = ["Program", "lower_program", "Var"]
