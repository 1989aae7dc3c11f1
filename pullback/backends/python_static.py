"""Shape helpers resolved when the Python backend prints: the NumPy expression an expert writes.

``unbroadcast``, ``expand_to``, ``count`` and ``matmul_vjp_a/b`` decide on ``np.shape`` and
``np.ndim`` at run time; where the IR types give every shape they decide on, the decision is
taken here, once, and the call prints as its outcome::

    matmul_vjp_b(z_bar, X, w)          ->  X.T @ z_bar
    expand_to(lam, w ** 2, None, False) ->  np.broadcast_to(lam, (3,))     (no w ** 2)
    unbroadcast(g, b)                  ->  np.sum(g, axis=0)
    count(x, 1)                        ->  10
    like(g, m)                         ->  np.reshape(g, (5, 2))
    einsum_vjp(g, 'kij,nkj->nki', 0, L, xc) ->  np.einsum('nki,nkj->kij', g, xc)
                                          ->  g.transpose(1, 2, 0) @ xc.transpose(1, 0, 2)
    np.einsum('kij,nkj->nki', L, xc)   ->  (L @ xc.transpose(1, 2, 0)).transpose(2, 0, 1)
    logsumexp_grad(g, a, None, y, 1, False) ->  np.expand_dims(g, 1) * np.exp(a - np.expand_dims(y, 1))
    extremum_mask(z, zmax, 1, True)    ->  (z == zmax) / np.sum((z == zmax), axis=1, keepdims=True)
    scipy.special.logsumexp(m, axis=1) ->  logsumexp_shifted(m, 1, False)   (NumPy alone)

Invariant: a derivative is compiled per argument shape (``Arguments.key`` holds each array
leaf's shape), and a shape the types leave open (``Array.static`` false, e.g. a type given to
the CLI as ``float64[?]``) keeps the helper; so the printed expression is the helper's value
for every call the compiled function can see.  For another library's arrays (``FOREIGN``:
Dask, CuPy; their derivative is compiled apart, ``Arguments.key``) no decision prints a NumPy
array or a Python float that the helper would have kept in the arguments' array type: a
scalar cotangent is broadcast by the helper (like its primal), a sum to a scalar stays an
array (Dask's stays lazy).  ``static_expr`` returns None (keep the helper)
for every case not listed, never a guess; ``resolved(s)`` says whether it prints ``s``, so
the module leaves out the sources of helpers no statement calls any more.
"""
import contextvars
import math
import re

from ..ir import Const
from ..ir.types import is_array
from ..rules.linalg_helpers import einsum_spec
from .escape import py_literal
from .python_einsum import einsum_matmul

ATOM = 100          # python.ATOM (python.py imports this module)
FOREIGN = contextvars.ContextVar("pullback_foreign_arrays", default=False)
LIKE = "_pullback_like"     # FOREIGN modules: an empty array of the library (np.zeros(like=))
CREATES = frozenset(("zeros", "ones", "empty", "full", "arange"))  # NEP 35's like= takes them
STATIC_OPS = frozenset(("matmul_vjp_a", "matmul_vjp_b", "unbroadcast", "expand_to", "count",
                        "like", "logsumexp_grad", "einsum_vjp1", "einsum_vjp2", "einsum_vjp3",
                        "einsum_vjp4", "extremum_mask", "logsumexp", "einsum2"))
# the runtime helper a static print calls, whose source the module then needs
HELPER_OF = {"logsumexp": "logsumexp_shifted"}


def _shape(a):
    """The static shape of atom ``a`` (``()`` for a scalar), or None when not known."""
    t = getattr(a, "type", None)
    if is_array(t):
        return tuple(t.shape) if t.static else None
    return () if t in ("float", "int", "bool") else None


def _const(a, default="?"):
    return a.value if isinstance(a, Const) else default


def _par(arg, prec):
    text, p = arg
    return f"({text})" if p < prec else text


def _axes(axis, ndim):
    axes = axis if isinstance(axis, tuple) else (axis,)
    return tuple(sorted(a % ndim for a in axes))


def _matmul_vjp(op, args, na, nb):
    """np.matmul's cotangents for 1-d and 2-d operands (stacks keep the helper)."""
    g, a, b = _par(args[0], 21), _par(args[1], ATOM), _par(args[2], ATOM)   # a.T: an atom
    first = op == "matmul_vjp_a"
    if na == 2 and nb == 2:
        return f"{_par(args[0], 20)} @ {b}.T" if first else f"{a}.T @ {g}", 20
    if na == 2 and nb == 1:
        return (f"np.outer({args[0][0]}, {args[2][0]})", ATOM) if first else (f"{a}.T @ {g}", 20)
    if na == 1 and nb == 2:
        return (f"{_par(args[2], 20)} @ {g}", 20) if first else (f"np.outer({args[1][0]}, {args[0][0]})", ATOM)
    if na == 1 and nb == 1:
        return f"{_par(args[0], 20)} * {_par(args[2 if first else 1], 21)}", 20
    return None


def _unbroadcast(args, gshape, xshape):
    """Sum ``g`` over the axes broadcasting added (leading) or stretched (size 1 in x)."""
    if gshape == xshape:
        return None if not xshape else args[0]
    if not xshape:
        return f"np.sum({args[0][0]})" if FOREIGN.get() else f"float(np.sum({args[0][0]}))", ATOM
    lead = len(gshape) - len(xshape)
    if lead < 0:
        return None
    stretched = tuple(lead + i for i, n in enumerate(xshape) if n == 1 and gshape[lead + i] != 1)
    if not stretched:
        return f"np.sum({args[0][0]}, axis={_axis_text(tuple(range(lead)))})", ATOM
    axes = tuple(range(lead)) + stretched
    kept = f"np.sum({args[0][0]}, axis={_axis_text(axes)}, keepdims=True)"
    return (f"{kept}.reshape({py_literal(xshape)})" if lead else kept), ATOM


def _axis_text(axes):
    return str(axes[0]) if len(axes) == 1 else py_literal(axes)


def _expand_to(s, args, xshape):
    """``np.broadcast_to`` of the reduction's cotangent with the reduced axes put back."""
    axis, keep = _const(s.args[2]), _const(s.args[3])
    if axis == "?" or keep == "?" or not xshape:
        return None
    g = args[0][0]
    gshape = _shape(s.args[0])
    if gshape == () and FOREIGN.get():
        return None         # np.broadcast_to(-1.0, shape) would be NumPy's
    if not keep and axis is not None and gshape != ():
        axes = _axes(axis, len(xshape))
        if gshape is None or len(gshape) != len(xshape) - len(axes):
            return None
        parts = ["None" if i in axes else ":" for i in range(len(xshape))]
        g = f"{_par(args[0], ATOM)}[{', '.join(parts)}]"
    elif not keep and gshape != ():
        return None
    return f"np.broadcast_to({g}, {py_literal(xshape)})", ATOM


def _logsumexp_grad(s, args):
    """``expand_to(g) * np.exp(a - expand_to(y))`` without weights: the reduced axes put
    back with np.expand_dims, the product broadcasting them (a has the result's shape)."""
    axis, keep = _const(s.args[4]), _const(s.args[5])
    if _const(s.args[2], None) is not None or not isinstance(s.args[2], Const) or \
            axis == "?" or keep == "?" or _shape(s.args[1]) in (None, ()):
        return None
    g, a, y = _par(args[0], ATOM), _par(args[1], ATOM), _par(args[3], ATOM)
    if axis is not None and not keep:
        g, y = (f"np.expand_dims({v}, {py_literal(axis)})" for v in (args[0][0], args[3][0]))
    elif not keep and _shape(s.args[0]) != ():
        return None
    if re.fullmatch(r"np\.broadcast_to\(1\.0, \([0-9, ]*\)\)", args[0][0]) and \
            _float64(s.args[1]):
        return f"np.exp({a} - {y})", ATOM     # a seed of ones (a sum's cotangent): no product
    return f"{g} * np.exp({a} - {y})", 20


def _extremum_mask(s, args):
    """Where ``x`` equals its reduction ``y``, ties sharing: ``y`` broadcasts back with its
    reduced axes put back (``np.expand_dims``) instead of the helper's ``expand_to``."""
    axis, keep = _const(s.args[2]), _const(s.args[3])
    xshape, yshape = _shape(s.args[0]), _shape(s.args[1])
    if axis == "?" or keep == "?" or not xshape or yshape is None or FOREIGN.get():
        return None
    y = _par(args[1], ATOM)
    if axis is not None and not keep:
        y = f"np.expand_dims({args[1][0]}, {py_literal(axis)})"
    elif axis is None and yshape != () and not keep:
        return None
    hit = f"({_par(args[0], 19)} == {y})"
    total = f"np.sum({hit})" if axis is None else \
        f"np.sum({hit}, axis={py_literal(axis)}, keepdims=True)"
    return f"{hit} / {total}", 20


def _logsumexp(s, args):
    """SciPy's logsumexp of a float64 array without weights or sign: the max-shifted sum
    in NumPy (``logsumexp_shifted``), without SciPy's per-call dispatch."""
    axis, b, keep, sign = (_const(a) for a in s.args[1:5])
    t = getattr(s.args[0], "type", None)
    if b is not None or sign is not False or keep not in (True, False) or axis == "?" or \
            not (is_array(t) and t.static and t.dtype == "float64" and t.shape) or \
            FOREIGN.get():
        return None
    return f"logsumexp_shifted({args[0][0]}, {py_literal(axis)}, {keep})", ATOM


def _einsum_vjp(s, args):
    """The cotangent of operand k as one einsum, where every letter of k is in the output
    or another operand once (no diagonal, no broadcast: the helper's first einsum)."""
    subs, k = _const(s.args[1]), _const(s.args[2])
    shapes = [_shape(a) for a in s.args[3:]]
    if not isinstance(subs, str) or type(k) is not int or None in shapes or \
            _shape(s.args[0]) is None:
        return None
    ins, out, _ = einsum_spec(subs, shapes)
    others = [i for i in range(len(ins)) if i != k]
    present = set(out).union(*[set(ins[i]) for i in others])
    if len(set(ins[k])) != len(ins[k]) or not set(ins[k]) <= present:
        return None
    spec = ",".join([out] + [ins[i] for i in others]) + "->" + ins[k]
    if len(others) == 1 and _float64(s.args[0]) and _float64(s.args[3 + others[0]]) and \
            _float64(s.target) and not FOREIGN.get():
        mm = einsum_matmul([out, ins[others[0]]], ins[k], [_shape(s.args[0]), shapes[others[0]]],
                           [_par(args[0], ATOM), _par(args[3 + others[0]], ATOM)])
        if mm is not None:
            return mm
    operands = ", ".join([args[0][0]] + [args[3 + i][0] for i in others])
    return f"np.einsum({py_literal(spec)}, {operands})", ATOM


def _einsum2(s, args):
    """A two-operand einsum of float64 arrays as a matrix product (python_einsum)."""
    subs = _const(s.args[0])
    shapes = [_shape(a) for a in s.args[1:]]
    if not isinstance(subs, str) or None in shapes or FOREIGN.get() or \
            not all(_float64(a) for a in (*s.args[1:], s.target)):
        return None
    ins, out, _ = einsum_spec(subs, shapes)
    return einsum_matmul(ins, out, shapes, [_par(a, ATOM) for a in args[1:]])


def static_expr(s, args):
    """``(text, precedence)`` of Assign ``s`` (argument texts ``args``), or None: the helper."""
    op = s.op
    if op in ("matmul_vjp_a", "matmul_vjp_b"):
        sa, sb = _shape(s.args[1]), _shape(s.args[2])
        if sa is None or sb is None or _shape(s.args[0]) is None:
            return None
        return _matmul_vjp(op, args, len(sa), len(sb))
    if op == "unbroadcast":
        gshape, xshape = _shape(s.args[0]), _shape(s.args[1])
        if gshape is None or xshape is None or not is_array(getattr(s.args[0], "type", None)):
            return None
        return _unbroadcast(args, gshape, xshape)
    if op == "expand_to":
        xshape = _shape(s.args[1])
        return None if xshape is None else _expand_to(s, args, xshape)
    if op == "like":           # np.reshape(g, np.shape(x))
        xshape = _shape(s.args[1])
        if not xshape:
            return None
        return (args[0] if _shape(s.args[0]) == xshape else
                (f"np.reshape({args[0][0]}, {py_literal(xshape)})", ATOM))
    if op == "logsumexp_grad":
        return _logsumexp_grad(s, args)
    if op.startswith("einsum_vjp"):
        return _einsum_vjp(s, args)
    if op == "einsum2":
        return _einsum2(s, args)
    if op == "extremum_mask":
        return _extremum_mask(s, args)
    if op == "logsumexp":
        return _logsumexp(s, args)
    if op == "count":
        shape, axis = _shape(s.args[0]), _const(s.args[1])
        if shape is None or axis == "?" or not shape:
            return None
        return str(math.prod(shape[a] for a in _axes(axis, len(shape))) if axis is not None
                   else math.prod(shape)), ATOM
    return None


def resolved(s):
    """Does ``static_expr`` print ``s`` (so its helper need not be in the module)?"""
    return s.op in STATIC_OPS and static_expr(s, [("_", ATOM)] * len(s.args)) is not None


def _float64(a):
    t = getattr(a, "type", None)
    return (t.dtype == "float64") if is_array(t) else False


def elide_broadcast(s, args, inlined):
    """Operand texts of elementwise ``s`` with a folded ``np.broadcast_to(g, shape)`` printed
    as ``g`` where the other operand has that whole shape already: the operation broadcasts
    ``g`` the same way, and with float64 on both sides the result's dtype is the same."""
    if s.op not in ("add", "sub", "mul", "truediv") or len(s.args) != 2:
        return args
    out = list(args)
    for i, a in enumerate(s.args):
        src = inlined.get(getattr(a, "name", None))
        if src is None or getattr(src, "op", None) != "expand_to":
            continue
        other, shape = s.args[1 - i], _shape(src.target)
        text = args[i][0]
        head, tail = "np.broadcast_to(", f", {py_literal(shape)})"
        if not (shape and _shape(other) == shape and _shape(s.target) == shape and
                _float64(other) and _float64(src.target) and text.startswith(head)
                and text.endswith(tail)):
            continue
        inner = text[len(head):-len(tail)]
        out[i] = (inner, ATOM if inner.isidentifier() else 0)
    return out
