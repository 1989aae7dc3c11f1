"""``pullback.grad(g)(x)`` inside differentiated code: one ``jvp`` call per direction.

The frontend lowers ``pullback.grad(g, argnums)(args)`` (and ``value_and_grad``, and a
``grad`` object made outside and called inside) to a ``Call`` marked ``grad``.  Once
types are known, this pass replaces it by calls marked ``jvp`` (``transforms.jvp_calls``
then makes them calls of ``g``'s tangent function), one per element of the
differentiated arguments, each seeded with that element's unit tangent:

    gx = call grad g(x, c)          x: float          ->  v, gx = call jvp g(x, c, 1.0, 0.0)
    gx = call grad g(x, c)          x: float64[2]     ->  gx = zeros((2,))
                                                          e = zeros((2,)); e = setitem(e, 0, 1.0)
                                                          v, t = call jvp g(x, c, e, 0.0)
                                                          gx = setitem(gx, 0, t)   ... (element 1)

Why forward mode: the inner gradient must itself be differentiable by whatever layer
comes next (the outer ``grad`` is reverse mode), and reverse mode does not take
generated reverse code (its tapes) as input, while tangent code has no tapes; so the
inner derivative is forward mode, column by column, and the outer one any mode
(reverse over forward, forward over forward).  It costs one forward sweep per element
of the differentiated arguments: at most ``MAX_ELEMENTS`` of them, else the call is
rejected at its line.  Values ``g`` captures from the enclosing function are
parameters without tangents: the inner ``grad`` does not differentiate them, the outer
derivative does (``grad(lambda x: x * grad(lambda y: x * y)(2.0))(x)`` is ``2 x``).

Invariants of the output: no ``Call`` is marked ``grad``; the statements added are
``zeros``, ``setitem`` and ``copy`` on fresh variables, and ``jvp`` calls.
"""
from dataclasses import replace

import numpy as np

from ..errors import UnsupportedError
from ..ir import Assign, Call, Const, Module, Var, dtype_arg
from ..ir.names import Names
from ..ir.types import Array, FLOAT, is_differentiable, is_list
from ..ir.walk import all_read, all_written, blocks, map_blocks, walk

MAX_ELEMENTS = 256      # forward sweeps one inner gradient may take


def has_grad_calls(module):
    return any(isinstance(s, Call) and s.grad is not None
               for f in module.functions for s in walk(f.body))


def expand_grad_calls(module):
    """``module`` with every ``grad`` call replaced by ``jvp`` calls (module docstring)."""
    return Module(tuple(_expand(fn, module) for fn in module.functions), module.result)


def _expand(fn, module):
    names = Names({p.name for p in fn.params} | all_written(fn.body) | all_read(fn.body))

    def var(base, t):
        return Var(names.fresh(base), t)

    def block(body):
        out = []
        for s in body:
            if isinstance(s, Call) and s.grad is not None:
                out += _directions(s, module.get(s.func), var)
            elif blocks(s):
                out.append(map_blocks(s, block))
            else:
                out.append(s)
        return tuple(out)

    return replace(fn, body=block(fn.body))


def _directions(s, callee, var):
    """The statements replacing grad call ``s`` of ``callee``."""
    spec, loc = s.grad, s.loc
    result = callee.body[-1].values[0].type
    rshape = _shape(result)
    if rshape is None or (rshape and None in rshape):
        raise UnsupportedError.at(loc, "pullback.jacobian inside differentiated code of a "
                                       "function whose result's shape is not known when "
                                       "compiling", "jacobian of an unsized array")
    if not spec.jac and rshape != ():
        raise UnsupportedError.at(loc, "pullback.grad of a function that returns an array "
                                       f"of shape {result.shape} (use jacobian)",
                                  "grad of an array")
    primals = s.args[:spec.primals]
    for i in spec.wrt:
        t = s.args[i].type
        if is_list(t) or not is_differentiable(t):
            raise UnsupportedError.at(loc, f"pullback.grad with respect to a value of type {t} "
                                           "inside differentiated code (pass a float or a "
                                           "float array)", "grad of a non-float")
        if isinstance(t, Array) and (t.shape is None or None in t.shape):
            raise UnsupportedError.at(loc, "pullback.grad inside differentiated code with "
                                           "respect to an array whose shape is not known "
                                           "when compiling", "grad of an unsized array")
    sizes = [int(np.prod(_shape(s.args[i].type))) for i in spec.wrt]
    if sum(sizes) > MAX_ELEMENTS:
        raise UnsupportedError.at(loc, f"pullback.grad inside differentiated code with respect "
                                       f"to {sum(sizes)} elements: each is one forward sweep "
                                       f"(at most {MAX_ELEMENTS}); use pullback.jvp or hvp "
                                       "there", "grad of a large array inside")
    out, zero = [], {}

    def zeros(shape, base):
        v = var(base, Array("float64", shape))
        out.append(Assign(v, "zeros", (Const(shape), dtype_arg(v.type)), loc))
        return v

    def tangent(j, seed):
        """The tangent of primal leaf ``j``: zero, or the unit tangent ``seed``."""
        t = primals[j].type
        if is_list(t) or not is_differentiable(t):
            return Const(0)
        shape = _shape(t)
        if seed is None:
            if shape == ():
                return Const(0.0)
            if shape not in zero:
                zero[shape] = zeros(shape, "zero")
            return zero[shape]
        if shape == ():
            return Const(1.0)
        e = zeros(shape, "seed")
        out.append(Assign(e, "setitem", (e, Const(_index(seed)), Const(1.0)), loc))
        return e

    nv = 1 if spec.with_value else 0
    value_taken = False
    for n, i in enumerate(spec.wrt):
        target = s.targets[nv + n]
        shape = _shape(s.args[i].type)
        if shape != ():     # (a jacobian's block: output axes, then the argument's)
            out.append(Assign(target, "zeros", (Const(rshape + shape),
                                                dtype_arg(target.type)), loc))
        for k in (np.ndindex(shape) if shape != () else [()]):
            dots = tuple(tangent(j, k if j == i else None) for j in range(len(primals)))
            value = s.targets[0] if nv and not value_taken else var("t", result)
            value_taken = True
            dot = target if shape == () else var("t", Array("float64", rshape) if rshape
                                                 else FLOAT)
            out.append(Call((value, dot), s.func, s.args + dots, loc, jvp=True))
            if shape != ():
                at = (slice(None),) * len(rshape) + tuple(k)
                out.append(Assign(target, "setitem", (target, Const(_index(at)), dot), loc))
    if nv and not value_taken:           # no element to differentiate: the value alone
        out.append(Call((s.targets[0],), s.func, s.args, loc))
    return out


def _shape(t):
    return t.shape if isinstance(t, Array) else ()


def _index(k):
    return k[0] if len(k) == 1 else tuple(k)


__all__ = ["expand_grad_calls", "has_grad_calls", "MAX_ELEMENTS"]
