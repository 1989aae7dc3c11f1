"""Python's builtins on a run-time sequence, as expansions (``rules/expansions.py``).

    max(E)   (E a list grown by append, or a 1-d array)   ->  extreme_of(E, True)
    x.item()                                            ->  item_of(x): np.ravel(x)[0]

Python's ``max``/``min`` of one iterable keep the first item and replace it by each later
one that compares greater (smaller).  A NaN compares False: a first NaN is the result, a
later one is skipped (``max([1, nan, 3])`` is 3), never NumPy's propagation.  Otherwise
that is NumPy's reduction over the other items, whose derivative goes to the extreme item
(ties of equal values share it, as JAX's).  Items
that are arrays Python compares as wholes (an error for more than one element), so a
sequence that is not 1-d is rejected at the user's line, never reduced elementwise.  A
literal tuple or list (``max((a, b, c))``) never gets here: it is a chain of two-argument
``max`` calls.
"""
import numpy as np

from . import numpy_nondiff as ND
from .expansions import expands
from .registry import Syntax, always, nondiff


def is_inexact(x):
    """Whether ``x`` holds floats, which may be NaN: folded from its type (analysis/types)."""
    return np.asarray(x).dtype.kind in "fc"


nondiff("is_inexact", is_inexact, result=always("bool"), python=(is_inexact,),
        syntax=Syntax("call", "is_inexact"))


@expands()
def extreme_of(xs, largest):
    if np.ndim(xs) != 1:
        return ND.rejected("max() or min() of one argument that is not a 1-d sequence of "
                           "numbers (Python compares its items as wholes; for NumPy's "
                           "elementwise extreme use np.max or np.min with an axis)")
    if not is_inexact(xs):
        return np.max(xs) if largest else np.min(xs)
    if isinstance(xs, np.ndarray):
        return _first_or_extreme(xs, largest)
    return _first_or_extreme(np.asarray(xs), largest)      # a list grown by append


@expands()
def _first_or_extreme(a, largest):
    """A NaN never wins a comparison: out of the reduction (its derivative 0), and the
    result only where it comes first (``x != x``: NaN, in every backend's subset)."""
    if largest:
        r = np.max(np.where(a != a, -np.inf, a))
    else:
        r = np.min(np.where(a != a, np.inf, a))
    return np.where(a[0] != a[0], a[0], r)


@expands()
def item_of(x):
    """``x.item()``: the one element of a scalar or a one-element array, as a number."""
    if np.ndim(x) == 0:
        return x
    if np.size(x) != 1:
        return ND.rejected("x.item() of an array of more than one element (Python raises "
                           "ValueError)")
    return np.ravel(x)[0]
