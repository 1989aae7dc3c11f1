"""Generated C on hostile integers and floats: error codes, never undefined behaviour (issue 15).

Every program is built with ``-fsanitize=address,undefined,float-cast-overflow
-fno-sanitize-recover=all`` (``c_driver.SANITIZE``), so any overflow, division by
zero or out-of-range float-to-int conversion in the generated code fails the run.
Where Python raises (or would need a big int) the gradient returns the code and
the value function NaN; elsewhere the value is the Python function's and the
derivative agrees with central finite differences.
"""
import math
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from c_driver import CC, Unit, run_units  # noqa: E402

from pullback.emit_c import emit_c  # noqa: E402

pytestmark = pytest.mark.skipif(CC is None, reason="needs a C compiler (cc)")

LMAX, LMIN = 2 ** 63 - 1, -2 ** 63
OK, CALLS, VALUE, ZERO, OVERFLOW = 0, 2, 4, 5, 6
NAN, INF = float("nan"), float("inf")


def h_step(x, n, k):
    s = 0.0
    for i in range(0, n, k):
        s = s + x * i
    return s


def h_span(x, a, b, k):
    s = 0.0
    for i in range(a, b, k):
        s = s + x * (i - a)
    return s


def h_rev(x, a, b):
    s = 0.0
    for i in reversed(range(a, b)):
        s = s + x * (b - i)
    return s


def h_rev3(x, a, b):
    s = 0.0
    for i in reversed(range(a, b, 3)):
        s = s + x * (b - i)
    return s


def h_revn(x, n):
    s = 0.0
    for i in reversed(range(n)):
        s = s + x
    return s


def h_int(x, n, m):
    return x * (n * m + n // m - n % m)


def h_div(x, n, m):
    return x * (n // m)


def h_mod(x, n, m):
    return x * (n % m)


def h_add(x, n):
    return x * (n + 1)


def h_neg(x, n):
    return x * -n + x * abs(n)


def h_cast(x, y):
    return y * (int(x) + round(x) + math.floor(x))


def h_rec(x, n):
    if n <= 0:
        return x
    return h_rec(x * 0.5, n - 1) + x


CASES = [   # (function, arguments, expected status)
    (h_step, (0.5, 10, 0), VALUE), (h_step, (0.5, 10, 3), OK),
    (h_step, (0.5, LMAX, 2 ** 62), OK), (h_step, (0.5, LMIN, -2 ** 62), OK),
    (h_span, (0.5, LMAX - 5, LMAX, 2), OK), (h_span, (0.5, LMIN + 5, LMIN, -2), OK),
    (h_span, (0.5, LMAX - 2, LMAX, 1), OK), (h_span, (0.5, LMIN, LMAX, LMAX), OVERFLOW),
    (h_rev, (0.5, LMIN, LMIN + 3), OK), (h_rev, (0.5, 0, LMIN), OK),
    (h_rev, (0.5, LMAX - 3, LMAX), OK),
    (h_rev3, (0.5, LMAX - 7, LMAX), OK), (h_rev3, (0.5, LMIN, LMIN + 7), OK),
    (h_revn, (0.5, LMIN), OK), (h_revn, (0.5, 4), OK),
    (h_int, (0.5, 2 ** 40, 2 ** 40), OVERFLOW), (h_int, (0.5, 7, 0), ZERO),
    (h_int, (0.5, 7, 3), OK), (h_int, (0.5, LMIN, -1), OVERFLOW),
    (h_div, (0.5, LMIN, -1), OVERFLOW), (h_div, (0.5, 5, 0), ZERO), (h_div, (0.5, -7, 2), OK),
    (h_mod, (0.5, LMIN, -1), OK), (h_mod, (0.5, 5, 0), ZERO), (h_mod, (0.5, -7, 3), OK),
    (h_add, (0.5, LMAX), OVERFLOW), (h_add, (0.5, LMAX - 1), OK),
    (h_neg, (0.5, LMIN), OVERFLOW), (h_neg, (0.5, LMIN + 1), OK),
    (h_cast, (NAN, 1.0), VALUE), (h_cast, (INF, 1.0), VALUE), (h_cast, (-INF, 1.0), VALUE),
    (h_cast, (1e300, 1.0), OVERFLOW), (h_cast, (-1e19, 1.0), OVERFLOW),
    (h_cast, (2.3, 1.5), OK), (h_cast, (-3.7, 1.5), OK),
    (h_rec, (0.5, 2 ** 62), CALLS), (h_rec, (0.5, 5), OK),
]


def _fd(f, args, h=1e-6):
    x = args[0]
    return (f(x + h, *args[1:]) - f(x - h, *args[1:])) / (2 * h)


def test_hostile_inputs_return_codes_clean_under_sanitizers(tmp_path):
    emitted = {}
    for f, args, _ in CASES:
        if f not in emitted:
            emitted[f] = emit_c(f, *args, argnums=0, max_iterations=1000)
    units = [Unit(emitted[f], args, f"case{k}") for k, (f, args, _) in enumerate(CASES)]
    results = run_units(units, str(tmp_path))
    for k, (f, args, status) in enumerate(CASES):
        r = results[f"case{k}"]
        where = f"{f.__name__}{args}"
        assert r.status == status, (where, r)
        if status != OK:
            assert math.isnan(r.primal) and math.isnan(r.value), (where, r)
            continue
        want = f(*args)
        assert math.isclose(r.value, want, rel_tol=1e-12) and \
            math.isclose(r.primal, want, rel_tol=1e-12), (where, r, want)
        d = _fd(f, args)
        assert math.isclose(r.grads[0], d, rel_tol=1e-6, abs_tol=1e-9), (where, r, d)


def test_headers_document_the_codes():
    c = emit_c(h_int, 0.5, 7, 3)
    for macro, code in (("VALUE_ERROR", 4), ("ZERO_DIVISION", 5), ("OVERFLOW", 6)):
        assert f"#define H_INT_{macro} {code}" in c.header
    assert "H_INT_ZERO_DIVISION where Python raises ZeroDivisionError" in c.header
    assert "H_INT_OVERFLOW" in c.header.split("*/")[-2]


def test_recursion_needs_a_bound():
    from pullback.errors import UnsupportedError
    with pytest.raises(UnsupportedError, match="recursive"):
        emit_c(h_rec, 0.5, 3)
