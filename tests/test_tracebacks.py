"""Errors point at the user's code: the generated line and the user's line it came
from (file:line and text), without pullback's own frames unless PULLBACK_DEBUG=1."""
import os
import traceback

import numpy as np
import pytest

import pullback

PACKAGE = os.path.dirname(pullback.__file__)
HERE = os.path.abspath(__file__)


def shifted(x, i):
    return x[i + 1] * 2.0


def walk_past_end(x):
    s = 0.0
    for i in range(x.shape[0]):
        s = s + shifted(x, i)
    return s


def with_try(x):
    try:
        return x * 2.0
    except ValueError:
        return 0.0


def _line_of(text):
    with open(HERE) as fh:
        return next(n for n, line in enumerate(fh, 1) if line.strip() == text)


def _files(excinfo):
    return [f.filename for f in traceback.extract_tb(excinfo.value.__traceback__)]


def test_runtime_error_names_the_users_line(monkeypatch):
    monkeypatch.delenv("PULLBACK_DEBUG", raising=False)
    with pytest.raises(IndexError) as excinfo:
        pullback.grad(walk_past_end)(np.ones(3))
    notes = "\n".join(excinfo.value.__notes__)
    line = _line_of("return x[i + 1] * 2.0")
    assert f"{HERE}:{line}:  return x[i + 1] * 2.0" in notes
    call = _line_of("s = s + shifted(x, i)")
    assert f"{HERE}:{call}:  s = s + shifted(x, i)" in notes     # the call, one frame out
    assert "in generated code <pullback walk_past_end_grad" in notes
    files = _files(excinfo)
    assert not [f for f in files if f.startswith(PACKAGE + os.sep)], files
    assert any(f.startswith("<pullback walk_past_end_grad") for f in files)


def test_debug_shows_pullbacks_frames(monkeypatch):
    monkeypatch.setenv("PULLBACK_DEBUG", "1")
    with pytest.raises(IndexError) as excinfo:
        pullback.grad(walk_past_end)(np.ones(3))
    assert any(f.startswith(PACKAGE + os.sep) for f in _files(excinfo))
    assert "return x[i + 1] * 2.0" in "\n".join(excinfo.value.__notes__)


def test_transform_error_shows_the_users_text(monkeypatch):
    monkeypatch.delenv("PULLBACK_DEBUG", raising=False)
    with pytest.raises(pullback.UnsupportedError, match="'try' statement") as excinfo:
        pullback.grad(with_try)(1.0)
    assert f"{HERE}:{_line_of('try:')}:  try:" in "\n".join(excinfo.value.__notes__)
    files = _files(excinfo)
    assert not [f for f in files if f.startswith(PACKAGE + os.sep)], files


def test_modules_of_one_name_keep_their_own_lines():
    def f(x, i):
        return x[i]
    with pytest.raises(IndexError) as first:
        pullback.grad(f)(np.ones(3), 5)

    def f(x, i):        # another function of the same name, so another generated module
        return np.sum(x) * x[i]
    with pytest.raises(IndexError) as second:
        pullback.grad(f)(np.ones(3), 7)
    assert "return x[i]" in "\n".join(first.value.__notes__)
    assert "return np.sum(x) * x[i]" in "\n".join(second.value.__notes__)
    a, b = (_files(e)[-1] for e in (first, second))
    assert a != b, "two generated modules share one file name: one shows the other's lines"
