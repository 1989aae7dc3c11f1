"""Calls of ``pullback.custom_vjp`` / ``custom_jvp`` functions: the primal call, marked
with the rule (``ir.CustomRule``).

The function and its rule functions are lowered like any user function, each once per
static-argument shape: ``fwd`` for the call's arguments, ``bwd`` for (residuals,
output cotangents), the JVP rule for (primals, tangents).  The transforms pick the
rule up (``transforms/custom_calls.py``); the primal call is what runs when no
derivative flows through it.

Invariants: a rule's results are shaped as JAX asks (``fwd``: (output, residuals);
``bwd``: a tuple with one cotangent per argument; jvp: (output, output tangent), the
output shaped like the function's), else the error names the rule's file:line; a rule
function that is not Python source in the subset is rejected at its own line by the
ordinary lowering.
"""
import types

from ..errors import UnsupportedError
from ..ir import CustomRule
from .bindings import SEQUENCES, FuncB, n_atoms
from .scan import return_shape
from .source import source_of


class CustomCallLowerer:
    def call_custom(self, obj, args, kwargs, node):
        kind = obj.pullback_rule
        rules = (obj.fwd, obj.bwd) if kind == "vjp" else (obj.jvp,)
        if any(r is None for r in rules):
            raise self.error(node, f"a call to the custom_{kind} function '{obj.__name__}' "
                                   f"before its rule is given (call .def{kind})")
        fb = FuncB(source_of(obj.fun), obj.fun)
        return self.call_user(fb, args, kwargs, node,
                              rule=lambda skels, ret: self.custom_rule(obj, skels, ret, node))

    def custom_rule(self, obj, skels, ret, node):
        """The ``CustomRule`` of ``obj`` for arguments shaped ``skels``, output ``ret``."""
        if obj.pullback_rule == "vjp":
            self.expect_output(obj.fwd, skels, ret, None)
            fwd, fret, fsrc = self.rule_function(obj.fwd, skels, node)
            if fret[0] not in SEQUENCES or len(fret) != 3 or fret[1] != ret:
                raise _wrong(fsrc, f"the forward rule of '{obj.__name__}' must return "
                                   "(output, residuals) with the output shaped like the "
                                   "function's")
            bwd, bret, bsrc = self.rule_function(obj.bwd, [fret[2], ret], node)
            if bret[0] not in SEQUENCES or len(bret) != len(skels) + 1 or \
                    n_atoms(bret) != sum(map(n_atoms, skels)):
                raise _wrong(bsrc, f"the backward rule of '{obj.__name__}' must return a tuple "
                                   f"with one cotangent per argument ({len(skels)}), each "
                                   "shaped like its argument")
            return CustomRule("vjp", fwd=fwd, bwd=bwd, residuals=n_atoms(fret[2]),
                              loc=bsrc.loc(bsrc.node), undefined=_atoms_of(
                                  skels, getattr(obj, "undefined", ())))
        both = ("tuple",) + tuple(skels)
        self.expect_output(obj.jvp, [both, both], ret, ret)
        jvp, jret, jsrc = self.rule_function(obj.jvp, [both, both], node)
        if jret[0] not in SEQUENCES or jret[1:] != (ret, ret):
            raise _wrong(jsrc, f"the JVP rule of '{obj.__name__}' must return (output, "
                               "output tangent), both shaped like the function's output")
        return CustomRule("jvp", jvp=jvp, loc=jsrc.loc(jsrc.node),
                          captures=_captured_atoms(skels))

    def expect_output(self, fn, arg_skels, ret, second):
        """A rule that calls its own custom function (``return f(x), res``) is being
        lowered when that call asks for the rule again: its return's first item is the
        function's output ``ret`` (the second: ``second``, or as its syntax says)."""
        if isinstance(fn, types.FunctionType):
            fb = FuncB(source_of(fn), fn)
            guess = return_shape(fb.source.node)
            if guess[0] == "tuple" and len(guess) == 3:
                self.program.expect(fb, arg_skels, ("tuple", ret, second or guess[2]))

    def rule_function(self, fn, arg_skels, node):
        if not isinstance(fn, types.FunctionType):
            raise self.error(node, f"a custom rule that is not a Python function ({fn!r})")
        fb = FuncB(source_of(fn), fn)
        name, ret = self.program.function(fb, arg_skels, node)
        return name, ret, fb.source


def _captured_atoms(skels):
    """(atom index, argument number) of every atom that a function-valued argument
    captures (``bindings.flatten`` order), at any depth of a container."""
    out, k = [], 0

    def visit(skel, arg, inside):
        nonlocal k
        kind = skel[0]
        if kind == "atom":
            if inside:
                out.append((k, arg))
            k += 1
        elif kind in ("tuple", "list", "dict", "record"):
            for sub in skel[{"tuple": 1, "list": 1, "dict": 2, "record": 3}[kind]:]:
                visit(sub, arg, inside)
        elif kind == "func":
            for _, sub in skel[3]:
                visit(sub, arg, True)
    for i, skel in enumerate(skels):
        visit(skel, i, False)
    return tuple(out)


def _atoms_of(skels, args):
    """The atom indices of arguments ``args`` (``bindings.flatten`` order)."""
    starts = [0]
    for skel in skels:
        starts.append(starts[-1] + n_atoms(skel))
    return tuple(k for i in args if i < len(skels) for k in range(starts[i], starts[i + 1]))


def _wrong(src, what):
    return UnsupportedError(what, src.filename, src.node.lineno, src.node.col_offset,
                            "custom rule")


__all__ = ["CustomCallLowerer"]
