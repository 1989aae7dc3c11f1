"""``python -m benchmarks``: run every workload side by side, print, write RESULTS.md + chart.

    python -m benchmarks                 # everything (what `make bench` runs)
    python -m benchmarks --only w1,rk4   # some workloads (no files written)
    python -m benchmarks --no-write      # print only
"""
import argparse
import importlib
import os
import sys
import time

# One thread for every implementation, set before NumPy, Numba, JAX or PyTorch loads:
# the ratios compare work per core (as ADBench does), not thread pools.  Left to
# themselves XLA and OpenBLAS spread a matmul over both shared cores while the Numba
# loops run on one; PyTorch is pinned in peers.torch.
for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ.setdefault(_name, "1")
if "xla_cpu_multi_thread_eigen" not in os.environ.get("XLA_FLAGS", ""):
    os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "") + " --xla_cpu_multi_thread_eigen"
                               "=false intra_op_parallelism_threads=1").strip()

from . import checkpointing, report, transform_time
from .harness import run_rows

WORKLOADS = ("w1_pendulum", "rk4", "nbody", "heat", "rosenbrock", "mlp", "gmm", "gmm_d10", "lstm",
             "dask_grad")
HERE = os.path.dirname(os.path.abspath(__file__))


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    ap.add_argument("--only", help="comma-separated workload names (prefixes work)")
    ap.add_argument("--no-write", action="store_true", help="do not rewrite RESULTS.md / chart")
    ap.add_argument("--checkpoint-steps", type=int, default=checkpointing.STEPS,
                    help="steps of the checkpointing row (issue 18's acceptance: 100000)")
    opts = ap.parse_args(argv)
    names = WORKLOADS
    if opts.only:
        wanted = opts.only.split(",")
        names = [n for n in WORKLOADS if any(n.startswith(w) for w in wanted)]
    write = not opts.no_write and not opts.only
    start = time.perf_counter()
    sections, charted, by_workload = [], [], {}
    for name in names:
        mod = importlib.import_module(f"benchmarks.{name}")
        print(f"\n== {mod.TITLE}", flush=True)
        t0 = time.perf_counter()
        try:
            rows = mod.rows()
        except Exception as e:       # e.g. the ADBench inputs are not beside the repository
            print(f"  skipped: {type(e).__name__}: {e}", flush=True)
            sections.append((mod.TITLE, (mod.__doc__ or "").strip(),
                             f"Skipped: {type(e).__name__}: {e}"))
            continue
        results = run_rows(rows, getattr(mod, "REFERENCE", None),
                           log=lambda line: print(line, flush=True))
        if hasattr(mod, "annotate"):     # notes from the measurements (dask: rows/s)
            mod.annotate(results)
        tbl = report.table(results, mod.BASELINES)
        print(tbl)
        print(f"  ({time.perf_counter() - t0:.1f} s)", flush=True)
        sections.append((mod.TITLE, (mod.__doc__ or "").strip(), tbl))
        charted.append((mod.TITLE, results))
        by_workload[name] = {r.label: r for r in results}
    ck_figures = {}
    if not opts.only or any("checkpointing".startswith(w) for w in opts.only.split(",")):
        print(f"\n== {checkpointing.TITLE}", flush=True)
        ck_lines, ck_figures = checkpointing.run(steps=opts.checkpoint_steps)
        print("\n".join(ck_lines), flush=True)
        sections.append((checkpointing.TITLE, (checkpointing.__doc__ or "").strip(),
                         "\n".join(ck_lines)))
    print("\n== Transformation time", flush=True)
    transform_lines = transform_time.run()
    print("\n".join(transform_lines))
    targets = target_lines(by_workload, transform_time.LAST) + checkpoint_targets(ck_figures)
    print("\n== Targets")
    print("\n".join(targets))
    print(f"\ntotal {time.perf_counter() - start:.0f} s")
    if write:
        report.write_chart(os.path.join(HERE, "results.png"), charted)
        report.write_markdown(os.path.join(HERE, "RESULTS.md"), sections, targets,
                              transform_lines, "results.png")
        print(f"wrote {os.path.join(HERE, 'RESULTS.md')} and results.png")
    return 0


def _r(table, a, b):
    x, y = table.get(a), table.get(b)
    if x is None or y is None or x.median_s is None or y.median_s is None:
        return None
    paired = x.extra.get("paired")
    if paired is not None and paired[0] == b:   # timed in alternating batches (harness)
        return paired[1]
    return x.median_s / y.median_s


def target_lines(by, transform_s):
    w1 = by.get("w1_pendulum", {})
    out = []

    def line(text, value, limit):
        if value is None:
            out.append(f"{text}: not measured")
        else:
            verdict = "met" if value <= limit else f"MISSED by {value / limit:.2f}×"
            out.append(f"{text}: {value:.2f} (target ≤ {limit}) — {verdict}")
    line("W1 grad(numba) / f(numba)", _r(w1, "pullback, numba backend", "f, Numba"), 2.5)
    line("W1 grad(numba) / hand-written Numba adjoint",
         _r(w1, "pullback, numba backend", "hand-written adjoint, Numba"), 1.1)
    line("W1 grad(python) / hand-written pure-Python adjoint",
         _r(w1, "pullback, python backend", "hand-written adjoint, Python"), 1.2)
    line("W1 numba backend / JAX jit (fori_loop)",
         _r(w1, "pullback, numba backend", "JAX jit, fori_loop"), 1.0)
    ag = _r(w1, "autograd", "pullback, python backend")
    if ag is not None:
        out.append(f"W1 autograd / pullback python backend: {ag:.0f}× (≈ 400× hoped for)")
    for name, label in (("rosenbrock", "Rosenbrock"), ("mlp", "MLP"), ("gmm", "GMM d=2"),
                        ("gmm_d10", "GMM d=10"), ("heat", "heat")):
        t = by.get(name, {})
        line(f"{label} pullback python / hand-written NumPy",
             _r(t, "pullback, python backend", "hand-written gradient, NumPy"), 1.1)
    if transform_s is not None:
        line("transformation of a 100-line function (ms)", transform_s * 1e3, 50)
    return out


def checkpoint_targets(figures):
    """Issue 18's acceptance: <= 100 MB and <= 3x the taped time, for each tool measured."""
    out = []
    for tool in ("pullback", "jax"):
        memory, ratio = figures.get(f"{tool} memory"), figures.get(f"{tool} time ratio")
        if memory is None:
            continue
        ok = "met" if memory <= 100e6 and ratio <= 3 else "MISSED"
        out.append(f"checkpointing, {tool}: peak memory growth {memory / 1e6:.1f} MB "
                   f"(target ≤ 100), time / taped {ratio:.2f} (target ≤ 3) — {ok}")
    if "bitwise" in figures:
        out.append(f"checkpointing, pullback gradient bitwise the taped one: {figures['bitwise']}")
    return out


if __name__ == "__main__":
    sys.exit(main())
