"""Binomial checkpointing schedules (Griewank and Walther's revolve), run online.

Reversing ``n`` steps of a loop with at most ``s`` snapshots of its state (the
one at step 0 included) costs, at the least, ``t(n, s)`` forward steps on top of
the ``n`` recorded ones (Griewank 1992; Griewank and Walther, ACM TOMS 26(1) 2000):

    beta(s, r) = C(s + r, s)                      steps reversible with r repetitions
    r(n, s)    = the least r with beta(s, r) >= n (the repetition number)
    t(n, s)    = r * n - beta(s + 1, r - 1)       (t = 0 for n <= 1; beta(s, -1) = 0)

``forward_steps`` states it and ``tests/test_checkpoint_schedule.py`` checks it
against a brute-force dynamic programme and against the schedule below.

The schedule is the recursive binomial one: with the state of step ``l``
snapshotted, advance ``m`` steps, snapshot, reverse ``[l + m, r)`` with one snapshot
fewer, free that snapshot, reverse ``[l, l + m)``; one snapshot reverses by
advancing from ``l`` each time.  ``checkpoint_split`` picks an ``m`` that makes it
optimal.  ``checkpoint_next`` runs it as a state machine over a small int array
(one frame per snapshot, so O(s) memory, never O(n)), one action per call:

    ADVANCE p   run the primal body up to step p (from the current position)
    TAKESHOT p  push the state (it is at step p)
    RESTORE p   the state := the top snapshot (taken at step p), which stays
    FREE p      pop the top snapshot into the state (it is at step p)
    RECORD k    run step k recording what its reverse reads (tapes)
    REVERSE k   run the adjoint of step k (pops those records)
    END

encoded as ``kind + 8 * p``.  Snapshots are used last-in first-out, so they live
on ordinary tapes.  Before the reverse sweep the actions are TAKESHOT/ADVANCE
only, up to RECORD of the last step (the forward sweep); the rest starts with
REVERSE of the last step.  The last action before END frees the snapshot of
step 0, so the loop's state ends where it started, as a taped reversal leaves it.

Invariant: these functions are plain nopython Python over ints and one int64
array: the Python backend copies their source into generated modules and the
Numba backend compiles the same source.
"""
import math

import numpy as np

from ..ir.types import INT, Array
from .registry import Syntax, nondiff

ADVANCE, TAKESHOT, RESTORE, FREE, RECORD, REVERSE, END = range(7)
KINDS = ("advance", "takeshot", "restore", "free", "record", "reverse", "end")


def beta(s, r):
    """C(s + r, s): how many steps ``s`` snapshots reverse with ``r`` repetitions."""
    return 0 if r < 0 else math.comb(s + r, s)


def repetitions(n, s):
    """The least r with beta(s, r) >= n."""
    r = 0
    while beta(s, r) < n:
        r += 1
    return r


def forward_steps(n, s):
    """revolve's optimum: the fewest forward steps, besides the n recorded ones, that
    reverse n steps with s snapshots."""
    if n <= 1:
        return 0
    r = repetitions(n, s)
    return r * n - beta(s + 1, r - 1)


def describe(s, n=None):
    """The schedule's cost in words, for the comment above a checkpointed loop: with the
    trip count ``n`` known when the code is generated, revolve's t(n, s) and the
    recomputation factor t / n; else the factor's bound r(n, s) for a few trip counts."""
    if n is not None:
        t = forward_steps(n, s)
        return (f"{n} steps: {t} recomputed, recomputation factor t / n = "
                f"{t / max(n, 1):.2f}")
    upto = ", ".join(f"< {r} up to {beta(s, r)} steps" for r in range(1, 5))
    return f"recomputation factor t / n {upto}"


def snapshots_for(budget, state_bytes, most=10_000):
    """The most snapshots (at least 1, at most ``most``) whose states fit in ``budget``
    bytes.  Past a few thousand snapshots a long loop gains little (t(n, s) falls
    like n once s passes sqrt(2 n)), and the schedule's state grows with s."""
    return max(1, min(most, budget // max(1, state_bytes)))


def checkpoint_split(n, s):
    """How many steps to advance before the next snapshot when reversing ``n >= 2``
    steps with ``s >= 2`` snapshots: an m with m + t(n - m, s - 1) + t(m, s) = t(n, s).
    The right part [m, n) takes beta(s - 1, r - 1) steps, within the bounds that keep
    both parts at r - 1 (left) and r (right) repetitions."""
    r, b = 0, 1
    while b < n:                   # b = beta(s, r)
        r += 1
        b = b * (s + r) // r
    right_r, left_r1 = 1, 1        # beta(s - 1, r) and beta(s, r - 1)
    right_r1 = 1                   # beta(s - 1, r - 1)
    for j in range(1, r + 1):
        right_r = right_r * (s - 1 + j) // j
        if j <= r - 1:
            right_r1 = right_r1 * (s - 1 + j) // j
            left_r1 = left_r1 * (s + j) // j
    lo = max(1, n - right_r)
    hi = min(n - 1, left_r1)
    m = n - right_r1
    return max(lo, min(hi, max(1, m)))


def state_size(snaps):
    """Length of the schedule's state array (``checkpoint_start`` allocates it)."""
    return 4 + 6 * (snaps + 2)


def checkpoint_start(n, snaps):
    """The schedule's state for ``n`` steps and ``snaps`` snapshots: [frames, position,
    phase, snaps] and then one frame [l, r, s, m, stage, k] per live snapshot."""
    st = np.zeros(4 + 6 * (snaps + 2), np.int64)      # state_size(snaps)
    st[3] = snaps
    if n > 0:
        st[0] = 1
        st[5] = n
        st[6] = snaps
    else:
        st[2] = 2             # nothing to reverse: no snapshot either
    return st


def checkpoint_next(st):
    """The next action (kind + 8 * position) of the schedule ``st``, which it advances."""
    if st[2] == 0:
        st[2] = 1
        return 1                              # TAKESHOT 0
    while st[0] > 0:
        b = 4 + 6 * (st[0] - 1)
        left, right, s, m, stage, k = st[b], st[b + 1], st[b + 2], st[b + 3], st[b + 4], st[b + 5]
        if stage == 0:                        # enter [left, right) with s snapshots
            if right - left == 1 or s == 1:
                st[b + 4] = 2
                st[b + 5] = right - 1
            else:
                st[b + 3] = checkpoint_split(right - left, s)
                st[b + 4] = 10
        elif stage == 10:                     # the state to left, then advance m
            st[b + 4] = 11
            if st[1] != left:
                st[1] = left
                return 2 + 8 * left           # RESTORE
        elif stage == 11:
            st[b + 4] = 12
            st[1] = left + m
            return 0 + 8 * (left + m)         # ADVANCE
        elif stage == 12:                     # snapshot, then reverse [left + m, right)
            st[b + 4] = 13
            c = b + 6
            st[c] = left + m
            st[c + 1] = right
            st[c + 2] = s - 1
            st[c + 3] = 0
            st[c + 4] = 0
            st[c + 5] = 0
            st[0] += 1
            return 1 + 8 * (left + m)         # TAKESHOT
        elif stage == 13:                     # free that snapshot, reverse [left, left + m)
            st[b + 1] = left + m
            st[b + 4] = 0
            st[1] = left + m
            return 3 + 8 * (left + m)         # FREE
        elif stage == 2:                      # one snapshot: step k from left
            if k < left:
                st[0] -= 1
            else:
                st[b + 4] = 3
                if st[1] != left:
                    st[1] = left
                    return 2 + 8 * left       # RESTORE
        elif stage == 3:
            st[b + 4] = 4
            if k > left:
                st[1] = k
                return 0 + 8 * k              # ADVANCE
        elif stage == 4:
            st[b + 4] = 5
            return 4 + 8 * k                  # RECORD
        else:
            st[b + 4] = 2
            st[b + 5] = k - 1
            st[1] = -1                        # the reversed step leaves the state unknown
            return 5 + 8 * k                  # REVERSE
    if st[2] == 1:
        st[2] = 2
        st[1] = 0
        return 3                              # FREE 0
    return 6                                  # END


def actions(n, s):
    """The whole schedule as (kind name, position) pairs (for tests and reports)."""
    st = checkpoint_start(n, s)
    out = []
    while True:
        code = int(checkpoint_next(st))
        out.append((KINDS[code % 8], code // 8))
        if code % 8 == END:
            return out


def advanced(n, s):
    """Forward steps the schedule runs besides the recorded ones (= forward_steps)."""
    steps, pos = 0, 0
    for kind, p in actions(n, s):
        if kind == "advance":
            steps += p - pos
        if kind in ("advance", "restore", "free"):
            pos = p
        elif kind == "record":
            pos = p + 1
    return steps


def _register():
    """The two run-time primitives: impure (the state array changes under them), so
    never folded at compile time, reordered or dropped."""
    nondiff("checkpoint_start", checkpoint_start, params="n snaps",
            result=lambda *t: Array("int64", (None,)), syntax=Syntax("call", "checkpoint_start"),
            helper="checkpoint_start", pure=False)
    nondiff("checkpoint_next", checkpoint_next, params="state", result=lambda *t: INT,
            syntax=Syntax("call", "checkpoint_next"), helper="checkpoint_next", pure=False)


_register()
