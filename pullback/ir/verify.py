"""Structural and type checks of IR modules, between passes and at stage boundaries.

Structure: node kinds are known, atoms are Var/Const, primitives exist (when the caller
passes the primitive table: this module sits below ``rules`` and imports none of it),
called functions exist with matching argument and result counts, ``Return`` appears only
as the last statement of a function body, and every variable read is a parameter or is
written somewhere in the function.

Types (once a module is typed): every variable carries an ``ir.types.Type``; every read
of a variable has the type of its definitions (one type per name in a function: the
frontend versions names, so a name is one variable); each tape holds one element type
(its pushes and pops agree).  ``ANY`` stands for a type known only by use and agrees with
every type.

``checked(stage, module, primitives)`` runs all of it when ``PULLBACK_VERIFY=1`` and is
free otherwise: the drivers call it at each stage boundary.
"""
import os

from .nodes import Assign, Call, Comment, Const, For, If, NewTape, Pop, Push, Return, Var, While
from .types import ANY, Type
from .walk import all_written, atoms_read, blocks, vars_written, walk

_KINDS = (Assign, Call, If, For, While, Return, Push, Pop, NewTape, Comment)
UNTYPED_STAGES = frozenset(("lowered",))    # stages before analysis.types runs


class VerifyError(AssertionError):
    pass


def enabled():
    return os.environ.get("PULLBACK_VERIFY", "") not in ("", "0")


# ops that are not primitives: a copy, and ``w op= v`` marked for the alias analysis
# (frontend/lower.py), which lowers it away before any transform
STRUCTURAL = ("copy", "inplace")


def checked(stage, module, primitives=None):
    """``module``, verified when ``PULLBACK_VERIFY`` is set (types too, past typing);
    an error names the stage."""
    if enabled():
        try:
            verify_module(module, primitives, typed=stage not in UNTYPED_STAGES)
        except VerifyError as e:
            raise VerifyError(f"after {stage}: {e}") from None
    return module


def verify_module(mod, primitives=None, typed=False):
    arity = {f.name: len(f.params) for f in mod.functions}
    results = {f.name: _n_results(f) for f in mod.functions}
    for fn in mod.functions:
        verify_function(fn, arity, primitives, typed, results)
    return mod


def verifier(primitives):
    """A per-pass check (``optimize.pipeline``'s ``verify``) for this primitive table."""
    return lambda fn: verify_function(fn, primitives=primitives, typed=True)


def verify_function(fn, arity=None, primitives=None, typed=False, results=None):
    """Check one function; call arities only when ``arity`` (name -> count) is given,
    result counts when ``results`` is, primitives when ``primitives`` is."""
    defined = {p.name for p in fn.params} | all_written(fn.body)
    _check_block(fn, fn.body, defined, arity, results or {}, primitives, top=True)
    if typed:
        _check_types(fn)
    return fn


def _n_results(fn):
    last = fn.body[-1] if fn.body else None
    return len(last.values) if isinstance(last, Return) else None


def _check_block(fn, body, defined, arity, results, primitives, top):
    for i, s in enumerate(body):
        if not isinstance(s, _KINDS):
            raise VerifyError(f"{fn.name}: unknown statement {s!r}")
        if isinstance(s, Return) and not (top and i == len(body) - 1):
            raise VerifyError(f"{fn.name}: return must end the function body")
        if isinstance(s, Assign):
            if primitives is not None and s.op not in STRUCTURAL and s.op not in primitives:
                raise VerifyError(f"{fn.name}: unknown primitive {s.op!r}")
            if any(not isinstance(a, (Var, Const)) for a in s.args):
                raise VerifyError(f"{fn.name}: non-atomic operand in {s!r}")
        if isinstance(s, Call) and not s.jvp and s.grad is None:
            if arity is not None and arity.get(s.func) != len(s.args):
                raise VerifyError(f"{fn.name}: call to {s.func} with wrong arity")
            n = results.get(s.func)
            if n is not None and n != len(s.targets):
                raise VerifyError(f"{fn.name}: call to {s.func} takes {len(s.targets)} "
                                  f"results of {n}")
        for v in atoms_read(s):
            if v.name not in defined:
                raise VerifyError(f"{fn.name}: {v.name} is read but never written")
        for b in blocks(s):
            _check_block(fn, b, defined, arity, results, primitives, top=False)


def _check_types(fn):
    declared = {}

    def define(v):
        if not isinstance(v.type, Type):
            raise VerifyError(f"{fn.name}: {v.name} has no type ({v.type!r})")
        old = declared.setdefault(v.name, v.type)
        if not _agree(old, v.type):
            raise VerifyError(f"{fn.name}: {v.name} is defined as {old} and as {v.type}")

    for p in fn.params:
        define(p)
    stmts = list(walk(fn.body))
    for s in stmts:
        for v in vars_written(s):
            define(v)
    elems = {}
    for s in stmts:
        for v in atoms_read(s):
            if v.name in declared and not _agree(declared[v.name], v.type):
                raise VerifyError(f"{fn.name}: {v.name} ({declared[v.name]}) read as {v.type}")
        if isinstance(s, (Push, Pop)):
            value = s.value if isinstance(s, Push) else s.target
            t = value.type
            old = elems.setdefault(s.tape.name, t)
            if t is not None and not _agree(old, t):
                raise VerifyError(f"{fn.name}: tape {s.tape.name} holds {old} and {t}")


def _agree(a, b):
    return a == b or a == ANY or b == ANY
