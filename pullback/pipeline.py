"""The pipeline: every derivative pullback makes, for every entry point and backend.

``derive`` is the whole middle end on one screen; ``build`` adds the backend.
grad, value_and_grad, vjp, jvp, jacobian, hessian, hvp, the CLI and emit_c all
come through ``derive`` (a test proves it), so no entry point or backend can
skip a stage, the alias checks included.

A derivative is a stack of layers over the user's (optimised) function: a
``Reverse`` layer (grad, vjp) or ``Primal`` (the function itself), then any number
of ``Forward`` layers (jvp, forward Jacobians, Hessians as forward over reverse).
Each layer's transform returns new, unoptimised functions (``ir.Transformed``);
``finish`` runs the layer's pass lists (``optimize/pipeline.py``), prunes split
pairs' residuals and links the callees still called.

Invariants: transforms never call the optimiser and a backend receives a finished
module that it only prints and loads; with ``PULLBACK_VERIFY=1`` the IR is
verified after every stage and every optimisation pass.
"""
import textwrap
import time
from dataclasses import dataclass

import numpy as np

from .analysis.alias import prepare_module
from .analysis.types import infer_types
from .analysis.static_joins import check_static_joins, drop_dead_static_stores
from .backends import loader
from .backends.progress import slow
from .backends.escape import py_comment
from .backends.extern_names import distinct_externs
from .backends.python_static import FOREIGN, LIKE
from .cache import lookup
from .frontend import lower_program
from .frontend.source import called_method, partial_entry
from .ir import Transformed
from .ir.types import is_array
from .ir import verify
from .optimize.constants import propagate_constants
from .optimize.inplace_adjoints import fresh_results
from .optimize.inline import inline_calls
from .optimize.pipeline import PASSES, PRIMAL_PASSES, REVERSE, TANGENT, Schedule, finish, optimized
from .rules import PRIMITIVES
from .transforms.list_indices import absolute_list_indices
from .transforms.tangent_module import tangent_module
from .analysis.activity import COMPLEX
from .transforms.gradient import gradient_module
from .transforms.grad_calls import expand_grad_calls, has_grad_calls
from .transforms.jvp_calls import expand_jvp_calls, has_jvp_calls
from .typed_cache import primal, reused


def derive(f, types, skels, layers, require=None):
    """``(typed, derivative)`` IR modules of ``f`` for leaf ``types`` and argument
    structures ``skels``, with ``layers`` (``Primal``/``Reverse``/``Forward``) applied;
    ``require(typed)`` checks what a backend needs (C: static shapes) before them."""
    typed = module = reused(f, types, skels, lambda: typed_module(f, types, skels))
    if require is not None:
        require(typed)
    if layers:                                 # what folds is neither taped nor differentiated
        if any(getattr(la, "checkpoint", None) for la in layers):   # calls are its unit
            module = checked("primal", optimized(typed, PRIMAL_PASSES, _each_pass()))
        else:                                  # small elementwise callees: their statements
            module = primal(f, typed, lambda: checked("primal", optimized(
                inline_calls(typed), PRIMAL_PASSES, _each_pass())))
    for layer in layers:                       # reverse or forward, composable
        made = layer.transform(module, typed, f)                # new functions, unoptimised
        module = checked(layer.stage, finish(made, layer.schedule, _each_pass()))  # passes
    return typed, module                       # (a backend prints and loads the second)


def typed_module(f, types, skels):
    """The typed IR of ``f``: what every derivative of it starts from (``typed_cache``
    reuses it between derivatives of one function)."""
    module = checked("lowered", lower_program(f, skels or len(types)))   # source -> IR
    module = drop_dead_static_stores(module)          # `y = None` overwritten on every path
    module = checked("typed", infer_types(module, list(types), propagate_constants))
    check_static_joins(module)                  # None on one path, a number on another
    if has_grad_calls(module):                  # pullback.grad(g)(x) in user code: jvp calls
        module = expand_grad_calls(module)
        module = checked("grad calls", infer_types(module, list(types), propagate_constants))
    if has_jvp_calls(module):                                   # pullback.jvp in user code
        module = expand_jvp_calls(module, tangents)             # (a finished tangent module)
        module = checked("jvp calls", infer_types(module, list(types), propagate_constants))
    module = checked("list indices", absolute_list_indices(module))    # L[-1] as it runs
    return checked("arrays", prepare_arrays(module))            # aliasing: reject or copy


def value_functions(typed):
    """``typed``'s functions optimised to compute the value alone: emit_c prints them
    beside the gradient (the gradient's forward sweep is not a value function)."""
    return list(optimized(typed, PASSES, _each_pass()).functions)


def tangents(module, mask):
    """The finished tangent module of ``module``'s entry w.r.t. ``mask`` (one direction):
    what a ``pullback.jvp`` call in the user's code calls (an outer layer, reverse mode
    too, differentiates it again: custom_vjp tangents by ``rows``)."""
    return finish(tangent_module(module, mask, 1, transposed, rows=True), TANGENT)


def transposed(module, mask):
    """The finished split reverse derivative of ``module``'s entry w.r.t. ``mask``: a
    custom rule's ``bwd`` transposed for forward mode."""
    return finish(gradient_module(optimized(module, PRIMAL_PASSES), mask, split=True), REVERSE)


def build(f, types, skels, layers, backend="python", like=None):
    """The loaded derivative (``Compiled``) on ``backend`` (see ``backends.BACKENDS``).
    ``like``: another library's array (Dask, CuPy) among the arguments; the module is
    printed for that library (``python_static.FOREIGN``) and makes its arrays like it."""
    load = loader(backend)          # an unknown backend fails before any work
    f = called_method(f) or partial_entry(f)     # a callable object (grad(Loss(t))): its
    #                                             __call__; a functools.partial: a call of it
    if like is not None:
        if backend != "python":
            raise TypeError(f"the {backend} backend runs on NumPy arrays; Dask and CuPy "
                            "arrays run through backend='python' (or see pullback.distributed)")
        token = FOREIGN.set(True)
        try:
            comp = build(f, types, skels, layers, backend)
        finally:
            FOREIGN.reset(token)
        # np.zeros(shape, like=...) (NEP 35) needs only the array's type: keep an empty one
        comp.namespace[LIKE] = np.empty_like(like, shape=(0,))
        return comp
    start = time.perf_counter()
    with slow(f"deriving {getattr(f, '__qualname__', 'f')} "
              f"({', '.join(la.stage for la in layers)})"):
        token = COMPLEX.set(backend == "python")   # complex derivatives: Python only
        try:
            typed, module = derive(f, types, skels, layers)
        finally:
            COMPLEX.reset(token)
    module, printed = distinct_externs(module)     # a global array never named as a local
    outputs = tuple(getattr(v, "type", "float") for v in typed.functions[0].body[-1].values)
    text = header(f, typed, layers, backend)
    value = not isinstance(layers[0], Reverse) or layers[0].keeps_value(typed, f)
    comp = load(module, text, types=types, outputs=outputs, result=typed.result,
                with_value=value, start=start)
    comp.fresh = fresh_results(module.functions[0])    # results handed out uncopied
    comp.extern_names = printed                        # the guards rebind under these
    return comp


_CACHE = {}


def cached(key, make, backend="python"):
    """The specialisation of ``key`` (the function, its layers, argument types, backend)
    whose guards hold (``cache.lookup``), else ``make()``'s.  Numba freezes global arrays
    into its machine code, so there they are guarded by value."""
    return lookup(_CACHE, key, make, by_value=backend == "numba")


def lower_typed(f, types, skels=None):
    """The typed IR of ``f`` that derivative layers start from."""
    return derive(f, types, skels, ())[0]


def prepare_arrays(module):
    """Unsafe writes are rejected (on the aliases as written); then shares next to
    writes become copies (``analysis/alias.py``)."""
    return prepare_module(module)


def checked(stage, module):
    """``module``, verified after ``stage`` when ``PULLBACK_VERIFY`` is set (CI sets it)."""
    return verify.checked(stage, module, PRIMITIVES)


def _each_pass():
    """The check transforms run after every optimisation pass, or None."""
    return verify.verifier(PRIMITIVES) if verify.enabled() else None


# -- layers ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Primal:
    """The user's module itself, optimised (the base of forward layers over ``f``)."""
    stage = "primal"
    schedule = Schedule(())

    def transform(self, module, typed, f):
        return Transformed(module.functions, module, (), module.result)

    def describe(self, module):
        return None


@dataclass(frozen=True)
class Reverse:
    """Reverse mode w.r.t. the leaves in ``mask``: ``f_grad`` (value first unless
    ``value`` is false: then ``f`` must return one scalar), or ``f_fwd``/``f_rev``."""
    mask: tuple
    split: bool = False
    value: bool = True
    checkpoint: object = None     # snapshots per checkpointed loop, ("auto", bytes) or None
    aux: bool = False             # has_aux: f returns (output, aux); only output is seeded
    stage = "reverse"
    schedule = REVERSE

    def transform(self, module, typed, f):
        return gradient_module(module, self.mask, self.split, self.keeps_value(typed, f),
                               self.checkpoint, self.seeded(typed, f))

    def seeded(self, typed, f):
        """With ``aux``: the number of output atoms differentiated (the first element)."""
        if not self.aux:
            return None
        skel = typed.result
        if skel[0] not in ("tuple", "list") or len(skel) != 3 or skel[1] != ("atom",):
            raise TypeError(f"has_aux requires {getattr(f, '__name__', 'f')} to return a "
                            "pair (scalar output, auxiliary data)")
        return 1

    def keeps_value(self, typed, f):
        if self.value or self.aux:
            return True
        outs = typed.functions[0].body[-1].values
        t = getattr(outs[0], "type", "float") if len(outs) == 1 else None
        if is_array(t) and (t.shape is None or None in t.shape):
            return True       # an array of unknown shape: the caller checks the value's size
        if not (t in ("float", "int", "bool") or is_array(t) and int(np.prod(t.shape)) == 1):
            what = "several values" if len(outs) != 1 else f"a {t}"
            raise TypeError(f"grad requires {getattr(f, '__name__', 'f')} to return a scalar "
                            f"(or an array of one element), not {what}; use vjp")
        return False

    def describe(self, module):
        names = [p.name for p, m in zip(module.functions[0].params, self.mask) if m]
        text = f"# Reverse mode with respect to: {', '.join(names)}."
        if isinstance(self.checkpoint, tuple):
            text += f"\n# Checkpointing: auto, {self.checkpoint[1]} bytes of snapshots per " \
                    "top-level loop of f and of the functions it calls at its top level " \
                    "(binomial schedule; each loop's comment gives its state and cost)."
        elif self.checkpoint is not None:
            text += f"\n# Checkpointing: {self.checkpoint} snapshots per top-level loop of f " \
                    "and of the functions it calls at its top level (binomial schedule; each " \
                    "loop's comment gives its state and cost)."
        return text


@dataclass(frozen=True)
class Forward:
    """Forward mode w.r.t. the leaves in ``mask`` (further parameters of generated code,
    such as an inner layer's tangents, are not seeded), ``directions`` per sweep."""
    mask: tuple
    directions: int = 1
    stage = "tangent"
    schedule = TANGENT

    def transform(self, module, typed, f):
        pad = (False,) * (len(module.functions[0].params) - len(self.mask))
        return tangent_module(module, self.mask + pad, self.directions, transposed)

    def describe(self, module):
        names = [p.name for p, m in zip(module.functions[0].params, self.mask) if m]
        k = self.directions
        return f"# Forward mode ({k} direction{'s' * (k != 1)} per sweep) with respect to: " \
               f"{', '.join(names)}."


def header(f, typed, layers, backend):
    """The generated module's comment header; user text in it is escaped, so a file or
    function name cannot end the comment."""
    code = f.__code__
    lines = [f"# Generated by pullback from {py_comment(getattr(f, '__qualname__', 'f'))} "
             f"({py_comment(code.co_filename)}:{code.co_firstlineno})."]
    params = typed.functions[0].params if typed is not None else ()
    if params:      # in the spelling the CLI's --args reads back
        lines.append("# Specialised to: " + ", ".join(f"{p.name}: {spelling(p.type)}"
                                                      for p in params) + ".")
    lines += [d for d in (la.describe(typed) for la in layers) if d]
    if backend != "python":
        lines.append(f"# {backend.capitalize()} backend.")
    if FOREIGN.get():
        lines.append(f"# For Dask/CuPy arrays: arrays made here are like={LIKE} (an empty one).")
    return "\n".join(lines)


NOT_CALLED = ("every parameter is a float, as the derivative was not called yet (call it "
              "once to see the code for your arguments' types)")


def spelling(t):
    """Type ``t`` as ``--args`` reads it: ``float``, ``int``, ``float64[3, 4]``."""
    if is_array(t) and t.shape is not None:
        return f"{t.dtype}[{', '.join('?' if d is None else str(d) for d in t.shape)}]"
    return str(t)


def assumed(text, what):
    """``text`` (a generated module) with a header line saying which types were assumed
    (``what``: "every parameter a float, as nothing was called yet")."""
    lines = text.split("\n")
    k = next(i for i, line in enumerate(lines) if not line.startswith("#"))
    note = textwrap.wrap(f"Assumed: {what}.", 86)
    return "\n".join(lines[:k] + ["# " + line for line in note] + lines[k:])


__all__ = ["Forward", "NOT_CALLED", "Primal", "Reverse", "assumed", "spelling", "build", "cached", "checked", "derive",
           "header",
           "lower_typed", "prepare_arrays"]
