"""The public API, JAX-compatible: grad, value_and_grad, vjp, source.

``grad`` of a function is a reverse-mode ``Derivative``; ``grad`` of a derivative
(``grad(grad(f))``) adds a forward layer over it (``jacobians.derivative_of``).
"""
from .derivative import Derivative, SourceText, vjp
from .errors import TransformError
from .jacobians import derivative_of
from .tracebacks import user_facing


def _differentiable(f):
    return isinstance(f, Derivative) or hasattr(f, "_pullback_chain")


@user_facing
def grad(f, argnums=0, backend="python"):
    """The gradient of scalar function ``f`` with respect to argument(s) ``argnums``.

    ``backend="numba"`` compiles both sweeps with ``numba.njit`` (``pip install pullback[numba]``).
    """
    if _differentiable(f):      # forward over it
        return derivative_of(f, argnums, with_value=False)
    return Derivative(f, argnums, with_value=False, backend=backend)


@user_facing
def value_and_grad(f, argnums=0, backend="python"):
    """Like ``grad``, but the derivative returns ``(f(*args), gradient)``."""
    if _differentiable(f):
        return derivative_of(f, argnums, with_value=True)
    return Derivative(f, argnums, with_value=True, backend=backend)


@user_facing
def source(g):
    """The generated source of a derivative returned by ``grad``, ``value_and_grad`` or ``vjp``."""
    if hasattr(g, "source") and callable(g.source):
        return g.source()
    raise TypeError(f"{g!r} is not a pullback derivative")


__all__ = ["grad", "value_and_grad", "vjp", "source", "SourceText", "TransformError"]
