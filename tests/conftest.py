"""Suite-wide test policy.

Numba is in the ``test`` extras, so ``make test`` runs every backend.  Where
someone runs pytest without it, a test parametrised with ``backend="numba"``
is skipped here, once, instead of failing with an ImportError; files that need
Numba throughout still say so with ``pytest.importorskip``.

Numba builds at LLVM's ``-O1`` here (``NUMBA_OPT=1``, unless the environment
sets it): the same generated source, typed and lowered by Numba as users get,
with IEEE arithmetic at either level (no fastmath), in less compile time than
the default ``-O3`` (the Numba tests are the suite's slowest: 15.3 -> 9.4 CPU
seconds for test_aliasing's helper_max_write2, 29.7 -> 21.4 for the GMM parity
row).  Set before any test imports Numba (it reads the variable once);
``numba_build`` keys its cache by the level, so these builds are never loaded by
a run at ``-O3``; benchmarks and users keep Numba's default.
"""
import importlib.util
import os

import pytest

os.environ.setdefault("NUMBA_OPT", "1")

HAS_NUMBA = importlib.util.find_spec("numba") is not None


def pytest_collection_modifyitems(config, items):
    if HAS_NUMBA:
        return
    skip = pytest.mark.skip(reason="needs numba (pip install -e '.[test]')")
    for item in items:
        callspec = getattr(item, "callspec", None)
        if callspec is not None and "numba" in callspec.id:
            item.add_marker(skip)
