"""Random programs (tests/fuzz): pullback against finite differences, JAX and itself.

A bounded, seeded slice of what ``make fuzz`` runs, plus every failure the
fuzzer has found (tests/fuzz/cases), shrunk.  ``oracle.check`` is documented
in tests/fuzz/oracle.py; a failing example is shrunk by hypothesis and printed
as a program you can paste into a case file.
"""
import collections

import pytest
from hypothesis import HealthCheck, Phase, given, settings

from fuzz.array_oracle import check_array
from fuzz.arrays import generate_array
from fuzz.choices import RandomChooser
from fuzz.oracle import check
from fuzz.programs import Program, generate, programs
from fuzz.regressions import checker_for, load_all, load_arrays
from fuzz.shrink import shrink
from fuzz.twin import jax_twin

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


CASES = [case + (check,) for case in load_all()] + \
    [case + (check_array,) for case in load_arrays()]     # tests/fuzz/array_cases


@pytest.mark.parametrize("case", CASES, ids=[name for name, _, _, _ in CASES])
def test_regression_case(case):
    name, program, head, checker = case
    out = checker_for(head, checker)(program, use_jax=True, timeout=60)
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
    "modulo": " % ", "tuple var": "q0 = ", "lexicographic min/max": ")[1]", "docstring": '"""', "annotation": ": float",
}




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


# -- array programs (tests/fuzz/arrays.py) -----------------------------------------------
def _array_report(program, out, use_jax):
    small, small_out = shrink(program, out, use_jax=use_jax, budget=300, checker=check_array)
    return (f"{small_out.kind}: {small_out.detail}\n# params: {small.params}\n"
            f"# args: {small.args!r}\n{small.source}\n(shrunk from:)\n{program.source}")


def test_random_array_programs():
    """A seeded slice of ``tools/fuzz.py --arrays``; every 12th also against JAX."""
    outs = collections.Counter()
    for seed in range(100):
        program = generate_array(RandomChooser(seed))
        use_jax = seed % 12 == 0
        out = check_array(program, use_jax=use_jax, timeout=60)
        outs[out.status] += 1
        assert not out.failed, _array_report(program, out, use_jax)
    assert outs["ok"] >= 92, outs        # the generator makes valid, judged programs


ARRAY_FEATURES = {
    "copy": ".copy()", "zeros": "np.zeros", "element write": "] = ", "aug write": "] += ",
    "slice write": ":] ", "row write": ", :] ", "column write": "[:, ", "2-D read": "A[",
    "slice read": "[1:]", "drop last": "[:-1]", "reverse": "[::-1]", "transpose": ".T",
    "loop over len": "in range(len(", "reversed loop": "reversed(range(", "while": "while ",
    "break": "break", "continue": "continue", "early return": "    return", "if": "if ",
    "append": ".append(", "np.array": "np.array(", "np.stack": "np.stack(", "sum of list": "= sum(",
    "tuple": "(np.", "dict": '{"u": ', "dict param": 'D["w"]', "tuple param": "P[0]",
    "pair helper": "def p", "dict helper": "def q", "helper": "def h", "matmul": " @ ",
    "dot": "np.dot(", "outer": "np.outer(", "axis": "axis=", "sum": "np.sum(", "mean": "np.mean(",
    "max": "np.max(", "prod": "np.prod(", "method": ".sum()", "log": "np.log(", "sqrt": "np.sqrt(",
    "exp": "np.exp(", "tanh": "np.tanh(", "abs": "np.abs(", "maximum": "np.maximum(",
    "minimum": "np.minimum(", "where": "np.where(", "clip": "np.clip(", "all/any": "np.all(",
    "power": "** ", "float()": "float(", "int param": ", n", "in-place array": "*= ",
    "layer rows": "    w0 = ", "dtype": "dtype=float", "astype": ".astype(np.float64)",
}


@pytest.mark.parametrize("generator, features, n", [(generate, FEATURES, 400),
                                                   (generate_array, ARRAY_FEATURES, 300)])
def test_generator_covers_the_subset(generator, features, n):
    sources = "\n".join(generator(RandomChooser(seed)).source for seed in range(n))
    missing = [name for name, text in features.items() if text not in sources]
    assert not missing, f"{generator.__name__} never produced: {missing}"


def test_jax_twin_writes_with_at():
    src = ("import numpy as np\n\n\ndef f(x):\n    y = x.copy()\n    y[0] = 1.0\n"
           "    y[1:] += x[:-1]\n    y[2] -= float(x[0])\n    return np.sum(y)\n")
    twin = jax_twin(src)
    assert "import jax.numpy as jnp" in twin and "y = y.at[0].set(1.0)" in twin
    assert "y = y.at[1:].add(x[:-1])" in twin and "y = y.at[2].add(-jnp.float64(x[0]))" in twin


# -- metamorphic variants (tests/fuzz/metamorphic.py; `make fuzz` runs many more) -----------
@pytest.mark.parametrize("generator, seeds", [(generate, range(4)),
                                               (generate_array, range(2))])
def test_variants_agree(generator, seeds):
    """Every rewrite of a few fixed programs gives the original's numbers on the Python
    backend in both modes, or rejects; known causes (``KNOWN_VARIANTS``) aside."""
    from fuzz.metamorphic import KNOWN_VARIANTS, Campaign
    camp = Campaign(backends=("python",), timeout=60)
    for seed in seeds:
        camp.add(generator(RandomChooser(seed)), seed)
    camp.finish()
    bad = [f"seed {fd.seed} {fd.key}: {fd.detail[:300]}" for fd in camp.findings
           if fd.variant not in KNOWN_VARIANTS]
    assert not bad, "\n".join(bad)
    assert camp.counts["agree"] >= 5 * camp.counts["programs"], camp.counts


def test_variant_rewrites_preserve_meaning():
    from fuzz.variants import variants
    src = ("import numpy as np\n\n\ndef h(a):\n    return a * 2.0\n\n\n"
           "def f(x, s):\n    y = x.copy()\n    y[0] = s * 3.0\n    s += np.sum(y[1:])\n"
           "    v = np.sin(x) * s\n    return np.sum(v) + h(s)\n")
    made = {v.name: v for v in variants(src, kind="array", shapes={
        10: {"y": (3,)}, 11: {"s": (), "y": (3,)}, 12: {"np.sin(x)": (3,), "x": (3,), "s": ()},
        13: {"v": (3,)}})}
    assert {"global", "int", "aug", "alias", "outline", "identity", "inline", "loop",
            "index", "index_closure"} <= set(made), sorted(made)
    assert made["global"].change == {"G0": 2.125, "G1": 3.125} and "2.125" in \
        made["global"].reference
    assert "y_alias0[0] = " in made["alias"].source and "s = s + " in made["aug"].source
    assert "return np.sum(v) + s * 2.0" in made["inline"].source
    assert "I0 = np.array([1, 2])" in made["index"].source
    assert "def _make_f():" in made["index_closure"].source
    # identity rewrites reads, not the array a write changes (that would be a write
    # through a helper's result, rejected by design)
    assert "    y[0] = _same(s) * 3.0" in made["identity"].source, made["identity"].source
    assert "np.sum(_same(y)[1:])" in made["identity"].source


def test_expected_rejections_carry_their_reason():
    from fuzz.metamorphic import expected_reason
    msg = ("UnsupportedError: f.py:3:4: cannot differentiate an in-place write to 'y0_alias0' "
           "while 'y0', which shares its memory, is still read (a view, an alias ...)")
    assert "alias analysis" in expected_reason("alias", "numba", msg)
    assert expected_reason("identity", "python", msg) is None
    assert expected_reason("alias", "python", "UnsupportedError: the attribute '.append'") is None
