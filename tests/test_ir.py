"""The IR verifier runs between every pass on the whole corpus."""
import pytest
from corpus import CASES

from pullback.pipeline import Reverse, build, lower_typed
from pullback.ir.printer import format_module


def _types(case):
    nums = (case.argnums,) if isinstance(case.argnums, int) else case.argnums
    types = ["float" if i in nums or isinstance(a, float) else
             ("bool" if isinstance(a, bool) else "int") for i, a in enumerate(case.args)]
    return types, [i in nums for i in range(len(case.args))]


@pytest.mark.parametrize("case", CASES[::3], ids=lambda c: c.id)
def test_verifier_between_passes(case, monkeypatch):
    monkeypatch.setenv("PULLBACK_VERIFY", "1")
    types, mask = _types(case)
    build(case.func, types, None, (Reverse(tuple(mask)),))
    build(case.func, types, None, (Reverse(tuple(mask), split=True),))


def test_printer_is_stable():
    from corpus.programs_numerics import pendulum
    a = format_module(lower_typed(pendulum, ["float"] * 3))
    b = format_module(lower_typed(pendulum, ["float"] * 3))
    assert a == b and "for _ in range(0, 150, 1):" in a
