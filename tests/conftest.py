"""Suite-wide test policy.

Numba is in the ``test`` extras, so ``make test`` runs every backend.  Where
someone runs pytest without it, a test parametrised with ``backend="numba"``
is skipped here, once, instead of failing with an ImportError; files that need
Numba throughout still say so with ``pytest.importorskip``.
"""
import importlib.util

import pytest

HAS_NUMBA = importlib.util.find_spec("numba") is not None


def pytest_collection_modifyitems(config, items):
    if HAS_NUMBA:
        return
    skip = pytest.mark.skip(reason="needs numba (pip install -e '.[test]')")
    for item in items:
        callspec = getattr(item, "callspec", None)
        if callspec is not None and "numba" in callspec.id:
            item.add_marker(skip)
