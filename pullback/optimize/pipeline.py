"""The optimisation pipeline: the passes, in order, in one place."""
from .constants import propagate_constants
from .dce import eliminate_dead_code

PASSES = (propagate_constants, eliminate_dead_code)


def optimize(fn, verify=None):
    for p in PASSES:
        fn = p(fn)
        if verify is not None:
            verify(fn)
    return fn
