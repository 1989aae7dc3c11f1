"""Nopython twins of the helpers that move values through run-time indices or run along
one axis: ``np.take``, ``np.take_along_axis``, ``np.sort``/``np.argsort`` along an axis and
``np.cumprod``'s derivatives, printed per static shape (``numba_twins.py`` holds the ones
whose indices are static).

Every such helper works on ``x`` seen as ``(P, n, Q)``: the axes before ``axis``, the axis
itself and the axes after it (``axis=None``: the flat array, ``(1, size, 1)``); the sizes
are static, so each call is a generated ``@njit`` function of those sizes::

    take_vjp(g, x, idx, 1)       (x 3x4, idx of 2)  ->  _take_vjp_3x2_to_3x4_a1(g, idx)
    sort_vjp(g, x, 0)            (x 3x4)            ->  _sort_vjp_3x4_a0(g, x)
    cumprod_vjp(g, x, None)      (x 3x4)            ->  _cumprod_vjp_3x4_an(g, x)

Invariant: a printer returns ``(text, precedence)`` only where its value equals the Python
helper's (``rules/np_helpers.py``) for these shapes and static arguments (the rows of
tests/test_numpy_rules.py run on Numba against JAX and central differences:
tests/test_numba_twins.py); any other case raises ``UnsupportedError`` (rejected at the
user's line).  A run-time index out of range raises IndexError, as NumPy's does.
"""
import math

import numpy as np

from ..errors import UnsupportedError
from ..ir import Const, Extern
from ..ir.types import is_array

ATOM = 100


def _shape(p, a):
    return tuple(p.shape(a)) if is_array(getattr(a, "type", None)) else ()


def _axis(a, what):
    if not isinstance(a, Const):
        raise UnsupportedError(f"the numba backend needs a constant axis for {what}")
    return a.value


def _tag(shape):
    return "x".join(map(str, shape)) or "s"


def _tup(shape):
    return f"({shape[0]},)" if len(shape) == 1 else f"({', '.join(map(str, shape))})"


def _split(xs, axis):
    """``(P, n, Q)``: the sizes before, along and after ``axis`` (None: flat)."""
    if axis is None:
        return 1, math.prod(xs), 1
    a = int(axis) % len(xs)
    return math.prod(xs[:a]), xs[a], math.prod(xs[a + 1:])


def _array(p, s, i, t):
    """Argument ``i`` as an array (a number, as one element)."""
    return t(i) if _shape(p, s.args[i]) else f"np.full(1, {t(i)})"


def _indices(p, s, i, t):
    """The index argument as an int array: a constant tuple or int as a literal."""
    a = s.args[i]
    if isinstance(a, Const) and not isinstance(a.value, Extern):
        flat = np.ravel(np.asarray(a.value)).astype(np.int64).tolist()
        return f"np.array({flat!r}, np.int64)"
    return t(i) if is_array(getattr(a, "type", None)) else f"np.full(1, {t(i)})"


def _add(p, name, text):
    p.generated.setdefault(name, text)
    return name


_CHECK = '''
            if j < 0:
                j += {n}
            if j < 0 or j >= {n}:
                raise IndexError("index out of bounds")'''


def _take_vjp(p, s, t):
    gs, xs = _shape(p, s.args[0]), _shape(p, s.args[1])
    axis = _axis(s.args[3], "np.take")
    if not xs:
        raise UnsupportedError("the numba backend has np.take of an array only")
    P, n, Q = _split(xs, axis)
    K = math.prod(gs) // (P * Q)
    name = f"_take_vjp_{_tag(gs)}_to_{_tag(xs)}_a{'n' if axis is None else int(axis) % len(xs)}"
    body = _CHECK.format(n=n)
    _add(p, name, f'''
def {name}(g, ind):
    idx = np.asarray(ind).ravel()
    g3 = np.ascontiguousarray(g).reshape(({P}, {K}, {Q}))
    out = np.zeros(({P}, {n}, {Q}))
    for a in range({P}):
        for k in range({K}):
            j = idx[k]{body}
            for b in range({Q}):
                out[a, j, b] += g3[a, k, b]
    return out.reshape({_tup(xs)})''')
    return f"{name}({_array(p, s, 0, t)}, {_indices(p, s, 2, t)})", ATOM


def _take_along_axis_vjp(p, s, t):
    gs, xs = _shape(p, s.args[0]), _shape(p, s.args[1])
    if _shape(p, s.args[2]) != gs:
        raise UnsupportedError("the numba backend has np.take_along_axis with indices of "
                               "the result's shape only")
    axis = _axis(s.args[3], "np.take_along_axis")
    if axis is None:
        xs_flat, a = (math.prod(xs),), 0
    else:
        xs_flat, a = xs, int(axis) % len(xs)
    vs = [f"i{k}" for k in range(len(gs))]
    lines, pad = [], "    "
    for v, m in zip(vs, gs):
        lines.append(f"{pad}for {v} in range({m}):")
        pad += "    "
    at = [("j" if k == a else v) for k, v in enumerate(vs)]
    check = _CHECK.format(n=xs_flat[a]).replace("\n            ", "\n" + pad)
    lines += [f"{pad}j = ind[{', '.join(vs)}]{check}",
              f"{pad}out[{', '.join(at)}] += g[{', '.join(vs)}]"]
    name = f"_take_along_axis_vjp_{_tag(gs)}_to_{_tag(xs)}_a{'n' if axis is None else a}"
    nl = "\n"
    _add(p, name, f'''
def {name}(g, ind):
    out = np.zeros({_tup(xs_flat)})
{nl.join(lines)}
    return out.reshape({_tup(xs)})''')
    return f"{name}({t(0)}, {t(2)})", ATOM


def _rows(name, xs, axis, args, body, dtype="", out_shape=None):
    """A generated function over the ``(P, n, Q)`` view of ``x``: ``body`` runs per
    ``(a, b)`` on ``row = x3[a, :, b]`` (a contiguous copy) and writes ``out[a, :, b]``."""
    P, n, Q = _split(xs, axis)
    return f'''
def {name}({args}):
    x3 = np.ascontiguousarray(x).reshape(({P}, {n}, {Q}))
    out = np.zeros(({P}, {n}, {Q}){dtype})
    for a in range({P}):
        for b in range({Q}):
            row = x3[a, :, b].copy()
{body}
    return out.reshape({_tup(out_shape if out_shape is not None else xs)})'''


def _axis_tag(xs, axis):
    return "n" if axis is None else str(int(axis) % len(xs))


def _sort_vjp(p, s, t):
    gs, xs = _shape(p, s.args[0]), _shape(p, s.args[1])
    axis = _axis(s.args[2], "np.sort")
    flat = (math.prod(xs),) if axis is None else xs
    if not xs or gs != flat:
        raise UnsupportedError("the numba backend has the derivative of np.sort of an array "
                               "with a cotangent of its shape only")
    P, n, Q = _split(xs, axis)
    name = f"_sort_vjp_{_tag(xs)}_a{_axis_tag(xs, axis)}"
    body = f'''            order = np.argsort(row)
            for k in range({n}):
                out[a, order[k], b] += g3[a, k, b]'''
    text = _rows(name, xs, axis, "g, x", body).replace(
        "    out = np.zeros", f"    g3 = np.ascontiguousarray(g).reshape(({P}, {n}, {Q}))\n"
        "    out = np.zeros", 1)
    return f"{_add(p, name, text)}({t(0)}, {t(1)})", ATOM


def _along(op):
    """np.sort / np.argsort along an axis of an array of more than one axis (nopython's
    sort the flat or 1-d one only); None: printed as written."""
    def printer(p, s, t):
        xs = _shape(p, s.args[0])
        axis = _axis(s.args[1], f"np.{op}")
        if len(xs) <= 1 and axis in (0, -1):
            return f"np.{op}({t(0)})", ATOM
        if not xs:
            return None
        if axis is None:            # the flat array's
            return f"np.{op}(np.ascontiguousarray({t(0)}).ravel())", ATOM
        name = f"_{op}_{_tag(xs)}_a{_axis_tag(xs, axis)}"
        body = f"            out[a, :, b] = np.{op}(row)"
        text = _rows(name, xs, axis, "x", body, ", np.int64" if op == "argsort" else ", x.dtype")
        return f"{_add(p, name, text)}({t(0)})", ATOM
    return printer


def _cumprod_parts(p, s, what):
    """(shape of x, axis, the flat shape of y) of ``cumprod_vjp/jvp(g, x, axis)``, the
    cotangent or tangent of y's (or x's) shape only."""
    xs = _shape(p, s.args[1])
    axis = _axis(s.args[2], "np.cumprod")
    if not xs:
        raise UnsupportedError("the numba backend has np.cumprod of an array only")
    ys = (math.prod(xs),) if axis is None else xs
    if _shape(p, s.args[0]) not in (xs, ys):
        raise UnsupportedError(f"the numba backend has np.cumprod's {what} of a full "
                               "array only")
    return xs, axis, ys


def _cumprod_vjp(p, s, t):
    """``x_bar[j] = prod(x[:j]) * s[j]``, ``s[j] = g[j] + x[j+1] * s[j+1]`` (no division,
    as the Python helper)."""
    xs, axis, _ = _cumprod_parts(p, s, "cotangent")
    P, n, Q = _split(xs, axis)
    name = f"_cumprod_vjp_{_tag(xs)}_a{_axis_tag(xs, axis)}"
    body = f'''            grow = g3[a, :, b]
            left = np.ones({n})
            for j in range(1, {n}):
                left[j] = left[j - 1] * row[j - 1]
            acc = 0.0
            for j in range({n} - 1, -1, -1):
                acc = grow[j] + (row[j + 1] * acc if j + 1 < {n} else 0.0)
                out[a, j, b] = left[j] * acc'''
    text = _rows(name, xs, axis, "g, x", body).replace(
        "    out = np.zeros", f"    g3 = np.ascontiguousarray(g).reshape(({P}, {n}, {Q}))\n"
        "    out = np.zeros", 1)
    return f"{_add(p, name, text)}({t(0)}, {t(1)})", ATOM


def _cumprod_jvp(p, s, t):
    """``y_dot[i] = y_dot[i-1] * x[i] + y[i-1] * t[i]`` (flat for ``axis=None``)."""
    xs, axis, ys = _cumprod_parts(p, s, "tangent")
    P, n, Q = _split(xs, axis)
    name = f"_cumprod_jvp_{_tag(xs)}_a{_axis_tag(xs, axis)}"
    body = '''            trow = t3[a, :, b]
            y, y_dot = 1.0, 0.0
            for j in range(row.shape[0]):
                y, y_dot = y * row[j], y_dot * row[j] + y * trow[j]
                out[a, j, b] = y_dot'''
    text = _rows(name, xs, axis, "t, x", body, out_shape=ys).replace(
        "    out = np.zeros", f"    t3 = np.ascontiguousarray(t).reshape(({P}, {n}, {Q}))\n"
        "    out = np.zeros", 1)
    return f"{_add(p, name, text)}({t(0)}, {t(1)})", ATOM


def _cumprod(p, s, t):
    """np.cumprod along an axis (nopython's takes none); the flat one as written."""
    xs = _shape(p, s.args[0])
    axis = _axis(s.args[1], "np.cumprod")
    if axis is None or len(xs) <= 1:
        return None
    name = f"_cumprod_{_tag(xs)}_a{_axis_tag(xs, axis)}"
    body = "            out[a, :, b] = np.cumprod(row)"
    return f"{_add(p, name, _rows(name, xs, axis, 'x', body, ', x.dtype'))}({t(0)})", ATOM


GATHERS = {"take_vjp": _take_vjp, "take_along_axis_vjp": _take_along_axis_vjp,
           "sort_vjp": _sort_vjp, "sort": _along("sort"), "argsort": _along("argsort"),
           "cumprod_vjp": _cumprod_vjp, "cumprod_jvp": _cumprod_jvp, "cumprod": _cumprod}
