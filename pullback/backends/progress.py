"""Progress of work that may take more than a second, said once through ``logging``.

``slow(what)`` wraps such work (a transformation, Numba's first compile, a C
emission or build): if it is still running after ``AFTER`` seconds, the
``pullback`` logger says ``what`` once, at INFO, while it runs.  Nothing is
printed: a user sees it with ``logging.basicConfig(level=logging.INFO)``.

Invariants: at most one message per ``slow`` block, none for work under
``AFTER`` seconds; the timer never outlives its block.
"""
import logging
import threading
from contextlib import contextmanager

LOG = logging.getLogger("pullback")
AFTER = 1.0     # seconds


@contextmanager
def slow(what):
    timer = threading.Timer(AFTER, LOG.info, (f"{what} (more than {AFTER:g} s so far)",))
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()


__all__ = ["AFTER", "LOG", "slow"]
