"""Every reproducer of issue 11, on every backend and in both modes.

One row per snippet the issue lists (its code block, the aliasing bullets, the
stale-derivative, crash and false-rejection lists) and the outside reports that
followed.  Each row runs through ``value_and_grad`` and ``jvp`` on the python and
numba backends and through ``emit_c`` (grad; C has no forward mode), and must be
*right* (value and derivative against central finite differences of the NumPy
function, and JAX where the row has a twin) or *rejected*: a ``TransformError``
whose message starts with this file's path and the line of the construct.  Which
one is fixed per row and backend below; a wrong number, a crash or a rejection
elsewhere fails.  Rows with ``states`` change a global, a closure cell or
``__defaults__`` between calls of one derivative; every state is checked against
the oracles of the function as it then runs (C reads them when it is emitted).

``python tests/test_issue11_snippets.py`` prints the verdict table.
"""
import inspect
import shutil
import sys
from dataclasses import dataclass, field
from typing import Callable, Optional

import numpy as np
import pytest

import pullback
from pullback.errors import TransformError

import issue11_snippets as S

jax = pytest.importorskip("jax")
jax.config.update("jax_enable_x64", True)
CC = shutil.which("cc")
BACKENDS = ("python", "numba", "c")
MODES = ("grad", "jvp")


@dataclass
class Row:
    name: str
    f: Callable
    args: tuple
    jf: Optional[Callable] = None        # JAX twin (an oracle beside finite differences)
    reject: dict = field(default_factory=dict)   # backend or backend-mode -> rejected line's
    # marker (or the name of the exception a documented run-time check raises)
    argnums: int = 0
    states: tuple = ()                   # callables run between calls of one derivative
    reset: Optional[Callable] = None


def _marked(f, marker):
    """``file:line:`` of the first line holding ``marker`` in ``f``, else in its file."""
    path = f.__code__.co_filename
    lines, first = inspect.getsourcelines(f)
    with open(path) as fh:
        numbered = list(enumerate(lines, first)) + list(enumerate(fh, 1))
    k = next((k for k, text in numbered if marker in text), None)
    assert k is not None, f"no line marked {marker!r} in {path}"
    return f"{path}:{k}:"


def _copy(a):
    return np.copy(a) if isinstance(a, np.ndarray) else a


def _fresh(args):
    return tuple(_copy(a) for a in args)


def _direction(x):
    if isinstance(x, (float, np.floating)):
        return 0.7
    return np.linspace(0.5, 1.5, np.size(x)).reshape(np.shape(x))


def _fd_grad(row, h=1e-6):
    x = np.asarray(row.args[row.argnums], dtype=float)
    g = np.zeros(x.shape)
    for i in np.ndindex(x.shape):
        e = np.zeros(x.shape)
        e[i] = h
        up, down = list(_fresh(row.args)), list(_fresh(row.args))
        up[row.argnums], down[row.argnums] = x + e, x - e
        g[i] = (row.f(*up) - row.f(*down)) / (2 * h)
    return g


def _fd_jvp(row, v, h=1e-6):
    x = np.asarray(row.args[row.argnums], dtype=float)
    up, down = list(_fresh(row.args)), list(_fresh(row.args))
    up[row.argnums], down[row.argnums] = x + h * v, x - h * v
    return (np.asarray(row.f(*up)) - np.asarray(row.f(*down))) / (2 * h)


def _close(got, want, tol, what):
    got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
    if got.shape != want.shape or not np.allclose(got, want, rtol=tol, atol=tol):
        raise AssertionError(f"{what}: {got.ravel()[:6]} vs {want.ravel()[:6]}")


def _oracle(row, mode):
    value = row.f(*_fresh(row.args))
    if mode == "grad":
        fd = _fd_grad(row)
        twin = None if row.jf is None else jax.grad(row.jf, argnums=row.argnums)(*row.args)
        return value, fd, twin
    v = _direction(row.args[row.argnums])
    fd = _fd_jvp(row, v)
    twin = None
    if row.jf is not None:
        def along(x):
            args = list(row.args)
            args[row.argnums] = x
            return row.jf(*args)
        twin = jax.jvp(along, (row.args[row.argnums],), (v,))[1]
    return value, fd, twin


def _zero_tangent(a):
    return np.zeros_like(a, dtype=float) if isinstance(a, np.ndarray) else 0.0


def _run(row, backend, mode, made):
    """One call of the derivative: (value, derivative); ``made`` caches what is built."""
    args = _fresh(row.args)
    if mode == "jvp":
        tangents = [_zero_tangent(a) for a in args]
        tangents[row.argnums] = _direction(args[row.argnums])
        return pullback.jvp(row.f, args, tangents, backend=backend)
    if backend == "c":
        from pullback.emit_c import emit_c
        value, g = emit_c(row.f, *args, argnums=row.argnums).compile()(*args)
        return value, g[0] if isinstance(g, tuple) else g
    if "g" not in made:
        made["g"] = pullback.value_and_grad(row.f, argnums=row.argnums, backend=backend)
    return made["g"](*args)


def _rejecting(row, backend, mode):
    return row.reject.get(f"{backend}-{mode}", row.reject.get(backend))


def verdict(row, backend, mode):
    """'right', 'rejected', 'n/a', or what went wrong (a wrong number, a crash)."""
    if mode == "jvp" and backend == "c":
        return "n/a"
    made, where = {}, _rejecting(row, backend, mode)
    try:
        for k in range(len(row.states) + 1):
            if k:
                row.states[k - 1]()
            try:
                got_value, got = _run(row, backend, mode, made)
            except TransformError as e:
                if where is None:
                    return f"REJECTED {str(e)[:160]}"
                line = _marked(row.f, where)
                return "rejected" if str(e).startswith(line) else \
                    f"REJECTED ELSEWHERE (want {line}) {str(e)[:160]}"
            except Exception as e:   # noqa: BLE001 -- a crash is a verdict here
                if where == type(e).__name__:     # a documented check at run time
                    return "rejected"
                return f"CRASH {type(e).__name__}: {str(e)[:160]}"
            if where is not None:
                return "NOT REJECTED"
            value, fd, twin = _oracle(row, mode)
            try:
                _close(got_value, value, 1e-10, "value")
                _close(got, fd, 1e-6, "vs finite differences")
                if twin is not None:
                    _close(got, twin, 1e-9, "vs JAX")
            except AssertionError as e:
                return f"WRONG (state {k}) {e}"
        return "right"
    finally:
        if row.reset is not None:
            row.reset()


ROWS = S.rows(Row)
# Numba compiles each cell (~5 s): in CI only the rows no other test runs on Numba; the
# others' Numba behaviour is in test_aliasing, test_globals and test_container_types
NUMBA_IN_CI = {"helper_writes_param", "helper_writes_chained", "clip_helper", "reduce",
               "index_array", "bool_mask_array", "fuzz_seed_25", "global_number_rebound"}
CELLS = [pytest.param(r, b, m, id=f"{r.name}-{b}-{m}", marks=[pytest.mark.slow] if
                      b == "numba" and r.name not in NUMBA_IN_CI else [])
         for r in ROWS for b in BACKENDS for m in MODES if not (b == "c" and m == "jvp")]


@pytest.mark.parametrize("row, backend, mode", CELLS)
def test_snippet(row, backend, mode):
    if backend == "c" and CC is None:
        pytest.skip("needs a C compiler")
    want = "right" if _rejecting(row, backend, mode) is None else "rejected"
    assert verdict(row, backend, mode) == want


# -- the crashes of entry points (python and numba; C is grad-only, its rows above) -----------
NUMBA = ("python", pytest.param("numba", marks=pytest.mark.slow))


@pytest.mark.parametrize("backend", NUMBA)
def test_vjp_entry_points(backend):
    """vjp with a default argument, returning a global or closure constant, and of a
    function with no float argument (each crashed); oracles: jax.vjp."""
    got = pullback.vjp(S.kdef, 1.5, backend=backend)[1](1.0)
    assert np.allclose(got, jax.vjp(lambda x: 1.0 * x * x, 1.5)[1](1.0))
    out, pull = pullback.vjp(S.with_constants, 2.0, backend=backend)
    j_out, j_pull = jax.vjp(S.with_constants_j, 2.0)
    assert np.allclose(out[0], j_out[0]) and np.allclose(out[1], j_out[1])
    assert np.allclose(pull((1.0, np.ones(3)))[0], j_pull((1.0, np.ones(3)))[0])
    value, pull = pullback.vjp(lambda n: n * 2, 3, backend=backend)
    assert value == 6 and pull(1.0) == (0.0,)
    assert pullback.jvp(lambda n: n * 2, (3,), (0,), backend=backend) == (6, 0.0)


@pytest.mark.parametrize("backend", NUMBA)
def test_complex_arguments_are_refused_not_cast(backend):
    z = np.array([1 + 1j, 2.0])
    with pytest.raises(TypeError, match="complex"):
        pullback.grad(lambda z: np.sum(z * z).real, backend=backend)(z)
    with pytest.raises(TypeError, match="complex"):
        pullback.jvp(lambda z: np.sum(np.abs(z)), (z,), (np.ones(2),), backend=backend)


@pytest.mark.parametrize("backend", NUMBA)
def test_no_chain_of_temporaries(backend):
    """issue 11: eight nested ``t1_e_e_e_e_e_e_e = np.full(...)`` lines for one ``W * x``."""
    for f, x in ((S.wsum, S.X3), (S.reg, 1.0)):
        g = pullback.grad(f, backend=backend)
        g(x)
        assert "_e_e" not in pullback.source(g)


@pytest.mark.parametrize("backend", BACKENDS)
def test_edited_source_is_rejected(backend, tmp_path, monkeypatch):
    if backend == "c" and CC is None:
        pytest.skip("needs a C compiler")
    path = tmp_path / "edited11.py"
    path.write_text("def f(x):\n    return x * x\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    import edited11
    try:
        path.write_text("def f(x):\n    return x * x * x * x * x\n")
        with pytest.raises(TransformError, match=f"{path}:1:.*not the code"):
            if backend == "c":
                from pullback.emit_c import emit_c
                emit_c(edited11.f, 2.0)
            else:
                pullback.grad(edited11.f, backend=backend)(2.0)
    finally:
        sys.modules.pop("edited11", None)


if __name__ == "__main__":
    for r in ROWS:
        for b in BACKENDS:
            for m in MODES:
                if b == "c" and m == "jvp":
                    continue
                print(f"{r.name:28s} {b:7s} {m:5s} {verdict(r, b, m)}", flush=True)
