"""Array primitives for the Numba backend: nopython versions specialised on static shapes.

The reverse IR of a NumPy program calls runtime helpers (``unbroadcast``,
``expand_to``, ``getitem_vjp``, ``matmul_vjp_a``...) written for NumPy with
shapes discovered at run time, and reductions with ``axis=``/``keepdims=``
that Numba does not accept.  Types carry static shapes, so each such call is
printed here as an expression or as a small generated ``@njit`` function whose
name encodes the shapes and static arguments (``_sum_64x10_a1_k``)::

    expand_to(g, x, 1, True)      ->  _expand_64x10_a1_k(g)       (broadcast into a new array)
    unbroadcast(g, b2)            ->  _reduce_sum_64x10_to_10(g)   (a loop over a 2-d view)
    matmul_vjp_a(g, h, w2)        ->  g @ w2.T
    count(x, 1)                   ->  10

Shapes are read through ``printer.shape(atom)``, which knows the shapes of
list-derived arrays (``numba_lists.py``).  ``array_expr(printer, s, env)`` returns ``(text, precedence)`` or ``None`` when
the primitive needs nothing special; generated functions land in
``printer.generated`` (name -> source) and are emitted once per module.
"""
import math
import zlib

from ..errors import UnsupportedError
from ..ir import Assign, Const, Extern, Var
from ..ir.walk import walk
from ..ir.types import IndexT, is_array
from .numba_einsum import _einsum_parse, einsum_fn
from .numba_index_arrays import advanced_fn, positions, rows_index
from .numba_layout import layout_expr
import numpy as np

from .escape import index_text
from .numba_moments import moment_text
from .numba_float32_sums import NARROW as SUMS32, moment32_text, sum32_text
from .numba_index_pairs import pair_fn, pair_length, pair_parts
from .numba_atoms import NARROW, numba_atom
from .python import ATOM, _paren

# the helper primitives array_expr prints (tests/test_numba_twins.py enumerates the rule
# table against this, numba_layout.OPS, numba_twins.PRINTERS and the runtime HELPERS)
OPS = ("prod_others", "zeros_for", "tuple_for", "getitem_copy", "expand_to", "unbroadcast", "count", "like",
       "extremum_mask", "setitem", "getitem_vjp", "einsum_vjp1", "einsum_vjp2", "einsum_vjp3",
       "einsum_vjp4", "logsumexp_grad", "matmul_vjp_a", "matmul_vjp_b", "last_write_vjp")
# NaN wins in amax/amin, as in np.max (Python's max(acc, v) kept acc against a NaN v)
REDUCTIONS = {"sum": "acc + v", "amax": "v if v > acc or v != v else acc",
              "amin": "v if v < acc or v != v else acc",
              "mean": "acc + v", "prod": "acc * v"}
START = {"sum": "0.0", "amax": "-np.inf", "amin": "np.inf", "mean": "0.0", "prod": "1.0"}
_DT = {"float": "np.float64", "int": "np.int64", "bool": "np.bool_"}


def _shape(a):
    t = getattr(a, "type", None)
    if is_array(t):
        if not t.static:
            raise UnsupportedError(f"the numba backend needs static array shapes (got {t}): "
                                   "use backend='python'")
        return tuple(t.shape)
    return ()


def _dtype(a):
    """The NumPy dtype of ``a``'s type as nopython text: an array type's own ("int64" of
    an int literal's room, which float64 would make a float sum: 'range(np.sum([n, 1]))'
    then did not compile, and ints past 2**53 would round)."""
    t = getattr(a, "type", None)
    d = t.dtype if is_array(t) else t
    if d in _DT or d is None:
        return _DT.get(d, "np.float64")
    return f"np.{np.dtype(d).name}"


def _const(a):
    return a.value if isinstance(a, Const) else None


def _axes(axis, ndim):
    if axis is None:
        return tuple(range(ndim))
    axes = axis if isinstance(axis, tuple) else (axis,)
    return tuple(sorted(a % ndim for a in axes))


def _made_at(fn, v):
    """The location of the first statement that gives ``v`` a value other than its zero
    start (a copy of a constant), or None."""
    return next((s.loc for s in walk(fn.body) if isinstance(s, Assign) and s.target == v
                 and not (s.op == "copy" and isinstance(s.args[0], Const))
                 and getattr(s, "loc", None) is not None), None)


def _floats(arrays):
    """Whether every operand is a float64 array (BLAS takes no other)."""
    return all(getattr(getattr(a, "type", None), "dtype", None) == "float64" for a in arrays)


def _tag(shape):
    return "x".join(map(str, shape)) or "s"


def _tup(shape):
    return f"({shape[0]},)" if len(shape) == 1 else f"({', '.join(map(str, shape))})"


def _text(a, env):
    """An atom's text: the expression inlined for it, else its name or literal."""
    return env[a.name] if isinstance(a, Var) and a.name in env else numba_atom(a)


def array_expr(p, s, env):
    op, args = s.op, s.args


    def t(i, prec=0):
        return _paren(_text(args[i], env), prec)
    if op == "copy" and isinstance(args[0], Const) and not isinstance(args[0].value, Extern) \
            and is_array(getattr(s.target, "type", None)):     # (a global array is itself)
        if not s.target.type.static:   # told at the line that makes the array, not the def's
            raise UnsupportedError.at(_made_at(p.fn, s.target), "the numba backend needs "
                                      f"static array shapes (got {s.target.type}): use "
                                      "backend='python'", "numba")
        if p.shape(s.target) == () and s.target.type.dtype in NARROW:
            # an np.float32 number is Numba's float32 scalar (numba_build.py), as is its
            # arithmetic: a 0-d array here would not unify with them at a join
            return f"{NARROW[s.target.type.dtype]}({t(0)})", ATOM
        return f"np.full({_tup(p.shape(s.target))}, {t(0)})", ATOM     # an array's zero start
    if op == "prod_others":
        return f"{prod_others_fn(p, p.shape(args[0]), _const(args[1]))}({t(0)})", ATOM
    if op in ("zeros_for", "tuple_for"):   # an array literal's room: its type knows shape and dtype
        return f"np.zeros({_tup(p.shape(s.target))}, {_dtype(s.target)})", ATOM
    if op == "getitem_copy":           # np.array(a) of an array is not nopython
        item = f"{t(0, ATOM)}[{index_text(args[1], _text(args[1], env))}]"
        # one element is a number already (a float has no .copy())
        whole = is_array(getattr(s.target, "type", None)) and s.target.type.shape != () and \
            not (isinstance(args[1], Const) and isinstance(args[1].value, int) and
                 is_array(getattr(args[0], "type", None)) and args[0].type.shape is not None
                 and len(args[0].type.shape) == 1)
        return (f"{item}.copy()" if whole else item), ATOM
    if op in REDUCTIONS and len(args) == 3 and is_array(getattr(args[0], "type", None)):
        axis, keep = _const(args[1]), _const(args[2])
        shape = p.shape(args[0])
        out = p.shape(s.target) if is_array(s.target.type) else ()
        dtype = SUMS32.get(args[0].type.dtype) if op in ("sum", "mean") else None
        text = dtype and sum32_text(p, op, args[0].type.dtype, shape, _axes(axis, len(shape)),
                                    out, t(0))     # float32: in NumPy's order
        if text:
            return text, ATOM
        if axis is None and not keep and op in ("sum", "prod") and not dtype:
            return None
        return f"{reduce_fn(p, op, shape, _axes(axis, len(shape)), out, dtype)}({t(0)})", ATOM
    if op in ("var", "std") and len(args) == 4 and is_array(getattr(args[0], "type", None)):
        shape = p.shape(args[0])
        out = p.shape(s.target) if is_array(s.target.type) else ()
        axes, ddof = _axes(_const(args[1]), len(shape)), _const(args[2])
        text = moment32_text(p, op, args[0].type.dtype, shape, axes, out, ddof, t(0)) \
            if args[0].type.dtype in SUMS32 else None
        text = text or moment_text(p, op, shape, axes, out, ddof, t(0))
        return None if text is None else (text, ATOM)
    if op == "expand_to":
        shape = p.shape(args[1])
        if not shape:
            return _text(args[0], env)     # (its own precedence: not an atom)
        if not is_array(getattr(args[0], "type", None)):
            return f"np.full({_tup(shape)}, {t(0)})", ATOM
        axis, keep = _const(args[2]), _const(args[3])
        gshape = p.shape(args[0])
        if keep:
            kshape = gshape
        else:
            axes = _axes(axis, len(shape))
            kshape = tuple(1 if i in axes else n for i, n in enumerate(shape))
        return f"{broadcast_fn(p, gshape, kshape, shape)}({t(0)})", ATOM
    if op == "unbroadcast":
        gshape, xshape = p.shape(args[0]), p.shape(args[1])
        if gshape == xshape:
            return _text(args[0], env)
        if not is_array(getattr(args[0], "type", None)):
            return f"np.full({_tup(xshape)}, {t(0)})", ATOM
        lead = len(gshape) - len(xshape)
        axes = tuple(range(lead)) + tuple(lead + i for i, n in enumerate(xshape)
                                          if n == 1 and gshape[lead + i] != 1)
        return f"{reduce_fn(p, 'sum', gshape, axes, xshape)}({t(0)})", ATOM
    if op == "count":
        shape, axis = p.shape(args[0]), _const(args[1])
        return str(math.prod(shape[a] for a in _axes(axis, len(shape)))), ATOM
    if op == "reshape" and isinstance(args[0], Var) and is_array(args[0].type) and \
            len(args) == 2 and is_array(s.target.type) and s.target.type.static:
        # Numba reshapes contiguous arrays only; NumPy copies a view it cannot reshape
        # (``M.T.reshape(-1)``), which ascontiguousarray does (and returns others as they are)
        return f"np.ascontiguousarray({t(0)}).reshape({_tup(p.shape(s.target))})", ATOM
    if op == "like":
        gshape, xshape = p.shape(args[0]), p.shape(args[1])
        if gshape == xshape:
            return _text(args[0], env)
        if not xshape:
            return f"np.sum({t(0)})", ATOM
        return f"np.ascontiguousarray({t(0)}).reshape({_tup(xshape)})", ATOM
    if op == "extremum_mask":
        x, y = p.shape(args[0]), p.shape(args[1])
        axis, keep = _const(args[2]), _const(args[3])
        axes = _axes(axis, len(x))
        kshape = tuple(1 if i in axes else n for i, n in enumerate(x))
        expand = broadcast_fn(p, y, kshape, x) if y else None
        red = reduce_fn(p, "sum", x, axes, y)
        name = f"_extremum_mask_{_tag(x)}_to_{_tag(y)}"
        ex = (lambda v: f"{expand}({v})") if expand else (lambda v: f"np.full({_tup(x)}, {v})")
        p.generated.setdefault(name, f'''
def {name}(x, y):
    hit = (x == {ex("y")}) * 1.0
    return hit / {ex(f"{red}(hit)")}''')
        return f"{name}({t(0)}, {t(1)})", ATOM
    if op == "setitem" and args[0] == s.target:
        return "None", ATOM          # printed in place by the statement printer
    if op in ("getitem_vjp", "setitem"):
        return index_fn(p, s, t)
    if op == "last_write_vjp":
        rows = rows_index(args[1])         # a constant list or a global mask: positions
        idx = positions(rows)[0] if rows is not None else t(1)
        return f"{last_write_fn(p, p.shape(args[0]), s.target)}({t(0)}, {idx})", ATOM
    if op.startswith("einsum_vjp"):
        subs, k = _const(args[1]), _const(args[2])
        ops = args[3:]
        ins, out = _einsum_parse(subs)
        others = [i for i in range(len(ops)) if i != k]
        spec = ",".join([out] + [ins[i] for i in others]) + "->" + ins[k]
        shapes = [p.shape(args[0])] + [p.shape(ops[i]) for i in others]
        name = einsum_fn(p, spec, shapes, p.shape(ops[k]),
                         _floats([args[0]] + [ops[i] for i in others]))
        return f"{name}({t(0)}, {', '.join(t(3 + i) for i in others)})", ATOM
    if op.startswith("einsum") and isinstance(_const(args[0]), str):
        ins, out = _einsum_parse(_const(args[0]))
        spec = ",".join(ins) + "->" + out
        name = einsum_fn(p, spec, [p.shape(a) for a in args[1:]], p.shape(s.target),
                         _floats(args[1:]))
        return f"{name}({', '.join(t(i) for i in range(1, len(args)))})", ATOM
    if op == "logsumexp":
        axis, b, keep = _const(args[1]), args[2], _const(args[3])
        if not (isinstance(b, Const) and b.value is None) or _const(args[4]):
            raise UnsupportedError("the numba backend supports logsumexp(a, axis, keepdims)")
        shape = p.shape(args[0])
        axes = _axes(axis, len(shape))
        out = p.shape(s.target) if is_array(s.target.type) else ()
        red = reduce_fn(p, "logsumexp", shape, axes, out)
        return f"{red}({t(0)})", ATOM
    if op == "logsumexp_grad":
        g, a, b, y = args[:4]
        axis, keep = _const(args[4]), _const(args[5])
        if not (isinstance(b, Const) and b.value is None):
            raise UnsupportedError("the numba backend supports logsumexp without weights b")
        shape = p.shape(a)
        axes = _axes(axis, len(shape))
        kshape = tuple(1 if i in axes else n for i, n in enumerate(shape))
        seen = [is_array(getattr(v, "type", None)) for v in (g, y)]
        if shape and all(not k or math.prod(p.shape(v)) == math.prod(kshape)
                         for k, v in zip(seen, (g, y))):
            return f"{lse_grad_fn(p, shape, kshape, *seen)}({t(0)}, {t(1)}, {t(3)})", ATOM

        def ex(i):
            if not is_array(getattr(args[i], "type", None)):
                return t(i, 12)
            return f"{broadcast_fn(p, p.shape(args[i]), kshape, shape)}({t(i)})"
        return f"{ex(0)} * np.exp({t(1)} - {ex(3)})", 12
    if op in ("matmul_vjp_a", "matmul_vjp_b"):
        g, a, b = t(0, 30), t(1, 30), t(2, 30)
        na, nb = len(p.shape(args[1])), len(p.shape(args[2]))
        if na == 2 and nb == 2:
            return (f"{g} @ {b}.T", 12) if op == "matmul_vjp_a" else (f"{a}.T @ {g}", 12)
        if na == 2 and nb == 1:
            return (f"np.outer({g}, {b})", ATOM) if op == "matmul_vjp_a" else (f"{a}.T @ {g}", 12)
        if na == 1 and nb == 2:
            return (f"{b} @ {g}", 12) if op == "matmul_vjp_a" else (f"np.outer({a}, {g})", ATOM)
        if na == 1 and nb == 1:
            return (f"{g} * {b}", 12) if op == "matmul_vjp_a" else (f"{g} * {a}", 12)
        raise UnsupportedError(f"the numba backend has no {op} for {na}-d @ {nb}-d arrays")
    return layout_expr(p, s, t)


def prod_others_fn(p, shape, axis):
    """A generated function: for each element, the product of the others its reduction
    over ``axis`` combines (prefix times suffix products, no division)."""
    axes = _axes(axis, len(shape))
    perm = [a for a in range(len(shape)) if a not in axes] + list(axes)
    moved = tuple(shape[a] for a in perm)
    n = math.prod(shape[a] for a in axes)
    rows = math.prod(moved) // n if n else 0
    back = tuple(perm.index(a) for a in range(len(shape)))
    name = f"_prod_others_{_tag(shape)}_a{''.join(map(str, axes))}"
    p.generated.setdefault(name, f'''
def {name}(x):
    f = np.ascontiguousarray(x.transpose({_tup(tuple(perm)) if shape else "()"})).reshape(({rows}, {n}))
    out = np.empty(({rows}, {n}))
    for r in range({rows}):
        acc = 1.0
        for i in range({n}):
            out[r, i] = acc
            acc *= f[r, i]
        acc = 1.0
        for i in range({n} - 1, -1, -1):
            out[r, i] *= acc
            acc *= f[r, i]
    return np.ascontiguousarray(out.reshape({_tup(moved) if shape else "()"}).transpose({_tup(back) if shape else "()"}))''')
    return name


def reduce_fn(p, op, shape, axes, out, dtype=None):
    """A generated function reducing an array of ``shape`` over ``axes`` to shape ``out``
    (``dtype``: a float32 sum over axes not last, NumPy's float32 order, numba_float32_sums)."""
    name = f"_{'reduce_' + op}_{_tag(shape)}_a{''.join(map(str, axes))}_to_{_tag(out)}" + \
        ("_f32" if dtype else "")
    if name in p.generated:
        return name
    keep = [i for i in range(len(shape)) if i not in axes]
    perm = keep + list(axes)
    m = math.prod(shape[i] for i in keep)
    r = math.prod(shape[i] for i in axes)
    view = "np.ascontiguousarray(x)" if perm == list(range(len(shape))) else \
        f"np.ascontiguousarray(x.transpose({_tup(tuple(perm))}))"
    fin = "acc / %d" % r if op == "mean" else "acc"
    if op == "logsumexp":    # special_helpers.logsumexp_shifted: the shift is np.max's value
        # (NaN propagates), 0 where that is not finite (a row of -inf gives -inf, inf inf)
        body = f'''
def {name}(x):
    v2 = {view}.reshape(({m}, {r}))
    out = np.empty({m})
    for i in range({m}):
        mx = -np.inf
        for j in range({r}):
            if v2[i, j] > mx or v2[i, j] != v2[i, j]:
                mx = v2[i, j]
        if not np.isfinite(mx):
            mx = 0.0
        acc = 0.0
        for j in range({r}):
            acc += math.exp(v2[i, j] - mx)
        out[i] = np.log(acc) + mx'''
        body += "\n    return out[0]" if not out else f"\n    return out.reshape({_tup(out)})"
        p.generated[name] = body
        return name
    if op in ("sum", "mean", "prod") and perm != list(range(len(shape))):
        p.generated[name] = _reduce_in_place(name, op, shape, keep, out, r, dtype)
        return name
    body = f'''
def {name}(x):
    v2 = {view}.reshape(({m}, {r}))
    out = np.empty({m})
    for i in range({m}):
        acc = {START[op]}
        for j in range({r}):
            v = v2[i, j]
            acc = {REDUCTIONS[op]}
        out[i] = {fin}'''
    body += "\n    return out[0]" if not out else f"\n    return out.reshape({_tup(out)})"
    p.generated[name] = body
    return name


def _reduce_in_place(name, op, shape, keep, out, r, dtype=None):
    """A sum, mean or product over axes not all last: one pass over ``x`` in memory order,
    combining each element into its output cell (a transposed copy first cost GMM d=10's
    means adjoint 86 us of a 1.5 ms gradient: strided reads, then rows of 1 000)."""
    ks = [f"i{d}" for d in range(len(shape))]
    kshape = tuple(shape[d] for d in keep)
    lines = [f"def {name}(x):", f"    out = np.{'ones' if op == 'prod' else 'zeros'}({_tup(kshape)}"
             + (f", {dtype})" if dtype else ")")]
    pad = "    "
    for d, n in enumerate(shape):
        lines.append(f"{pad}for {ks[d]} in range({n}):")
        pad += "    "
    cell = f"out[{', '.join(ks[d] for d in keep)}]"
    lines.append(f"{pad}{cell} {'*=' if op == 'prod' else '+='} x[{', '.join(ks)}]")
    if op == "mean":
        lines.append(f"    out /= {r}")
    lines.append(f"    return out.reshape({_tup(out)})")
    return "\n" + "\n".join(lines)


def broadcast_fn(p, gshape, kshape, shape):
    """A generated function broadcasting ``g`` (``gshape``, seen as ``kshape``) to ``shape``:
    a loop nest over ``out``, reading ``v`` at 0 on its length-1 axes.  Not ``out[...] = v``:
    Numba 0.68 compiles that broadcasting assignment ~20x slower than the loops (15.5 s
    against 0.7 s for a 3 -> 3x2 expand, once per generated module, on a loaded machine)."""
    name = f"_expand_{_tag(gshape)}_as_{_tag(kshape)}_to_{_tag(shape)}"
    lines = [f"def {name}(g):", f"    v = np.ascontiguousarray(g).reshape({_tup(kshape)})",
             f"    out = np.empty({_tup(shape)})"]
    if shape and len(kshape) == len(shape):
        ks = [f"i{d}" for d in range(len(shape))]
        pad = "    "
        for k, n in zip(ks, shape):
            lines.append(f"{pad}for {k} in range({n}):")
            pad += "    "
        read = ", ".join("0" if m == 1 and n != 1 else k for k, m, n in zip(ks, kshape, shape))
        lines.append(f"{pad}out[{', '.join(ks)}] = v[{read}]")
    else:
        lines.append("    out[...] = v")
    lines.append("    return out")
    p.generated.setdefault(name, "\n" + "\n".join(lines))
    return name


def lse_grad_fn(p, shape, kshape, g_array, y_array):
    """``g * exp(a - y)`` (logsumexp's adjoint; ``g`` and ``y`` of ``kshape``'s size, or
    numbers) as one loop over ``a``: no broadcast copies of ``g`` and ``y``, no temporary."""
    name = f"_logsumexp_grad_{_tag(shape)}_k{_tag(kshape)}_{'ga' if g_array else 'gs'}" \
        f"{'ya' if y_array else 'ys'}"
    if name not in p.generated:
        idx = [f"i{d}" for d in range(len(shape))]
        kidx = ", ".join("0" if n == 1 else i for i, n in zip(idx, kshape))
        lines = [f"def {name}(g, a, y):"]
        for v, is_arr in (("g", g_array), ("y", y_array)):
            if is_arr:
                lines.append(f"    {v}k = np.ascontiguousarray({v}).reshape({_tup(kshape)})")
        lines.append(f"    out = np.empty({_tup(shape)})")
        for d, (i, n) in enumerate(zip(idx, shape)):
            lines.append(f"{'    ' * (d + 1)}for {i} in range({n}):")
        gv = f"gk[{kidx}]" if g_array else "g"
        yv = f"yk[{kidx}]" if y_array else "y"
        lines.append(f"{'    ' * (len(shape) + 1)}out[{', '.join(idx)}] = {gv} * "
                     f"math.exp(a[{', '.join(idx)}] - {yv})")
        lines.append("    return out")
        p.generated[name] = "\n" + "\n".join(lines)
    return name


def last_write_fn(p, shape, target):
    """``last_write_vjp(g, idx)`` for an array written through one integer array on its
    first axis (a basic index folds to ``g[idx]`` before printing): an element (a row)
    written twice gives only its last write the cotangent, as NumPy keeps only that
    write."""
    out = p.shape(target)
    if not shape or len(out) != len(shape) or tuple(out[1:]) != tuple(shape[1:]):
        raise UnsupportedError("the numba backend differentiates a write through an index "
                               "array on the first axis only (use backend='python')")
    name = f"_last_write_vjp_{_tag(shape)}" + (f"_to_{_tag(out)}" if len(shape) > 1 else "")
    p.generated.setdefault(name, f'''
def {name}(g, idx):
    last = np.full({shape[0]}, -1)
    for k in range(idx.shape[0]):
        last[idx[k]] = k
    out = np.zeros({_tup(out)})
    for k in range(idx.shape[0]):
        if last[idx[k]] == k:
            out[k] = g[idx[k]]
    return out''')
    return name


def _rows(p, s, t, x, value):
    """``x[I]`` for an index array or mask ``I`` (numba_index_arrays.py)."""
    text, n = positions(value)
    v = s.args[2] if s.op == "setitem" else None
    name = advanced_fn(p, s.op, p.shape(x), p.shape(v) if v is not None else (), n, _tag, _tup)
    if s.op == "getitem_vjp":
        return f"{name}({t(0)}, {text})", ATOM
    return f"{name}({t(0)}, {text}, {t(2)})", ATOM


def index_fn(p, s, t):
    """``getitem_vjp(g, x, idx)`` (zeros with ``g`` written at ``idx``) or a copying
    ``setitem(x, idx, v)``, for basic indices (ints and slices)."""
    x, idx = s.args[1] if s.op == "getitem_vjp" else s.args[0], s.args[2 if s.op == "getitem_vjp" else 1]
    if s.op == "getitem_vjp" and pair_length(idx) is not None:     # x[I, J]: a scatter
        name = pair_fn(p, s.op, p.shape(x), pair_parts(idx), pair_length(idx), _tag, _tup)
        return f"{name}({t(0)}, {t(2)})", ATOM
    if isinstance(idx, Const):
        parts = idx.value if isinstance(idx.value, tuple) else (idx.value,)
        if any(isinstance(q, (list, Extern)) for q in parts):     # (Extern: a global array)
            if rows_index(idx) is not None and p.shape(x):      # x[I] on axis 0, I 1-d
                return _rows(p, s, t, x, idx.value)
            raise UnsupportedError("the numba backend supports basic indices (integers, slices, "
                                   "None) in array derivatives, not lists or arrays")
        if s.op == "getitem_vjp" and any(q is None for q in parts):
            plain = tuple(q for q in parts if q is not None)
            gshape = np.empty(p.shape(x))[plain].shape
            inner = Const(plain if len(plain) != 1 else plain[0])
            itext = index_text(inner, None)
            name = f"_getitem_vjp_{_tag(p.shape(x))}_{zlib.crc32(itext.encode()):08x}_n"
            p.generated.setdefault(name, f'''
def {name}(g):
    z = np.zeros({_tup(p.shape(x))})
    z[{itext}] = np.ascontiguousarray(g).reshape({_tup(gshape) if gshape else "()"})
    return z''')
            return f"{name}({t(0)})", ATOM
        itext, extra, params = index_text(idx, None), "", ""
    elif isinstance(idx, Var) and not is_array(idx.type) and idx.type in ("int", "bool"):
        itext, extra, params = "idx", ", idx", ", idx"
    elif isinstance(idx, Var) and isinstance(idx.type, IndexT) and all(
            isinstance(q, int) or q == "int" or (isinstance(q, tuple) and q[:1] == ("slice",))
            for q in idx.type.parts):
        # a run-time tuple of ints and slices (``a[:, k]``): Numba indexes with it as it is
        itext, extra, params = "idx", ", idx", ", idx"
    else:
        raise UnsupportedError("the numba backend supports basic indices (integers, slices) "
                               "in array derivatives")
    shape = p.shape(x)
    key = f"{zlib.crc32(itext.encode()):08x}" if itext != "idx" else "v"
    if s.op == "getitem_vjp":
        name = f"_getitem_vjp_{_tag(shape)}_{key}"
        p.generated.setdefault(name, f'''
def {name}(g{params}):
    z = np.zeros({_tup(shape)})
    z[{itext}] = g
    return z''')
        return f"{name}({t(0)}{extra and ', ' + t(2)})", ATOM
    # the copy has the result's dtype: an int array stays one (an index array built item
    # by item, np.array([0, 1, 2]), read as an index after)
    dtype = getattr(s.target.type, "dtype", "float64")
    dtype = dtype if dtype in ("int64", "bool") else "float64"
    name = f"_setitem_{_tag(shape)}_{key}" + ("" if dtype == "float64" else f"_{dtype}")
    p.generated.setdefault(name, f'''
def {name}(x{params}, v):
    z = x.astype(np.{"bool_" if dtype == "bool" else dtype})
    z[{itext}] = v
    return z''')
    return f"{name}({t(0)}{extra and ', ' + t(1)}, {t(2)})", ATOM
