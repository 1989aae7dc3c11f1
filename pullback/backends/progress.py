"""Progress of work that may take more than a second, said once through ``logging``.

``slow(what)`` wraps such work (a transformation, Numba's first compile, a C
emission or build): if it is still running after ``AFTER`` seconds, the
``pullback`` logger says ``what`` once, at INFO, while it runs.  Nothing is
printed: a user sees it with ``logging.basicConfig(level=logging.INFO)``.

One watcher thread per process serves every block: entering a block notes its
deadline, leaving it drops the note, and neither waits for another thread (a
thread started per block made each transformation wait for the scheduler: 4 ms
a build on a loaded machine).  The watcher sleeps until the earliest deadline
noted, or ``AFTER`` when there is none, and is woken only for a deadline earlier
than that (``AFTER`` made shorter).

Invariants: at most one message per ``slow`` block, none for work under
``AFTER`` seconds; nothing of a block remains once it has ended.
"""
import logging
import os
import threading
import time
from contextlib import contextmanager

LOG = logging.getLogger("pullback")
AFTER = 1.0     # seconds


class _Watcher:
    def __init__(self):
        self.cond = threading.Condition(threading.Lock())
        self.pending = {}           # token -> (deadline, message): blocks still running
        self.wake_at = None         # when the watcher next looks (None: not started)

    def enter(self, what):
        token = object()
        deadline = time.monotonic() + AFTER
        with self.cond:
            self.pending[token] = (deadline, f"{what} (more than {AFTER:g} s so far)")
            if self.wake_at is None:
                self.wake_at = deadline
                threading.Thread(target=self.run, name="pullback-progress", daemon=True).start()
            elif deadline < self.wake_at:
                self.cond.notify()
        return token

    def leave(self, token):
        with self.cond:
            self.pending.pop(token, None)

    def run(self):
        while True:
            with self.cond:
                now = time.monotonic()
                due = [k for k, (d, _) in self.pending.items() if d <= now]
                said = [self.pending.pop(k)[1] for k in due]
                if not said:
                    self.wake_at = min((d for d, _ in self.pending.values()), default=now + AFTER)
                    self.cond.wait(max(self.wake_at - now, 0.0))
            for message in said:        # (outside the lock: a handler may be slow)
                LOG.info(message)


_WATCHER = [_Watcher()]
if hasattr(os, "register_at_fork"):     # a forked child has no watcher thread: its own
    os.register_at_fork(after_in_child=lambda: _WATCHER.__setitem__(0, _Watcher()))


@contextmanager
def slow(what):
    watcher = _WATCHER[0]
    token = watcher.enter(what)
    try:
        yield
    finally:
        watcher.leave(token)


__all__ = ["AFTER", "LOG", "slow"]
