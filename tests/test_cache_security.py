"""Nothing in the Numba disk cache runs unless pullback wrote it (issue 15, items 1-3, 5).

Each test uses its own ``PULLBACK_CACHE_DIR``.  The planting attacks: a ``.pyc``
beside the generated module (Python's import would prefer it) and Numba index
files (pickles) where Numba's own ``cache=True`` looks; a second process must
compute the right gradient without running either.  Then directories another
user could write (or a link) are refused with ``CacheDirError``.
"""
import importlib.util
import os
import pickle
import subprocess
import sys
import textwrap

import pytest

pytest.importorskip("numba")
import pullback  # noqa: E402
from pullback.backends.private_dir import CacheDirError, private_dir  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PROGRAM = textwrap.dedent("""
    import math


    def f(x, y):
        s = 0.0
        for i in range(3):
            s = s + math.sin(x * i) * y
        return s
""")
X, Y = 0.7, 1.3
EXPECTED = sum(i * __import__("math").cos(X * i) * Y for i in range(3))
RUN = textwrap.dedent(f"""
    import builtins, importlib.util, sys
    spec = importlib.util.spec_from_file_location("prog", sys.argv[1])
    m = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(m)
    import pullback
    g = pullback.grad(m.f, backend="numba")
    print(repr(g({X}, {Y})), getattr(builtins, "pb_pwned", None))
""")


class _Payload:
    def __reduce__(self):
        return exec, ("import builtins; builtins.pb_pwned = 'pickle'",)


def _program(tmp_path):
    path = tmp_path / "prog.py"
    path.write_text(PROGRAM)
    spec = importlib.util.spec_from_file_location("prog", str(path))
    m = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(m)
    return m.f, str(path)


def _second_process(prog, cache):
    env = dict(os.environ, PULLBACK_CACHE_DIR=str(cache), PYTHONPATH=ROOT)
    out = subprocess.run([sys.executable, "-c", RUN, prog], capture_output=True, text=True,
                         env=env, timeout=300)
    assert out.returncode == 0, out.stderr
    value, pwned = out.stdout.split()
    return float(value), pwned


def test_planted_pyc_and_numba_index_do_not_run(tmp_path, monkeypatch):
    import numba
    cache = tmp_path / "cache"
    monkeypatch.setenv("PULLBACK_CACHE_DIR", str(cache))
    f, prog = _program(tmp_path)
    g = pullback.grad(f, backend="numba")
    assert abs(g(X, Y) - EXPECTED) < 1e-12
    path = g.last.path
    folder = os.path.dirname(path)
    assert os.stat(folder).st_mode & 0o777 == 0o700
    index = [n for n in os.listdir(os.path.join(folder, "index")) if n.endswith(".nbi")]
    assert index, "Numba's index is kept in the private folder"
    # plant a .pyc that Python's import would take for the generated module
    stem = os.path.splitext(os.path.basename(path))[0]
    pycache = os.path.join(folder, "__pycache__")
    os.makedirs(pycache, exist_ok=True)
    st = os.stat(path)
    evil = compile("import builtins; builtins.pb_pwned = 'pyc'\n", path, "exec")
    from importlib._bootstrap_external import _code_to_timestamp_pyc
    pyc = importlib.util.cache_from_source(path)
    with open(pyc, "wb") as fh:
        fh.write(_code_to_timestamp_pyc(evil, st.st_mtime, st.st_size))
    # plant Numba index files where Numba's own cache=True would read them
    for name in index:
        with open(os.path.join(pycache, name), "wb") as fh:
            pickle.dump(numba.__version__, fh, protocol=-1)
            fh.write(pickle.dumps(_Payload()))
    assert any(n.startswith(stem) for n in os.listdir(pycache))
    value, pwned = _second_process(prog, cache)
    assert pwned == "None" and abs(value - EXPECTED) < 1e-12


def test_loosened_index_folder_is_refused(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    monkeypatch.setenv("PULLBACK_CACHE_DIR", str(cache))
    f, _ = _program(tmp_path)
    g = pullback.grad(f, backend="numba")
    g(X, Y)
    index = os.path.join(os.path.dirname(g.last.path), "index")
    os.chmod(index, 0o777)
    digest = os.path.basename(g.last.path)[3:-3]
    del sys.modules[f"pullback_numba_{digest}"]   # as in a new process: a new dispatcher
    f2, _ = _program(tmp_path)                    # reads the index
    with pytest.raises(CacheDirError, match="writable by"):
        pullback.grad(f2, backend="numba")(X, Y)


def test_cache_folder_writable_by_others_is_refused(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    (cache / "numba").mkdir(parents=True)
    os.chmod(cache / "numba", 0o777)
    monkeypatch.setenv("PULLBACK_CACHE_DIR", str(cache))
    f, _ = _program(tmp_path)
    with pytest.raises(CacheDirError, match="writable by its group and other users"):
        pullback.grad(f, backend="numba")(X, Y)


def test_shared_parent_without_sticky_bit_is_refused(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o777)
    with pytest.raises(CacheDirError, match="above the cache"):
        private_dir(str(shared / "c" / "numba"))
    os.chmod(shared, 0o1777)                # sticky, like /tmp: others cannot rename ours
    assert private_dir(str(shared / "d")) == str(shared / "d")


def test_link_and_file_are_refused_and_readable_folder_is_narrowed(tmp_path):
    (tmp_path / "real").mkdir()
    os.symlink(tmp_path / "real", tmp_path / "link")
    with pytest.raises(CacheDirError, match="symbolic link"):
        private_dir(str(tmp_path / "link"))
    (tmp_path / "file").write_text("")
    with pytest.raises(CacheDirError, match="not a directory"):
        private_dir(str(tmp_path / "file"))
    old = tmp_path / "old"
    old.mkdir(mode=0o755)
    os.chmod(old, 0o755)
    private_dir(str(old))
    assert os.stat(old).st_mode & 0o777 == 0o700
    private_dir(str(tmp_path / "new" / "numba"))
    assert os.stat(tmp_path / "new" / "numba").st_mode & 0o777 == 0o700


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to give a folder to another user")
def test_folder_owned_by_another_user_is_refused(tmp_path):
    other = tmp_path / "other"
    other.mkdir(mode=0o700)
    os.chown(other, 12345, -1)
    with pytest.raises(CacheDirError, match="owned by user id 12345"):
        private_dir(str(other))
    with pytest.raises(CacheDirError, match="above the cache"):
        private_dir(str(other / "inside"))
