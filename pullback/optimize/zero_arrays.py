"""Zero array adjoints become real arrays where their shape matters.

Reverse mode starts an array's adjoint as the constant ``0.0``, which stands
for a whole array of zeros: elementwise arithmetic broadcasts it, and constant
propagation folds it away wherever it is known.  Where it is not known (a
branch or an early return left the adjoint untouched on one path only), the
``0.0`` may reach an operation that needs the shape — a product's reverse rule,
a reduction, an index, a call — and NumPy raises.  Such adjoints start as
zeros of their static shape instead:

    x_bar = 0.0                        x_bar = np.zeros((3,))
    if not ret:                        if not ret:
        x_bar = x                          x_bar = x
    g = dot_vjp_a(x_bar, a, b)    ->   g = dot_vjp_a(x_bar, a, b)

Executed:

    >>> from pullback.ir import Assign, Const, For, Function, If, Return, Var
    >>> from pullback.ir.printer import format_function
    >>> from pullback.ir.types import Array
    >>> x, x_bar, ret = Var("x", Array("float64", (3,))), Var("x_bar", Array("float64", (3,))), Var("ret", "bool")
    >>> fn = Function("f", (x, ret), (Assign(x_bar, "copy", (Const(0.0),)),
    ...     If(ret, (), (Assign(x_bar, "copy", (x,)),)),
    ...     Assign(Var("s", "float"), "sum", (x_bar, Const(None), Const(False))),
    ...     Return((Var("s", "float"),))))
    >>> print(format_function(materialize_zero_arrays(fn)))
    def f(x, ret):
      x_bar = zeros((3,), None)
      if ret:
        pass
      else:
        x_bar = copy(x)
      s = sum(x_bar, None, False)
      return s

A variable needs its shape if an operation other than an elementwise one (or
a call, or a return) reads it, or if an elementwise operation computing such a variable
reads it.  Only generated assignments of a constant to an array variable
change: to zeros of its static shape, or, when the shape is not static (an
array made from a list), ``zeros_like`` of its primal assigned earlier at
the top of the function.
"""
from dataclasses import replace

from ..ir import Assign, Call, Const, Module, Return, Var, derived, dtype_arg
from ..ir.types import is_array
from ..ir.names import name_allocator
from ..ir.walk import blocks, map_blocks, vars_written, walk
from ..rules import PRIMITIVES
from .inplace_adjoints import owned_accumulations

ELEMENTWISE_OK = ("copy",)


def materialize_zero_arrays(fn):
    # (generated assignments only: the user's own ``y = 0.0`` keeps its Python meaning)
    consts = {s.target.name for s in walk(fn.body) if isinstance(s, Assign) and s.op == "copy"
              and isinstance(s.args[0], Const) and is_array(s.target.type) and derived(s)}
    if not consts:
        return fn
    needs = _needs_shape(fn)
    todo = consts & needs
    if not todo:
        return fn
    primals = _primals_before(fn)

    def stmt(s, k=None):
        """``k``: the index of a top-level statement (a nested one has no primal to copy)."""
        if isinstance(s, Assign) and s.target.name in todo and s.op == "copy" and \
                isinstance(s.args[0], Const) and derived(s):
            primal, at = primals.get(s.target.name, (None, None))
            return _zeros(s, primal if k is not None and at is not None and at < k else None)
        return map_blocks(s, lambda b: tuple(map(stmt, b)))
    return replace(fn, body=tuple(stmt(s, k) for k, s in enumerate(fn.body)))


def _zeros(s, primal):
    """``x_bar = 0.0`` as an array: of its static shape, or like its primal ``x``."""
    t = s.target.type
    dtype = dtype_arg(t)
    if _sized(t):
        if s.args[0].value == 0:
            return Assign(s.target, "zeros", (Const(t.shape), dtype), s.loc)
        return Assign(s.target, "full", (Const(t.shape), s.args[0], dtype), s.loc)
    if t.static or primal is None or s.args[0].value != 0:
        return s            # one element, or no array of its shape to copy it from
    return Assign(s.target, "zeros_like", (primal, Const(None)), s.loc)


def _primals_before(fn):
    """Adjoint name -> (its primal array, index of the top-level statement that assigns
    it last): ``x_bar``'s zeros can take ``x``'s shape after that statement."""
    out = {}
    for p in fn.params:
        if is_array(p.type):
            out[p.name + "_bar"] = (p, -1)
    for k, s in enumerate(fn.body):
        for v in vars_written(s) if isinstance(s, (Assign, Call)) else ():
            if is_array(v.type):        # (a call's results too: np.array(L) in a helper)
                out[v.name + "_bar"] = (v, k)
    return out


def _sized(t):
    return is_array(t) and t.static and any(d != 1 for d in t.shape)


def _needs_shape(fn):
    """Array variables whose value must have its shape at run time."""
    needs = set()
    elementwise = []
    owned = owned_accumulations(fn)     # b[idx] += g into a buffer: b is never 0.0 there
    for s in walk(fn.body):
        if id(s) in owned:
            continue
        if isinstance(s, (Call, Return)):     # (a rev's adjoint of an array parameter: the
            # caller may index it, e.g. in the reverse of its own writes to that array)
            values = s.args if isinstance(s, Call) else s.values
            needs |= {a.name for a in values if isinstance(a, Var) and is_array(a.type)}
        elif isinstance(s, Assign) and s.op not in ELEMENTWISE_OK:
            prim = PRIMITIVES.get(s.op)
            arrays = {a.name for a in s.args if isinstance(a, Var) and is_array(a.type)}
            if prim is not None and prim.partials is not None:
                elementwise.append((s.target.name, arrays))
            else:
                needs |= arrays
        elif isinstance(s, Assign):
            elementwise.append((s.target.name, {a.name for a in s.args if isinstance(a, Var)}))
    changed = True
    while changed:
        changed = False
        for target, arrays in elementwise:
            if target in needs and not arrays <= needs:
                needs |= arrays
                changed = True
    return needs


def zero_array_arguments(module):
    """A call passing the constant 0.0 for an array parameter (the cotangent of a
    result the caller never used) passes zeros of its shape: the callee's reverse
    rules need it (``materialize_zero_arrays`` does the same within a function)."""
    params = {f.name: f.params for f in module.functions}

    def block(body, fresh):
        out = []
        for s in body:
            if isinstance(s, Call) and s.func in params:
                args = list(s.args)
                for k, (a, p) in enumerate(zip(s.args, params[s.func])):
                    if isinstance(a, Const) and a.value == 0 and not isinstance(a.value, bool) \
                            and is_array(p.type) and p.type.static:
                        z = Var(fresh(p.name + "_zero"), p.type)
                        out.append(Assign(z, "zeros", (Const(p.type.shape), dtype_arg(p.type))))
                        args[k] = z
                s = replace(s, args=tuple(args))
            elif blocks(s):
                s = map_blocks(s, lambda b: block(b, fresh))
            out.append(s)
        return tuple(out)

    functions = []
    for fn in module.functions:
        fresh = name_allocator({v.name for st in walk(fn.body) for v in vars_written(st)}
                               | {p.name for p in fn.params})
        functions.append(replace(fn, body=block(fn.body, fresh)))
    return Module(tuple(functions), module.result)


__all__ = ["materialize_zero_arrays", "zero_array_arguments", "dtype_arg"]
