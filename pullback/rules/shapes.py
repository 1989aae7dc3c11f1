"""Result types of functions whose result *shape* depends on argument *values*.

Type inference evaluates a primitive on stand-in values of its argument
types (``ir.types.dummy``).  For ``np.zeros(n)``, ``np.arange(a, b)`` or
``x[mask]`` the stand-ins would invent a shape (``zeros(1)``, a mask of all
True), and a wrong static shape can make the reverse transform skip a
needed ``unbroadcast``.  ``sized_by`` keeps the rank the stand-ins give but
leaves every dimension unknown when a size argument is computed at run time:

    array_op("zeros", np.zeros, "shape dtype=None", shape=sized_by("zeros", 0))
"""
from ..ir.types import INT, Array, IndexT, Named, Type, dummy, of_value
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
    def shape(*args):
        values = [(_zeros(dummy(a)) if i in indices else dummy(a)) if is_type(a) else a
                  for i, a in enumerate(args)]
        if any(v is None for a, v in zip(args, values) if is_type(a)):
            return Array("float64", None)
        try:
            t = of_value(_call(name, like, values, args))
        except Exception as e:     # noqa: BLE001 -- reported at the user's line
            raise TypeError(str(e)) from None
        if t is None:
            raise TypeError(f"{name} returns a value pullback does not type")
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


def _zeros(v):
    return None if v is None else v * 0
