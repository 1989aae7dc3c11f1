"""Products, solves, transposes and concatenations for the Numba backend, printed per static shape.

The Python backend's helpers ``dot_vjp_a``, ``inner_vjp_b``, ``solve_vjp_a``, ``transpose_vjp``,
``concat2``, ``concat_first``... decide on ``np.ndim`` and ``axis`` at run time; Numba's nopython
mode needs one typing per call site, and here every shape and static argument is known, so
each call is printed as the one NumPy expression that case needs::

    dot_vjp_a(g, A, x)        ->  np.outer(g, x)               (A 2-d, x 1-d)
    transpose_vjp(g, (1, 2, 0)) -> np.transpose(g, (2, 0, 1))   (the inverse permutation)
    concat_first(g, a, 0)     ->  g[:3]                        (a has 3 rows)
    trace_vjp(g, M)           ->  g * np.eye(3, 4)

Invariant: ``layout_expr`` returns ``(text, precedence)`` only for a case whose text equals
the Python helper's value for these shapes; any other case raises ``UnsupportedError`` (a
pullback error at the user's line), never a guess.  ``None``: not an op of this module.
"""
import numpy as np

from ..errors import UnsupportedError
from ..ir import Const
from ..ir.types import is_array
from .python import ATOM

OPS = ("dot", "inner", "dot_vjp_a", "dot_vjp_b", "inner_vjp_a", "inner_vjp_b", "transpose_vjp", "concat2",
       "concat_first", "concat_second", "solve_vjp_a", "solve_vjp_b", "trace_vjp", "cumsum_vjp")


def _nd(p, a):
    return len(p.shape(a)) if is_array(getattr(a, "type", None)) else 0


def _static(a, what):
    if not isinstance(a, Const):
        raise UnsupportedError(f"the numba backend needs a constant {what}")
    return a.value


def _product_vjp(op, g, a, b, na, nb):
    """``a @ b`` for 1-d and 2-d operands (what np.dot and np.matmul agree on)."""
    first = op.endswith("_a")
    if na == 0 or nb == 0:                      # a product with a scalar
        return (f"{g} * {b}", 12) if first else (f"{g} * {a}", 12)
    if na == 2 and nb == 2:
        return (f"{g} @ {b}.T", 12) if first else (f"{a}.T @ {g}", 12)
    if na == 2 and nb == 1:
        return (f"np.outer({g}, {b})", ATOM) if first else (f"{a}.T @ {g}", 12)
    if na == 1 and nb == 2:
        return (f"{b} @ {g}", 12) if first else (f"np.outer({a}, {g})", ATOM)
    if na == 1 and nb == 1:
        return (f"{g} * {b}", 12) if first else (f"{g} * {a}", 12)
    raise UnsupportedError(f"the numba backend has no {op} for {na}-d and {nb}-d arrays")


def _inner_vjp(op, g, a, b, na, nb):
    """``np.inner`` contracts the last axes: for 2-d b it is ``a @ b.T``."""
    if na == 0 or nb == 0 or nb == 1:
        return _product_vjp(op, g, a, b, na, nb)
    if nb == 2 and na in (1, 2):                # inner(a, b) = a @ b.T
        if op.endswith("_a"):
            return f"{g} @ {b}", 12
        return (f"{g}.T @ {a}", 12) if na == 2 else (f"np.outer({g}, {a})", ATOM)
    raise UnsupportedError(f"the numba backend has no {op} for {na}-d and {nb}-d arrays")


def _take(g, nd, axis, lo, hi):
    """``g`` sliced to ``lo:hi`` along ``axis`` (a view, as np.take's copy reads the same)."""
    parts = [":"] * nd
    parts[axis] = f"{lo}:{hi}"
    return f"{g}[{', '.join(parts)}]", ATOM


def layout_expr(p, s, t):
    """The text of statement ``s`` (``t(i, prec)`` prints argument i), or None."""
    op, args = s.op, s.args
    if op not in OPS:
        return None
    if op in ("dot", "inner"):           # Numba's np.dot takes two arrays; it has no np.inner
        na, nb = _nd(p, args[0]), _nd(p, args[1])
        a, b = t(0, 30), t(1, 30)
        if na == 0 or nb == 0:
            return f"{a} * {b}", 12
        if op == "dot" or nb == 1:
            return None if op == "dot" else (f"np.dot({t(0)}, {t(1)})", ATOM)
        if nb == 2 and na in (1, 2):
            return (f"{a} @ {b}.T", 12) if na == 2 else (f"{b} @ {a}", 12)
        raise UnsupportedError(f"the numba backend has no np.inner of {na}-d and {nb}-d arrays")
    if op in ("dot_vjp_a", "dot_vjp_b", "inner_vjp_a", "inner_vjp_b"):
        na, nb = _nd(p, args[1]), _nd(p, args[2])
        fn = _product_vjp if op.startswith("dot") else _inner_vjp
        return fn(op, t(0, 30), t(1, 30), t(2, 30), na, nb)
    if op == "transpose_vjp":
        axes = _static(args[1], "axes for np.transpose")
        if axes is None:
            return f"{t(0, ATOM)}.T", ATOM
        nd = len(p.shape(args[0]))       # (negative axes counted from 0 first)
        inverse = tuple(int(i) for i in np.argsort([int(a) % nd for a in axes]))
        return f"np.transpose({t(0)}, {inverse!r})", ATOM
    if op == "trace_vjp":
        shape = p.shape(args[1])
        if len(shape) != 2:
            raise UnsupportedError("the numba backend has np.trace of a matrix only")
        return f"{t(0, 30)} * np.eye({shape[0]}, {shape[1]})", 12
    if op == "cumsum_vjp":                # a reversed running sum: 1-d only
        axis = _static(args[2], "axis for np.cumsum")
        if len(p.shape(args[1])) != 1 or axis not in (None, 0, -1):
            raise UnsupportedError("the numba backend has np.cumsum of a vector only")
        return f"np.cumsum({t(0, ATOM)}[::-1])[::-1]", ATOM
    if op == "concat2":
        axis = _static(args[2], "axis for np.concatenate")
        return f"np.concatenate(({t(0)}, {t(1)}), axis={int(axis)})", ATOM
    if op in ("concat_first", "concat_second"):
        gshape, ashape = p.shape(args[0]), p.shape(args[1])
        axis = int(_static(args[2], "axis for np.concatenate")) % len(gshape)
        n = ashape[axis]
        if op == "concat_first":
            return _take(t(0, ATOM), len(gshape), axis, "", n)
        return _take(t(0, ATOM), len(gshape), axis, n, "")
    # solve(a, b) = x: b_bar = solve(a.T, g); a_bar = -b_bar x^T (an outer product for 1-d b)
    if _nd(p, args[1]) != 2 or _nd(p, args[2]) not in (1, 2):
        raise UnsupportedError(f"the numba backend has {op} for one matrix and a vector or matrix")
    at = f"np.ascontiguousarray({t(1)}.T)"
    b_bar = f"np.linalg.solve({at}, np.ascontiguousarray({t(0)}))"
    if op == "solve_vjp_b":
        return b_bar, ATOM
    if _nd(p, args[2]) == 1:
        return f"-np.outer({b_bar}, {t(3)})", 14
    return f"-({b_bar} @ {t(3, 30)}.T)", 14
