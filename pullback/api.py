"""The public API, JAX-compatible: grad, value_and_grad, vjp, source, check_grad.

Derivatives are compiled on first call and cached per (function, argnums,
argument types).  Arguments are Python or NumPy scalars; differentiated ints
are treated as floats.
"""
import copy
import inspect
import numbers

import numpy as np

from . import pytree
from .cache import lookup
from .compile import compile_reverse
from .ir.types import Array, is_array, is_differentiable
from .errors import TransformError, UnsupportedError

_CACHE = {}
BACKENDS = ("python", "numba")


def _compile(f, types, mask, split=False, backend="python", skels=None, value=True):
    """The compiled derivative; ``value=False`` asks for the gradients only (the python
    backend then drops the work that only the value needs; Numba returns it anyway)."""
    if backend == "numba":
        if skels is not None and any(s != ("atom",) for s in skels):
            raise TypeError("backend='numba' takes scalar and array arguments, not containers")
        from .backends.numba_build import compile_reverse_numba
        comp = compile_reverse_numba(f, types, mask, split=split)
        comp.with_value = True
        return comp
    if backend != "python":
        raise ValueError(f"unknown backend {backend!r}; choose one of {BACKENDS}")
    return compile_reverse(f, types, mask, split=split, skels=skels, value=value)


def _value_and_grads(comp, out):
    """(value or None, gradients) from what a compiled entry returned."""
    if comp.with_value:
        return out[0], out[1:]
    return None, out if isinstance(out, tuple) else () if out is None else (out,)


def _regroup(grads, trees, leaves, owner, nums):
    """Leaf gradients (in leaf order, differentiated leaves only) -> one tree per argnum."""
    it = iter(grads)
    per_leaf = [_as_grad(next(it), leaf) if i in nums else None
                for leaf, i in zip(leaves, owner)]
    return tuple(pytree.unflatten(trees[i], [g for g, o in zip(per_leaf, owner) if o == i])
                 for i in nums)


def _leaves(args):
    """Flatten container arguments: (trees, leaves, owner argument of each leaf)."""
    trees, leaves, owner = [], [], []
    for i, a in enumerate(args):
        t, ls = pytree.flatten(a)
        trees.append(t)
        leaves += ls
        owner += [i] * len(ls)
    return trees, leaves, owner


def _arg_type(x, i):
    if isinstance(x, (bool, np.bool_)):
        return "bool"
    if isinstance(x, numbers.Integral):
        return "int"
    if isinstance(x, numbers.Real):
        return "float"
    if isinstance(x, np.ndarray):
        return Array(x.dtype.name, tuple(x.shape))
    raise TypeError(f"argument {i} has type {type(x).__name__}: pullback differentiates "
                    "functions of floats, ints and NumPy arrays")


def _as_float(x, t):
    """A differentiated argument as the float type it is differentiated in."""
    if isinstance(t, Array):
        return x if np.dtype(t.dtype).kind == "f" else x.astype(np.float64)
    return float(x)


def _float_type(t):
    if isinstance(t, Array):
        return t if np.dtype(t.dtype).kind == "f" else Array("float64", t.shape)
    return "float"


def _as_grad(g, arg):
    """A gradient in the shape and float type of its argument."""
    if isinstance(arg, np.ndarray):
        dtype = arg.dtype if arg.dtype.kind == "f" else np.float64
        return np.broadcast_to(np.asarray(g, dtype=dtype), arg.shape).copy()
    return float(g)


def _as_value(v):
    return float(v) if isinstance(v, (float, np.floating)) or (
        isinstance(v, np.ndarray) and v.ndim == 0) else v


def _bind(f, args, kwargs, upto=0):
    """The arguments given, in parameter order.  A defaulted parameter before the last
    one given (or before index ``upto``, an argnum) is passed its default; the later ones
    the lowering reads from ``f.__defaults__`` itself, guarded (``frontend.guards``)."""
    sig = inspect.signature(f)
    bound = sig.bind(*args, **kwargs)
    params = list(sig.parameters.values())
    bound.apply_defaults()
    if any(p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in params):
        return list(bound.args) + list(bound.kwargs.values())
    given = sig.bind(*args, **kwargs).arguments
    last = max([i for i, p in enumerate(params) if p.name in given] + [upto - 1])
    return [bound.arguments[p.name] for p in params[:last + 1]]


def _upto(argnums):
    nums = (argnums,) if isinstance(argnums, int) else tuple(argnums)
    return max((n + 1 for n in nums if n >= 0), default=0)


def _argnums(argnums, nargs):
    nums = (argnums,) if isinstance(argnums, int) else tuple(argnums)
    for n in nums:
        if not -nargs <= n < nargs:
            raise ValueError(f"argnums {n} is out of range for a function of {nargs} arguments")
    return tuple(n % nargs for n in nums)


class SourceText(str):
    """Generated source; shown highlighted in IPython/Jupyter."""

    def _repr_markdown_(self):
        return f"```python\n{self}\n```"

    def __repr__(self):
        return str(self)


class Derivative:
    """The callable returned by ``grad`` and ``value_and_grad``."""

    def __init__(self, f, argnums, with_value, backend="python"):
        if not callable(f):
            raise TypeError(f"{f!r} is not callable")
        if getattr(f, "__code__", None) is None:     # before its signature misleads us
            raise UnsupportedError(f"cannot differentiate {f!r}: it has no Python source (a "
                                   "builtin or C extension; wrap it in a def)",
                                   construct="no source")
        if backend not in BACKENDS:
            raise ValueError(f"unknown backend {backend!r}; choose one of {BACKENDS}")
        self.f = f
        self.backend = backend
        self.argnums = argnums
        self.with_value = with_value
        self.last = None
        self._scalar_calls = {}     # argument types -> (entry, nums, defaults): the fast path
        self.__name__ = f"{getattr(f, '__name__', 'f')}_grad"
        self.__doc__ = f"Gradient of {getattr(f, '__qualname__', f)} (generated by pullback)."

    def compiled(self, args):
        nums = _argnums(self.argnums, len(args))
        trees, leaves, owner = _leaves(args)
        types = []
        for a, i in zip(leaves, owner):
            t = _arg_type(a, i)
            if i in nums and (t == "bool" or getattr(t, "dtype", None) == "bool"):
                raise TypeError(f"cannot differentiate with respect to argument {i}: it is a bool")
            types.append(_float_type(t) if i in nums else t)
        mask = tuple(i in nums for i in owner)
        skels = [pytree.skeleton(t) for t in trees]
        # grad of array code skips the work only the value needs (as JAX's grad does; NumPy
        # does not raise on domains); on scalars the value's domain errors stay (edges.md)
        value = self.with_value or not any(is_array(t) for t in types)
        key = (self.f, mask, tuple(types), self.backend, tuple(skels), value)
        self.last = lookup(_CACHE, key, lambda: _compile(
            self.f, types, mask, backend=self.backend, skels=skels, value=value),
            by_value=self.backend == "numba")
        if self.last.n_out != 1:
            raise TypeError(f"grad requires {self.f.__name__} to return a scalar; "
                            "use vjp for several outputs")
        return self.last, nums

    def __call__(self, *args, **kwargs):
        hit = None if kwargs else self._scalar_calls.get(tuple(map(type, args)))
        # scalars seen before: skip binding, typing and the cache lookup while the guards
        # (globals, closure cells, defaults the derivative was specialised to) hold
        if hit is not None and (not hit[0].guards.checks or hit[0].guards.hold()):
            comp, nums = hit
            value, grads = _value_and_grads(comp, comp[comp.entry](
                *[float(a) if i in nums else a for i, a in enumerate(args)]))
            grads = tuple(float(g) for g in grads)
            g = grads[0] if isinstance(self.argnums, int) else grads
            return (float(value), g) if self.with_value else g
        if not kwargs and all(type(a) in (float, int) for a in args):
            full = _bind(self.f, args, kwargs, _upto(self.argnums))
            if len(full) == len(args):
                self._scalar_calls[tuple(map(type, args))] = self.compiled(full)
        args = _bind(self.f, args, kwargs, _upto(self.argnums))
        comp, nums = self.compiled(args)
        trees, leaves, owner = _leaves(args)
        leaves = [_as_float(a, _arg_type(a, i)) if i in nums else a
                  for a, i in zip(leaves, owner)]
        value, grads = _value_and_grads(comp, comp[comp.entry](*leaves))
        if value is not None and np.ndim(value) != 0:
            raise TypeError(f"grad requires {self.f.__name__} to return a scalar, "
                            f"not an array of shape {np.shape(value)}; use vjp")
        value = _as_value(value) if value is not None else None
        grads = _regroup(grads, trees, leaves, owner, nums)
        g = grads[0] if isinstance(self.argnums, int) else grads
        return (value, g) if self.with_value else g

    def source(self):
        if self.last is None:
            n = len(inspect.signature(self.f).parameters)
            self.compiled([0.0] * n)
        return SourceText(self.last.source)


def grad(f, argnums=0, backend="python"):
    """The gradient of scalar function ``f`` with respect to argument(s) ``argnums``.

    ``backend="numba"`` compiles both sweeps with ``numba.njit`` (``pip install pullback[numba]``).
    """
    if isinstance(f, Derivative) or hasattr(f, "_pullback_chain"):   # forward over it
        from .forward_api import derivative_of
        return derivative_of(f, argnums, with_value=False)
    return Derivative(f, argnums, with_value=False, backend=backend)


def value_and_grad(f, argnums=0, backend="python"):
    """Like ``grad``, but the derivative returns ``(f(*args), gradient)``."""
    if isinstance(f, Derivative) or hasattr(f, "_pullback_chain"):   # forward over it
        from .forward_api import derivative_of
        return derivative_of(f, argnums, with_value=True)
    return Derivative(f, argnums, with_value=True, backend=backend)


class VJP:
    """The pullback of ``f`` at fixed primals: ``f_vjp(ct) -> cotangents``, one per
    primal, each with the structure of its primal."""

    def __init__(self, comp, residual, trees, leaves, owner, diff):
        self.comp, self.residual = comp, residual
        self.trees, self.leaves, self.owner, self.diff = trees, leaves, owner, diff
        self.__name__ = "f_vjp"

    def __call__(self, ct):
        _, cts = pytree.flatten(ct)
        cts = [c if isinstance(c, np.ndarray) else float(c) for c in cts]
        # the reverse sweep pops tapes and restores arrays: it gets its own copy of the
        # residual, so the pullback can be called again
        got = self.comp[self.comp.rev](copy.deepcopy(self.residual), *cts)
        got = iter((got,) if sum(self.diff) == 1 else got)   # one gradient: not a tuple
        per_leaf = [_as_grad(next(got) if d else 0.0, leaf)
                    for leaf, d in zip(self.leaves, self.diff)]
        return tuple(pytree.unflatten(t, [g for g, o in zip(per_leaf, self.owner) if o == i])
                     for i, t in enumerate(self.trees))

    def source(self):
        return SourceText(self.comp.source)


def vjp(f, *primals, backend="python"):
    """``(f(*primals), f_vjp)`` where ``f_vjp(ct)`` pulls a cotangent back to the primals."""
    trees, leaves, owner = _leaves(list(primals))
    types = [_arg_type(a, i) for a, i in zip(leaves, owner)]
    diff = tuple(is_differentiable(t) for t in types)
    skels = [pytree.skeleton(t) for t in trees]
    key = (f, diff, tuple(types), "split", backend, tuple(skels))
    comp = lookup(_CACHE, key, lambda: _compile(f, types, diff, split=True, backend=backend,
                                                 skels=skels), by_value=backend == "numba")
    *outs, residual = comp[comp.entry](*leaves)
    outs = [_as_value(o) for o in outs]
    result = getattr(comp, "result", None) or (
        ("atom",) if comp.n_out == 1 else ("tuple",) + (("atom",),) * comp.n_out)
    out = pytree.from_skeleton(result, outs)
    return out, VJP(comp, residual, trees, leaves, owner, diff)


def source(g):
    """The generated source of a derivative returned by ``grad``, ``value_and_grad`` or ``vjp``."""
    if hasattr(g, "source") and callable(g.source):
        return g.source()
    raise TypeError(f"{g!r} is not a pullback derivative")


__all__ = ["grad", "value_and_grad", "vjp", "source", "TransformError"]
