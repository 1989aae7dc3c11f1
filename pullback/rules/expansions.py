"""Expansions: a library function declared as Python source in pullback's subset.

    @expands(scipy.stats.norm.logpdf)
    def norm_logpdf(x, loc=0.0, scale=1.0):
        z = (x - loc) / scale
        return -0.5 * z * z - np.log(scale) - 0.9189385332046727

A call of the target in user code is lowered as a call of the expansion
(``frontend/expansions.py``), so its derivative is that of the body: every
primitive in it has its own rule, every mode and backend follows.  This is how
a library function that is Python itself (scipy.stats, scipy.linalg) gets a
derivative without pullback ever reading the library's source.

Invariants: an expansion computes the target's value, to rounding, wherever the
target is defined for the arguments it accepts (keywords the expansion lacks are
rejected at the user's line, never ignored); ``BODIES`` holds every function
written for expansions (targets' bodies and their helpers), which the frontend
lowers as pullback's own source.  Methods are keyed by (type of the instance,
method name), since ``norm.logpdf`` is a new bound method at each access.

Some expansion modules load on demand (``ON_DEMAND``): scipy.stats and
scipy.integrate cost seconds and ~45 MB to import, and an expansion keyed by one
of their objects can only be asked for once the user's code has imported that
module.  So every lookup first loads the rules of each such module now in
``sys.modules``; a lookup never misses because of the order of imports.
"""
import importlib
import sys
import types

ON_DEMAND = {"scipy.stats": "pullback.rules.scipy_stats",      # library module ->
             "scipy.integrate": "pullback.ode",
             "scipy.signal": "pullback.rules.scipy_signal"}  # its rules (with rules.scipy_integrate)
EXPANSIONS: dict = {}     # key (see ``key``) -> the expansion function
BODIES: set = set()       # every function written in the subset for an expansion
_METHODS: dict = {}       # instance type -> names of its methods in EXPANSIONS (per call)
FROZEN: dict = {}         # frozen-distribution type -> (value -> (generator, args, kwds))
# args and kwds are paths ``(attribute, key or None)`` into the frozen value, so that
# the frontend can both read each argument and guard the place it was read from


def key(obj):
    """What ``obj`` is known by: (type, method name) for a method bound to an
    instance (``norm.logpdf``), else the object itself (``scipy.linalg.cholesky``)."""
    owner = getattr(obj, "__self__", None)
    if owner is not None and not isinstance(owner, types.ModuleType) and \
            hasattr(obj, "__func__"):
        return (type(owner), obj.__name__)
    try:
        hash(obj)
    except TypeError:
        return None
    return obj


def expands(*targets):
    """Declare the decorated function as the expansion of each target (none: a
    helper other expansions call)."""
    def deco(fn):
        BODIES.add(fn)
        for t in targets:
            k = key(t)
            EXPANSIONS[k] = fn
            if isinstance(k, tuple):
                _METHODS.setdefault(k[0], set()).add(k[1])
        return fn
    return deco


def load_imported():
    """Load the rules of every ``ON_DEMAND`` library module the process has imported."""
    for module in [m for m in ON_DEMAND if m in sys.modules]:
        importlib.import_module(ON_DEMAND.pop(module))


def lookup(obj):
    """The expansion of callable ``obj``, or None."""
    load_imported()
    k = key(obj)
    try:
        return EXPANSIONS.get(k) if k is not None else None
    except TypeError:
        return None


def is_body(obj):
    """Is ``obj`` a function written for expansions (a helper they call)?"""
    load_imported()
    try:
        return obj in BODIES
    except TypeError:
        return False


def methods_of(obj):
    """Names of the methods of instance ``obj`` that have expansions ([] if none)."""
    load_imported()
    try:
        return sorted(_METHODS.get(type(obj), ()))
    except TypeError:       # a metaclass without a hash
        return []


def frozen(python_type, parts):
    """Instances of ``python_type`` (a frozen distribution) are ``(generator, args,
    kwds)`` as ``parts(value)`` says, each argument a path ``(attribute, key)``:
    ``dist(*args, **kwds).m(x)`` is ``dist.m(x, *args, **kwds)``."""
    FROZEN[python_type] = parts


def frozen_parts(value):
    """(generator, positional paths, keyword paths) of a frozen distribution, or None."""
    load_imported()
    for t, parts in FROZEN.items():
        if isinstance(value, t):
            return parts(value)
    return None


def read_path(value, path):
    attr, key_ = path
    got = getattr(value, attr)
    return got if key_ is None else got[key_]
