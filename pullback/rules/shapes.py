"""Result types of functions whose result *shape* depends on argument *values*.

Type inference evaluates a primitive on stand-in values of its argument
types (``ir.types.dummy``).  For ``np.zeros(n)``, ``np.arange(a, b)`` or
``x[mask]`` the stand-ins would invent a shape (``zeros(1)``, a mask of all
True), and a wrong static shape can make the reverse transform skip a
needed ``unbroadcast``.  ``sized_by`` keeps the rank the stand-ins give but
leaves every dimension unknown when a size argument is computed at run time:

    array_op("zeros", np.zeros, "shape dtype=None", shape=sized_by("zeros", 0))
"""
from ..ir.types import INT, SHORT_LENGTHS, Array, IndexT, Named, Type, dummy, of_value
from .registry import PRIMITIVES


def is_type(v):
    """Whether a ``shape=`` argument is a type (a run-time value), not a constant."""
    return isinstance(v, Type)


def _sizes_at_run_time(v, masks):
    if isinstance(v, IndexT):   # x[i, :]: run-time ints keep the shape static
        return any(_sizes_at_run_time(p, masks) for p in v.parts if is_type(p))
    if isinstance(v, Named):    # an int index (masks: indexing) keeps the shape static
        return not (masks and v == INT)
    return masks and isinstance(v, Array) and v.dtype == "bool"


def sized_by(name, *positions, masks=False, like=None, indices=()):
    """``shape=`` for primitive ``name``: the arguments at ``positions`` give the
    result's size (with ``masks``, a boolean-array argument there does too).
    ``like``: a function returning a value of the result's type, to call instead
    of the primitive (for random draws, which type inference must not make).
    ``indices``: positions of integer arrays of indices, whose stand-ins are zeros
    (in bounds along any axis; the ones of ``dummy`` are not along a length-1 axis)."""
    def at(args, length, partial=True):
        values = [(_zeros(v) if i in indices else v) if is_type(a) else a
                  for i, (a, v) in enumerate(zip(args, _stand_ins(args, length, partial)))]
        if any(v is None for a, v in zip(args, values) if is_type(a)):
            return None
        try:
            t = of_value(_call(name, like, values, args))
        except Exception as e:     # noqa: BLE001 -- reported at the user's line
            raise TypeError(str(e)) from None
        if t is None:
            raise TypeError(f"{name} returns a value pullback does not type")
        return t

    def shape(*args):
        if name in ("getitem", "getitem_copy") and _ints_pick_unknown_axes(args):
            # every unknown dimension (a stacked list's length) is indexed by an int: the
            # result is the same at every length; stand-ins at 2, 3 and 1 confirm it
            try:
                t = at(args, 2)
                t = _unknown_where_changed(t, [at(args, 3)] + _where_typed(at, args)) \
                    if t is not None else None
            except TypeError:
                t = None          # stand-in lengths that do not fit
        else:       # (a slice of an unknown axis, x[::3], has no length stand-ins can prove)
            t = at(args, 2, partial=False)
        if t is None:
            return Array("float64", None)
        if isinstance(t, Array) and t.shape is not None and \
                any(_sizes_at_run_time(args[i], masks) for i in positions if i < len(args)):
            t = Array(t.dtype, tuple(None for _ in t.shape))
        return t
    return shape


def _call(name, like, values, args):
    """The primitive (or ``like``) on stand-ins; where a run-time int's stand-in 1 does
    not fit (``p[i]`` of a ``p`` one long, in a loop of one trip), at 0 instead, which
    is in bounds wherever 1 is and keeps every shape the same (only values differ)."""
    call = like or PRIMITIVES[name].call
    try:
        return call(*values)
    except IndexError:
        if not any(a == INT for a in args if is_type(a)):
            raise
        return call(*[0 if a == INT else v for a, v in zip(args, values)])


def _stand_ins(args, length, partial):
    return [dummy(a, length, partial=partial) if is_type(a) else None for a in args]


def _ints_pick_unknown_axes(args):
    """``x[idx]`` of an ``x`` of known rank whose unknown axes are each indexed by an
    int, behind nothing but ints and slices (no None, Ellipsis or array shifting axes)."""
    x, idx = args[0], args[1] if len(args) > 1 else None
    if not (isinstance(x, Array) and x.shape is not None and None in x.shape):
        return False
    parts = idx.parts if isinstance(idx, IndexT) else idx if type(idx) is tuple else (idx,)
    last = max(k for k, d in enumerate(x.shape) if d is None)
    if len(parts) <= last:
        return False
    for k, p in enumerate(parts[:last + 1]):
        whole = p == INT or type(p) is int
        if x.shape[k] is None and not whole:
            return False
        if not (whole or isinstance(p, tuple) and p[:1] == ("slice",) or type(p) is slice):
            return False
    return True


def _where_typed(at, args):
    """The types at the short stand-in lengths where NumPy computes them at all (a stacked
    empty list raises there as it does when it runs)."""
    out = []
    for length in SHORT_LENGTHS:
        try:
            out.append(at(args, length))
        except TypeError:
            pass
    return out


def _unknown_where_changed(t, others):
    """``t`` with the dimensions that differ in any of ``others`` unknown; None (all
    unknown) where a kind, rank or dtype differs."""
    if all(o == t for o in others):
        return t
    if not isinstance(t, Array) or t.shape is None or any(
            not isinstance(o, Array) or o.shape is None or len(o.shape) != len(t.shape) or
            o.dtype != t.dtype for o in others):
        return None
    return Array(t.dtype, tuple(d if all(o.shape[k] == d for o in others) else None
                                for k, d in enumerate(t.shape)))


def _zeros(v):
    return None if v is None else v * 0
