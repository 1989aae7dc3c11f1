"""NumPy runtime helpers that reverse rules call.

Plain NumPy functions; the Python backend copies the ones a module uses into
it.  Each is also a primitive (``rules.numpy_core`` / ``numpy_linalg``), so
generated code that calls them can be differentiated again where a rule is
declared.  Arguments named ``x`` are the primal input, ``g`` a cotangent.

Invariant: another library's arrays (Dask, CuPy: ``__array_function__`` and not
``np.ndarray``) stay in their library: helpers call ``np.*`` functions those libraries
implement and make new arrays ``*_like`` an argument, never ``np.asarray`` of one
(``np.asarray`` only turns Python scalars and lists into arrays).
"""
import numpy as np


def foreign_array(v):
    """Is ``v`` another library's array that NumPy's functions dispatch to (Dask, CuPy)?"""
    return hasattr(v, "__array_function__") and not isinstance(v, np.ndarray)


def unbroadcast(g, x):
    """Sum ``g`` down to the shape of ``x`` (undoing broadcasting)."""
    shape = np.shape(x)
    g = g if hasattr(g, "shape") else np.asarray(g)
    if g.shape == shape:
        return g
    if g.ndim == 0 and shape and not foreign_array(g):
        # a number stands for an array of it (an adjoint still 0.0 where no path wrote it,
        # whose shape was not known to make it zeros): x's whole shape, for the indexing
        # that may follow (a list's adjoint, read item by item)
        return np.full(shape, g, dtype=np.result_type(g, 0.0))
    while g.ndim > len(shape):
        g = g.sum(axis=0)
    for i, n in enumerate(shape):
        if n == 1 and g.shape[i] != 1:
            g = g.sum(axis=i, keepdims=True)
    # a foreign 0-d array stays one (float() would compute a Dask graph)
    return g if shape or foreign_array(g) else float(g)


def expand_to(g, x, axis, keepdims):
    """Broadcast a reduction's cotangent back over the reduced axes of ``x``."""
    if foreign_array(x) and not foreign_array(g) and np.ndim(g) == 0:
        return np.full_like(x, g, dtype=np.result_type(g))  # a constant: in x's library
    g = g if hasattr(g, "shape") else np.asarray(g)
    if axis is not None and not keepdims:
        g = np.expand_dims(g, axis)
    elif axis is None and not keepdims:
        g = g.reshape((1,) * np.ndim(x))
    return np.broadcast_to(g, np.shape(x))


def count(x, axis):
    """Number of elements a reduction over ``axis`` combines."""
    shape = np.shape(x)
    if axis is None:
        return int(np.prod(shape))
    axes = axis if isinstance(axis, tuple) else (axis,)
    return int(np.prod([shape[a] for a in axes]))


def extremum_mask(x, y, axis, keepdims):
    """Where ``x`` attains its max/min ``y``, ties sharing equally."""
    hit = x == expand_to(y, x, axis, keepdims)
    return hit / expand_to(np.sum(hit, axis=axis, keepdims=keepdims), x, axis, keepdims)


def getitem_vjp(g, x, idx):
    """Scatter ``g`` back to where ``x[idx]`` read it (repeated indices add up)."""
    z = np.zeros_like(x, dtype=np.result_type(g, float))
    parts = idx if isinstance(idx, tuple) else (idx,)
    if all(p is None or p is Ellipsis or isinstance(p, (int, np.integer, slice)) for p in parts):
        z[idx] = g          # basic indexing reads each element at most once
    else:
        z = add_at(z, idx, g)
    return z


def last_write_vjp(g, idx):
    """The cotangent of ``v`` in ``x[idx] = v``: ``g[idx]``, except where a repeated index
    wrote the same element again later (NumPy keeps the last write; earlier ones are lost)."""
    part = g[idx]
    parts = idx if isinstance(idx, tuple) else (idx,)
    if all(p is None or p is Ellipsis or isinstance(p, (int, np.integer, slice)) for p in parts):
        # basic indexing writes each element at most once; a copy, as a view of the
        # adjoint g would see the in-place writes made to g later in the reverse sweep
        return np.copy(part) if isinstance(part, np.ndarray) else part
    order = np.arange(np.size(part)).reshape(np.shape(part))
    last = np.full(np.shape(g), -1)
    last[idx] = order
    return np.where(last[idx] == order, part, 0.0)


def add_at(z, idx, g):
    """``np.add.at(z, idx, g)``, returning ``z``.  Another library's arrays (Dask has no
    ``ufunc.at``) get the sum as rounds of writes, each to distinct elements (an element
    indexed k times is written in k rounds); the flat positions come from indexing NumPy's
    ``arange`` with ``idx`` (a Dask array in ``idx`` is computed for that)."""
    if not foreign_array(z):
        np.add.at(z, idx, g)
        return z
    flat = np.arange(z.size).reshape(z.shape)[idx]
    gf = np.reshape(np.broadcast_to(g, np.shape(flat)), (-1,))
    flat = np.ravel(flat)
    order = np.argsort(flat, kind="stable")
    ranked = flat[order]
    starts = np.flatnonzero(np.r_[True, ranked[1:] != ranked[:-1]])
    rank = np.arange(ranked.size) - np.repeat(starts, np.diff(np.r_[starts, ranked.size]))
    zf = np.reshape(z, (-1,))
    for k in range(int(rank.max()) + 1 if rank.size else 0):
        pick = order[rank == k]
        zf[flat[pick]] = zf[flat[pick]] + gf[pick]
    return np.reshape(zf, np.shape(z))


def index_list(*items):
    """``[i, j]`` used as an index: a list (integer-array indexing), not a tuple."""
    return list(items)


def setitem(x, idx, v):
    """``x`` with ``x[idx] = v``, as a new array.  A real float ``x`` keeps its dtype, as
    NumPy's in-place write does (a float64 ``v`` is rounded into a float32 ``x``), so
    the value is the same whether the backend prints the write in place or not."""
    dtype = np.result_type(x, v)
    if np.result_type(x).kind == "f" and np.result_type(v).kind in "biuf":
        dtype = np.result_type(x)
    if foreign_array(x):        # Dask's astype to its own dtype is x itself: copy() is new
        z = x.copy() if x.dtype == dtype else x.astype(dtype)
    else:
        z = np.array(x, dtype=dtype)
    z[idx] = v
    return z


def like(g, x):
    """``g`` in the shape of ``x``."""
    return np.reshape(g, np.shape(x))


def transpose_vjp(g, axes):
    """The inverse permutation, of ``axes`` counted from 0 (``(-1, 0, 1)`` is ``(2, 0, 1)``:
    argsort of the negative numbers themselves is another permutation)."""
    if axes is None:
        return np.transpose(g)
    return np.transpose(g, tuple(np.argsort([a % np.ndim(g) for a in axes])))


def cumsum_vjp(g, x, axis):
    if axis is None:
        return np.flip(np.cumsum(np.flip(np.ravel(g)))).reshape(np.shape(x))
    return np.flip(np.cumsum(np.flip(g, axis), axis), axis)


def cumprod_vjp(g, x, axis):
    """The cotangent of ``x`` for ``y = cumprod(x, axis)`` (``axis=None``: ``y`` is flat):
    ``x_bar[j] = prod(x[:j]) * s[j]`` with ``s[j] = g[j] + x[j+1] * s[j+1]``, a
    recurrence without division (``cumsum(g * y) / x`` is nan where x has a zero)."""
    f, back = reduced_last(x, axis)
    y_shape = np.shape(x) if axis is not None else (np.size(x),)
    gf, _ = reduced_last(np.reshape(np.broadcast_to(g, y_shape), np.shape(x)), axis)
    n = f.shape[-1]
    left = np.ones_like(f, dtype=np.result_type(f, gf, 1.0))
    left[..., 1:] = np.cumprod(f[..., :-1], axis=-1)
    s = np.zeros_like(left)
    if n:
        s[..., n - 1] = gf[..., n - 1]
    for j in range(n - 2, -1, -1):
        s[..., j] = gf[..., j] + f[..., j + 1] * s[..., j + 1]
    return back(left * s)


def cumprod_jvp(t, x, axis):
    """The tangent of ``cumprod(x, axis)`` along ``t``: ``y_dot[i] = y_dot[i-1] * x[i] +
    y[i-1] * t[i]``, again without division (flat for ``axis=None``, as ``y`` is)."""
    f, back = reduced_last(x, axis)
    d, _ = reduced_last(np.broadcast_to(t, np.shape(x)), axis)
    out = np.zeros(np.shape(f), dtype=np.result_type(f, d, 1.0))
    y = np.ones(f.shape[:-1])
    y_dot = np.zeros(f.shape[:-1])
    for i in range(f.shape[-1]):
        y, y_dot = y * f[..., i], y_dot * f[..., i] + y * d[..., i]
        out[..., i] = y_dot
    return back(out) if axis is not None else np.ravel(back(out))


def matmul_vjp_a(g, a, b):
    if np.ndim(b) == 1:
        return np.multiply.outer(g, b) if np.ndim(a) > 1 else g * b
    if np.ndim(a) == 1:
        return np.matmul(b, g) if np.ndim(g) == 1 else np.sum(np.matmul(b, g[..., None]), -1)
    return np.matmul(g, np.swapaxes(b, -1, -2))


def matmul_vjp_b(g, a, b):
    if np.ndim(a) == 1:     # one vector times a (stack of) matrices
        return np.expand_dims(a, 1) * np.expand_dims(g, -2) if np.ndim(b) > 1 else g * a
    if np.ndim(b) == 1:     # a stack of matrices times one vector
        return np.matmul(np.swapaxes(a, -1, -2), np.expand_dims(g, -1))[..., 0]
    return np.matmul(np.swapaxes(a, -1, -2), g)


def split_part(x, sections, k, axis):
    return np.split(x, sections, axis)[k]


def split_part_vjp(g, x, sections, k, axis, even=True):
    """``g`` where part ``k`` lies, zeros elsewhere; written through an index, not through
    a view of the split (a Dask array's pieces are new arrays, not views)."""
    z = np.zeros_like(x, dtype=np.result_type(g, float))
    at = (np.split if even else np.array_split)(np.arange(np.shape(x)[axis]), sections)[k]
    idx = [slice(None)] * np.ndim(x)
    idx[axis] = slice(int(at[0]), int(at[-1]) + 1) if len(at) else slice(0, 0)
    z[tuple(idx)] = g
    return z


def array_split_part(x, sections, k, axis):
    return np.array_split(x, sections, axis)[k]


def array_split_part_vjp(g, x, sections, k, axis):
    return split_part_vjp(g, x, sections, k, axis, False)


def concat_first(g, a, axis):
    return np.take(g, np.arange(np.shape(a)[axis]), axis=axis)


def concat_second(g, a, axis):
    return np.take(g, np.arange(np.shape(a)[axis], np.shape(g)[axis]), axis=axis)


def list_append(xs, v, k):
    """``xs`` with ``v`` appended (as a new list)."""
    return list(xs) + [v]


def dim(x, k):
    """Length of axis ``k`` of ``x``."""
    return np.shape(x)[k]


def hstack_axis(x):
    return 0 if np.ndim(x) <= 1 else 1      # a 0-d part joins as one element (axis 0)


def concat2(a, b, axis):
    return np.concatenate((a, b), axis)


def tile_vjp(g, x, reps):
    shape = np.shape(x)
    reps = (reps,) if np.isscalar(reps) else tuple(reps)
    nd = max(len(shape), len(reps))
    shape = (1,) * (nd - len(shape)) + shape
    reps = (1,) * (nd - len(reps)) + reps
    split = [d for pair in zip(reps, shape) for d in pair]
    return np.reshape(np.reshape(g, split).sum(axis=tuple(range(0, 2 * nd, 2))), np.shape(x))


def repeat_vjp(g, x, repeats, axis):
    if np.ndim(repeats) > 0:    # a count per entry: each entry's copies are a run of g
        xs = np.reshape(x, (-1,)) if axis is None else np.asarray(x)
        ax = 0 if axis is None else axis % np.ndim(xs)
        n = np.shape(xs)[ax]
        idx = [slice(None)] * np.ndim(xs)
        idx[ax] = np.repeat(np.arange(n), np.broadcast_to(repeats, (n,)))
        z = np.zeros(np.shape(xs), dtype=np.result_type(g, float))
        return np.reshape(add_at(z, tuple(idx), g), np.shape(x))
    if axis is None:        # (size, repeats), not (-1, repeats): repeats may be 0
        return np.reshape(np.reshape(g, (np.size(x), repeats)).sum(-1), np.shape(x))
    shape = list(np.shape(x))
    shape.insert(axis + 1, repeats)
    return np.reshape(g, shape).sum(axis + 1)


def pad_vjp(g, x, pad_width):
    widths = np.broadcast_to(np.asarray(pad_width), (np.ndim(x), 2))
    return g[tuple(slice(int(lo), g.shape[i] - int(hi)) for i, (lo, hi) in enumerate(widths))]


def take_vjp(g, x, indices, axis):
    z = np.zeros_like(x, dtype=np.result_type(g, float))
    indices = np.asarray(indices)     # a tuple of ints is a list of indices here
    if axis is None:
        return np.reshape(add_at(np.reshape(z, (-1,)), indices, g), np.shape(x))
    idx = [slice(None)] * np.ndim(x)
    idx[axis] = indices
    return add_at(z, tuple(idx), g)


def take_along_axis_vjp(g, x, indices, axis):
    if axis is None:        # np.take_along_axis(x, i, None) reads the flat x
        return np.reshape(take_along_axis_vjp(g, np.ravel(x), indices, 0), np.shape(x))
    z = np.zeros_like(x, dtype=np.result_type(g, float))
    idx = list(np.indices(np.shape(indices), sparse=True))
    idx[axis] = indices
    return add_at(z, tuple(idx), g)


def sort_vjp(g, x, axis):
    return take_along_axis_vjp(g, x, np.argsort(x, axis=axis), axis)


def astype_like(g, x):
    g, dtype = np.asarray(g), np.asarray(x).dtype
    if g.dtype.kind == "c" and dtype.kind != "c":
        g = g.real          # a real value's cotangent is the real part (rules/complex.py)
    return g.astype(dtype)


def diag_vjp(g, x, k):
    if np.ndim(x) == 1:
        return np.diagonal(g, k)
    z = np.zeros_like(x, dtype=np.result_type(g, float))
    i = np.arange(len(g))
    z[i + max(-k, 0), i + max(k, 0)] = g
    return z


def trace_vjp(g, x):
    if foreign_array(x):        # np.eye would be NumPy's (and Dask's eye takes no like=)
        z = np.zeros_like(x, dtype=np.result_type(g, float))
        i = np.arange(min(np.shape(x)))
        z[i, i] = g
        return z
    return g * np.eye(*np.shape(x))


def flatten(x):
    """``x.flatten()``: a 1-d copy."""
    return np.array(x).reshape(-1)


def reduced_last(x, axis):
    """``x`` with the axes a reduction over ``axis`` combines moved last and flattened
    into one: (array (kept..., n), a function putting such an array back in x's shape)."""
    x = x if hasattr(x, "ndim") else np.asarray(x)
    axes = tuple(range(x.ndim)) if axis is None else \
        tuple(int(a) % x.ndim for a in np.atleast_1d(axis))
    perm = [a for a in range(x.ndim) if a not in axes] + list(axes)
    moved = np.transpose(x, perm)
    lead = moved.shape[:x.ndim - len(axes)]
    return moved.reshape(lead + (-1,)), \
        lambda y: np.transpose(np.reshape(y, moved.shape), np.argsort(perm))


def prod_others(x, axis):
    """For each element of ``x``, the product of the others its reduction over ``axis``
    combines: d prod / d x, made of prefix and suffix products (no division, so right
    where ``x`` has zeros)."""
    f, back = reduced_last(x, axis)
    left, right = np.ones_like(f), np.ones_like(f)
    left[..., 1:] = np.cumprod(f[..., :-1], axis=-1)
    right[..., :-1] = np.cumprod(f[..., :0:-1], axis=-1)[..., ::-1]
    return back(left * right)


def prod_others_jvp(t, x, axis):
    """The tangent of ``prod_others(x, axis)`` along ``t``: prefix and suffix products
    carried with their tangents (dual numbers), again without division."""
    f, back = reduced_last(x, axis)
    d, _ = reduced_last(np.broadcast_to(t, np.shape(x)), axis)
    if f.shape[-1] == 0:
        return np.zeros(np.shape(x))

    def exclusive(fs, ds):      # products of the elements before each one, and tangents
        p, dp = np.ones(fs.shape[:-1]), np.zeros(fs.shape[:-1])
        parts, dparts = [], []
        for i in range(fs.shape[-1]):
            parts.append(p)
            dparts.append(dp)
            p, dp = p * fs[..., i], dp * fs[..., i] + p * ds[..., i]
        return np.stack(parts, -1), np.stack(dparts, -1)
    left, dleft = exclusive(f, d)
    right, dright = exclusive(f[..., ::-1], d[..., ::-1])
    return back(dleft * right[..., ::-1] + left * dright[..., ::-1])


def zeros_for(shape, *leaves):
    """Room for an array literal of ``shape`` whose elements are ``leaves`` (scalars or
    arrays, all of one shape): the dtype NumPy gives the literal, the join of theirs
    (ints and a float make a float array)."""
    like = next((x for x in leaves if foreign_array(x)), None)
    if like is not None:        # another library's leaves: its array (dtype as NumPy's)
        return np.zeros_like(like, shape=tuple(shape) + np.shape(leaves[0]),
                             dtype=np.result_type(*[x if foreign_array(x) else np.asarray(x)
                                                    for x in leaves]))
    return np.zeros(tuple(shape) + np.shape(leaves[0]),
                    dtype=np.result_type(*[np.asarray(x) for x in leaves]))


def tuple_room(shape, *leaves):
    """``zeros_for`` for a Python tuple kept as one value (a list's item), which pullback
    keeps as one array: its parts must have one shape, or a clear error (a tuple of a
    matrix and a vector would fail later with NumPy's broadcasting message)."""
    shapes = sorted({np.shape(x) for x in leaves})
    if len(shapes) > 1:
        raise ValueError(f"a tuple of arrays of different shapes {shapes[0]} and {shapes[1]} "
                         "kept as one value (a list's item): pullback keeps such a tuple as "
                         "one array; keep each part in a list of its own")
    return zeros_for(shape, *leaves)


def hstack2(a, b):
    return np.hstack((a, b))


def hstack_first(g, a):
    return concat_first(g, np.atleast_1d(a), hstack_axis(a))


def hstack_second(g, a):
    return concat_second(g, np.atleast_1d(a), hstack_axis(a))


def linspace_weights(g, num, endpoint):
    """Weights of ``stop`` in ``np.linspace(start, stop, num, endpoint)``, shaped
    to broadcast against ``g`` along its first axis."""
    t = np.linspace(0.0, 1.0, num, endpoint)
    return t.reshape((num,) + (1,) * (np.ndim(g) - 1))


def arange_start_vjp(g, stop):
    """``np.arange(start, stop, step)``: each element is start + k step (with
    ``stop`` None, the one argument is the stop and the values are constant)."""
    return 0.0 if stop is None else np.sum(g)


def arange_step_vjp(g, step):
    return 0.0 if step is None else np.sum(g * np.arange(np.size(g)))



def logsumexp_grad(g, a, b, lse, axis, keepdims):
    """exp(a - lse) times the cotangent, over the shape ``a`` and the weights ``b`` make."""
    x = np.broadcast_to(a, np.broadcast_shapes(np.shape(a), np.shape(b))) if b is not None \
        else np.asarray(a)
    return expand_to(g, x, axis, keepdims) * np.exp(x - expand_to(lse, x, axis, keepdims))


from .linalg_helpers import *  # noqa: E402,F401,F403  (re-exported for the Python backend)
from .factor_helpers import *  # noqa: E402,F401,F403  (re-exported for the Python backend)
from .special_helpers import *  # noqa: E402,F401,F403  (re-exported for the Python backend)
from .complex_helpers import *  # noqa: E402,F401,F403  (re-exported for the Python backend)
from .signal_helpers import *  # noqa: E402,F401,F403  (re-exported for the Python backend)
from .interp_helpers import *  # noqa: E402,F401,F403  (re-exported for the Python backend)
