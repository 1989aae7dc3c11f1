"""The optimisation pipeline: the passes, in order, in one place, and ``finish``: a
transform's output (``ir.Transformed``) through them into a module.

Invariant: each list is idempotent — run again on its own output it changes
nothing (tests/test_idempotent.py checks it over the corpus, the NumPy programs
and fuzz programs, in every mode).  Constant propagation and dead-code
elimination feed each other (a pop DCE drops no longer hides that ``value``
still holds ``p``; a copy constants forwards leaves a dead statement), so where
they end a list they run together to their joint fixpoint (``simplify``).
"""
from dataclasses import dataclass

from ..ir import Call, Module
from ..ir.walk import walk
from .common import reuse_common
from .constants import propagate_constants
from .dce import eliminate_dead_code
from .first_accumulation import write_first_accumulation
from .hoist import hoist_invariants
from .inplace_adjoints import accumulate_in_place
from .recompute import recompute_cheap
from .residual_tapes import push_residuals_late
from .residuals import prune_residual
from .scaled_adjoints import fold_scaled
from .shape_args import free_type_only_args
from .tables import tabulate
from .taped_reuse import reuse_taped
from .tapes import fuse_tapes
from .zero_arrays import materialize_zero_arrays, zero_array_arguments
from .zero_slices import zero_slices_in_place


def simplify(fn):
    """Shared subexpressions, constants, then dead code, until none changes the function.
    Sharing runs first: the copies it leaves (it sees through copies itself, so a chain
    of equal operations is found in one round) are forwarded by constants and dropped by
    dead-code elimination in the same round, and the next round only confirms (a round
    was four passes over the whole function: 5 rounds became 2 on a 100-line model).

    >>> from pullback.ir import Assign, Const, Function, Pop, Return, Var
    >>> from pullback.ir.printer import format_function
    >>> p, v, tape = Var("p", "float"), Var("value", "float"), Var("p_tape", "tape")
    >>> fn = Function("f", (p,), (Assign(v, "copy", (p,)), Pop(p, tape), Return((v,))))
    >>> print(format_function(simplify(fn)))
    def f(p):
      return p
    """
    while True:
        new = eliminate_dead_code(free_type_only_args(propagate_constants(reuse_common(fn))))
        if new == fn:
            return new
        fn = new


def resimplified(p):
    """``p``, then ``simplify`` only where ``p`` changed the function: placed right after
    ``simplify``, whose output is its own fixpoint, an unchanged function is settled (a
    confirming round of the four passes would change nothing)."""
    def run(fn):
        new = p(fn)
        return new if new == fn else simplify(new)
    run.__name__ = f"{p.__name__}_resimplified"
    run.__doc__ = p.__doc__
    return run


# a value read only for its shape (``expand_to(g, x, ...)``) is not kept for that read
def adjoints_in_place(fn):
    """Zeroed slices, accumulations and first accumulations in place, until none changes
    the function: an accumulation made in place can free the buffer a zeroing before it
    needed (``b = copy(t)`` owns its memory once ``t`` is no longer read)."""
    while True:
        new = write_first_accumulation(accumulate_in_place(zero_slices_in_place(fn)))
        if new == fn:
            return new
        fn = new


PASSES = (propagate_constants, free_type_only_args, eliminate_dead_code, push_residuals_late,
          recompute_cheap, reuse_taped, fuse_tapes, simplify)
# Reverse mode tables an inner loop's costly values of its own index (a table holds no
# more values than the pairs' tapes did; in a tangent or value function it would be
# memory the loop never needed): before recompute_cheap, whose reverse loops then read
# the tables instead of popping, and after it, for what the reverse loops compute.
_TABLED = (propagate_constants, free_type_only_args, eliminate_dead_code, push_residuals_late,
           tabulate, recompute_cheap, reuse_taped, tabulate, fuse_tapes, simplify)
# Reverse-mode output: then constant factors of adjoints fold together, zero adjoints
# become arrays where their shape matters, the slice an in-place write's adjoint zeroes
# is zeroed in place, and adjoints accumulate in place, the first into a zeroed slice a
# write (last: nothing may substitute into
# an in-place write after it; dead-code elimination substitutes nothing: it drops what
# only a scatter's shape argument read, a primal restored for it).
REVERSE_PASSES = _TABLED + (resimplified(fold_scaled), materialize_zero_arrays,
                           adjoints_in_place, eliminate_dead_code)
# Run on each primal function before it is differentiated: what folds there is
# neither taped nor differentiated.  A loop that hoisting emptied goes too.
PRIMAL_PASSES = (propagate_constants, eliminate_dead_code, hoist_invariants, eliminate_dead_code)


@dataclass(frozen=True)
class Schedule:
    """What ``finish`` runs: ``functions`` on each new function, ``library`` on each
    library function a new one calls (once, when it is linked), ``module`` on the result."""
    functions: tuple
    library: tuple = ()
    module: tuple = ()


PRIMAL = Schedule(PRIMAL_PASSES)
# Callees' primals that reverse-mode code calls run the reverse list too; a call passing
# 0.0 for an array adjoint passes zeros of its shape (its callee's rules need them).
REVERSE = Schedule(REVERSE_PASSES, REVERSE_PASSES, (zero_array_arguments,))
TANGENT = Schedule(PASSES)


def optimized(module, passes, verify=None):
    """Every function of ``module`` through ``passes``."""
    return Module(tuple(_run(passes, fn, verify) for fn in module.functions), module.result)


def finish(made, schedule, verify=None):
    """The module of a transform's output ``made``: each new function through
    ``schedule.functions`` (a split pair's ``rev`` first, then its residual pruned, then
    its ``fwd``), then the library functions they call, in call order."""
    fwds = {fwd: rev for fwd, rev in made.pairs}
    revs = set(fwds.values())
    done = {fn.name: _run(schedule.functions, fn, verify) for fn in made.functions
            if fn.name not in fwds}
    for fwd, rev in made.pairs:
        pruned, done[rev] = prune_residual(_named(made.functions, fwd), done[rev])
        done[fwd] = _run(schedule.functions, pruned, verify)
    assert revs <= set(done)
    module = _linked([done[fn.name] for fn in made.functions], made.library,
                     lambda fn: _run(schedule.library, fn, verify))
    module = Module(module, made.result)
    for p in schedule.module:
        module = p(module)
    return module


def _named(functions, name):
    return next(fn for fn in functions if fn.name == name)


def _linked(out, library, prepare):
    """``out`` plus the library functions its calls reach (depth first, each once,
    ``prepare``d before its own calls are followed)."""
    have = {f.name for f in out}
    todo = list(out)
    while todo:
        for name in (n for s in walk(todo.pop().body) if isinstance(s, Call) for n in s.callees):
            if name not in have:
                have.add(name)
                todo.append(prepare(library.get(name)))
                out.append(todo[-1])
    return tuple(out)


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
