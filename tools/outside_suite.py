"""Measure pullback on another AD library's own gradient test suite (autograd 1.9.1's tests/).

    python tools/outside_suite.py                       # fetch the sdist, run every file
    python tools/outside_suite.py SDIST_DIR             # an unpacked sdist
    python tools/outside_suite.py SDIST --file test_numpy.py --file test_scipy.py
    python tools/outside_suite.py SDIST --case 'tests/test_numpy.py::test_cross#3'
    python tools/outside_suite.py SDIST --json /tmp/suite.json   # every case's record

Run with PYTHONPATH at the checkout to measure.  The test files run under pytest
with ``outside_shim`` standing in for autograd (autograd.numpy is NumPy, check_grads
records a case); each case is judged by ``outside_cases.judge`` against central
finite differences.  A case that disagrees with finite differences is run again
under the real autograd (the sdist itself, in a subprocess: the second oracle):
it is WRONG only if pullback disagrees with autograd too; where autograd agrees
with pullback it was finite-difference noise (a kink), so right.  Test functions
that call pullback directly (``autograd.grad`` in an assert) are counted apart.
Nothing here is part of pullback or its CI; the sdist stays outside the repo.
"""
import argparse
import collections
import json
import os
import re
import subprocess
import sys
import tarfile
import tempfile

import numpy as np
import pytest

import outside_cases
import outside_shim

HERE = os.path.dirname(os.path.abspath(__file__))
CACHE = os.environ.get("OUTSIDE_SUITE_CACHE", os.path.expanduser("~/.cache/pullback-outside"))
SDIST = "autograd==1.9.1"
SKIP_FILES = {"conftest.py", "numpy_utils.py", "profiling.py", "_test_complexity.py"}


def fetch():
    """The unpacked autograd sdist in the cache folder (pip download on first use)."""
    root = os.path.join(CACHE, "autograd-1.9.1")
    if os.path.isdir(os.path.join(root, "tests")):
        return root
    os.makedirs(CACHE, exist_ok=True)
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-binary", ":all:",
                    "--no-deps", "-d", CACHE, SDIST], check=True)
    tar = next(f for f in os.listdir(CACHE) if f.startswith("autograd-") and f.endswith(".tar.gz"))
    with tarfile.open(os.path.join(CACHE, tar)) as t:
        t.extractall(CACHE, filter="data")
    return root


def _pytest_args(sdist, files, case):
    ini = os.path.join(CACHE, "empty.ini")
    os.makedirs(CACHE, exist_ok=True)
    open(ini, "w").close()
    if case:
        targets = [case.split("::")[0]]        # the whole file: module-level draws match
    else:
        names = files or sorted(f for f in os.listdir(os.path.join(sdist, "tests"))
                                if f.startswith("test_") and f.endswith(".py"))
        targets = [os.path.join("tests", f) for f in names if f not in SKIP_FILES]
    return ["-q", "-c", ini, "--rootdir", sdist, "-p", "no:cacheprovider", "--assert=plain",
            "-W", "ignore", "--no-header", "-rN", "--tb=no",
            "--continue-on-collection-errors"] + targets


class Collect:
    """The pytest plugin: numbers each check_grads call per test and hands it on."""

    def __init__(self, on_case):
        self.on_case, self.item, self.count, self.direct = on_case, None, 0, []

    def pytest_runtest_setup(self, item):
        self.item, self.count = item, 0

    def record(self, fun, args, kwargs, argnums, modes):
        case_id = f"{self.item.nodeid}#{self.count}"
        self.count += 1
        self.on_case(case_id, fun, args, kwargs, argnums, modes)

    def pytest_collectreport(self, report):
        if report.failed:              # a file that imports autograd's internals
            last = str(report.longrepr).strip().splitlines()[-1]
            self.direct.append({"id": report.nodeid, "verdict": "file n/a", "kind": "import",
                                "message": last[:200]})

    def pytest_runtest_makereport(self, item, call):
        if call.when != "call" or self.count:
            return
        exc = call.excinfo.value if call.excinfo else None
        verdict = ("right" if exc is None else
                   "skipped" if call.excinfo.typename == "Skipped" else
                   "rejected" if type(exc).__name__ in ("TransformError", "UnsupportedError")
                   else "n/a" if type(exc).__name__ == "NotApplicable" else "failed")
        self.direct.append({"id": item.nodeid, "verdict": verdict,
                            "kind": type(exc).__name__ if exc else "",
                            "message": str(exc)[:200] if exc else ""})


def measure(sdist, files, case, timeout):
    sys.dont_write_bytecode = True
    outside_shim.install()
    wrappers = os.path.join(CACHE, "wrappers")
    os.makedirs(wrappers, exist_ok=True)
    records = []

    def on_case(case_id, fun, args, kwargs, argnums, modes):
        if case and case_id != case:
            return
        rec = outside_cases.judge(case_id, fun, args, kwargs, argnums, modes, wrappers, timeout)
        records.append(rec)

    plugin = Collect(on_case)
    outside_shim.RECORDER.on_case = plugin.record
    sys.path.insert(0, os.path.join(sdist, "tests"))
    cwd = os.getcwd()
    os.chdir(sdist)
    try:
        pytest.main(_pytest_args(sdist, files, case), plugins=[plugin])
    finally:
        os.chdir(cwd)
    return records, plugin.direct


# ---- the second oracle: the real autograd, in its own process ------------------------------

def oracle_main(sdist, want_path, out_path):
    """Run under the real autograd; for each wanted case id, autograd's dot products."""
    sys.dont_write_bytecode = True
    sys.path[:0] = [sdist, os.path.join(sdist, "tests")]
    import autograd                    # the real one, from the sdist: only here
    import autograd.test_util as tu
    conj_tree, directions = outside_cases.conj_tree, outside_cases.directions
    inner, wrapper = outside_cases.inner, outside_cases.wrapper
    want, got = set(json.load(open(want_path))), {}
    wrappers = os.path.join(CACHE, "wrappers")

    def on_case(case_id, fun, args, kwargs, argnums, modes):
        if case_id not in want:
            return
        try:
            g = wrapper(fun, args, kwargs, argnums, wrappers)
            xs = [args[i] for i in argnums]
            v, u = directions(case_id, xs, g(*xs))
            an = tuple(range(len(xs))) if len(xs) > 1 else 0
            f_vjp, _ = autograd.make_vjp(g, an)(*xs)
            cts = f_vjp(conj_tree(u))
            rev = inner(list(cts) if len(xs) > 1 else [cts], v)
            _, t = autograd.make_jvp(g, an)(*xs)(tuple(v) if len(xs) > 1 else v[0])
            got[case_id] = {"rev": rev, "fwd": inner(conj_tree(u), t)}
        except Exception as exc:
            got[case_id] = {"error": f"{type(exc).__name__}: {str(exc)[:200]}"}

    plugin = Collect(on_case)

    def check_grads(f, argnum=0, modes=("fwd", "rev"), order=2):
        def run(*args, **kwargs):
            plugin.record(f, args, kwargs, argnum if isinstance(argnum, (tuple, list))
                          else (argnum,), tuple(modes))
        return run
    tu.check_grads = check_grads
    files = sorted({w.split("::")[0].split("/")[-1] for w in want})
    os.chdir(sdist)
    pytest.main(_pytest_args(sdist, files, None), plugins=[plugin])
    json.dump(got, open(out_path, "w"))


def second_oracle(sdist, records):
    """Settle every suspect: WRONG where pullback disagrees with autograd as well."""
    suspects = [r for r in records if r["verdict"] == "suspect"]
    if not suspects:
        return
    with tempfile.TemporaryDirectory() as tmp:
        want, out = os.path.join(tmp, "want.json"), os.path.join(tmp, "got.json")
        json.dump([r["id"] for r in suspects], open(want, "w"))
        subprocess.run([sys.executable, os.path.abspath(__file__), sdist, "--oracle", want, out],
                       capture_output=True, env=dict(os.environ, PYTHONDONTWRITEBYTECODE="1"))
        got = json.load(open(out)) if os.path.exists(out) else {}
    for r in suspects:
        ref = got.get(r["id"], {"error": "the real autograd did not reach this case"})
        r["oracle"] = ref
        bad = [m for m, res in r["modes"].items() if res["verdict"] == "suspect"]
        if "error" in ref:
            r["verdict"] = "unconfirmed"
        elif all(res["value_ok"] and _agree(res["dot"], ref[m])
                 for m, res in r["modes"].items() if m in bad):
            r["verdict"] = "right"                   # finite differences were off, not pullback
            for m in bad:
                r["modes"][m]["verdict"] = "right"
        else:
            r["verdict"] = "WRONG"


def _agree(a, b):
    return abs(a - b) <= 1e-7 + 1e-6 * max(abs(a), abs(b))


# ---- the report --------------------------------------------------------------------------

def cause(r):
    """A rejection or crash message with its particulars blurred, to group by cause."""
    msg = re.sub(r"\(in [^)]*\)", "", r.get("message", ""))
    msg = re.sub(r"\b\d+(\.\d+)?\b", "N", msg)
    msg = re.sub(r"\((?![\w.]+\))[^()]*\)", "(...)", msg) if len(msg) > 90 else msg   # keep (a.name)
    return f"[{r.get('kind', '')}] {msg.strip()[:150]}"


def _test(r):
    """A wrong case grouped by its test function."""
    return ("[complex] " if r.get("complex") else "") + r["id"].split("#")[0]


def _numbers(r):
    """What finite differences, each mode and autograd gave (the example of a wrong group)."""
    modes = ", ".join(f"{m} {res.get('dot', res.get('kind'))!s:.10}"
                      for m, res in r.get("modes", {}).items())
    return f"fd {r.get('fd', 0):.6g}, {modes}, autograd {r.get('oracle')}"


def report(records, direct, top):
    verdicts = ("right", "kink", "rejected", "WRONG", "unconfirmed", "crash", "n/a")
    real = [r for r in records if not r.get("complex")]
    cplx = [r for r in records if r.get("complex")]
    by_file = collections.defaultdict(collections.Counter)
    for r in records:
        by_file[r["id"].split("::")[0]][r["verdict"] if not r.get("complex") else "complex"] += 1
    print(f"\n{'file':34s}" + "".join(f"{v:>12s}" for v in verdicts + ("complex",)))
    for f in sorted(by_file):
        print(f"{f:34s}" + "".join(f"{by_file[f][v]:12d}" for v in verdicts + ("complex",)))

    def totals(name, rs):
        c = collections.Counter(r["verdict"] for r in rs)
        n = len(rs) - c["n/a"]
        pct = {v: 100.0 * c[v] / n if n else 0.0 for v in verdicts}
        print(f"{name}: {len(rs)} cases, {c['n/a']} n/a, of the {n} others: "
              f"right {c['right'] + c['kink']} ({pct['right'] + pct['kink']:.1f}%; "
              f"{c['kink']} of them one side's derivative at a kink), rejected {c['rejected']} "
              f"({pct['rejected']:.1f}%), WRONG {c['WRONG']}, unconfirmed {c['unconfirmed']}, "
              f"crash {c['crash']}")
    print()
    totals("real-valued", real)
    totals("complex    ", cplx)
    totals("all        ", records)
    d = collections.Counter(r["verdict"] for r in direct)
    print(f"direct tests (grad in an assert, no check_grads): {dict(d)}")
    for r in direct:
        if r["verdict"] == "file n/a":
            print(f"  file not run: {r['id']}: {r['message']}")
    for title, kinds in (("WRONG", ("WRONG", "unconfirmed")), ("crash", ("crash",)),
                         ("rejected (real-valued)", ("rejected",))):
        rs = [r for r in real if r["verdict"] in kinds]
        if title == "WRONG":
            rs += [r for r in cplx if r["verdict"] in kinds]
        key = cause if title.startswith(("rejected", "crash")) else _test
        groups = collections.Counter(key(r) for r in rs)
        print(f"\n{title}: {len(rs)} cases, {len(groups)} causes")
        example = {}
        for r in rs:
            example.setdefault(key(r), r)
        for msg, n in groups.most_common(top if title.startswith("rejected") else 10 ** 6):
            e = example[msg]
            print(f"{n:5d}  {msg}\n       e.g. {e['id']}  "
                  f"{e.get('at', '') if key is cause else _numbers(e)}")
    na = collections.Counter(cause(r) for r in records if r["verdict"] == "n/a")
    print(f"\nn/a (does not run under plain NumPy/SciPy): {sum(na.values())}")
    for msg, n in na.most_common(8):
        print(f"{n:5d}  {msg}")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("sdist", nargs="?", help="an unpacked autograd sdist (default: fetch)")
    p.add_argument("--file", action="append", help="one test file (tests/NAME), repeatable")
    p.add_argument("--case", help="one case id, as printed (file::test#k): its full record")
    p.add_argument("--json", help="write every record here")
    p.add_argument("--timeout", type=float, default=60.0, help="seconds per case and mode")
    p.add_argument("--top", type=int, default=25, help="rejection causes shown")
    p.add_argument("--no-oracle", action="store_true", help="finite differences only")
    p.add_argument("--oracle", nargs=2, help=argparse.SUPPRESS)
    a = p.parse_args(argv)
    sdist = os.path.abspath(a.sdist or fetch())
    if a.oracle:
        return oracle_main(sdist, *a.oracle)
    records, direct = measure(sdist, a.file, a.case, a.timeout)
    if not a.no_oracle:
        second_oracle(sdist, records)
    if a.json:
        json.dump({"cases": records, "direct": direct}, open(a.json, "w"), indent=0,
                  default=lambda o: float(o) if np.isscalar(o) else str(o))
    if a.case:
        print(json.dumps(records, indent=1, default=str))
    else:
        report(records, direct, a.top)


if __name__ == "__main__":
    main()
