"""Check, then time: the measuring half of the benchmark suite.

A workload lists ``Row``s.  Each row's ``make()`` builds a zero-argument
callable on the workload's fixed inputs (JIT compilation and pullback's
transformation happen on its first call, which is timed on its own).  A
gradient row's result is compared with the workload's reference gradient
before any timing; a row that disagrees is reported, never timed.  A row
whose tool is missing or cannot handle the workload yet is reported as
``unsupported yet: <error>`` instead of stopping the run.

Timing: after the first call, calls are batched so one batch takes about
``BATCH_S``; the median over batches of the time per call is reported.

Paired rows (``PAIRED``: issue 17's ratio, pullback's Python backend over the
hand-written NumPy gradient) are then timed again together, in alternating batches
(``time_pair``), and both report those medians and the median of the rounds' ratios:
timed one after the other, a load that comes and goes on a shared machine (or the
allocator's state after other rows) falls on one row and not the other, and their
ratio moved by 20-50% between runs.  ``python -m benchmarks.python_backend`` times the
same pairs with the same function.  Each side is the user-visible call
(``pullback.grad(f)(*args)``: argument checks, guards and all).
"""
import gc
import time
import traceback
from dataclasses import dataclass, field
from typing import Callable, Optional

import numpy as np

BATCH_S = 0.02
PAIRED = (("pullback, python backend", "hand-written gradient, NumPy"),)


@dataclass
class Row:
    label: str
    family: str                  # objective | pullback | hand | peer | fd
    make: Callable               # () -> zero-argument callable (may raise)
    gradient: bool = True        # False for objective rows (f itself)
    comparable: bool = True      # False: a different problem size (note says which)
    note: str = ""
    rtol: float = 1e-7           # agreement with the reference gradient
    budget_s: float = 1.5        # time spent timing this row, after the first call


@dataclass
class Result:
    label: str
    family: str
    median_s: Optional[float] = None
    first_call_s: Optional[float] = None
    transform_s: Optional[float] = None
    status: str = "ok"
    note: str = ""
    comparable: bool = True
    extra: dict = field(default_factory=dict)


def flat(g):
    """A gradient as one float64 vector (tuples, arrays, tensors...)."""
    if isinstance(g, dict):
        g = [g[k] for k in sorted(g)]
    if isinstance(g, (tuple, list)):
        parts = [flat(x) for x in g]
        return np.concatenate(parts) if parts else np.zeros(0)
    if hasattr(g, "detach"):
        g = g.detach().numpy()
    return np.asarray(g, dtype=np.float64).ravel()


def agree(got, ref, rtol):
    got, ref = flat(got), flat(ref)
    if got.shape != ref.shape:
        return f"shape {got.shape} vs reference {ref.shape}"
    scale = max(1.0, float(np.max(np.abs(ref)))) if ref.size else 1.0
    err = float(np.max(np.abs(got - ref))) / scale if ref.size else 0.0
    return None if err <= rtol else f"max error {err:.2e} (relative to the largest entry)"


def time_call(call, budget_s):
    start = time.perf_counter()
    call()
    one = max(time.perf_counter() - start, 1e-7)
    number = max(1, int(BATCH_S / one))
    repeats = int(min(15, max(3, budget_s / (number * one))))
    samples = []
    gc_was = gc.isenabled()
    gc.disable()
    try:
        for _ in range(repeats):
            start = time.perf_counter()
            for _ in range(number):
                call()
            samples.append((time.perf_counter() - start) / number)
    finally:
        if gc_was:
            gc.enable()
    return float(np.median(samples))


def time_pair(a, b, budget_s, rounds=None):
    """``(median a, median b, median of a/b)`` over rounds of one batch of each, in
    alternating order (a then b, b then a), so a load that comes and goes slows both."""
    one = []
    for call in (a, b):
        start = time.perf_counter()
        call()
        one.append(max(time.perf_counter() - start, 1e-7))
    number = max(1, int(BATCH_S / min(one)))
    if rounds is None:
        rounds = int(min(60, max(6, budget_s / (number * sum(one)))))
    ta, tb = [], []
    gc_was = gc.isenabled()
    gc.disable()
    try:
        for k in range(rounds):
            for call, out in ((a, ta), (b, tb))[::1 if k % 2 == 0 else -1]:
                start = time.perf_counter()
                for _ in range(number):
                    call()
                out.append((time.perf_counter() - start) / number)
    finally:
        if gc_was:
            gc.enable()
    ta, tb = np.array(ta), np.array(tb)
    return float(np.median(ta)), float(np.median(tb)), float(np.median(ta / tb))


def run_row(row, reference):
    res = Result(row.label, row.family, note=row.note, comparable=row.comparable)
    try:
        start = time.perf_counter()
        call = row.make()
        made = time.perf_counter() - start
        start = time.perf_counter()
        out = call()
        res.first_call_s = made + time.perf_counter() - start
        res.transform_s = getattr(call, "transform_s", None)
    except Exception as e:          # a tool that cannot do this workload (yet)
        res.status = f"unsupported yet: {_one_line(e)}"
        return res, None, None
    if row.gradient and reference is not None and row.comparable:
        bad = agree(out, reference, row.rtol)
        if bad:
            res.status = f"wrong gradient: {bad}"
            return res, out, None
    try:
        res.median_s = time_call(call, row.budget_s)
    except Exception as e:
        res.status = f"failed while timing: {_one_line(e)}"
        return res, out, None
    return res, out, call


def run_rows(rows, reference_label=None, log=print):
    """Run every row; the reference gradient comes from the row named ``reference_label``."""
    results, reference, calls = [], None, {}
    ordered = sorted(rows, key=lambda r: r.label != reference_label)
    for row in ordered:
        res, out, calls[row.label] = run_row(row, reference if row.label != reference_label
                                             else None)
        if row.label == reference_label and res.status == "ok":
            reference = out
        results.append(res)
        log(f"  {row.label:<48} {_fmt(res)}")
    by = {r.label: r for r in results}
    budgets = {row.label: row.budget_s for row in rows}
    for a, b in PAIRED:
        if calls.get(a) is None or calls.get(b) is None:
            continue
        by[a].median_s, by[b].median_s, ratio = time_pair(calls[a], calls[b],
                                                          budgets[a] + budgets[b])
        by[a].extra["paired"] = (b, ratio)
        log(f"  {a} / {b}, alternating batches: {ratio:.2f} "
            f"({format_time(by[a].median_s)} / {format_time(by[b].median_s)})")
    order = {r.label: i for i, r in enumerate(rows)}
    return sorted(results, key=lambda r: order[r.label])


def _fmt(res):
    if res.median_s is None:
        return res.status
    return f"{format_time(res.median_s):>10}   first call {format_time(res.first_call_s)}"


def format_time(s):
    if s is None:
        return "—"
    if s < 1e-3:
        return f"{s * 1e6:.1f} µs"
    if s < 1:
        return f"{s * 1e3:.2f} ms"
    return f"{s:.2f} s"


def _one_line(e):
    text = f"{type(e).__name__}: {e}".strip().splitlines()
    first = text[0] if text else type(e).__name__
    if len(first) < 20 and len(text) > 1:
        first += " " + text[1]
    return first[:200] if first else traceback.format_exc().splitlines()[-1]
