"""The optimisation pipeline: the passes, in order, in one place.

Invariant: each list is idempotent — run again on its own output it changes
nothing (tests/test_idempotent.py checks it over the corpus, the NumPy programs
and fuzz programs, in every mode).  Constant propagation and dead-code
elimination feed each other (a pop DCE drops no longer hides that ``value``
still holds ``p``; a copy constants forwards leaves a dead statement), so where
they end a list they run together to their joint fixpoint (``simplify``).
"""
from .constants import propagate_constants
from .dce import eliminate_dead_code
from .hoist import hoist_invariants
from .inplace_adjoints import accumulate_in_place
from .recompute import recompute_cheap
from .residual_tapes import push_residuals_late
from .scaled_adjoints import fold_scaled
from .tapes import fuse_tapes
from .zero_arrays import materialize_zero_arrays


def simplify(fn):
    """Constants, then dead code, until neither changes the function.

    >>> from pullback.ir import Assign, Const, Function, Pop, Return, Var
    >>> from pullback.ir.printer import format_function
    >>> p, v, tape = Var("p", "float"), Var("value", "float"), Var("p_tape", "tape")
    >>> fn = Function("f", (p,), (Assign(v, "copy", (p,)), Pop(p, tape), Return((v,))))
    >>> print(format_function(simplify(fn)))
    def f(p):
      return p
    """
    while True:
        new = eliminate_dead_code(propagate_constants(fn))
        if new == fn:
            return new
        fn = new


PASSES = (propagate_constants, eliminate_dead_code, push_residuals_late, recompute_cheap,
          fuse_tapes, simplify)
# Reverse-mode output: then constant factors of adjoints fold together, zero adjoints
# become arrays where their shape matters, and adjoints accumulate in place (last:
# nothing may substitute into an in-place write after it).
REVERSE_PASSES = PASSES + (fold_scaled, simplify, materialize_zero_arrays,
                           accumulate_in_place)
# Run on each primal function before it is differentiated: what folds there is
# neither taped nor differentiated.  A loop that hoisting emptied goes too.
PRIMAL_PASSES = (propagate_constants, eliminate_dead_code, hoist_invariants, eliminate_dead_code)


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
