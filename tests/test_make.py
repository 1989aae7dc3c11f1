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
