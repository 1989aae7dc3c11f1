"""The derivative library: one declarative entry per primitive.

Importing this package registers every primitive (``rules.scalar``, ...).
"""
from . import draws, effects, numpy_core, numpy_linalg, numpy_nondiff, registry, scalar  # noqa: F401
from . import schedule  # noqa: F401  (checkpointing's run-time schedule)
from . import complex  # noqa: F401  (complex values: JAX's convention)
from . import signal  # noqa: F401  (convolutions; scipy.signal's load on demand)
from . import interp  # noqa: F401  (np.interp)
from . import numpy_expansions  # noqa: F401  (NumPy's Python functions, as expansions)
from . import numpy_statistics  # noqa: F401  (np.cov, np.quantile, np.nanmean, ... as expansions)
from . import builtins  # noqa: F401  (max(E), min(E) of one run-time sequence)
from .registry import PRIMITIVES, lookup_python  # noqa: F401

try:    # scipy.special rules, when SciPy is installed
    import scipy.special  # noqa: F401
except ImportError:
    pass
else:
    from . import numpy_special, scipy_linalg  # noqa: F401
    # scipy_stats and scipy_integrate load on demand (expansions.ON_DEMAND)

registry.check_declarations()   # a missing piece of a rule fails here, at import
