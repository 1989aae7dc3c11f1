"""The public API, JAX-compatible: grad, value_and_grad, vjp, source.

``grad`` of a function is a reverse-mode ``Derivative``; ``grad`` of a derivative
(``grad(grad(f))``) adds a forward layer over it (``jacobians.derivative_of``).
"""
from __future__ import annotations

import os
from typing import Any, Callable, Optional, Union

from .arguments import Argnums
from . import derivative
from .derivative import Derivative, SourceText
from .derived_vjp import derived_vjp
from .errors import TransformError
from .jacobians import derivative_of
from .tracebacks import user_facing


def _differentiable(f):
    return isinstance(f, Derivative) or hasattr(f, "_pullback_chain")


@user_facing
def grad(f: Callable, argnums: Argnums = 0, backend: str = "python",
         checkpoint: Union[int, str, None] = None, has_aux: bool = False,
         memory_budget: Optional[int] = None) -> Callable:
    """The gradient of scalar function ``f`` with respect to argument(s) ``argnums``.

    ``backend="numba"`` compiles both sweeps with ``numba.njit`` (``pip install pullback[numba]``).
    ``checkpoint=s``: reverse each top-level loop (``for``, ``while``) of ``f``, and of
    the functions ``f`` calls at its top level, from at most ``s`` snapshots of its state
    (binomial checkpointing) instead of taping every iteration; loops nested in those, and
    in functions called inside a loop or branch, stay taped.  ``"auto"`` picks ``s`` from
    ``memory_budget`` bytes of snapshots per loop (default: a quarter of the free memory);
    ``source(g)`` shows the choice, the bytes and the recomputation factor.
    ``has_aux=True``: ``f`` returns ``(output, aux)``; the gradient is of ``output`` and
    the derivative returns ``(gradient, aux)``.
    """
    if _differentiable(f):      # forward over it
        _no_checkpoint(checkpoint)
        _no_aux(has_aux)
        return derivative_of(f, argnums, with_value=False, backend=_given(backend))
    return Derivative(f, argnums, with_value=False, backend=backend,
                      checkpoint=_checked(checkpoint, memory_budget), has_aux=has_aux)


@user_facing
def value_and_grad(f: Callable, argnums: Argnums = 0, backend: str = "python",
                   checkpoint: Union[int, str, None] = None,
                   has_aux: bool = False, memory_budget: Optional[int] = None) -> Callable:
    """Like ``grad``, but the derivative returns ``(f(*args), gradient)`` (with
    ``has_aux``: ``((output, aux), gradient)``)."""
    if _differentiable(f):
        _no_checkpoint(checkpoint)
        _no_aux(has_aux)
        return derivative_of(f, argnums, with_value=True, backend=_given(backend))
    return Derivative(f, argnums, with_value=True, backend=backend,
                      checkpoint=_checked(checkpoint, memory_budget), has_aux=has_aux)


# the frontend's markers (it does not import this module): grad(f)(x) written inside
# differentiated code is a Call.grad (transforms/grad_calls.py), with the value or not
grad.lowers_to_grad = "grad"
value_and_grad.lowers_to_grad = "value_and_grad"


def _given(backend):
    """A derivative's own backend unless another is named (the default is "python")."""
    return None if backend == "python" else backend


def _no_aux(has_aux):
    if has_aux:
        raise ValueError("has_aux applies to a function returning (output, aux), not to a "
                         "derivative of a derivative")


def _checked(checkpoint, memory_budget=None):
    """The ``Reverse`` layer's ``checkpoint``: snapshots, ("auto", budget bytes) or None."""
    if memory_budget is not None and checkpoint != "auto":
        raise ValueError("memory_budget applies to checkpoint='auto'")
    if checkpoint == "auto":
        budget = _free_memory() // 4 if memory_budget is None else memory_budget
        if isinstance(budget, bool) or not isinstance(budget, int) or budget < 1:
            raise ValueError(f"memory_budget must be a number of bytes >= 1, not {budget!r}")
        return ("auto", budget)
    if checkpoint is None:
        return checkpoint
    if isinstance(checkpoint, bool) or not isinstance(checkpoint, int) or checkpoint < 1:
        raise ValueError(f"checkpoint must be a number of snapshots >= 1 or 'auto', "
                         f"not {checkpoint!r}")
    return checkpoint


def _free_memory():
    """Bytes of free physical memory (1 GiB where the system does not say)."""
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return 1 << 30


def _no_checkpoint(checkpoint):
    if checkpoint is not None:
        raise ValueError("checkpoint applies to the reverse sweep of a function, not to a "
                         "derivative of a derivative")


@user_facing
def vjp(f: Callable, *primals: Any, backend: str = "python",
        has_aux: bool = False) -> tuple:
    """``(f(*primals), f_vjp)`` where ``f_vjp(ct)`` pulls a cotangent back to the primals;
    ``has_aux``: ``f`` returns ``(output, aux)`` and this is ``(output, f_vjp, aux)``.
    ``f`` may be a derivative (``vjp(grad(f), x)``): its forward Jacobian transposed."""
    if _differentiable(f):
        return derived_vjp(f, primals, backend, has_aux)
    return derivative.vjp(f, *primals, backend=backend, has_aux=has_aux)


@user_facing
def source(g: Any) -> SourceText:
    """The generated source of a derivative returned by ``grad``, ``value_and_grad`` or ``vjp``.

    The generated function takes the leaves of the arguments, flattened in order (a dict
    argument ``p = {"W": ..., "b": ...}`` is ``p_W, p_b``), and returns the value when the
    derivative was made by ``value_and_grad``, then one gradient leaf per differentiated
    leaf; the derivative itself packs and unpacks the containers around that call."""
    if hasattr(g, "source") and callable(g.source):
        return g.source()
    raise TypeError(f"{g!r} is not a pullback derivative")


__all__ = ["grad", "value_and_grad", "vjp", "source", "SourceText", "TransformError"]
