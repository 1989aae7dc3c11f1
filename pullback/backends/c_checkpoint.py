"""C runtime of checkpointed loops: ``rules/schedule.py``'s state machine in C99.

``transforms/checkpoint.py`` drives a checkpointed loop with ``checkpoint_start``
(fill the state array, static storage the function declares) and
``checkpoint_next`` (the next action, ``kind + 8 * position``).  The C text is a
line-by-line transcription of the Python source, so the three backends run one
schedule; ``tests/test_checkpoint_c.py`` checks the C gradient against the Python
one, bitwise.

Invariant: no heap, no recursion; the state is ``4 + 6 * (snaps + 2)`` longs.
"""

HELPERS = {
    "checkpoint_split": """\
/* How many steps to advance before the next snapshot, reversing n >= 2 steps with
   s >= 2 snapshots at revolve's optimum (pullback/rules/schedule.py). */
static long checkpoint_split(long n, long s)
{
    long r = 0, b = 1, j, right_r = 1, left_r1 = 1, right_r1 = 1, lo, hi, m;
    while (b < n) {
        r += 1;
        b = b * (s + r) / r;
    }
    for (j = 1; j <= r; j++) {
        right_r = right_r * (s - 1 + j) / j;
        if (j <= r - 1) {
            right_r1 = right_r1 * (s - 1 + j) / j;
            left_r1 = left_r1 * (s + j) / j;
        }
    }
    lo = n - right_r > 1 ? n - right_r : 1;
    hi = n - 1 < left_r1 ? n - 1 : left_r1;
    m = n - right_r1 > 1 ? n - right_r1 : 1;
    m = m < hi ? m : hi;
    return m > lo ? m : lo;
}""",
    "checkpoint_start": """\
/* The schedule's state for n steps and snaps snapshots (size longs). */
static void checkpoint_start(long n, long snaps, long *st, long size)
{
    long k;
    for (k = 0; k < size; k++) {
        st[k] = 0;
    }
    st[3] = snaps;
    if (n > 0) {
        st[0] = 1;
        st[5] = n;
        st[6] = snaps;
    } else {
        st[2] = 2;
    }
}""",
    "checkpoint_next": """\
/* The next action (kind + 8 * position) of the schedule st, which it advances:
   kinds ADVANCE 0, TAKESHOT 1, RESTORE 2, FREE 3, RECORD 4, REVERSE 5, END 6. */
static long checkpoint_next(long *st)
{
    if (st[2] == 0) {
        st[2] = 1;
        return 1;
    }
    while (st[0] > 0) {
        long b = 4 + 6 * (st[0] - 1);
        long left = st[b], right = st[b + 1], s = st[b + 2], m = st[b + 3];
        long stage = st[b + 4], k = st[b + 5];
        if (stage == 0) {
            if (right - left == 1 || s == 1) {
                st[b + 4] = 2;
                st[b + 5] = right - 1;
            } else {
                st[b + 3] = checkpoint_split(right - left, s);
                st[b + 4] = 10;
            }
        } else if (stage == 10) {
            st[b + 4] = 11;
            if (st[1] != left) {
                st[1] = left;
                return 2 + 8 * left;
            }
        } else if (stage == 11) {
            st[b + 4] = 12;
            st[1] = left + m;
            return 8 * (left + m);
        } else if (stage == 12) {
            long c = b + 6;
            st[b + 4] = 13;
            st[c] = left + m;
            st[c + 1] = right;
            st[c + 2] = s - 1;
            st[c + 3] = 0;
            st[c + 4] = 0;
            st[c + 5] = 0;
            st[0] += 1;
            return 1 + 8 * (left + m);
        } else if (stage == 13) {
            st[b + 1] = left + m;
            st[b + 4] = 0;
            st[1] = left + m;
            return 3 + 8 * (left + m);
        } else if (stage == 2) {
            if (k < left) {
                st[0] -= 1;
            } else {
                st[b + 4] = 3;
                if (st[1] != left) {
                    st[1] = left;
                    return 2 + 8 * left;
                }
            }
        } else if (stage == 3) {
            st[b + 4] = 4;
            if (k > left) {
                st[1] = k;
                return 8 * k;
            }
        } else if (stage == 4) {
            st[b + 4] = 5;
            return 4 + 8 * k;
        } else {
            st[b + 4] = 2;
            st[b + 5] = k - 1;
            st[1] = -1;
            return 5 + 8 * k;
        }
    }
    if (st[2] == 1) {
        st[2] = 2;
        st[1] = 0;
        return 3;
    }
    return 6;
}""",
}
DEPS = {"checkpoint_next": ("checkpoint_split",)}
