"""Judge one check_grads case: pullback's derivative against central finite differences.

Used only by ``tools/outside_suite.py``.  A case is ``f(*args, **kwargs)``
differentiated with respect to the arguments ``argnums``.  It is wrapped in a
small function of those arguments alone (the others and the keywords are
closure constants, as a user would write it), and judged by the dot-product
test autograd's own ``check_grads`` uses: with a random direction ``v`` and a
random cotangent ``u`` (from a generator seeded by the case's id, never NumPy's
global stream),

    rev:  <vjp(u), v>        fwd:  <u, jvp(v)>        oracle:  <u, (f(x+hv) - f(x-hv)) / 2h>

(complex leaves: the real inner product, the cotangent conjugated, which is both
JAX's and autograd's convention).  Verdicts: ``right``, ``rejected`` (a pullback
TransformError), ``crash`` (any other exception inside pullback), ``suspect``
(no error, disagrees with finite differences: the second oracle decides whether
it is ``wrong``), ``kink`` (disagrees with central differences but equals a
one-sided difference quotient: the function has a kink at the point and pullback
took one side's derivative, e.g. abs at 0), ``n/a`` (the case does not run under
plain NumPy/SciPy).
"""
import hashlib
import importlib.util
import os
import signal
import traceback
import zlib

import numpy as np

import pullback
from pullback.errors import TransformError

EPS = 1e-6
RTOL, ATOL = 1e-5, 1e-7


class CaseTimeout(BaseException):
    """A case ran past its time limit (BaseException: no ``except Exception`` eats it)."""


# ---- pytrees of floats, arrays, tuples, lists and dicts -----------------------------------

def leaves(t):
    if isinstance(t, (tuple, list)):
        return [x for e in t for x in leaves(e)]
    if isinstance(t, dict):
        return [x for k in sorted(t, key=repr) for x in leaves(t[k])]
    return [t]


def rebuild(t, it):
    if isinstance(t, (tuple, list)):
        return type(t)(rebuild(e, it) for e in t)
    if isinstance(t, dict):
        out = {k: rebuild(t[k], it) for k in sorted(t, key=repr)}
        return {k: out[k] for k in t}
    return next(it)


def _inexact(x):
    return np.issubdtype(np.asarray(x).dtype, np.inexact)


def is_complex(tree):
    return any(np.iscomplexobj(x) for x in leaves(tree))


def _like(x, rng):
    """A random leaf shaped like ``x`` (0 for integer and boolean leaves)."""
    a = np.asarray(x)
    if not _inexact(a):
        return 0 if a.ndim == 0 else np.zeros(a.shape)
    r = rng.standard_normal(a.shape)
    if np.iscomplexobj(a):
        r = r + 1j * rng.standard_normal(a.shape)
    return float(r) if a.ndim == 0 and not np.iscomplexobj(a) else r


def random_like(tree, rng):
    return rebuild(tree, iter([_like(x, rng) for x in leaves(tree)]))


def shifted(tree, direction, h):
    return rebuild(tree, iter([x + h * d if _inexact(x) else x
                               for x, d in zip(leaves(tree), leaves(direction))]))


def inner(a, b):
    """Real inner product of two pytrees with the same leaves: sum Re(a * b) (no conjugate)."""
    total = 0.0
    for x, y in zip(leaves(a), leaves(b), strict=True):
        if x is None or y is None:
            continue
        total += float(np.real(np.sum(np.asarray(x) * np.asarray(y))))
    return total


def close(a, b, scale=0.0):
    return abs(a - b) <= ATOL + RTOL * max(abs(a), abs(b), scale)


def case_rng(case_id):
    return np.random.default_rng(zlib.crc32(case_id.encode()))


# ---- the wrapper: a function of the differentiated arguments only --------------------------

_WRAPPERS = {}


def _wrapper_source(n, argnums, kwnames):
    consts = [f"    c{i} = c[{i}]\n" for i in range(n) if i not in argnums]
    kws = [f"    k_{k} = kw[{k!r}]\n" for k in kwnames]
    params = ", ".join(f"a{i}" for i in argnums)
    call = [f"a{i}" if i in argnums else f"c{i}" for i in range(n)]
    call += [f"{k}=k_{k}" for k in kwnames]
    return (f"def make(fun, c, kw):\n{''.join(consts)}{''.join(kws)}"
            f"    def case({params}):\n        return fun({', '.join(call)})\n"
            f"    return case\n")


def wrapper(fun, args, kwargs, argnums, cache_dir):
    """``case(*diff) == fun(*args, **kwargs)`` with ``args[argnums]`` replaced by ``diff``:
    a real source file (pullback reads source) in the measurement's cache folder."""
    key = (len(args), tuple(argnums), tuple(kwargs))
    if key not in _WRAPPERS:
        text = _wrapper_source(*key)
        name = "w_" + hashlib.sha1(text.encode()).hexdigest()[:12]
        path = os.path.join(cache_dir, name + ".py")
        if not os.path.exists(path):
            with open(path, "w") as fh:
                fh.write(text)
        spec = importlib.util.spec_from_file_location(name, path)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        _WRAPPERS[key] = mod.make
    return _WRAPPERS[key](fun, tuple(args), dict(kwargs))


# ---- judging -----------------------------------------------------------------------------

def _alarm(seconds):
    def on_alarm(signum, frame):
        raise CaseTimeout(f"over {seconds} s")
    signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)


def _where(exc):
    """The innermost frame of the traceback, as file:line (what crashed where)."""
    tb = traceback.extract_tb(exc.__traceback__)
    inner_pb = [f for f in tb if "/pullback/" in f.filename] or tb
    f = inner_pb[-1]
    return f"{os.path.basename(f.filename)}:{f.lineno}"


def _outcome(exc):
    if isinstance(exc, TransformError):
        return {"verdict": "rejected", "kind": type(exc).__name__,
                "message": getattr(exc, "message", str(exc)), "at": f"{exc.filename}:{exc.line}",
                "construct": str(exc.construct or "")}
    if isinstance(exc, CaseTimeout):
        return {"verdict": "crash", "kind": "Timeout", "message": str(exc), "at": ""}
    return {"verdict": "crash", "kind": type(exc).__name__, "message": str(exc)[:300],
            "at": _where(exc)}


def _difference(u, y, hi, lo, h):
    """<u, (hi - lo) / h>: a difference quotient of the outputs, against the cotangent."""
    return inner(conj_tree(u), rebuild(y, iter(
        [(np.asarray(a) - np.asarray(b)) / h for a, b in zip(leaves(hi), leaves(lo))])))


def directions(case_id, xs, y):
    rng = case_rng(case_id)
    return random_like(xs, rng), random_like(y, rng)


def conj_tree(t):
    return rebuild(t, iter([np.conj(x) if np.iscomplexobj(x) else x for x in leaves(t)]))


def _pullback_rev(g, xs, y, u, v):
    out, f_vjp = pullback.vjp(g, *xs)
    cts = f_vjp(conj_tree(u))
    cts = cts if len(xs) > 1 else (cts[0] if isinstance(cts, tuple) and len(cts) == 1 else cts,)
    return out, inner(list(cts), v)


def _pullback_fwd(g, xs, y, u, v):
    out, t = pullback.jvp(g, tuple(xs), tuple(v))
    return out, inner(conj_tree(u), t)


MODES = {"rev": _pullback_rev, "fwd": _pullback_fwd}


class ResultStructure(Exception):
    """pullback returned a value or derivative shaped unlike the primal's (no error raised)."""


def _compared(mode, g, xs, y, u, v):
    """``mode``'s (value, dot); a result that does not line up with the primal's leaves
    is pullback's fault, reported as such rather than as the harness's own error."""
    done = []

    def checked(*a):
        r = mode(*a)
        done.append(r)
        return r
    try:
        return checked(g, xs, y, u, v)
    except (ValueError, TypeError, IndexError) as exc:
        tb = traceback.extract_tb(exc.__traceback__)
        if tb[-1].filename == __file__ or "outside_cases" in tb[-1].filename:
            raise ResultStructure(f"result does not match the primal's structure: {exc}") from exc
        raise


def judge(case_id, fun, args, kwargs, argnums, modes, cache_dir, timeout=60.0):
    """The case's record: verdict, per-mode results, messages (see the module docstring)."""
    rec = {"id": case_id, "argnums": list(argnums), "modes": list(modes)}
    try:
        g = wrapper(fun, args, kwargs, argnums, cache_dir)
        xs = [args[i] for i in argnums]
        y = g(*xs)
        v, u = directions(case_id, xs, y)
        plus, minus = g(*shifted(xs, v, EPS)), g(*shifted(xs, v, -EPS))
        fd = _difference(u, y, plus, minus, 2 * EPS)
        one_sided = (_difference(u, y, plus, y, EPS), _difference(u, y, y, minus, EPS))
    except Exception as exc:                      # the case itself fails under NumPy/SciPy
        rec.update(verdict="n/a", kind=type(exc).__name__, message=str(exc)[:200], at="")
        return rec
    rec["complex"] = is_complex(xs) or is_complex(y)
    rec["fd"] = fd
    results = {}
    for mode in modes:
        _alarm(timeout)
        try:
            out, dot = _compared(MODES[mode], g, xs, y, u, v)
            ok_val = all(np.allclose(np.asarray(a), np.asarray(b), rtol=1e-7, atol=1e-9,
                                     equal_nan=True)
                         for a, b in zip(leaves(out), leaves(y), strict=True))
            verdict = ("suspect" if not ok_val else "right" if close(dot, fd) else
                       "kink" if any(close(dot, d, 1e2 * EPS * abs(fd)) for d in one_sided)
                       else "suspect")
            results[mode] = {"verdict": verdict, "dot": dot, "value_ok": ok_val}
        except (Exception, CaseTimeout) as exc:
            results[mode] = _outcome(exc)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    rec["modes"] = results
    order = ["suspect", "crash", "rejected", "kink", "right"]
    worst = min((r["verdict"] for r in results.values()), key=order.index, default="right")
    rec["verdict"] = worst
    first = next((r for r in results.values() if r["verdict"] == worst), {})
    for key in ("kind", "message", "at", "construct"):
        if key in first:
            rec[key] = first[key]
    return rec
