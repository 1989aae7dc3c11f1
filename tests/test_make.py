"""`make test` installs no system packages: no sudo or apt-get in what it runs (make -n),
and the tests needing the Arm cross compiler skip naming its package; `make tools`
is where that install lives.  CI still runs `make test`."""
import os
import shutil
import subprocess

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_test_runs_no_installer():
    # -n prints every command the target would run (the venv's too) and runs none
    r = subprocess.run(["make", "-n", "-W", "pyproject.toml", "test"], cwd=ROOT,
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    commands = r.stdout
    assert "pytest" in commands
    for word in ("sudo", "apt-get", "install-arm-gcc"):
        assert word not in commands, f"make test runs {word!r}:\n{commands}"
    tools = subprocess.run(["make", "-n", "tools"], cwd=ROOT, capture_output=True, text=True)
    assert "install-arm-gcc" in tools.stdout


def test_ci_runs_make_test():
    with open(os.path.join(ROOT, ".ci", "run")) as fh:
        assert "make test" in fh.read()


def test_arm_tests_skip_naming_the_package():
    with open(os.path.join(ROOT, "tests", "test_c99.py")) as fh:
        text = fh.read()
    assert "gcc-arm-none-eabi" in text and "make tools" in text


def test_bench_skips_adbench_rows_without_their_data(monkeypatch, capsys):
    # a fresh clone has no ../shared/adbench: `make bench` names the missing file and goes on
    monkeypatch.syspath_prepend(ROOT)
    from benchmarks import __main__ as bench, peers, transform_time

    def absent(*parts):
        raise FileNotFoundError(f"ADBench input {'/'.join(parts)} not found (set ADBENCH_DIR)")
    monkeypatch.setattr(peers, "adbench_path", absent)
    monkeypatch.setattr(transform_time, "run", lambda: [])
    assert bench.main(["--only", "gmm,lstm", "--no-write"]) == 0
    out = capsys.readouterr().out
    assert out.count("skipped: FileNotFoundError: ADBench input") == 3, out
