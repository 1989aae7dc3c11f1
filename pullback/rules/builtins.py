"""Python's builtins on a run-time sequence, as expansions (``rules/expansions.py``).

    max(E)   (E a list grown by append, or a 1-d array)   ->  extreme_of(E, True): np.max(E)
    x.item()                                            ->  item_of(x): np.ravel(x)[0]

Python's ``max``/``min`` of one iterable compare its items; over numbers that is NumPy's
reduction, whose derivative goes to the extreme item (ties share it, as JAX's).  Items
that are arrays Python compares as wholes (an error for more than one element), so a
sequence that is not 1-d is rejected at the user's line, never reduced elementwise.  A
literal tuple or list (``max((a, b, c))``) never gets here: it is a chain of two-argument
``max`` calls.
"""
import numpy as np

from . import numpy_nondiff as ND
from .expansions import expands

@expands()
def extreme_of(xs, largest):
    if np.ndim(xs) != 1:
        return ND.rejected("max() or min() of one argument that is not a 1-d sequence of "
                           "numbers (Python compares its items as wholes; for NumPy's "
                           "elementwise extreme use np.max or np.min with an axis)")
    if largest:
        return np.max(xs)
    return np.min(xs)


@expands()
def item_of(x):
    """``x.item()``: the one element of a scalar or a one-element array, as a number."""
    if np.ndim(x) == 0:
        return x
    if np.size(x) != 1:
        return ND.rejected("x.item() of an array of more than one element (Python raises "
                           "ValueError)")
    return np.ravel(x)[0]
