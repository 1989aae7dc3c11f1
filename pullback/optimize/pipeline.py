"""The optimisation pipeline: the passes, in order, in one place."""
from .constants import propagate_constants
from .dce import eliminate_dead_code
from .hoist import hoist_invariants
from .recompute import recompute_cheap
from .residual_tapes import push_residuals_late
from .tapes import fuse_tapes

PASSES = (propagate_constants, eliminate_dead_code, push_residuals_late, recompute_cheap,
          fuse_tapes, propagate_constants, eliminate_dead_code)
# Run on each primal function before it is differentiated: what folds there is
# neither taped nor differentiated.
PRIMAL_PASSES = (propagate_constants, eliminate_dead_code, hoist_invariants)


def optimize(fn, verify=None):
    for p in PASSES:
        fn = p(fn)
        if verify is not None:
            verify(fn)
    return fn


def optimize_primal(fn, verify=None):
    for p in PRIMAL_PASSES:
        fn = p(fn)
        if verify is not None:
            verify(fn)
    return fn
