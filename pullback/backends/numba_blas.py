"""A two-operand ``np.einsum`` as one BLAS ``dgemm`` per batch, on the operands where they lie.

``strided_gemm(name, a, b, out, size)`` returns the lines of a function ``name(o0, o1)``
or None.  Each operand (made C-contiguous, a no-op for the C arrays the generated code
passes) is read in place: for one value of the batch letters, its free letters and its
summed letters are each one run of memory (``stride(c) == stride(next) * size(next)``),
so the operand is a matrix with a row stride and a column stride, and BLAS takes it as
it is when one of the two strides is 1 (the other is the leading dimension).  GMM's
``kij,nkj->nki`` reads ``xc[:, k, :]`` as a 1000 x 10 matrix with leading dimension 50
and writes ``out[:, k, :]`` the same way: no transposing copy of either (the copying
form, ``numba_einsum._batched``, permuted both inputs and the result: three passes over
each 1000 x 5 x 10 array, most of the einsum's time).

Invariants
- the result is a new C-contiguous float64 array of the output's shape;
- BLAS is told every leading dimension; each is at least the stored matrix's row count
  (a dimension of size 1 has no stride that matters, and gets the smallest legal one);
- the call is Numba's own ``numba_xxgemm`` (its BLAS, SciPy's ``dgemm``), named as an
  external symbol: resolved when the code is loaded, so ``cache=True`` keeps working.
"""
import math

GEMM = "_blas_gemm"
GEMM_DECL = f"""from numba import types as _nb_types

_f8p = _nb_types.CPointer(_nb_types.float64)
# Numba's BLAS entry (column-major dgemm): kind, transa, transb, m, n, k, alpha, a, lda,
# b, ldb, beta, c, ldc
{GEMM} = _nb_types.ExternalFunction("numba_xxgemm", _nb_types.intc(
    _nb_types.char, _nb_types.char, _nb_types.char, _nb_types.intp, _nb_types.intp,
    _nb_types.intp, _f8p, _f8p, _nb_types.intp, _f8p, _nb_types.intp, _f8p, _f8p,
    _nb_types.intp))"""
_N, _T = ord("N"), ord("T")


def _strides(sub, size):
    st, acc = {}, 1
    for c in reversed(sub):
        st[c] = acc
        acc *= size[c]
    return st


def _run(letters, st, size):
    """(size, stride) of ``letters`` as one index, or None if they are not one run."""
    letters = [c for c in letters if size[c] != 1]
    for c, nxt in zip(letters, letters[1:]):
        if st[c] != st[nxt] * size[nxt]:
            return None
    return (math.prod(size[c] for c in letters), st[letters[-1]] if letters else 0)


def _col_major(rows, cols):
    """The leading dimension of a (size, stride) x (size, stride) matrix read as
    column-major, or None."""
    (r, sr), (c, sc) = rows, cols
    if r > 1 and sr != 1:
        return None
    ld = sc if c > 1 else max(1, r)
    return ld if ld >= max(1, r) else None


def _op(rows, cols):
    """(trans flag, leading dimension) giving BLAS this matrix, or None."""
    ld = _col_major(rows, cols)
    if ld is not None:
        return _N, ld
    ld = _col_major(cols, rows)             # row-major: its transpose is column-major
    return None if ld is None else (_T, ld)


def strided_gemm(name, a, b, out, size):
    """Lines of ``name(o0, o1)``: ``np.einsum(f"{a},{b}->{out}")`` as one dgemm per
    batch index, or None (a group of letters is not one run, or no unit stride)."""
    if any(size[c] == 0 for c in size) or not out:
        return None
    batch = [c for c in out if c in a and c in b]
    fa = [c for c in out if c in a and c not in b]
    fb = [c for c in out if c in b and c not in a]
    summed = [c for c in a if c in b and c not in out]
    sa, sb, so = _strides(a, size), _strides(b, size), _strides(out, size)
    runs = [_run(fa, sa, size), _run(summed, sa, size), _run(summed, sb, size),
            _run(fb, sb, size), _run(fa, so, size), _run(fb, so, size)]
    if None in runs:
        return None
    a_fa, a_s, b_s, b_fb, o_fa, o_fb = runs
    m, k, n = a_fa[0], a_s[0], b_fb[0]
    if _col_major(o_fa, o_fb) is not None:        # out = A @ B
        ldc = _col_major(o_fa, o_fb)
        first, second = (_op(a_fa, a_s), "a", "oa"), (_op(b_s, b_fb), "b", "ob")
    elif _col_major(o_fb, o_fa) is not None:      # out.T = B.T @ A.T
        ldc = _col_major(o_fb, o_fa)
        m, n = n, m
        first, second = (_op(b_fb, b_s), "b", "ob"), (_op(a_s, a_fa), "a", "oa")
    else:
        return None
    if first[0] is None or second[0] is None:
        return None
    lines = [f"def {name}(o0, o1):",
             "    # one dgemm per batch on the operands in place (numba_blas.py)",
             f"    a = np.ascontiguousarray(o0).reshape({math.prod(size[c] for c in a)})",
             f"    b = np.ascontiguousarray(o1).reshape({math.prod(size[c] for c in b)})",
             f"    out = np.empty(({', '.join(str(size[c]) for c in out)},))",
             f"    res = out.reshape({math.prod(size[c] for c in out)})",
             "    ab = np.array([1.0, 0.0])"]
    pad = "    "
    loops = [c for c in batch if size[c] > 1]
    for c in loops:
        lines.append(f"{pad}for {c}_ in range({size[c]}):")
        pad += "    "

    def offset(st):
        terms = [f"{c}_ * {st[c]}" if st[c] != 1 else f"{c}_" for c in loops]
        return " + ".join(terms) or "0"
    off = {"oa": offset(sa), "ob": offset(sb)}
    (ta, lda), x, xo = first
    (tb, ldb), y, yo = second
    lines.append(f"{pad}{GEMM}({ord('d')}, {ta}, {tb}, {m}, {n}, {k}, ab[0:].ctypes, "
                 f"{x}[{off[xo]}:].ctypes, {lda}, {y}[{off[yo]}:].ctypes, {ldb}, "
                 f"ab[1:].ctypes, res[{offset(so)}:].ctypes, {ldc})")
    lines.append("    return out")
    return lines
