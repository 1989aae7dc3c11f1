"""Random programs (tests/fuzz): pullback against finite differences, JAX and itself.

A bounded, seeded slice of what ``make fuzz`` runs, plus every failure the
fuzzer has found (tests/fuzz/cases), shrunk.  ``oracle.check`` is documented
in tests/fuzz/oracle.py; a failing example is shrunk by hypothesis and printed
as a program you can paste into a case file.
"""
import collections

import pytest
from hypothesis import HealthCheck, Phase, given, settings

from fuzz.choices import RandomChooser
from fuzz.oracle import check
from fuzz.programs import Program, generate, programs
from fuzz.regressions import load_all
from fuzz.shrink import shrink

# hypothesis's own shrinking of choice sequences is slow on programs: fuzz.shrink does it
SETTINGS = dict(deadline=None, derandomize=True, database=None, print_blob=False,
                suppress_health_check=list(HealthCheck),
                phases=(Phase.explicit, Phase.reuse, Phase.generate))
STATS = collections.Counter()


def _report(program, out, use_jax=False):
    small, small_out = shrink(program, out, use_jax=use_jax, budget=400)
    return (f"{small_out.kind}: {small_out.detail}\n# params: {small.params}\n"
            f"# args: {small.args!r}\n{small.source}\n(shrunk from:)\n{program.source}")


@settings(max_examples=300, **SETTINGS)
@given(programs())
def test_random_programs_against_finite_differences(program):
    out = check(program, use_jax=False, timeout=60)
    STATS[out.status] += 1
    assert not out.failed, _report(program, out)


@settings(max_examples=30, **SETTINGS)
@given(programs())
def test_random_programs_against_jax(program):
    out = check(program, use_jax=True, timeout=60)
    assert not out.failed, _report(program, out, use_jax=True)


def test_most_random_programs_are_judged():
    """The generator makes valid programs: few raise, overflow or go unjudged."""
    outs = collections.Counter(check(generate(RandomChooser(seed)), use_jax=False).status
                               for seed in range(10_000, 10_100))
    assert outs["fail"] == 0
    assert outs["ok"] >= 90, outs


CASES = load_all()


@pytest.mark.parametrize("case", CASES, ids=[name for name, _, _ in CASES])
def test_regression_case(case):
    name, program, head = case
    out = check(program, use_jax=True, timeout=60)
    if "known" in head:       # a documented limitation, not yet fixed
        assert out.failed, f"{name} passes now: remove its 'known' line"
        pytest.xfail(head["known"])
    assert out.status == "ok", f"{out}\n(was: {head.get('failure')})"


FEATURES = {
    "while": "while ", "while True": "while True:", "break": "break", "continue": "continue",
    "early return": "    return", "for-else": "else:", "reversed": "reversed(range",
    "tuple loop": "in (", "lambda": "lambda ", "nested def": "    def g", "helper": "def h",
    "recursion": "def r", "higher order": "def ap", "pair helper": "def p", "keyword": "=",
    "swap": ", v", "augmented": "+= ", "power": "** ", "log": "math.log(", "sqrt": "math.sqrt",
    "abs": "abs(", "min/max": "max(", "conditional": " if ", "bool op": " and ",
    "chained": " < ", "int param": ", n)", "global tuple": "W[", "floor": "math.floor",
    "modulo": " % ", "tuple var": "q0 = ", "docstring": '"""', "annotation": ": float",
}


def test_generator_covers_the_subset():
    sources = "\n".join(generate(RandomChooser(seed)).source for seed in range(400))
    missing = [name for name, text in FEATURES.items() if text not in sources]
    assert not missing, f"the generator never produced: {missing}"


def test_shrink_keeps_the_failure_and_drops_the_rest():
    source = ("import math\n\n\ndef f(x, y):\n    a = math.sin(x) * y\n"
              "    for i in range(3):\n        a += x * i\n"
              "    b = math.frexp(a)[0]\n    return a + b\n")
    program = Program(source, [("x", "float"), ("y", "float")], (0.3, 1.2))
    out = check(program, use_jax=False)
    assert out.kind == "unsupported" and "frexp" in out.detail
    small, small_out = shrink(program, out, use_jax=False)
    assert small_out.kind == "unsupported" and "frexp" in small_out.detail
    assert "for" not in small.source and len(small.source) < len(source) / 2, small.source
