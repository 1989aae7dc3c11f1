"""pullback: source-to-source automatic differentiation for Python.

    g = pullback.grad(f, argnums=(0, 1))
    g(1.0, 2.0)
    print(pullback.source(g))
"""
from .api import grad, source, value_and_grad, vjp
from .custom import custom_jvp, custom_vjp
from .library_rules import defvjp
from .implicit import fixed_point, root

try:        # scipy.optimize's solvers differentiate implicitly, when SciPy is installed
    from . import scipy_optimize  # noqa: F401
except ImportError:
    pass
from .check import GradientMismatch, check_grad
from .emit_c import emit_c
from .jacobians import hessian, hvp, jacobian, jvp, jvp_source
from .errors import TransformError, UnsupportedError
from .rules.helpers import stop_gradient

__all__ = ["grad", "value_and_grad", "vjp", "jvp", "jvp_source", "jacobian", "hessian", "hvp",
           "source", "check_grad", "emit_c", "stop_gradient", "custom_vjp", "custom_jvp",
           "defvjp", "fixed_point", "root", "GradientMismatch",
           "TransformError", "UnsupportedError"]
__version__ = "0.1.0"
