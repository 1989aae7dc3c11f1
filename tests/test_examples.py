"""The examples run and give the right answers."""
import os
import subprocess
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "examples"))


def test_scipy_minimize_with_pullback_gradient():
    from fit import fit
    result, truth = fit()
    assert result.success
    np.testing.assert_allclose(result.x, truth, atol=0.05)


def test_demo_runs():
    r = subprocess.run([sys.executable, os.path.join(ROOT, "examples", "demo.py")],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "check_grad: finite differences and the dot-product test agree." in r.stdout
