"""Checkpointing: a long explicit heat equation reversed from snapshots vs taped.

    python -m benchmarks.checkpointing [--steps 100000] [--cells 1000] [--snapshots 40]

The taped gradient stores every step, so at 10^5 steps it does not fit; it is
measured on a short run (``--short`` steps) and extrapolated linearly, as the
checkpointed one is measured in full.  Peak memory is tracemalloc's (Python and
NumPy allocations) during a second gradient call (the first is timed); the short run also checks that the
two gradients are bitwise equal.  Prints one table and the ratios.
"""
import argparse
import time
import tracemalloc

import numpy as np

import pullback
from pullback.rules.schedule import forward_steps


def heat(u0, kappa, n):
    u = u0.copy()
    for i in range(n):
        u[1:-1] = u[1:-1] + kappa * (u[2:] - 2.0 * u[1:-1] + u[:-2])
    return np.sum(u * u)


def measure(g, *args):
    """(gradient, seconds, peak bytes) after a warm-up compile: one call timed, then one
    traced (tracemalloc slows allocation, so it stays out of the timing)."""
    g(args[0], args[1], 2)
    t = time.perf_counter()
    out = g(*args)
    seconds = time.perf_counter() - t
    tracemalloc.start()
    g(*args)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return out, seconds, peak


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m benchmarks.checkpointing")
    ap.add_argument("--steps", type=int, default=100_000)
    ap.add_argument("--short", type=int, default=2_000)
    ap.add_argument("--cells", type=int, default=1_000)
    ap.add_argument("--snapshots", type=int, default=40)
    ap.add_argument("--backend", default="python")
    opts = ap.parse_args(argv)
    u0 = np.sin(np.linspace(0.0, 3.0, opts.cells))
    kappa = 0.2
    taped = pullback.grad(heat, argnums=(0, 1), backend=opts.backend)
    ckpt = pullback.grad(heat, argnums=(0, 1), backend=opts.backend, checkpoint=opts.snapshots)
    want, t_short, m_short = measure(taped, u0, kappa, opts.short)
    got, _, _ = measure(ckpt, u0, kappa, opts.short)
    same = all(np.array_equal(a, b) for a, b in zip(got, want))
    _, t_ck, m_ck = measure(ckpt, u0, kappa, opts.steps)
    scale = opts.steps / opts.short
    t_tape, m_tape = t_short * scale, m_short * scale
    extra = forward_steps(opts.steps, opts.snapshots)
    print(f"heat equation, {opts.cells} cells, {opts.steps} steps, {opts.backend} backend")
    print(f"  {'':34} {'peak memory':>14} {'time':>10}")
    print(f"  {'taped (extrapolated from %d)' % opts.short:34} {m_tape / 1e6:11.1f} MB "
          f"{t_tape:8.2f} s")
    print(f"  {'checkpointed, %d snapshots' % opts.snapshots:34} {m_ck / 1e6:11.1f} MB "
          f"{t_ck:8.2f} s")
    print(f"  memory ratio taped/checkpointed: {m_tape / m_ck:.0f}x; "
          f"time ratio checkpointed/taped: {t_ck / t_tape:.2f}x")
    print(f"  recomputed steps: {extra} (revolve's optimum t(n, s)), recompute factor "
          f"{(opts.steps + extra) / opts.steps:.2f} forward steps per step")
    print(f"  gradients on {opts.short} steps bitwise equal: {same}")


if __name__ == "__main__":
    main()
