"""Nopython twins of the index and decomposition helpers, printed per static shape.

The Python helpers (``rules/np_helpers.py``, ``rules/linalg_helpers.py``) decide on
``np.ndim``, ``np.shape`` and their static arguments at run time, and call what nopython
mode lacks (``np.pad``, ``np.add.at``, ``np.moveaxis``, ``eigh(x, UPLO)``).  Every shape and
static argument is known when the Numba module is printed, so each call becomes a small
generated ``@njit`` function of those shapes, or one NumPy expression (the decompositions' cotangents call ``_eigh_vjp``,
``_qr_vjp`` and ``_cholesky_vjp`` of ``numba_helpers.py``, printed by ``numba_linalg.py``)::

    diag_vjp(g, x, 1)        (x of 3)   ->  _diag_vjp_4x4_k1(g)     out[i] = g[i, i + 1]
    tile_vjp(g, x, (2, 1))   (x 2x3)    ->  _tile_vjp_4x3_to_2x3(g) out[i % 2, j % 3] += g[i, j]
    pad_vjp(g, x, 1)         (x of 3)   ->  g[1:4]
    eigh_w(x, 'U')                      ->  np.linalg.eigh(x.T)[0]  (Numba reads the lower
                                                                     triangle)

Invariant: ``twin_expr`` returns ``(text, precedence)`` only for a case whose value equals
the Python helper's for these shapes and static arguments (the rule table runs each on the
Numba backend against JAX and finite differences: tests/test_numba_twins.py); any other
case of one of its ops raises ``UnsupportedError`` (rejected at the user's line), never a
guess.  ``None``: not an op of this module.
"""
import math

import numpy as np

from ..errors import UnsupportedError
from ..ir import Const
from ..ir.types import is_array
from .numba_gathers import GATHERS
from .numba_linalg import LINALG

ATOM = 100


def _shape(p, a):
    return tuple(p.shape(a)) if is_array(getattr(a, "type", None)) else ()


def _static(a, what):
    if not isinstance(a, Const):
        raise UnsupportedError(f"the numba backend needs a constant {what}")
    return a.value


def _tag(shape):
    return "x".join(map(str, shape)) or "s"


def _tup(shape):
    return f"({shape[0]},)" if len(shape) == 1 else f"({', '.join(map(str, shape))})"


def _key(value):
    """A name-safe tag of a static argument, one per value: a minus sign is kept (as
    ``m``), since twins are shared by name (offsets 1 and -1 once made one twin)."""
    return "".join(c if c.isalnum() else "m" if c == "-" else "_"
                   for c in repr(value)).strip("_") or "n"


def _scatter(p, name, gshape, out_shape, index, final=None, add=True):
    """A generated function: ``out`` of ``out_shape`` zeros, then for every index of ``g``
    ``out[index(loop variables)] (+)= g[...]``; ``final`` reshapes the result."""
    return _nest(p, name, gshape, out_shape, lambda v: (
        f"out[{', '.join(index(v))}] {'+=' if add else '='} g[{', '.join(v)}]"), final)


def _gather(p, name, out_shape, index):
    """A generated function: ``out[i...] = g[index(i...)]`` over every index of ``out``."""
    return _nest(p, name, out_shape, out_shape,
                 lambda v: f"out[{', '.join(v)}] = g[{', '.join(index(v))}]", dtype=", g.dtype")


def _nest(p, name, loop_shape, out_shape, body, final=None, dtype=""):
    """A loop over every index of ``loop_shape`` running ``body(loop variables)`` into
    ``out`` (zeros of ``out_shape``: float for a cotangent, ``g``'s dtype for a gather)."""
    if name in p.generated:
        return name
    lines = [f"def {name}(g):",
             f"    out = np.zeros({_tup(out_shape) if out_shape else '1'}{dtype})"]
    pad, vs = "    ", [f"i{k}" for k in range(len(loop_shape))]
    for v, n in zip(vs, loop_shape):
        lines.append(f"{pad}for {v} in range({n}):")
        pad += "    "
    lines.append(pad + body(vs).replace("g[]", "g"))
    lines.append(f"    return {final or 'out'}")
    p.generated[name] = "\n" + "\n".join(lines)
    return name


def _diag_vjp(p, s, t):
    g, x = s.args[0], s.args[1]
    k = int(_static(s.args[2], "k for np.diag"))
    xs, gs = _shape(p, x), _shape(p, g)
    lo, hi = max(-k, 0), max(k, 0)
    if len(xs) == 1:                 # diag built a matrix: read its diagonal back
        name = f"_diag_vjp_{_tag(gs)}_k{_key(k)}"
        p.generated.setdefault(name, f'''
def {name}(g):
    out = np.empty({xs[0]})
    for i in range({xs[0]}):
        out[i] = g[i + {lo}, i + {hi}]
    return out''')
        return f"{name}({t(0)})", ATOM
    if len(xs) != 2:
        raise UnsupportedError("the numba backend has np.diag of a vector or a matrix only")
    name = _scatter(p, f"_diag_vjp_{_tag(gs)}_to_{_tag(xs)}_k{_key(k)}", gs, xs,
                    lambda v: [f"{v[0]} + {lo}", f"{v[0]} + {hi}"], add=False)
    return f"{name}({t(0)})", ATOM


def _diagonal_vjp(p, s, t):
    g, x = s.args[0], s.args[1]
    offset = int(_static(s.args[2], "offset for np.diagonal"))
    xs, gs = _shape(p, x), _shape(p, g)
    a1, a2 = (int(_static(a, "axes for np.diagonal")) % len(xs) for a in s.args[3:5])
    name = _scatter(p, f"_diagonal_vjp_{_tag(gs)}_to_{_tag(xs)}_{a1}{a2}_k{_key(offset)}",
                    gs, xs, lambda v: _diagonal_index(xs, a1, a2, offset, v), add=False)
    return f"{name}({t(0)})", ATOM


def _tile_vjp(p, s, t):
    g, x = s.args[0], s.args[1]
    reps = _static(s.args[2], "reps for np.tile")
    reps = (int(reps),) if np.isscalar(reps) else tuple(int(r) for r in reps)
    xs, gs = _shape(p, x), _shape(p, g)
    padded = (1,) * (len(gs) - len(xs)) + xs
    final = f"out.reshape({_tup(xs)})" if xs else "out.reshape(1)[0]"
    name = _scatter(p, f"_tile_vjp_{_tag(gs)}_to_{_tag(xs)}", gs, padded,
                    lambda v: [f"{var} % {n}" for var, n in zip(v, padded)], final)
    return f"{name}({t(0)})", ATOM


def _repeat_vjp(p, s, t):
    g, x = s.args[0], s.args[1]
    r = _static(s.args[2], "repeats for np.repeat")
    if not isinstance(r, int):
        raise UnsupportedError("the numba backend has np.repeat with one int of repeats")
    axis = _static(s.args[3], "axis for np.repeat")
    xs, gs = _shape(p, x), _shape(p, g)
    if axis is None:
        size = math.prod(xs)
        name = f"_repeat_vjp_{_tag(xs)}_r{r}"
        p.generated.setdefault(name, f'''
def {name}(g):
    out = np.zeros({size})
    for i in range({size * r}):
        out[i // {r}] += g[i]
    return out.reshape({_tup(xs) if xs else "()"})''')
        return f"{name}({t(0)})", ATOM
    axis = int(axis) % len(xs)
    name = _scatter(p, f"_repeat_vjp_{_tag(gs)}_to_{_tag(xs)}_a{axis}", gs, xs,
                    lambda v: [f"{var} // {r}" if i == axis else var for i, var in enumerate(v)])
    return f"{name}({t(0)})", ATOM


def _pad_vjp(p, s, t):
    g, x = s.args[0], s.args[1]
    xs, gs = _shape(p, x), _shape(p, g)
    widths = np.broadcast_to(np.asarray(_static(s.args[2], "pad_width for np.pad")),
                             (len(xs), 2))
    parts = [f"{int(lo)}:{n - int(hi)}" for (lo, hi), n in zip(widths, gs)]
    return f"{t(0, ATOM)}[{', '.join(parts)}]", ATOM


def _diff_vjp(p, s, t):
    g, x = s.args[0], s.args[1]
    n = int(_static(s.args[2], "n for np.diff"))
    xs, gs = _shape(p, x), _shape(p, g)
    axis = int(_static(s.args[3], "axis for np.diff")) % len(xs)
    name = f"_diff_vjp_{_tag(gs)}_n{n}_a{axis}"
    if name not in p.generated:
        lines, shape, cur = [f"def {name}(g):"], list(gs), "g"
        for k in range(n):        # -diff(pad(h, 1)): h moves one place up, minus h in place
            shape[axis] += 1
            up, down = ([":"] * len(shape) for _ in range(2))
            up[axis], down[axis] = "1:", ":-1"
            lines += [f"    h{k} = np.zeros({_tup(tuple(shape))})",
                      f"    h{k}[{', '.join(up)}] += {cur}",
                      f"    h{k}[{', '.join(down)}] -= {cur}"]
            cur = f"h{k}"
        lines.append(f"    return {cur}")
        p.generated[name] = "\n" + "\n".join(lines)
    return f"{name}({t(0)})", ATOM


# -- the forward functions Numba lacks (np.tile, np.pad, np.diagonal; axis= of np.diff and
# np.repeat): gathers over the result's static shape
def _diagonal(p, s, t):
    xs, ys = _shape(p, s.args[0]), _shape(p, s.target)
    offset = int(_static(s.args[1], "offset for np.diagonal"))
    a1, a2 = (int(_static(a, "axes for np.diagonal")) % len(xs) for a in s.args[2:4])
    name = _gather(p, f"_diagonal_{_tag(xs)}_{a1}{a2}_k{_key(offset)}", ys,
                   lambda v: _diagonal_index(xs, a1, a2, offset, v))
    return f"{name}({t(0)})", ATOM


def _diagonal_index(xs, a1, a2, offset, v):
    """x's index of element ``v`` of its diagonal (the other axes first, the diagonal last)."""
    out = [""] * len(xs)
    for a, var in zip([a for a in range(len(xs)) if a not in (a1, a2)], v[:-1]):
        out[a] = var
    out[a1], out[a2] = f"{v[-1]} + {max(-offset, 0)}", f"{v[-1]} + {max(offset, 0)}"
    return out


def _tile(p, s, t):
    xs, ys = _shape(p, s.args[0]), _shape(p, s.target)
    padded = (1,) * (len(ys) - len(xs)) + xs
    arg = t(0) if xs else f"np.full(1, {t(0)})"
    x = f"np.ascontiguousarray({arg}).reshape({_tup(padded)})"
    name = _gather(p, f"_tile_{_tag(xs)}_to_{_tag(ys)}", ys,
                   lambda v: [f"{var} % {n}" for var, n in zip(v, padded)])
    return f"{name}({x})", ATOM


def _repeat(p, s, t):
    xs, ys = _shape(p, s.args[0]), _shape(p, s.target)
    r, axis = _static(s.args[1], "repeats for np.repeat"), _static(s.args[2], "axis")
    if not isinstance(r, int):
        raise UnsupportedError("the numba backend has np.repeat with one int of repeats")
    if axis is None:
        return f"np.repeat({t(0)}, {r})", ATOM      # Numba's np.repeat flattens, as NumPy's
    axis = int(axis) % len(xs)
    name = _gather(p, f"_repeat_{_tag(xs)}_a{axis}_r{r}", ys,
                   lambda v: [f"{var} // {r}" if i == axis else var for i, var in enumerate(v)])
    return f"{name}({t(0)})", ATOM


def _pad(p, s, t):
    xs, ys = _shape(p, s.args[0]), _shape(p, s.target)
    widths = np.broadcast_to(np.asarray(_static(s.args[1], "pad_width for np.pad")),
                             (len(xs), 2))
    name = f"_pad_{_tag(xs)}_to_{_tag(ys)}_{_key(widths.tolist())}"
    parts = [f"{int(lo)}:{n - int(hi)}" for (lo, hi), n in zip(widths, ys)]
    p.generated.setdefault(name, f'''
def {name}(x):
    out = np.zeros({_tup(ys)}, x.dtype)
    out[{', '.join(parts)}] = x
    return out''')
    return f"{name}({t(0)})", ATOM


def _diff(p, s, t):
    xs = _shape(p, s.args[0])
    n = int(_static(s.args[1], "n for np.diff"))
    axis = int(_static(s.args[2], "axis for np.diff")) % len(xs)
    text = t(0, ATOM)
    for _ in range(n):
        hi, lo = ([":"] * len(xs) for _ in range(2))
        hi[axis], lo[axis] = "1:", ":-1"
        text = f"({text}[{', '.join(hi)}] - {text}[{', '.join(lo)}])"
    return text, ATOM


# -- splits, stacks and shape queries: slices and literals of the static shapes
def _split_bounds(s, p, xs):
    sections = _static(s.args[1 if s.op.endswith("part") else 2], "sections for np.split")
    k = int(_static(s.args[2 if s.op.endswith("part") else 3], "the part of np.split"))
    axis = int(_static(s.args[3 if s.op.endswith("part") else 4], "axis for np.split"))
    axis %= len(xs)
    split = np.split if s.op.startswith("split") else np.array_split
    part = split(np.arange(xs[axis]), sections)[k]
    lo = int(part[0]) if len(part) else 0
    return axis, f"{lo}:{lo + len(part)}"


def _split_part(p, s, t):
    xs = _shape(p, s.args[0])
    axis, part = _split_bounds(s, p, xs)
    return f"{t(0, ATOM)}[{', '.join(part if i == axis else ':' for i in range(len(xs)))}]", ATOM


def _split_part_vjp(p, s, t):
    xs = _shape(p, s.args[1])
    axis, part = _split_bounds(s, p, xs)
    where = ", ".join(part if i == axis else ":" for i in range(len(xs)))
    name = f"_{s.op}_{_tag(xs)}_a{axis}_{part.replace(':', '_')}"
    p.generated.setdefault(name, f'''
def {name}(g):
    out = np.zeros({_tup(xs)})
    out[{where}] = g
    return out''')
    return f"{name}({t(0)})", ATOM


def _hstack_axis(p, s, t):
    return ("0" if len(_shape(p, s.args[0])) <= 1 else "1"), ATOM


def _scalar(a, text):
    """A scalar or 0-d array atom as a scalar (Numba's np.full takes no 0-d array)."""
    return f"{text}[()]" if is_array(getattr(a, "type", None)) else text


def _hstack2(p, s, t):
    a, b = (_shape(p, x) for x in s.args)
    parts = [t(i) if _shape(p, x) else f"np.full(1, {_scalar(s.args[i], t(i, ATOM))})"
             for i, x in enumerate(s.args)]
    axis = 0 if max(len(a), len(b)) <= 1 else 1
    return f"np.concatenate(({parts[0]}, {parts[1]}), axis={axis})", ATOM


def _hstack_part(p, s, t):
    gs, a = _shape(p, s.args[0]), _shape(p, s.args[1])
    axis = 0 if len(a) <= 1 else 1
    n = a[axis] if a else 1
    part = f":{n}" if s.op == "hstack_first" else f"{n}:"
    text = f"{t(0, ATOM)}[{', '.join(part if i == axis else ':' for i in range(len(gs)))}]"
    # a 0-d part's share is one element: a scalar (the target's shape says which part)
    return (f"{text}[0]", ATOM) if not _shape(p, s.target) else (text, ATOM)


def _dim(p, s, t):
    return str(_shape(p, s.args[0])[int(_static(s.args[1], "axis"))]), ATOM


def _flatten(p, s, t):
    return (f"{t(0, ATOM)}.flatten()", ATOM) if _shape(p, s.args[0]) else \
        (f"np.full(1, {t(0)})", ATOM)


def _cast(p, s, t, x):
    """Argument 0 cast to ``x``'s dtype (``x`` a typed atom or a type): nopython mode has
    ``a.astype(np.int64)`` but neither ``np.asarray(a, int)`` nor a Python type as dtype."""
    x = getattr(x, "type", x)
    dtype = x.dtype if is_array(x) else str(x)
    np_dtype = {"float": "np.float64", "int": "np.int64", "bool": "np.bool_"}.get(
        dtype, f"np.{dtype}")
    a = getattr(s.args[0], "type", None)
    if is_array(a) and a.shape != ():       # (a 0-d array is a number in nopython code)
        return f"{t(0, ATOM)}.astype({np_dtype})", ATOM
    return f"{np_dtype}({t(0)})", ATOM


def _astype_like(p, s, t):
    return _cast(p, s, t, s.args[1])


def _astype(p, s, t):
    return _cast(p, s, t, s.target)


def _asarray(p, s, t):
    """``np.array(a, dtype=d)`` of an array: its copy cast to the target's dtype (the
    list literal ``np.array([x0, x1], dtype=int)`` lowers to this too); else NumPy's."""
    return _cast(p, s, t, s.target) if is_array(getattr(s.args[0], "type", None)) else None


def _expand_dims(p, s, t):
    """Nopython ``np.expand_dims`` takes an array and one axis: a scalar (det's cotangent
    ``g * y``) becomes the full array of the static result shape, several axes a reshape."""
    ys = _shape(p, s.target)
    if not is_array(getattr(s.args[0], "type", None)):
        return f"np.full({_tup(ys)}, {t(0)})", ATOM
    axis = _static(s.args[1], "axis for np.expand_dims")
    if isinstance(axis, int):
        return f"np.expand_dims({t(0)}, {axis})", ATOM
    return f"np.ascontiguousarray({t(0)}).reshape({_tup(ys)})", ATOM


def _norm(p, s, t):
    """np.linalg.norm of every entry (nopython's ``norm`` takes no ord='fro' and no array
    of more than two axes); any other case prints as written (None)."""
    xs = _shape(p, s.args[0])
    ord_, axis, keep = (s.args[i].value if isinstance(s.args[i], Const) else 0 for i in (1, 2, 3))
    if axis is None and keep is False and xs and (ord_ is None or (ord_ == "fro" and len(xs) == 2)):
        if s.args[0].type.dtype == "float32":   # NumPy's: sqrt(x.dot(x)), BLAS's sdot order
            v = f"np.ascontiguousarray({t(0, ATOM)}).reshape({math.prod(xs)})"  # (a float32
            return f"np.sqrt(np.dot({v}, {v}))", ATOM          # sum, added one by one, was 1% off)
        return f"np.sqrt(np.sum({t(0, ATOM)} * {t(0, ATOM)}))", ATOM
    return None


def _norm_vjp(p, s, t):
    """``norm_vjp(g, x, y, ord, axis, keepdims)`` of the norms whose derivative is
    ``g * x / y`` (0 where y is 0): every entry's 2-norm (axis None, ord None, a vector's
    2, a matrix's 'fro'); other orders and axes are rejected at the user's line."""
    xs = _shape(p, s.args[1])
    ord_, axis = _static(s.args[3], "ord"), _static(s.args[4], "axis")
    if axis is not None or not (ord_ is None or (ord_ == 2 and len(xs) == 1) or
                                (ord_ == "fro" and len(xs) == 2)):
        raise UnsupportedError("the numba backend has the derivative of np.linalg.norm for "
                               "the 2-norm of all entries only (no ord or axis); use "
                               "backend='python'")
    y = t(2, ATOM)
    return f"({t(0, ATOM)} * {t(1, ATOM)} / ({y} if {y} != 0.0 else 1.0))", ATOM


PRINTERS = {"diagonal": _diagonal, "tile": _tile, "repeat": _repeat, "pad": _pad, "diff": _diff,
            "diag_vjp": _diag_vjp, "diagonal_vjp": _diagonal_vjp, "tile_vjp": _tile_vjp,
            "repeat_vjp": _repeat_vjp, "pad_vjp": _pad_vjp, "diff_vjp": _diff_vjp,
            "split_part": _split_part,
            "array_split_part": _split_part, "split_part_vjp": _split_part_vjp,
            "array_split_part_vjp": _split_part_vjp, "hstack_axis": _hstack_axis,
            "hstack2": _hstack2, "hstack_first": _hstack_part, "hstack_second": _hstack_part,
            "dim": _dim, "flatten": _flatten, "astype_like": _astype_like, "astype": _astype,
            "asarray": _asarray,
            "expand_dims": _expand_dims, "norm": _norm, "norm_vjp": _norm_vjp,
            **LINALG, **GATHERS}


def twin_expr(p, s, t):
    """The text of statement ``s`` (``t(i, prec)`` prints argument i), or None."""
    printer = PRINTERS.get(s.op)
    return None if printer is None else printer(p, s, t)
