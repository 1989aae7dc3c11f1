"""Structural checks run between passes in tests.

Checks: node kinds are known, atoms are Var/Const, primitives exist, called
functions exist with matching arity, ``Return`` appears only as the last
statement of a function body, and every variable read is a parameter or is
written somewhere in the function.
"""
from .nodes import Assign, Call, Comment, Const, For, If, NewTape, Pop, Push, Return, Var, While
from .walk import all_written, atoms_read, blocks

_KINDS = (Assign, Call, If, For, While, Return, Push, Pop, NewTape, Comment)


class VerifyError(AssertionError):
    pass


def verify_module(mod):
    arity = {f.name: len(f.params) for f in mod.functions}
    for fn in mod.functions:
        verify_function(fn, arity)
    return mod


def verify_function(fn, arity=None):
    """Check one function; call arities only when ``arity`` (name -> count) is given."""
    from ..rules import registry
    defined = {p.name for p in fn.params} | all_written(fn.body)
    _check_block(fn, fn.body, defined, arity, registry, top=True)
    return fn


def _check_block(fn, body, defined, arity, registry, top):
    for i, s in enumerate(body):
        if not isinstance(s, _KINDS):
            raise VerifyError(f"{fn.name}: unknown statement {s!r}")
        if isinstance(s, Return) and not (top and i == len(body) - 1):
            raise VerifyError(f"{fn.name}: return must end the function body")
        if isinstance(s, Assign):
            if s.op != "copy" and s.op not in registry.PRIMITIVES:
                raise VerifyError(f"{fn.name}: unknown primitive {s.op!r}")
            if any(not isinstance(a, (Var, Const)) for a in s.args):
                raise VerifyError(f"{fn.name}: non-atomic operand in {s!r}")
        if isinstance(s, Call) and arity is not None and arity.get(s.func) != len(s.args):
            raise VerifyError(f"{fn.name}: call to {s.func} with wrong arity")
        for v in atoms_read(s):
            if v.name not in defined:
                raise VerifyError(f"{fn.name}: {v.name} is read but never written")
        for b in blocks(s):
            _check_block(fn, b, defined, arity, registry, top=False)
