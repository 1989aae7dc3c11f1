"""Runtime helpers of Numba-generated modules: nopython versions, ``@njit``-compiled once per
module that calls them (``HELPERS[name]`` is the source of the function ``name``).

Invariant: each helper is plain nopython Python over NumPy arrays and scalars; the
Python backend's helpers (``rules/np_helpers.py``) that Numba cannot compile get a twin
here or in ``numba_lists.py``, and a primitive with a helper that has no twin is a
pullback error at its line.
"""
import inspect

from ..rules import helpers, schedule
from .numba_bounds import HELPERS as BOUNDS_HELPERS
from .numba_checks import CHECK_HELPERS
from .numba_rounding import HELPERS as ROUNDING_HELPERS
from .float_checks import NUMBA_HELPERS as FLOAT_HELPERS
from .numba_lists import HELPERS as LIST_HELPERS

HELPERS = {
    "_grow": '''
def _grow(a, need):
    """A copy of array ``a`` with room for at least ``need`` items (doubling)."""
    size = max(need, 2 * a.shape[0], 16)
    b = np.empty((size,) + a.shape[1:], a.dtype)
    b[:a.shape[0]] = a
    return b''',
    "_trip": '''
def _trip(start, stop, step):
    """len(range(start, stop, step))."""
    if step > 0:
        return max(0, (stop - start + step - 1) // step)
    return max(0, (start - stop - step - 1) // (-step))''',
    "stop_gradient": '''
def stop_gradient(x):
    return +x''',
    "sign": '''
def sign(x):
    return (x > 0) - (x < 0) + 0.0''',
    "polygamma": '''
def polygamma(n, x):
    """The n-th derivative of digamma, for integer n >= 0 and x > 0."""
    fact = [1.0] * (2 * 8 + n + 1)
    for k in range(1, len(fact)):
        fact[k] = fact[k - 1] * k
    acc = 0.0
    while x < 10.0:
        acc -= (-1.0) ** n * fact[n] / x ** (n + 1)
        x += 1.0
    bern = (1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6, -3617 / 510)
    if n == 0:
        s = math.log(x) - 0.5 / x
        for k in range(1, 9):
            s -= bern[k - 1] / (2 * k * x ** (2 * k))
        return acc + s
    sg = (-1.0) ** (n + 1)
    s = fact[n - 1] / x ** n + fact[n] / (2 * x ** (n + 1))
    for k in range(1, 9):
        s += bern[k - 1] * fact[2 * k + n - 1] / (fact[2 * k] * x ** (2 * k + n))
    return acc + sg * s''',
    "check_assert": '''
def check_assert(cond, message=None):
    """``assert cond, message`` (rules.effects); Numba raises with a constant message."""
    if not cond:
        raise AssertionError(message)''',
    "solver_failed": '''
def solver_failed(failed, kind, message):
    """A SciPy solver's failure (rules.helpers.solver_failed)."""
    if failed:
        if kind == "value":
            raise ValueError(message)
        raise RuntimeError(message)''',
}
HELPERS.update(CHECK_HELPERS)     # int64 where Python's int grows (numba_checks.py)
HELPERS.update(ROUNDING_HELPERS)  # round(x, n) as Python rounds (numba_rounding.py)
HELPERS.update(FLOAT_HELPERS)     # located ZeroDivisionError, complex powers (float_checks.py)
HELPERS.update(BOUNDS_HELPERS)    # indices out of range (numba_bounds.py)
# decompositions' cotangents of one matrix (numba_twins.py prints their calls; the formulas
# are rules/linalg_helpers.py's, with UPLO and the zero-cotangent case decided at printing)
_FOLD = """
    both = s + s.T      # fold_symmetric: the cotangent of the triangle the function read
    tri = np.tril(both, -1) if lower else np.triu(both, 1)
    return tri + s * np.eye(s.shape[0])"""
HELPERS.update({
    "_eigh_vjp": '''
def _eigh_vjp(gw, gv, a, lower):
    """eigh of the matrix whose lower triangle ``a`` holds: v (diag(gw) + F * v^T gv) v^T."""
    w, v = np.linalg.eigh(a)
    n = w.shape[0]
    inner = np.diag(gw.astype(np.float64))
    if np.any(gv != 0):     # as the Python helper: no F (inf at ties) for a zero gv
        vtg = v.T @ np.ascontiguousarray(gv)
        for i in range(n):
            for j in range(n):
                if i != j:
                    inner[i, j] += vtg[i, j] / (w[j] - w[i])
    s = v @ inner @ v.T
    s = 0.5 * (s + s.T)''' + _FOLD,
    "_qr_vjp": '''
def _qr_vjp(gq, gr, x):
    """Reduced QR of a tall matrix (TensorFlow's QrGrad, as rules/linalg_helpers.qr_vjp)."""
    q, r = np.linalg.qr(x)
    qdq = q.T @ np.ascontiguousarray(gq)
    rdr = r @ np.ascontiguousarray(gr).T
    tril = np.tril(qdq - qdq.T + rdr - rdr.T)
    left = gr + np.linalg.solve(r, np.ascontiguousarray(tril.T)).T
    right = np.ascontiguousarray((gq - q @ qdq).T)
    return q @ np.ascontiguousarray(left) + np.linalg.solve(r, right).T''',
    "_cofactor": '''
def _cofactor(x):
    """adj(x).T by the SVD, singular x too (rules/linalg_helpers.cofactor)."""
    u, s, vh = np.linalg.svd(np.ascontiguousarray(x))
    n = s.shape[0]
    p = np.ones(n)
    for i in range(n):
        for j in range(n):
            if j != i:
                p[i] *= s[j]
    return np.linalg.det(u) * np.linalg.det(vh) * (np.ascontiguousarray(u * p) @ vh)''',
    "_cholesky_vjp": '''
def _cholesky_vjp(g, y):
    """y = cholesky(x), lower: S = L^-T Phi(L^T g) L^-1 (Murray 2016), folded."""
    lower = True
    p = y.T @ np.ascontiguousarray(g)
    p = np.tril(p, -1) + 0.5 * p * np.eye(y.shape[0])
    linv = np.linalg.inv(y)
    s = linv.T @ p @ linv
    s = 0.5 * (s + s.T)''' + _FOLD,
})
HELPERS.update(LIST_HELPERS)
# the checkpointing schedule is nopython already: the same source; checkpoint_next calls
# checkpoint_split, compiled with it (numba.py decorates the first function of an entry)
for _name in ("np_maximum", "np_minimum", "np_clip"):     # NumPy's NaN and tie rules, as Python's
    HELPERS[_name] = inspect.getsource(getattr(helpers, _name))
HELPERS["checkpoint_start"] = inspect.getsource(schedule.checkpoint_start)
HELPERS["checkpoint_next"] = inspect.getsource(schedule.checkpoint_next) + \
    "\n\n@njit(cache=True)\n" + inspect.getsource(schedule.checkpoint_split)

