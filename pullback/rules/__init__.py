"""The derivative library: one declarative entry per primitive.

Importing this package registers every primitive (``rules.scalar``, ...).
"""
from . import numpy_core, numpy_linalg, registry, scalar  # noqa: F401
from .registry import PRIMITIVES, lookup_python  # noqa: F401
