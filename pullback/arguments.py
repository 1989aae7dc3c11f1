"""The argument model every entry point shares: bind, flatten, type, mask, regroup.

A call's arguments are bound to ``f``'s signature (defaults applied), then
flattened into leaves (floats, ints, bools, NumPy arrays or another library's
arrays that NumPy's functions dispatch to, such as Dask's and CuPy's; containers are
pytrees).  An argument some derivative is taken with respect to (``forced``)
has float leaves: int scalars become floats; bools and integer arrays are refused.  Masks, directions
and regrouped gradients are all per leaf, in argument then leaf order.

Invariants: ``types[j]`` is the type leaf ``j`` is compiled for, and
``leaves(...)`` converts the call's values to exactly those types; nothing
here depends on the backend.  A foreign array (``foreign``) is never converted to
NumPy: its leaves, gradients and values keep its type (and Dask's stay lazy), and
``key`` names its class, so each array library gets its own derivative.  An ndarray
subclass other than np.memmap (np.matrix, a masked array) is refused (``arg_type``): its
operators are not ndarray's, so its derivative as an ndarray would be another function's.
"""
import inspect
import numbers
from typing import Sequence, Union

import numpy as np

from . import pytree
from .frontend.source import called_method
from .ir.types import Array, is_array, odd_array, odd_array_words


Argnums = Union[int, Sequence[int]]    # the public API's argnums: one index or several


def bind(f, args, kwargs, upto=0):
    """The arguments given, in parameter order.  A defaulted parameter before the last
    one given (or before index ``upto``, an argnum) is passed its default; the later ones
    the lowering reads from ``f.__defaults__`` itself, guarded (``frontend.guards``)."""
    sig = inspect.signature(called_method(f) or f)     # (a staticmethod __call__ too)
    bound = sig.bind(*args, **kwargs)
    params = list(sig.parameters.values())
    bound.apply_defaults()
    if any(p.kind == p.VAR_KEYWORD for p in params):     # **kw: one dict, a pytree
        return list(bound.args) + [dict(bound.kwargs)]
    if any(p.kind == p.VAR_POSITIONAL for p in params):
        return list(bound.args) + list(bound.kwargs.values())
    given = sig.bind(*args, **kwargs).arguments
    last = max([i for i, p in enumerate(params) if p.name in given] + [upto - 1])
    return [bound.arguments[p.name] for p in params[:last + 1]]


def upto(nums):
    """One past the largest non-negative argnum in ``nums`` (0 for none)."""
    nums = (nums,) if isinstance(nums, int) else tuple(nums)
    return max((n + 1 for n in nums if n >= 0), default=0)


def argnum_tuple(nums, nargs):
    """``argnums`` (an int or a sequence, negative counting from the end) as a tuple."""
    nums = (nums,) if isinstance(nums, int) else tuple(nums)
    for n in nums:
        if not -nargs <= n < nargs:
            raise ValueError(f"argnums {n} is out of range for a function of {nargs} arguments")
    return tuple(n % nargs for n in nums)


def foreign(x):
    """Is ``x`` another library's array that NumPy's functions and ufuncs dispatch to
    (``__array_function__``, NEP 18: Dask, CuPy)?  Generated code calls ``np.*`` on it."""
    return not isinstance(x, np.ndarray) and hasattr(type(x), "__array_function__") \
        and hasattr(x, "shape") and hasattr(x, "dtype")


def _foreign_type(x, i):
    shape = tuple(x.shape)
    if not all(isinstance(n, numbers.Integral) for n in shape):
        raise TypeError(f"argument {i} is a {type(x).__name__} of unknown shape {shape}: "
                        "derivatives are compiled per shape (for Dask, compute_chunk_sizes())")
    return Array(np.dtype(x.dtype).name, tuple(int(n) for n in shape))


def _odd(x, what):
    return TypeError(f"{what} is an {odd_array_words(x)}, an ndarray subclass whose "
                     "operations are not ndarray's (np.matrix's * is a matrix product, a "
                     "masked array skips its masked entries): pullback would differentiate "
                     "another function; pass np.asarray(...) of it, or the plain array it "
                     "stands for")


def plain_direction(v, what):
    """A tangent or cotangent leaf ``v`` as given, refused where it is an ndarray subclass
    (``odd_array``): generated code would apply its operators, not ndarray's."""
    if odd_array(v):
        raise _odd(v, what)
    return v


def arg_type(x, i):
    """The IR type of leaf value ``x`` of argument ``i``."""
    if isinstance(x, (bool, np.bool_)):
        return "bool"
    if isinstance(x, numbers.Integral):
        return "int"
    if isinstance(x, np.floating) and x.dtype.itemsize < 8:
        return Array(x.dtype.name, ())      # np.float32: computed in float32, as NumPy does
    if isinstance(x, numbers.Real):
        return "float"
    if odd_array(x):
        raise _odd(x, f"argument {i}")
    if isinstance(x, np.ndarray):
        return Array(x.dtype.name, tuple(x.shape))
    if foreign(x):
        return _foreign_type(x, i)
    if hasattr(x, "__array_namespace__"):       # an array-API array NumPy would convert
        raise TypeError(f"argument {i} is a {type(x).__module__}.{type(x).__name__}: "
                        "generated code calls NumPy's functions, which reach another "
                        "library's arrays only through __array_function__ (Dask, CuPy); "
                        "this one has none, so NumPy would convert it silently")
    raise TypeError(f"argument {i} has type {type(x).__name__}: pullback differentiates "
                    "functions of floats, ints and NumPy arrays")


def array_key(args):
    """What a call of NumPy arrays, floats and ints is compiled for, cheaply: each
    argument's class, and an array's dtype and shape (the derivative's fast path)."""
    return tuple((x.dtype, x.shape) if type(x) is np.ndarray else type(x) for x in args)


def float_type(t):
    """The type a differentiated leaf of type ``t`` is compiled for."""
    if is_array(t):
        return t if np.dtype(t.dtype).kind == "f" else Array("float64", t.shape)
    return "float"


def diff_type(t, i):
    """The float type argument ``i`` (of type ``t``) is differentiated in.  Bools and
    complex numbers are refused: a complex argument cast to real would lose its
    imaginary part silently (pullback differentiates real floats only)."""
    kind = np.dtype(t.dtype).kind if is_array(t) else t
    if kind in ("bool", "b"):
        raise TypeError(f"cannot differentiate with respect to argument {i}: it is a bool"
                        + (" array" if is_array(t) else ""))
    if kind in ("i", "u"):      # its value would be NumPy's wrapped ints on one backend only
        raise TypeError(f"cannot differentiate with respect to argument {i}: it is an array "
                        f"of {t.dtype} (as jax.grad, pullback differentiates floats); pass "
                        "a float array, x.astype(float)")
    if kind == "c":
        raise TypeError(f"cannot differentiate with respect to argument {i}: it is complex "
                        "(pullback differentiates real floats; pass its real and imaginary "
                        "parts as two arrays)")
    return float_type(t)


def is_float(t):
    return t == "float" or (is_array(t) and np.dtype(t.dtype).kind == "f")


def as_float(x, t):
    """A differentiated leaf as the float type it is compiled for."""
    if is_array(t):
        if isinstance(x, np.floating):          # an np.float32 number: its 0-d array
            return np.asarray(x, dtype=t.dtype)
        return x if np.dtype(t.dtype).kind == "f" else x.astype(np.float64)
    return float(x)


def as_grad(g, arg):
    """A gradient in the shape and float type of its argument; one computed from foreign
    arrays (or for one) stays in that array type, unevaluated (Dask's stays lazy)."""
    if foreign(arg) or foreign(g):
        dtype = np.dtype(getattr(arg, "dtype", np.float64))
        dtype = dtype if dtype.kind == "f" else np.dtype(np.float64)
        if not foreign(g):                      # a constant: zero where nothing flowed
            return np.full_like(arg, g, dtype=dtype)
        g = g if g.dtype == dtype else g.astype(dtype)
        shape = tuple(getattr(arg, "shape", ()))
        return g if tuple(g.shape) == shape else np.broadcast_to(g, shape)
    if isinstance(arg, np.ndarray):
        dtype = arg.dtype if arg.dtype.kind == "f" else np.float64
        if type(g) is np.ndarray and g.shape == arg.shape and g.dtype == dtype:
            return g.copy()         # the common case, without broadcast_to's overhead
        return np.broadcast_to(np.asarray(g, dtype=dtype), arg.shape).copy()
    if isinstance(arg, np.floating) and not isinstance(arg, float):
        return arg.dtype.type(g)        # a float32 argument gets a float32 gradient
    return float(g)


def as_value(v, t=None):
    """A result as the user sees it: 0-d arrays and NumPy floats as Python floats, but a
    float32 (float16) one, by its value's dtype or its IR type ``t`` (Numba returns a
    float32 number as a Python float), as NumPy's np.float32: what ``f`` returns."""
    if isinstance(v, (float, np.floating)) or (isinstance(v, np.ndarray) and v.ndim == 0):
        dtype = np.dtype(t.dtype) if is_array(t) and t.shape == () else \
            getattr(v, "dtype", None)
        narrow = dtype is not None and dtype.kind == "f" and dtype.itemsize < 8
        return dtype.type(v) if narrow else float(v)
    return v


def size(shape):
    n = 1
    for d in shape:
        n *= d
    return n


class Arguments:
    """The leaves of one call's arguments; ``forced``: the argument indices some
    derivative is taken with respect to (their leaves are compiled as floats)."""

    def __init__(self, args, forced=()):
        self.values = list(args)
        self.trees, self.raw, self.owner, self.types = [], [], [], []
        for i, a in enumerate(self.values):
            tree, leaves = pytree.flatten(a)
            self.trees.append(tree)
            for x in leaves:
                t = arg_type(x, i)
                if i in forced:
                    t = diff_type(t, i)
                self.raw.append(x)
                self.owner.append(i)
                self.types.append(t)
        self.shapes = [tuple(t.shape) if is_array(t) and t.shape is not None else ()
                       for t in self.types]

    @property
    def skels(self):
        """Each argument's structure as the frontend sees it."""
        return [pytree.skeleton(t) for t in self.trees]

    def key(self):
        """What a compiled derivative depends on: the leaf types, the structure and the
        class of each foreign array leaf (one derivative per array library)."""
        return tuple(self.types), tuple(self.trees), self.libraries()

    def libraries(self):
        """The class of each foreign array leaf (None for NumPy's and for scalars)."""
        return tuple(type(x) if foreign(x) else None for x in self.raw)

    def foreign_array(self):
        """The first foreign array leaf (the derivative is built for its library), or None."""
        return next((x for x in self.raw if foreign(x)), None)

    def numpy_only(self, what):
        """Refuse foreign arrays where results are assembled with NumPy (forward programs)."""
        x = self.foreign_array()
        if x is not None:
            raise TypeError(f"{what} runs on NumPy arrays, not {type(x).__module__}."
                            f"{type(x).__name__}; grad, value_and_grad and vjp keep Dask "
                            "and CuPy arrays")

    def leaves(self):
        """The leaf values converted to the types they are compiled for."""
        return [as_float(x, t) if is_float(t) else x for x, t in zip(self.raw, self.types)]

    def mask(self, nums):
        """Per leaf: does it belong to one of the arguments ``nums``?"""
        return tuple(i in nums for i in self.owner)

    def leaves_of(self, nums):
        """Leaf indices of arguments ``nums``, in argument then leaf order."""
        return [j for i in nums for j, o in enumerate(self.owner) if o == i]

    def directions(self, nums):
        """One (leaf, element) pair per tangent direction, arguments in ``nums`` order."""
        return [(j, e) for j in self.leaves_of(nums) for e in range(size(self.shapes[j]))]

    def per_arg(self, nums, make):
        """For each argnum, ``(tree, [make(leaf) for its leaves])``."""
        return [(self.trees[i], [make(j) for j in self.leaves_of((i,))]) for i in nums]

    def regroup(self, grads, nums):
        """Gradients of the differentiated leaves (leaf order) -> one tree per argnum."""
        it = iter(grads)
        per_leaf = [as_grad(next(it), x) if i in nums else None
                    for x, i in zip(self.raw, self.owner)]
        return tuple(pytree.unflatten(self.trees[i],
                                      [g for g, o in zip(per_leaf, self.owner) if o == i])
                     for i in nums)

    def cotangents(self, grads, diff):
        """Every argument's cotangent tree from the gradients of the ``diff`` leaves
        (zeros for the others, as ``vjp`` returns)."""
        got = iter(grads)
        per_leaf = [as_grad(next(got) if d else 0.0, x) for x, d in zip(self.raw, diff)]
        return tuple(pytree.unflatten(t, [g for g, o in zip(per_leaf, self.owner) if o == i])
                     for i, t in enumerate(self.trees))


__all__ = ["Arguments", "Argnums", "argnum_tuple", "arg_type", "plain_direction", "array_key", "foreign", "as_float", "as_grad", "as_value", "bind",
           "float_type", "is_float", "size", "upto"]
