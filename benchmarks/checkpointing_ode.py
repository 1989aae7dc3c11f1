"""Checkpointing on the Numba backend: a scalar ODE of 10^6 explicit steps, 100 snapshots.

    python -m benchmarks.checkpointing_ode [--steps 1000000] [--snapshots 100]

Not a row of `make bench` (Numba's first compile of the two gradients takes a minute
on a busy machine); issue 18's closing note quotes it.  The taped gradient fits here
(a few doubles a step), so both are measured in full, each in its own process after a
warm-up call that compiles it: CPU and wall time, and the peak RSS growth during the
call (Numba's allocations are outside tracemalloc; see benchmarks/checkpointing.py for
how the growth is measured).  The checkpointed gradient must be bitwise the taped
one, and is checked against central differences.
"""
import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

from .checkpointing import _reset_peak, _status, _trim


def ode(x0, a, n):
    """x' = a sin(x) - x^3 / 10 + cos(t), explicit Euler with h = 1e-5."""
    x = x0
    for i in range(n):
        t = 1e-5 * i
        x = x + 1e-5 * (a * math.sin(x) - 0.1 * x * x * x + math.cos(t))
    return x * x


def child(snapshots, steps, out):
    import pullback
    g = pullback.grad(ode, argnums=(0, 1), backend="numba",
                      checkpoint=snapshots if snapshots else None)
    g(0.3, 1.5, 3)
    _trim()
    before = _status("VmRSS")
    reset = _reset_peak()
    start, cpu = time.perf_counter(), time.process_time()
    got = g(0.3, 1.5, steps)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    np.save(out, np.array(got, dtype=np.float64))
    print(json.dumps({"seconds": seconds, "cpu": cpu,
                      "rss_growth": _status("VmHWM") - before if reset else None}))


def measure(snapshots, steps, tmp):
    out = os.path.join(tmp, f"ode-{snapshots}.npy")
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    done = subprocess.run([sys.executable, "-m", "benchmarks.checkpointing_ode", "--child",
                           "--snapshots", str(snapshots), "--steps", str(steps), "--out", out],
                          capture_output=True, text=True, cwd=here)
    if done.returncode != 0:
        raise RuntimeError(done.stderr.strip()[-800:])
    got = json.loads(done.stdout.strip().splitlines()[-1])
    got["gradient"] = np.load(out)
    return got


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m benchmarks.checkpointing_ode")
    ap.add_argument("--steps", type=int, default=1_000_000)
    ap.add_argument("--snapshots", type=int, default=100)
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--out", help=argparse.SUPPRESS)
    opts = ap.parse_args(argv)
    if opts.child:
        return child(opts.snapshots, opts.steps, opts.out)
    from pullback.rules.schedule import forward_steps
    with tempfile.TemporaryDirectory() as tmp:
        taped, ck = measure(0, opts.steps, tmp), measure(opts.snapshots, opts.steps, tmp)
    h = 1e-6
    fd = [(ode(0.3 + h, 1.5, opts.steps) - ode(0.3 - h, 1.5, opts.steps)) / (2 * h),
          (ode(0.3, 1.5 + h, opts.steps) - ode(0.3, 1.5 - h, opts.steps)) / (2 * h)]
    extra = forward_steps(opts.steps, opts.snapshots)
    print(f"scalar ODE, {opts.steps} steps, Numba backend")
    print("| gradient | peak RSS growth | wall time | CPU time | CPU time / taped |")
    print("|---|---|---|---|---|")
    for label, r in (("taped", taped), (f"checkpointed, {opts.snapshots} snapshots", ck)):
        growth = "—" if r["rss_growth"] is None else f"{r['rss_growth'] / 1e6:.1f} MB"
        print(f"| {label} | {growth} | {r['seconds']:.3f} s | {r['cpu']:.3f} s | "
              f"{r['cpu'] / taped['cpu']:.2f} |")
    print(f"- recomputed {extra} steps: revolve's optimum t({opts.steps}, {opts.snapshots}), "
          f"recomputation factor {extra / opts.steps:.2f}")
    print(f"- checkpointed = taped, bitwise: "
          f"{np.array_equal(ck['gradient'], taped['gradient'])}; gradient {list(ck['gradient'])}, "
          f"central differences {fd}")


if __name__ == "__main__":
    main()
