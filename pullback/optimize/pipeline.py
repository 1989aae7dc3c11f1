"""The optimisation pipeline: the passes, in order, in one place."""
from .constants import propagate_constants
from .dce import eliminate_dead_code
from .hoist import hoist_invariants
from .inplace_adjoints import accumulate_in_place
from .recompute import recompute_cheap
from .residual_tapes import push_residuals_late
from .scaled_adjoints import fold_scaled
from .tapes import fuse_tapes
from .zero_arrays import materialize_zero_arrays

PASSES = (propagate_constants, eliminate_dead_code, push_residuals_late, recompute_cheap,
          fuse_tapes, propagate_constants, eliminate_dead_code)
# Reverse-mode output: then constant factors of adjoints fold together, zero adjoints
# become arrays where their shape matters, and adjoints accumulate in place (last:
# nothing may substitute into an in-place write after it).
REVERSE_PASSES = PASSES + (fold_scaled, eliminate_dead_code, materialize_zero_arrays,
                           accumulate_in_place)
# Run on each primal function before it is differentiated: what folds there is
# neither taped nor differentiated.
PRIMAL_PASSES = (propagate_constants, eliminate_dead_code, hoist_invariants)


def _run(passes, fn, verify):
    for p in passes:
        fn = p(fn)
        if verify is not None:
            verify(fn)
    return fn


def optimize(fn, verify=None):
    return _run(PASSES, fn, verify)


def optimize_reverse(fn, verify=None):
    return _run(REVERSE_PASSES, fn, verify)


def optimize_primal(fn, verify=None):
    return _run(PRIMAL_PASSES, fn, verify)
