"""Measure pullback on autograd 1.9.1's example programs (the sdist's examples/), unchanged.

    python tools/outside_examples.py                      # fetch the sdist, run all 27
    python tools/outside_examples.py SDIST                # an unpacked sdist
    python tools/outside_examples.py SDIST --program gmm --program rnn
    python tools/outside_examples.py SDIST --json /tmp/examples.json

Run with PYTHONPATH at the checkout to measure.  Each program runs as ``__main__`` in its
own process, in its own folder, with ``outside_checked`` standing in for plotting, MNIST and
the optimiser loops (cut to a few steps) and with autograd's derivative operators mapped to
pullback's (``outside_shim``: autograd.numpy is NumPy).  The first calls of each derivative
operator are judged by the dot-product test against central differences; where they disagree
the program is run again under the real autograd (the sdist, in another process) and the
same call's derivative compared: WRONG only where pullback disagrees with autograd as well
(to 1e-6 relative; to the program's own tolerance where autograd's answer is an approximation
at that tolerance, ``APPROXIMATE_ORACLE``, and the check's record says so; there a later
call, where autograd's optimiser has reached another point, stays unchecked).

Verdicts: ``runs-right`` (ran to the end, every checked derivative right), ``rejected`` (a
pullback TransformError: its message and the user's line), ``WRONG``, ``crash`` (any other
exception inside pullback), ``crash (harness)`` (the program failed outside pullback:
this tool's fault), ``timeout``.

Which programs count: every program in examples/ (27 of the 31 files that run as programs),
leaving out the helpers ``data.py`` and ``data_mnist.py`` and the four that demonstrate
autograd's own machinery rather than use derivatives (``define_gradient.py``: primitive/defvjp,
``dot_graph.py`` and ``print_trace.py``: its tracer, ``rkhs.py``: its Box/VSpace).
Nothing of autograd is copied into the repo; the sdist stays in the cache folder.
"""
import argparse
import json
import os
import runpy
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
OUT_OF_SCOPE = {"define_gradient", "dot_graph", "print_trace", "rkhs", "data", "data_mnist",
                "__init__"}
TIMEOUT = 420
# Programs whose autograd derivative is itself an approximation at a tolerance the program
# sets: pullback's and autograd's are compared to that tolerance, and the record says so.
APPROXIMATE_ORACLE = {
    "ode_net": (0.01, "autograd's odeint gradient is a continuous adjoint integrated by "
                      "odeint at the program's rtol=0.01; pullback's is the exact derivative "
                      "of its own Dormand-Prince steps at that rtol (tests/test_ode_discrete.py"
                      "): two approximations of the exact solution's derivative, so they are "
                      "compared to rtol=0.01, not 1e-6"),
}


def programs(sdist):
    root = os.path.join(sdist, "examples")
    names = [f[:-3] for f in os.listdir(root) if f.endswith(".py")]
    names += ["fluidsim/" + f[:-3] for f in os.listdir(os.path.join(root, "fluidsim"))
              if f.endswith(".py")]
    return sorted(n for n in names if n not in OUT_OF_SCOPE)


def run_one(sdist, name, provider, out_path):
    """Child process: run the program under ``provider`` and write its record."""
    sys.path.insert(0, HERE)
    import outside_checked as oc
    oc.Log.program = name
    path = os.path.join(sdist, "examples", name + ".py")
    folder = os.path.dirname(path)
    sys.path.insert(0, folder)
    if provider == "pullback":
        sys.path.insert(0, os.getcwd())            # the checkout's pullback
    os.chdir(folder)
    oc.install(provider, sdist)
    rec = {"program": name}
    start = time.time()
    try:
        import warnings
        warnings.simplefilter("ignore")
        runpy.run_path(path, run_name="__main__")
        rec["verdict"] = "ran"
    except oc.Stop as stop:
        rec.update(stop.record)
    except BaseException as exc:                    # noqa: BLE001 -- any failure is a verdict
        f = oc._failure(exc)
        rec.update(f)
    rec["seconds"] = round(time.time() - start, 1)
    rec["checks"] = oc.Log.checks
    with open(out_path, "w") as fh:
        json.dump(rec, fh, default=str)


def _child(sdist, name, provider, timeout):
    out = f"/tmp/outside_examples_{os.getpid()}_{provider}_{name.replace('/', '_')}.json"
    env = dict(os.environ, MPLBACKEND="Agg")
    try:
        p = subprocess.run([sys.executable, __file__, sdist, "--child", name, "--provider",
                            provider, "--out", out], timeout=timeout, env=env,
                           capture_output=True, text=True)
    except subprocess.TimeoutExpired:
        return {"program": name, "verdict": "timeout", "message": f"over {timeout} s"}
    if not os.path.exists(out):
        return {"program": name, "verdict": "crash (harness)",
                "message": (p.stderr or p.stdout)[-400:]}
    with open(out) as fh:
        rec = json.load(fh)
    os.remove(out)
    return rec


def _same_point(a, b):
    return len(a) == len(b) and all(
        sa == sb and abs(x - y) <= 1e-9 * (1 + abs(x)) for (sa, x), (sb, y) in zip(a, b))


def settle(sdist, rec, timeout):
    """Suspect checks go to the real autograd: WRONG where it disagrees with pullback too."""
    suspects = [c for c in rec["checks"] if c.get("verdict") == "suspect"]
    if not suspects:
        return
    ref = _child(sdist, rec["program"], "autograd", timeout)
    theirs = {(c["operator"], c["call"]): c for c in ref.get("checks", [])}
    tol, why = APPROXIMATE_ORACLE.get(rec["program"], (1e-6, None))
    for c in suspects:
        a = theirs.get((c["operator"], c["call"]))
        if why and a is not None and "dot" in a and not _same_point(c["args"], a["args"]):
            # the optimiser stepped along two gradients that differ by the tolerance
            c["verdict"] = "unchecked"
            c["oracle"] = ("autograd's run is at another point, its optimiser having "
                           f"stepped along its own approximate gradient ({why.split(';')[0]})")
            continue
        if a is None or "dot" not in a or not _same_point(c["args"], a["args"]):
            c["verdict"] = "WRONG?"
            c["oracle"] = ("autograd did not reach the same point: " +
                           (f"{ref.get('verdict')} {ref.get('message', '')}"[:200] if a is None
                            else f"its point {a['args']}"))
            continue
        c["oracle"] = a["dot"]
        ok = abs(a["dot"] - c["dot"]) <= tol * max(abs(a["dot"]), abs(c["dot"]), 1e-12)
        c["verdict"] = "right" if ok else "WRONG"
        if why:
            c["oracle_tolerance"] = f"{tol:g} relative: {why}"


def verdict(rec):
    """The program's verdict from how it ended and its checks."""
    checks = rec.get("checks", [])
    if any(c["verdict"].startswith("WRONG") for c in checks):
        return "WRONG"
    if rec["verdict"] != "ran":
        return rec["verdict"]
    if not checks:
        return "ran, nothing checked"
    if any(c["verdict"] == "unchecked" for c in checks):
        return "runs (partly unchecked)"
    return "runs-right"


def report(records):
    lines = []
    counts = {}
    for r in records:
        v = r["final"]
        counts[v] = counts.get(v, 0) + 1
        n = sum(1 for c in r.get("checks", []) if c["verdict"] == "right")
        why = ""
        if v not in ("runs-right",):
            why = f"  {r.get('at', '')}  {r.get('kind', '')}: {r.get('message', '')}"
            if r.get("construct"):
                why += f"  [{r['construct']}]"
            bad = [c for c in r.get("checks", []) if c["verdict"] != "right"]
            if bad:
                why += f"  checks: {bad[:2]}"
        loose = [c["oracle_tolerance"] for c in r.get("checks", []) if "oracle_tolerance" in c]
        if loose:
            why += f"  (autograd agrees to {loose[0].split(':')[0]} only)"
        lines.append(f"{r['program']:34s} {v:24s} {n:2d} checked right "
                     f"{r.get('seconds', '')}s{why}")
    right = counts.get("runs-right", 0)
    lines.append(f"\nruns-right {right} of {len(records)}; " +
                 ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    return "\n".join(lines)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("sdist", nargs="?")
    p.add_argument("--program", action="append")
    p.add_argument("--json")
    p.add_argument("--timeout", type=float, default=TIMEOUT)
    p.add_argument("--child")
    p.add_argument("--provider", default="pullback")
    p.add_argument("--out")
    a = p.parse_args(argv)
    if a.sdist is None:
        sys.path.insert(0, HERE)
        import outside_suite
        a.sdist = outside_suite.fetch()
    if a.child:
        return run_one(a.sdist, a.child, a.provider, a.out)
    records = []
    for name in a.program or programs(a.sdist):
        rec = _child(a.sdist, name, "pullback", a.timeout)
        rec.setdefault("checks", [])
        settle(a.sdist, rec, a.timeout)
        rec["final"] = verdict(rec)
        records.append(rec)
        print(report([rec]).splitlines()[0], flush=True)
    print()
    print(report(records))
    if a.json:
        with open(a.json, "w") as fh:
            json.dump(records, fh, indent=1, default=str)


if __name__ == "__main__":
    main()
