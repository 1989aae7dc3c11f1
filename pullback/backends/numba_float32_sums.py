"""Sums of float32 arrays on the Numba backend, in NumPy's order.

Numba's ``np.sum``/``np.std`` of a float32 array add element after element in float32,
and over 10**6 entries of 0.1 that is 1% off NumPy's sum (which adds pairwise), and
every gradient through the sum with it.  Accumulating in float64 would be closer to
NumPy but not NumPy's number; this module computes NumPy's own:

- a sum over trailing axes (a whole C-contiguous array, or rows of ``x.sum(axis=-1)``)
  is NumPy's pairwise summation, ``_pairwise32`` (``FLOAT_pairwise_sum`` in NumPy's
  loops_utils.h: below 8 elements one by one from 0, up to 128 eight running partial
  sums combined as ``((r0+r1)+(r2+r3))+((r4+r5)+(r6+r7))`` then the rest, above that
  two halves split at a multiple of 8), all in float32; it equals ``np.sum`` bit for bit
  on every length tried up to 10**6.  The halving runs on an explicit stack: Numba's
  cache=True loaded a self-recursive function into a crash (a segfault on the second run);
- a sum over leading axes (``X.sum(axis=0)``) adds each row into the float32 output
  row after row, as NumPy's reduction loop does (its inner loop is then the kept axis):
  numba_arrays' ``reduce_fn`` pass in memory order, with a float32 output;
- a mean is that sum divided by the count in float32, a variance and a standard
  deviation NumPy's two passes (``x - mean``, its squares summed the same way).

Invariant: the result of a float32 sum, mean, var or std is the dtype's, and
for the trailing-axes forms the value NumPy computes; other axis orders (a middle axis)
add in memory order in float32, NumPy's order up to how its iterator coalesces them.
``np.linalg.norm`` and ``np.dot`` use BLAS in NumPy (``sdot``), whose order no one
reproduces: their sums are pairwise here, within float32 rounding of BLAS's.
"""
import math

from .numba_twins import _tag as tag, _tup as tup

NARROW = {"float32": "np.float32"}    # (NumPy sums float16 in float32: not this order)

BLOCK = '''
def _block32(a, lo, n):
    if n < 8:
        res = np.float32(0.0)
        for i in range(n):
            res += a[lo + i]
        return res
    r0, r1, r2, r3 = a[lo], a[lo + 1], a[lo + 2], a[lo + 3]
    r4, r5, r6, r7 = a[lo + 4], a[lo + 5], a[lo + 6], a[lo + 7]
    i = 8
    while i < n - n % 8:
        r0 += a[lo + i]
        r1 += a[lo + i + 1]
        r2 += a[lo + i + 2]
        r3 += a[lo + i + 3]
        r4 += a[lo + i + 4]
        r5 += a[lo + i + 5]
        r6 += a[lo + i + 6]
        r7 += a[lo + i + 7]
        i += 8
    res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while i < n:
        res += a[lo + i]
        i += 1
    return res'''
PAIRWISE = '''
def _pairwise32(a, lo, n):
    if n <= 128:
        return _block32(a, lo, n)
    los, ns = np.empty(64, np.int64), np.empty(64, np.int64)
    state, vals = np.zeros(64, np.int64), np.empty(64, np.float32)
    top, nv = 0, 0
    los[0], ns[0] = lo, n
    while top >= 0:
        m = ns[top]
        h = m // 2
        h -= h % 8
        if m <= 128:
            vals[nv] = _block32(a, los[top], m)
            nv += 1
            top -= 1
        elif state[top] < 2:
            start = los[top] + (h if state[top] == 1 else 0)
            size = (m - h) if state[top] == 1 else h
            state[top] += 1
            top += 1
            los[top], ns[top], state[top] = start, size, 0
        else:
            nv -= 1
            vals[nv - 1] = vals[nv - 1] + vals[nv]
            top -= 1
    return vals[0]'''


def _helpers(p):
    p.generated.setdefault("_block32", BLOCK)       # (one @njit function per entry)
    p.generated.setdefault("_pairwise32", PAIRWISE)


def _trailing(shape, axes):
    return list(axes) == list(range(len(shape) - len(axes), len(shape)))


def sum32_text(p, op, dtype, shape, axes, out, arg):
    """``op`` (sum or mean) of a ``dtype`` array ``arg`` of ``shape`` over trailing ``axes``
    to shape ``out`` as nopython text, pairwise as NumPy's; None for other axes, which
    ``reduce_fn`` adds in memory order into a float32 output (module docstring)."""
    cast = NARROW[dtype]
    keep = [i for i in range(len(shape)) if i not in axes]
    m, r = math.prod(shape[i] for i in keep), math.prod(shape[i] for i in axes)
    name = f"_{op}32_{tag(shape)}_a{''.join(map(str, axes))}_to_{tag(out)}"
    fin = f"{cast}(s / {r})" if op == "mean" else "s"
    if not _trailing(shape, axes):
        return None             # (reduce_fn's pass in memory order, in float32)
    _helpers(p)
    body = f'''
def {name}(x):
    v = np.ascontiguousarray(x).reshape({m * r})
    out = np.empty({m}, v.dtype)
    for i in range({m}):
        s = _pairwise32(v, i * {r}, {r})
        out[i] = {fin}
    return {"out[0]" if not out else f"out.reshape({tup(out)})"}'''
    p.generated.setdefault(name, body)
    return f"{name}({arg})"


def moment32_text(p, op, dtype, shape, axes, out, ddof, arg):
    """``op`` (var or std) of a ``dtype`` array over trailing ``axes`` as NumPy computes
    it, or None for other axes (the float64 form of numba_moments.py)."""
    if not _trailing(shape, axes):
        return None
    cast = NARROW[dtype]
    keep = [i for i in range(len(shape)) if i not in axes]
    m, r = math.prod(shape[i] for i in keep), math.prod(shape[i] for i in axes)
    name = (f"_{op}32_{tag(shape)}_a{''.join(map(str, axes))}_d{ddof}_to_{tag(out)}"
            .replace("-", "m"))
    root = f"{cast}(math.sqrt(var))" if op == "std" else "var"
    _helpers(p)
    p.generated.setdefault(name, f'''
def {name}(x):
    v = np.ascontiguousarray(x).reshape({m * r})
    out = np.empty({m}, v.dtype)
    for i in range({m}):
        mu = {cast}(_pairwise32(v, i * {r}, {r}) / {r})
        d = v[i * {r}:(i + 1) * {r}] - mu
        var = {cast}(_pairwise32(d * d, 0, {r}) / max({r} - {ddof}, 0))
        out[i] = {root}
    return {"out[0]" if not out else f"out.reshape({tup(out)})"}''')
    return f"{name}({arg})"
