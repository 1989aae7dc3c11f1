"""The C99 backend: the corpus as standalone C, checked the strict way.

Every corpus program is emitted with ``pullback.emit_c``; all of them compile
into one executable with ``-std=c99 -Wall -Wextra -Werror -pedantic`` under
AddressSanitizer and UBSan (``c_driver``), run, and must agree with the
Python backend to 1e-12.  A program the C backend cannot express must be
rejected at emit time with an ``UnsupportedError`` naming file:line; the
expected rejections are listed here, so a new one fails the suite.
"""
import math
import os
import re
import shutil
import subprocess

import pytest

import pullback
from c_driver import CC, STRICT, Unit, run_units
from corpus import programs_control
from pullback.emit_c import LimitExceeded, emit_c
from test_corpus import CASES, IDS

pytestmark = pytest.mark.skipif(CC is None, reason="needs a C compiler (cc)")

MAX_ITERATIONS = 200      # enough for every corpus loop and recursion
EXPECTED_REJECTIONS = {"rounding": "round(x, ndigits)"}
HERE = os.path.dirname(os.path.abspath(__file__))


def pendulum(theta, omega, c):
    for i in range(1000):
        alpha = -9.81 * math.sin(theta) - c * omega
        theta = theta + 0.01 * omega
        omega = omega + 0.01 * alpha
    return theta ** 2 + 0.1 * omega ** 2


def cpow(a, k):               # a C library name (complex.h) as a helper: GCC's builtin
    return a ** k * 0.5


def c_names_clash(x, n):
    double = 2.0 * x           # C keywords and libm names as Python variables
    sin = math.sin(double)
    exp = 0.0
    for int in range(n):
        exp += sin * int
    return exp + double + cpow(x, 3)


def grows(x, n):
    s = 0.0
    for i in range(n):         # trip count from an argument: needs max_iterations
        s = s * x + 1.0
    return s


def sweep_back(x, n):
    s = x
    for i in reversed(range(1, n, 2)):
        s = s * s / i + x
    return s


def int_libm(x, n):
    k = n - 5                  # math.fabs/sqrt/sin of an int: C needs a double argument
    return x * math.fabs(k) + math.sqrt(n) * math.sin(k) * x


def close(a, b, tol=1e-12):
    return math.isclose(a, b, rel_tol=tol, abs_tol=tol)


def _emit(case, index, **kw):
    name = f"c{index}_{case.func.__name__}"
    return emit_c(case.func, *case.args, argnums=case.argnums, name=name,
                  max_iterations=MAX_ITERATIONS, **kw)


@pytest.fixture(scope="module")
def corpus_run(tmp_path_factory):
    """Emit every case, run the accepted ones in one sanitized executable."""
    units, rejected = {}, {}
    for i, case in enumerate(CASES):
        try:
            units[case.id] = Unit(_emit(case, i), case.args)
        except pullback.UnsupportedError as e:
            rejected[case.id] = e
    extra = {   # the error paths: bounds exceeded at run time
        "loop_bound": Unit(emit_c(programs_control.halve_until_small, 3.3, name="loop_bound",
                                  max_iterations=2), (3.3,)),
        "call_bound": Unit(emit_c(programs_control.rfib, 0.8, 8, name="call_bound",
                                  max_iterations=10), (0.8, 8)),
        "names": Unit(emit_c(c_names_clash, 0.7, 5, name="names"), (0.7, 5)),
        "grows": Unit(emit_c(grows, 0.5, 7, name="grows", max_iterations=8), (0.5, 7)),
        "sweep_back": Unit(emit_c(sweep_back, 0.3, 9, name="sweep_back", max_iterations=8),
                           (0.3, 9)),
        "int_libm": Unit(emit_c(int_libm, 0.5, 2, name="int_libm"), (0.5, 2)),
    }
    results = run_units(list(units.values()) + list(extra.values()),
                        str(tmp_path_factory.mktemp("c99")))
    return units, rejected, extra, results


def test_corpus_accounting(corpus_run):
    units, rejected, _, _ = corpus_run
    assert set(rejected) == set(EXPECTED_REJECTIONS), {k: str(e) for k, e in rejected.items()}
    for cid, e in rejected.items():
        assert re.match(r".+\.py:\d+:\d+: ", str(e)) and EXPECTED_REJECTIONS[cid] in str(e)
    assert len(units) + len(rejected) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_corpus_in_c(corpus_run, case):
    units, rejected, _, results = corpus_run
    if case.id in rejected:
        pytest.skip(f"rejected at emit time: {rejected[case.id]}")
    r = results[units[case.id].emitted.name]
    value, grads = pullback.value_and_grad(case.func, argnums=case.argnums)(*case.args)
    grads = (grads,) if isinstance(case.argnums, int) else grads
    assert r.status == 0
    assert close(r.value, value) and close(r.primal, case.func(*case.args)), (r, value)
    assert all(close(a, b) for a, b in zip(r.grads, grads)), (r.grads, grads)


def test_bounds_exceeded_return_status_and_nan(corpus_run):
    _, _, extra, results = corpus_run
    for name, status in (("loop_bound", 1), ("call_bound", 2)):
        r = results[name]
        assert r.status == status
        assert math.isnan(r.value) and all(math.isnan(g) for g in r.grads)


@pytest.mark.parametrize("name, f, args", [("names", c_names_clash, (0.7, 5)),
                                           ("grows", grows, (0.5, 7)),
                                           ("sweep_back", sweep_back, (0.3, 9))])
def test_extra_programs(corpus_run, name, f, args):
    r = corpus_run[3][name]
    value, g = pullback.value_and_grad(f)(*args)
    assert r.status == 0 and close(r.value, value) and close(r.grads[0], g)


def test_libm_of_an_int(corpus_run):
    # found by fuzz seed 9000014: fabs(long) failed -Werror=absolute-value
    r = corpus_run[3]["int_libm"]
    assert r.status == 0 and close(r.value, int_libm(0.5, 2))
    assert close(r.grads[0], math.fabs(-3) + math.sqrt(2) * math.sin(-3))    # d/dx by hand


def test_pendulum_source_and_header():
    c = emit_c(pendulum, 0.3, 0.0, 0.1, argnums=(0, 1, 2))
    includes = re.findall(r"#include\s+(\S+)", c.source)
    assert includes == ["<math.h>", "<stddef.h>", '"pendulum.h"']
    assert "malloc" not in c.source and "MAX_ITERATIONS" not in c.source
    assert "static struct pendulum_record tape[1000];" in c.source
    assert "double pendulum(double theta, double omega, double c);" in c.header
    assert "int pendulum_grad(double theta, double omega, double c, double *value, " \
           "double *d_theta," in c.header
    f = c.compile()
    value, grads = f(0.3, 0.0, 0.1)
    ref_value, ref_grads = pullback.value_and_grad(pendulum, argnums=(0, 1, 2))(0.3, 0.0, 0.1)
    assert close(value, ref_value) and all(close(a, b) for a, b in zip(grads, ref_grads))
    assert close(f.value(0.3, 0.0, 0.1), pendulum(0.3, 0.0, 0.1))


def test_header_stands_alone(tmp_path):
    c = emit_c(pendulum, 0.3, 0.0, 0.1)
    c.write(tmp_path)
    user = tmp_path / "user.c"
    user.write_text('#include "pendulum.h"\n#include "pendulum.h"\n'
                    "int use(void) { double v, d; return pendulum_grad(1.0, 0.0, 0.1, &v, &d); }\n")
    done = subprocess.run([CC, *STRICT, "-c", "-o", os.devnull, str(user)], capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stderr


def test_float32_uses_single_precision():
    c = emit_c(pendulum, 0.3, 0.0, 0.1, argnums=(0, 1, 2), dtype="float32")
    assert "double" not in c.source and "double" not in c.header
    assert "sinf(theta)" in c.source and "0.01f * omega" in c.source
    value, grads = c.compile()(0.3, 0.0, 0.1)
    ref_value, ref_grads = pullback.value_and_grad(pendulum, argnums=(0, 1, 2))(0.3, 0.0, 0.1)
    assert math.isclose(value, ref_value, rel_tol=1e-3)
    assert all(math.isclose(a, b, rel_tol=1e-2, abs_tol=1e-4) for a, b in zip(grads, ref_grads))


def test_compiled_limit_raises():
    f = emit_c(programs_control.halve_until_small, 3.3, max_iterations=2).compile()
    with pytest.raises(LimitExceeded):
        f(3.3)
    assert f(0.3)[0] == pytest.approx(programs_control.halve_until_small(0.3))


def test_unbounded_loop_rejected_at_its_line():
    with pytest.raises(pullback.UnsupportedError, match=r"test_c99\.py:\d+:\d+: .*max_iterations"):
        emit_c(grows, 0.5, 7)
    with pytest.raises(pullback.UnsupportedError, match=r"programs_control\.py:\d+:\d+: .*while"):
        emit_c(programs_control.halve_until_small, 3.3)


def test_recursion_needs_a_bound():
    with pytest.raises(pullback.UnsupportedError,
                       match=r"programs_control\.py:\d+:\d+: 'rpow' is recursive"):
        emit_c(programs_control.rpow, 1.1, 13)


def test_nested_static_trip_counts_need_no_bound():
    from corpus.programs_control import nested_loops
    c = emit_c(nested_loops, 0.4)          # for j in range(i, 4) inside for i in range(4)
    assert "MAX_ITERATIONS" not in c.source
    assert close(c.compile()(0.4)[1], pullback.grad(nested_loops)(0.4))


def test_write(tmp_path):
    paths = emit_c(pendulum, 0.3, 0.0, 0.1, name="swing").write(tmp_path / "out")
    assert [os.path.basename(p) for p in paths] == ["swing.c", "swing.h"]
    assert '#include "swing.h"' in open(paths[0]).read()


ARM = shutil.which("arm-none-eabi-gcc")


@pytest.mark.skipif(ARM is None, reason="needs arm-none-eabi-gcc: apt package gcc-arm-none-eabi "
                    "(and libnewlib-arm-none-eabi); `make tools` installs them")
@pytest.mark.parametrize("dtype, fpu", [("float64", []),
                                        ("float32", ["-mfloat-abi=hard", "-mfpu=fpv4-sp-d16"])])
def test_cortex_m4_cross_compile(tmp_path, dtype, fpu):
    c = emit_c(pendulum, 0.3, 0.0, 0.1, argnums=(0, 1, 2), dtype=dtype)
    src, _ = c.write(tmp_path)
    obj = str(tmp_path / "pendulum.o")
    done = subprocess.run([ARM, "-mcpu=cortex-m4", "-mthumb", "-O2", *fpu, *STRICT, "-c", src,
                           "-o", obj], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    nm = subprocess.run(["arm-none-eabi-nm", "--size-sort", "-S", obj], capture_output=True,
                        text=True).stdout
    sizes = {line.split()[-1]: int(line.split()[1], 16) for line in nm.splitlines()}
    assert 0 < sizes["pendulum_grad"] < 2048, sizes


def _private_helper(x):
    return x * x


def uses_private(x):
    return _private_helper(x) + 1.0


def test_file_scope_names():
    c = emit_c(uses_private, 2.0)
    assert "static double private_helper(double x)" in c.source
    assert "struct _" not in c.source and " _private_helper(" not in c.source
    assert emit_c(_private_helper, 2.0).name == "private_helper"
    with pytest.raises(ValueError):
        emit_c(pendulum, 0.3, 0.0, 0.1, name="sin")
    assert c.compile()(2.0) == (5.0, 4.0)


def test_trip_count_bounds():
    from pullback.backends.c_bounds import Size, trip_count
    assert trip_count((0, 0), (10, 10), (1, 1)) == 10
    assert trip_count((10, 10), (0, 0), (-3, -3)) == 4          # 10, 7, 4, 1
    assert trip_count((0, 3), (4, 4), (1, 1)) == 4               # range(i, 4), i in 0..3
    assert trip_count((0, 0), (5, 5), (-1, 1)) is None           # unknown step sign
    assert trip_count((0, 0), (-math.inf, math.inf), (1, 1)) is None
    size = Size.of(3) + Size.M * Size.of(2)
    assert size.c_text("M") == "2 * M + 3" and size.value(10) == 23
    assert (Size.M * Size.M).c_text("M") == "M * M"


def test_cli_emit_c(tmp_path):
    from pullback.cli import main
    example = os.path.join(os.path.dirname(HERE), "examples", "pendulum.py")
    assert main([f"{example}:simulate", "--emit", "c", "-o", str(tmp_path)]) == 0
    assert sorted(os.listdir(tmp_path)) == ["simulate.c", "simulate.h"]
    with pytest.raises(SystemExit, match="max_iterations"):
        main([os.path.join(HERE, "test_c99.py") + ":grows", "--args", "n: int", "--emit", "c"])


def test_corpus_float32_compiles_without_double(tmp_path):
    """Every accepted program in float32: no ``double`` anywhere, and no implicit
    promotion to double (``-Wdouble-promotion``)."""
    sources = []
    for i, case in enumerate(CASES):
        if case.id in EXPECTED_REJECTIONS:
            continue
        c = _emit(case, i, dtype="float32")
        assert "double" not in c.source, case.id
        sources.append(c.write(tmp_path)[0])
    done = subprocess.run([CC, *STRICT, "-Wdouble-promotion", "-fsyntax-only", *sources],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
