"""The decompositions and inverses of one matrix on the Numba backend (``numba_twins``
prints them through ``LINALG``).

Nopython mode's ``np.linalg`` takes one 2-d matrix where NumPy takes stacks, and its
``eigh`` reads the lower triangle only; the cotangents call ``_eigh_vjp``, ``_qr_vjp`` and
``_cholesky_vjp`` of ``numba_helpers.py``::

    eigh_w(x, 'U')      ->  np.linalg.eigh(np.ascontiguousarray(x.T))[0]
    det(x)   (x 2x3x3)  ->  UnsupportedError at the user's line (no stacks)

Invariant: a printer returns ``(text, precedence)`` only for one matrix, whose value equals
NumPy's (tests/test_numba_twins.py runs the rule table's rows against JAX and finite
differences); a stack raises ``UnsupportedError``, never a guess.
"""
from ..errors import UnsupportedError
from ..ir import Const
from ..ir.types import is_array
from .python import ATOM


def _matrix(p, a, what):
    shape = tuple(p.shape(a)) if is_array(getattr(a, "type", None)) else ()
    if len(shape) != 2:
        raise UnsupportedError(f"the numba backend has {what} of one matrix only (no stacks)")
    return shape


def _uplo(a):
    if not isinstance(a, Const):
        raise UnsupportedError("the numba backend needs a constant UPLO for np.linalg.eigh")
    return str(a.value).upper()


def _lower(p, s, t, i):
    """Argument ``i`` as the matrix whose lower triangle holds what UPLO names."""
    uplo = _uplo(s.args[i + 1])
    return t(i) if uplo == "L" else f"np.ascontiguousarray({t(i, ATOM)}.T)"


def _eigh(p, s, t):
    _matrix(p, s.args[0], "np.linalg.eigh")
    return f"np.linalg.eigh({_lower(p, s, t, 0)})[{0 if s.op == 'eigh_w' else 1}]", ATOM


def _full(p, s, t, i, shape):
    """Cotangent argument ``i`` as an array of ``shape`` (a zero one arrives as 0.0)."""
    if is_array(getattr(s.args[i], "type", None)):
        return t(i)
    return f"np.full({tuple(int(n) for n in shape)!r}, {t(i)})"


def _eigh_vjp(p, s, t):
    n = _matrix(p, s.args[2], "np.linalg.eigh")[0]
    p.helpers.add("_eigh_vjp")
    return (f"_eigh_vjp({_full(p, s, t, 0, (n,))}, {_full(p, s, t, 1, (n, n))}, "
            f"{_lower(p, s, t, 2)}, "
            f"{_uplo(s.args[3]) == 'L'})"), ATOM


def _qr(p, s, t):
    _matrix(p, s.args[0], "np.linalg.qr")
    return f"np.linalg.qr({t(0)})[{0 if s.op == 'qr_q' else 1}]", ATOM


def _qr_vjp(p, s, t):
    m, n = _matrix(p, s.args[2], "np.linalg.qr")
    if m < n:
        raise UnsupportedError("derivative of np.linalg.qr of a wide matrix (m < n)")
    p.helpers.add("_qr_vjp")
    k = min(m, n)
    return f"_qr_vjp({_full(p, s, t, 0, (m, k))}, {_full(p, s, t, 1, (k, n))}, {t(2)})", ATOM


def _cholesky_vjp(p, s, t):
    _matrix(p, s.args[1], "np.linalg.cholesky")
    p.helpers.add("_cholesky_vjp")
    return f"_cholesky_vjp({t(0)}, {t(1)})", ATOM


def _one_matrix(p, s, t):
    """``det`` and ``inv``: nopython mode's take one matrix (NumPy's, stacks too)."""
    _matrix(p, s.args[0], f"np.linalg.{s.op}")
    return f"np.linalg.{s.op}({t(0)})", ATOM


def _cofactor(p, s, t):
    _matrix(p, s.args[0], "np.linalg.det")
    p.helpers.add("_cofactor")
    return f"_cofactor({t(0)})", ATOM


def _slogdet(p, s, t):
    _matrix(p, s.args[0], "np.linalg.slogdet")
    return f"np.linalg.slogdet({t(0)})[{0 if s.op == 'slogdet_sign' else 1}]", ATOM


LINALG = {"eigh_w": _eigh, "eigh_v": _eigh, "eigh_vjp": _eigh_vjp, "qr_q": _qr, "qr_r": _qr,
          "qr_vjp": _qr_vjp, "cholesky_vjp": _cholesky_vjp, "slogdet_sign": _slogdet,
          "slogdet_logabs": _slogdet, "det": _one_matrix, "inv": _one_matrix,
          "cofactor": _cofactor}
