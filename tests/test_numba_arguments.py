"""The numba backend refuses integers it would compute with differently from NumPy, and a
damaged Numba cache entry is a miss, never an error (audit 32k, f1).

Numba follows its own integer promotion for small dtypes (uint8 * uint8 is int64 there,
uint8 in NumPy) and has no int beyond int64, so those arguments (and global arrays) are
refused at the call, naming the argument; int64 and bool arrays still run and match NumPy.
"""
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

pytest.importorskip("numba")
import pullback as pb  # noqa: E402
from pullback.errors import TransformError  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SMALL = [np.uint8, np.int8, np.int16, np.int32, np.uint16, np.uint32, np.uint64]


def g(x, k):
    return np.sum(x * (k * k))


def h(x, c):
    return x * x * c


@pytest.mark.parametrize("dtype", SMALL, ids=lambda d: d.__name__)
def test_small_int_arrays_are_refused_on_numba(dtype):
    k = np.array([20, 3], dtype)
    with pytest.raises(TypeError, match=r"argument 1 \(k\).*astype\(np.int64\)"):
        pb.grad(g, backend="numba")(np.ones(2), k)
    with pytest.raises(TypeError, match=r"argument 1 \(k\)"):
        pb.vjp(g, np.ones(2), k, backend="numba")
    # the python backend runs NumPy's own arithmetic (uint8 wraps: 400 -> 144)
    with np.errstate(over="ignore"):
        want = (k * k).astype(float)
    assert np.array_equal(pb.grad(g)(np.ones(2), k), want)


def test_int64_and_bool_arrays_run_on_numba_a_differentiated_int_array_is_refused():
    k = np.array([70000, 3])
    assert np.array_equal(pb.grad(g, backend="numba")(np.ones(2), k), (k * k).astype(float))
    b = np.array([True, False])
    assert np.array_equal(pb.grad(g, backend="numba")(np.ones(2), b), [1.0, 0.0])
    k8 = np.array([20, 3], np.uint8)      # differentiated: refused on every backend, as
    with pytest.raises(TypeError, match="argument 1: it is an array of uint8"):   # by JAX
        pb.grad(g, argnums=1, backend="numba")(np.ones(2), k8)


def test_small_int_numpy_scalar_is_refused_on_numba():
    with pytest.raises(TypeError, match=r"argument 1 \(c\).*uint8"):
        pb.grad(h, backend="numba")(2.0, np.uint8(20))
    assert pb.grad(h, backend="numba")(2.0, np.int64(20)) == 80.0


K8 = np.array([20, 3], np.uint8)


def reads_global(x):
    return np.sum(x * (K8 * K8))


def test_small_int_global_and_closure_arrays_are_refused_at_the_line():
    with pytest.raises(TransformError, match="uint8 array") as e:
        pb.grad(reads_global, backend="numba")(np.ones(2))
    assert e.value.filename == __file__ and e.value.line == reads_global.__code__.co_firstlineno + 1
    c32 = np.array([70000, 3], np.int32)

    def closure(x):
        return np.sum(x * (c32 * c32))
    with pytest.raises(TransformError, match="int32 array") as e:
        pb.grad(closure, backend="numba")(np.ones(2))
    assert e.value.filename == __file__


@pytest.mark.parametrize("big", [2 ** 70, 2 ** 63, -2 ** 63 - 1, 2 ** 64 + 1])
def test_int_beyond_int64_is_refused_naming_the_argument(big):
    d = pb.grad(h, backend="numba")
    assert d(2.0, 3) == 12.0
    with pytest.raises(OverflowError, match="'c'.*beyond int64.*backend='python'"):
        d(2.0, big)                     # the fast path of an (float, int) call seen before
    with pytest.raises(OverflowError, match=r"argument 1 \(c\).*beyond int64"):
        pb.grad(h, backend="numba")(2.0, big)          # a first call
    with pytest.raises(OverflowError, match=r"argument 1 \(c\)"):
        pb.vjp(h, 2.0, big, backend="numba")
    assert pb.grad(h)(2.0, big) == 4.0 * big           # the python backend's ints grow
    assert d(2.0, 2 ** 63 - 1) == 4.0 * (2 ** 63 - 1)  # the edge itself still runs


PROGRAM = textwrap.dedent("""
    import numpy as np, warnings, pullback as pb
    def f(x):
        return np.sum(np.sin(x) * x ** 2)
    x = np.array([0.5, 1.0, 2.0])
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        got = pb.grad(f, backend="numba")(x)
    ok = np.allclose(got, np.cos(x) * x ** 2 + 2 * x * np.sin(x))
    print("OK" if ok else "BAD", sum("damaged Numba cache entry" in str(m.message) for m in w))
    for m in w:
        print(m.message)
""")


def _run(prog, cache):
    env = dict(os.environ, PULLBACK_CACHE_DIR=str(cache), PYTHONPATH=ROOT)
    out = subprocess.run([sys.executable, str(prog)], capture_output=True, text=True,
                         env=env, timeout=300)
    assert out.returncode == 0, out.stderr
    return out.stdout


def _damage(index, how):
    names = sorted(os.listdir(index))
    if how == "swapped data":       # another function's sound data file under this name
        data = [n for n in names if n.endswith(".nbc")]
        entry = next(n for n in data if "_grad" in n)
        other = next(n for n in data if n != entry)
        with open(os.path.join(index, other), "rb") as src:
            blob = src.read()
        with open(os.path.join(index, entry), "wb") as dst:
            dst.write(blob)
        return
    for n in names:
        path = os.path.join(index, n)
        if how == "truncated index" and n.endswith(".nbi"):
            os.truncate(path, 30)
        elif how == "empty index" and n.endswith(".nbi"):
            open(path, "wb").close()
        elif how == "garbage data" and n.endswith(".nbc"):
            with open(path, "wb") as fh:
                fh.write(os.urandom(300))


@pytest.mark.parametrize("how", ["truncated index", "empty index", "garbage data",
                                 "swapped data"])
def test_damaged_cache_entry_is_a_miss_with_a_warning(tmp_path, how):
    prog, cache = tmp_path / "prog.py", tmp_path / "cache"
    prog.write_text(PROGRAM)
    assert _run(prog, cache).startswith("OK 0")
    index = os.path.join(cache, "numba", "index")
    _damage(index, how)
    out = _run(prog, cache)
    assert out.startswith("OK ") and out.split()[1] != "0", out   # recompiled, warned
    assert index in out                      # naming the file it removed
    assert _run(prog, cache).startswith("OK 0")      # and the rewritten entry loads
