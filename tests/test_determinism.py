"""Generated code does not depend on the hash seed: the same program gives the same
Python and C text in processes started with different ``PYTHONHASHSEED`` (users diff
generated code, and C builds are cached by their text)."""
import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

SCRIPT = r"""
import hashlib, sys
sys.path.insert(0, "tests")
import numpy as np
import pullback
from pullback.emit_c import emit_c
from pullback.errors import TransformError
from corpus import programs, programs_control, programs_numerics, programs_names
h = hashlib.sha256()
for module in (programs, programs_control, programs_numerics, programs_names):
    for case in module.CASES:
        g = pullback.grad(case.func, argnums=case.argnums)
        try:
            g(*case.args)
            h.update(pullback.source(g).encode())
            c = emit_c(case.func, *case.args, argnums=case.argnums)
            h.update((c.source + c.header).encode())
        except (TransformError, ValueError, ArithmeticError, TypeError):
            h.update(b"rejected")
print(h.hexdigest())
"""


def _digest(seed):
    env = dict(os.environ, PYTHONHASHSEED=str(seed))
    out = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    return out.stdout.strip()


def test_generated_text_is_independent_of_hash_seed():
    assert _digest(1) == _digest(2)
