"""``vjp`` of one of pullback's own derivatives: ``vjp(grad(f), x)``, ``vjp(hessian(f), x)``,
``vjp(jacobian(f), x)``.

Reverse mode does not take generated reverse code (its tapes) as input, so the pullback
of a derivative ``D`` is the transpose of ``D``'s forward Jacobian (forward over it, as
``jacobian(grad(f))`` runs; one sweep per ``MAX_DIRECTIONS`` input elements), contracted
with the cotangent over the output's axes: ``x_bar = tensordot(ct, J, ct.ndim)``.

Invariants: the primals are floats or float arrays and ``D``'s output is one float or
array; anything else (containers, ints, ``has_aux``) is refused with an error that names
the construct and the forms that work (``jvp(grad(f))``, ``hessian``, ``hvp``), never run
as something else.  The cotangents have the primals' shapes (a float for a float).
"""
import numpy as np

from .jacobians import jacobian

_FORMS = ("jvp(grad(f), ...), pullback.hvp(f, ...) or hessian(f) give the same "
          "derivatives of a gradient")


def derived_vjp(f, primals, backend, has_aux):
    """``(D(*primals), D_vjp)`` for a derivative ``D`` (module docstring)."""
    name = getattr(f, "__name__", "the derivative")
    if has_aux:
        raise TypeError(f"vjp of {name} (a pullback derivative) with has_aux: a derivative "
                        f"returns no aux; {_FORMS}")
    for i, p in enumerate(primals):
        kind = np.asarray(p).dtype.kind if isinstance(p, (float, int, np.ndarray, np.number)) \
            and not isinstance(p, bool) else None
        if kind != "f":
            raise TypeError(f"vjp of {name} (a pullback derivative) takes float or float-"
                            f"array primals; argument {i} is {type(p).__name__}. {_FORMS}")
    out = f(*primals)
    if not isinstance(out, (float, np.floating, np.ndarray)):
        raise TypeError(f"vjp of {name} (a pullback derivative) needs one float or array "
                        f"output, not {type(out).__name__}; {_FORMS}")
    jac = jacobian(f, argnums=tuple(range(len(primals))), mode="forward",
                   backend=None if backend == "python" else backend)(*primals)
    shape = np.shape(out)

    def f_vjp(ct):
        ct = np.asarray(ct, dtype=float)
        if ct.shape != shape:
            raise ValueError(f"vjp: cotangent of shape {ct.shape} for an output of shape "
                             f"{shape}")
        got = []
        for j, p in zip(jac, primals):
            x_bar = np.tensordot(ct, np.asarray(j, dtype=float), ct.ndim)
            got.append(float(x_bar) if np.ndim(p) == 0 and not isinstance(p, np.ndarray)
                       else np.asarray(x_bar).reshape(np.shape(p)))
        return tuple(got)
    return out, f_vjp


__all__ = ["derived_vjp"]
