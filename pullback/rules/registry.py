"""The primitive registry and the declaration idiom.

A primitive is one operation of the IR: how to evaluate it, what type it
returns, how it prints in Python, and its derivative as math.

    scalar("tanh", math.tanh, "1 - y * y")

declares ``tanh`` with d tanh(x)/dx = 1 - y*y, where ``y`` is the output.
Partials are Python expressions over the parameter names and ``y``, written
with other primitives (``cos``, ``select``, ...): the transforms lower them
like user code, so every mode and every backend inlines them. Rules never
unbroadcast, special-case zeros, or accumulate; the transforms do that.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Callable, Optional
import numpy as np

PRIMITIVES: dict = {}
LIBRARY_MODULES: set = set()   # modules generated code imports for ``pullback.defvjp`` rules
LIBRARY_RULES: dict = {}       # library function -> the custom_vjp ``pullback.defvjp`` made
# A partial or rule that is not known (gammainc in its order ``a``): unlike None (a zero
# derivative, e.g. an integer parameter) a derivative that reaches it is rejected at the
# user's line (``analysis.activity``), never a silent zero.
NO_RULE = "NO_RULE"
# A forward rule the forward transform writes itself (``setitem``: ``x_dot[idx] = v_dot``
# in place; ``list_append``): declared so that no differentiable parameter lacks one.
IN_TRANSFORM = "IN_TRANSFORM"
ZERO_IN_ZERO_OUT: set = set()  # helpers whose zero first argument (a cotangent) gives zero
# primitives whose rules hold for complex arguments and results (rules/complex.py): an
# active complex value reaching any other is rejected at its line (analysis.activity)
COMPLEX_RULES: set = set()
METHODS: dict = {}             # array method name (``x.sum``) -> primitive
_BY_PYTHON: dict = {}   # (python callable, nargs or None) -> primitive name


@dataclass(frozen=True)
class Syntax:
    """How a primitive prints in Python: ``call`` (``math.sin(x)``),
    ``infix`` (``a + b``), ``prefix`` (``-a``) or ``ifexp``."""
    kind: str
    text: str
    prec: int = 100
    right_assoc: bool = False


@dataclass(frozen=True)
class Primitive:
    name: str
    impl: Callable
    params: tuple
    partials: Optional[tuple]     # expression per param; None where not differentiable
    result: Callable              # (arg types) -> result type
    syntax: Syntax
    helper: Optional[str] = None  # name of a runtime helper the Python code calls
    vjps: Optional[tuple] = None  # reverse rule per param over ``g`` (non-elementwise ops)
    shape: Optional[Callable] = None   # result type from argument types, when NumPy can't say
    numpy: Optional[str] = None   # NumPy spelling for array arguments (``np.sin``)

    defaults: tuple = ()          # default values of trailing (static) params
    helper_source: Optional[Callable] = None
    pure: bool = True             # False: never evaluated at compile time nor dropped (random)
    jvps: Optional[tuple] = None  # forward rule per param over its tangent ``t`` (array ops)
    zero_derivative: bool = False  # declared by ``nondiff``: no derivative anywhere

    def keyword_split(self, values):
        """(positional, keyword) arguments for a NumPy-spelled call: parameters
        with defaults go by keyword, and are left out when at their default."""
        if not self.defaults or self.helper is not None:
            return list(values), {}
        nreq = len(self.params) - len(self.defaults)
        kw = {p: v for p, v, d in zip(self.params[nreq:], values[nreq:], self.defaults)
              if not (v is d or (type(v) is type(d) and v == d))}
        return list(values[:nreq]), kw

    def call(self, *values):
        """Evaluate on concrete values, as the generated code would."""
        pos, kw = self.keyword_split(values)
        return self.np_impl(*pos, **kw)

    @property
    def np_impl(self):
        """The implementation for array arguments."""
        if self.numpy and self.numpy.startswith("np."):
            obj = np
            for part in self.numpy.split(".")[1:]:
                obj = getattr(obj, part)
            return obj
        return self.impl

    @property
    def differentiable(self):
        return bool(self.diff_positions())

    def diff_positions(self):
        """Parameter positions with a derivative rule."""
        rules = self.vjps if self.vjps is not None else self.partials
        out = [] if rules is None else [i for i, r in enumerate(rules)
                                        if r is not None and r != NO_RULE]
        if self.jvps is not None:
            out = sorted(set(out) | {i for i, r in enumerate(self.jvps)
                                     if r is not None and r not in (NO_RULE, IN_TRANSFORM)})
        return out

    def no_rule_positions(self):
        """Parameter positions declared ``NO_RULE``: a derivative through them is unknown."""
        rules = self.vjps if self.vjps is not None else self.partials
        return [i for i, r in enumerate(rules or ()) if r == NO_RULE]

    def jvp_ast(self, i):
        """The forward rule for param ``i``: an expression over its tangent ``t``, the
        params and ``y`` (None: elementwise, use the partial; or no rule)."""
        p = self.jvps[i] if self.jvps is not None and i < len(self.jvps) else None
        return None if p is None or p in (NO_RULE, IN_TRANSFORM) else _parse(p)

    def partial_ast(self, i):
        p = self.partials[i] if self.partials else None
        return None if p is None or p == NO_RULE else _parse(p)

    def vjp_ast(self, i):
        """The reverse rule for param ``i``: an expression over ``g``, the params and ``y``."""
        if self.vjps is not None:
            v = self.vjps[i]
            return None if v is None or v == NO_RULE else _parse(v)
        p = self.partials[i] if self.partials else None
        return None if p is None or p == NO_RULE else _parse(f"({p}) * g")


_PARSED = {}


def _parse(src):
    if src not in _PARSED:
        _PARSED[src] = ast.parse(src, mode="eval").body
    return _PARSED[src]


def numeric(*types):
    """Python's promotion for arithmetic on scalars."""
    return "float" if "float" in types else "int"


def always(t):
    return lambda *types: t


def numpy_result(*types):
    """``result`` of a NumPy function: None, so type inference evaluates it even
    on scalars (``np.zeros(3)`` of an int is an array)."""
    return None


def register(name, impl, params, partials, result, syntax, python=(), helper=None,
             vjps=None, shape=None, numpy=None, defaults=(), bind=False, pure=True, jvps=None,
             zero_derivative=False, linear=(), zero_in_zero_out=False, method=None):
    """Add a primitive.  ``python`` callables map to it by argument count, or by
    signature binding (keywords, defaults) when ``bind`` is set.  The facts of its
    derivative are declared here too: ``linear`` positions get the forward rule the
    function itself applied to the tangent ``t`` there (``jvps`` gives the others);
    ``zero_in_zero_out``: a zero first argument (a cotangent) gives a zero result, which
    the folder uses; ``zero_derivative``: the result does not depend on the arguments'
    values; ``method``: the array method (``x.sum()``) that calls it."""
    linear = (linear,) if isinstance(linear, int) else tuple(linear)
    if jvps is not None or linear:
        jvps = list(jvps or ()) + [None] * (len(params) - len(jvps or ()))
        for k in linear:
            assert jvps[k] is None, f"{name}: a linear parameter's rule is derived"
            jvps[k] = f"{name}({', '.join('t' if i == k else p for i, p in enumerate(params))})"
        jvps = tuple(jvps)
    prim = Primitive(name, impl, tuple(params), partials, result, syntax, helper, vjps,
                     shape, numpy, tuple(defaults), pure=pure, jvps=jvps,
                     zero_derivative=zero_derivative)
    PRIMITIVES[name] = prim
    changed()
    if zero_in_zero_out or 0 in linear:    # linear in its first argument: f(0) is 0, so
        ZERO_IN_ZERO_OUT.add(name)         # a zero cotangent never reaches it (roll(0.0, -1)
        # would be a 0-d array where the adjoint's type says (n,): audit 33)
    for m in (method,) if isinstance(method, str) else method or ():
        assert m not in METHODS, f"{name}: method {m} is {METHODS.get(m)}'s"
        METHODS[m] = name
    for obj in python:
        _BY_PYTHON[(obj, None if bind else len(params))] = name
    return prim


def scalar(name, impl, *partials, params="x", result=None, python=(), syntax=None, **kw):
    """An elementwise function: one partial-derivative expression per parameter."""
    params = params.split()
    assert len(partials) == len(params), name
    return register(name, impl, params, tuple(partials), result or always("float"),
                    syntax or Syntax("call", f"math.{name}"), python, **kw)


def nondiff(name, impl, params="x", result=None, python=(), syntax=None, **kw):
    """A function whose derivative is zero wherever it exists."""
    params = params.split()
    return register(name, impl, params, None, result or always("float"),
                    syntax or Syntax("call", f"math.{name}"), python, zero_derivative=True, **kw)


def array_op(name, impl, params, *vjps, python=(), helper=None, shape=None, result=None,
             syntax=None, pure=True, jvps=None, **facts):
    """A NumPy function with reverse rules over the cotangent ``g``.

    ``params`` is a signature: ``"x axis=None keepdims=False"``; parameters
    with defaults are static (constants at the call site).  ``vjps`` gives one
    expression per parameter (None: no derivative through it); ``jvps`` the forward
    rules, one expression per parameter over its tangent ``t`` (a linear function's
    forward rule is the function itself applied to ``t``).
    """
    names, defaults = [], []
    for p in params.split():
        n, eq, d = p.partition("=")
        names.append(n)
        if eq:
            defaults.append(ast.literal_eval(d))
    # a static parameter left out of vjps (axis, ord, ddof) and given a varied value has
    # no rule, rejected at the line (np.linalg.norm(x, ord=p) depends on p), never a
    # silent 0; one written None is a declared zero (np.arange's stop)
    static = len(names) - len(defaults)
    vjps = tuple(vjps) + tuple(NO_RULE if any(vjps) and i >= static else None
                               for i in range(len(vjps), len(names)))
    spelled = helper or f"np.{name}"
    return register(name, impl, names, None, result or numpy_result,
                    syntax or Syntax("call", spelled), python,
                    helper=None if spelled.startswith("np.") else spelled,
                    vjps=vjps if any(vjps) else None, shape=shape, numpy=spelled,
                    defaults=defaults, bind=True, pure=pure, jvps=jvps, **facts)


def check_declarations():
    """Every declaration complete (run once every rule module is imported, so a missing
    piece fails at import time, never silently): a parameter with a reverse rule has a
    forward rule too (an expression, ``NO_RULE`` or ``IN_TRANSFORM``)."""
    missing = []
    for name, prim in PRIMITIVES.items():
        for i, v in enumerate(prim.vjps or ()):
            if v not in (None, NO_RULE) and (prim.jvps is None or prim.jvps[i] is None):
                missing.append(f"{name}({prim.params[i]})")
    if missing:
        raise ImportError("reverse rules without a forward rule (give jvps=, linear= or "
                          "NO_RULE): " + ", ".join(missing))


def alias(name, *python, nargs=None):
    """Map more Python callables to primitive ``name``: by argument count
    ``nargs``, or by signature binding when None."""
    for obj in python:
        _BY_PYTHON[(obj, nargs)] = name
    changed()


TUPLE_RESULTS: dict = {}   # python callable -> one primitive per element of its result


def tuple_result(python, *names, single=None):
    """``python`` returns a tuple: element k is primitive ``names[k]`` applied to
    the same arguments (each has its own rule; their contributions add up).
    ``single=(keyword, position, value, name)``: called with that argument at that
    value (``svd(x, compute_uv=False)``) it returns primitive ``name`` alone."""
    TUPLE_RESULTS[python] = names
    changed()
    if single is not None:
        TUPLE_SINGLE[python] = single


TUPLE_SINGLE: dict = {}


_CHANGES = [0]     # registrations so far: what ``state`` counts
VERSION = {"rules": 0}     # the same count, where a derivative's guard reads it (cache.py)


def changed():
    """Note a registration (a primitive, an alias, a ``defvjp``, a custom function's new
    rule): every derivative made before it is made again, with the rules as they are."""
    _CHANGES[0] += 1
    VERSION["rules"] = _CHANGES[0]


def state():
    """What lowering reads of the registry, as a key that changes when the registry does:
    the registrations made, and the rule each library function has now (a ``defvjp``
    replaces one; a test may put an old one back)."""
    return _CHANGES[0], tuple(map(id, LIBRARY_RULES.values()))


def python_mappings():
    """Every ``(python callable, nargs or None, primitive name)`` the frontend maps."""
    return [(obj, n, name) for (obj, n), name in _BY_PYTHON.items()]


def lookup_python(obj, nargs):
    """The primitive implementing Python callable ``obj`` with ``nargs`` args
    (``nargs=None``: the one that binds arguments by signature)."""
    try:
        return _BY_PYTHON.get((obj, nargs))
    except TypeError:   # unhashable callables
        return None


def library_rule(obj):
    """The custom_vjp ``pullback.defvjp`` gave library function ``obj``, or None."""
    try:
        return LIBRARY_RULES.get(obj)
    except TypeError:       # unhashable callables have no rule
        return None


def has_python(obj):
    try:
        return any(k[0] is obj for k in _BY_PYTHON)
    except TypeError:
        return False


def partial_reads(prim, positions):
    """(param indices, output?) that the reverse rules at ``positions`` read."""
    names = set()
    for i in positions:
        names |= _rule_names(prim, i)
    return {i for i, p in enumerate(prim.params) if p in names}, "y" in names


_NAMES = {}     # (id(prim), i) -> (prim, names): asked once per assignment of long programs


def _rule_names(prim, i):
    hit = _NAMES.get((id(prim), i))
    if hit is None or hit[0] is not prim:
        node = prim.vjp_ast(i)
        hit = (prim, frozenset(n.id for n in ast.walk(node) if isinstance(n, ast.Name))
               if node is not None else frozenset())
        _NAMES[(id(prim), i)] = hit
    return hit[1]
