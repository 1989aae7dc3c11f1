"""Work that takes more than a second says what it is doing once, through the
``pullback`` logger (never a print); work under a second says nothing."""
import importlib.util
import logging
import time

import numpy as np
import pytest

import pullback
from pullback import pipeline
from pullback.backends import progress


def cube(x):
    return np.sum(x ** 3)


def test_slow_work_is_logged_once_and_never_printed(monkeypatch, caplog, capsys):
    monkeypatch.setattr(progress, "AFTER", 0.05)
    real = pipeline.derive

    def slow_derive(*args, **kwargs):
        time.sleep(0.3)
        return real(*args, **kwargs)
    monkeypatch.setattr(pipeline, "derive", slow_derive)
    with caplog.at_level(logging.INFO, logger="pullback"):
        pullback.grad(cube)(np.ones(3))
    said = [r for r in caplog.records if r.name == "pullback"]
    assert len(said) == 1 and said[0].levelno == logging.INFO
    assert "deriving cube (reverse)" in said[0].getMessage()
    out = capsys.readouterr()
    assert out.out == "" and out.err == ""


def test_quick_work_says_nothing(caplog):
    with caplog.at_level(logging.INFO, logger="pullback"):
        pullback.grad(lambda x: x * 2.0)(1.0)
    assert not [r for r in caplog.records if r.name == "pullback"]


@pytest.mark.skipif(importlib.util.find_spec("numba") is None, reason="needs numba")
def test_numbas_first_compile_is_logged(monkeypatch, caplog):
    monkeypatch.setattr(progress, "AFTER", 0.001)

    def square_sum(x, k):       # k: a fresh specialisation, whatever Numba cached before
        return np.sum(x ** 2) * k
    with caplog.at_level(logging.INFO, logger="pullback"):
        pullback.grad(square_sum, backend="numba")(np.ones(3), 2.5)
    assert any("with Numba" in r.getMessage() for r in caplog.records if r.name == "pullback")
