"""Checkpointing: a long 2-D heat equation reversed from snapshots vs taped, pullback and JAX.

    python -m benchmarks.checkpointing                       # the `make bench` size
    python -m benchmarks.checkpointing --steps 100000        # issue 18's acceptance size

An explicit 2-D heat equation on a ``size x size`` grid (10^4 cells by default) runs
``--steps`` steps.  Taped, its reverse sweep stores about one state per step (8 GB at
10^5 steps of 10^4 cells), so the taped gradient is measured on a short run
(``--short`` steps) and its time and memory extrapolated linearly; the checkpointed
gradient (``checkpoint=--snapshots``) is measured in full.  JAX runs the same side by
side: ``lax.scan`` taped, and a scan of ``jax.checkpoint``-ed blocks of ``sqrt(steps)``
steps (JAX's usual remat of a long scan, two nested scans).

Each measurement runs in its own process, so its memory is its own: the peak RSS
growth during the gradient call (Linux's VmHWM, reset just before the call through
/proc/self/clear_refs, after glibc's malloc_trim; the process's whole peak RSS,
interpreter and libraries included, is printed beside it), and for pullback the peak
of tracemalloc (Python and NumPy allocations) during a second, untimed call.  XLA's
buffers are outside tracemalloc: for JAX that column is XLA's memory_analysis of the
compiled gradient (arguments, results and temporaries).  Time ratios divide CPU
times (the process's, so a shared machine's other load does not enter them); wall
times are printed beside them.  Checks: on the short run the checkpointed gradient is
bitwise the taped one; JAX agrees with pullback on the short run and at full size
(the largest difference is printed).  Invariant: each child process prints one JSON
line and writes its gradient to one .npy file; the parent only reads those.
"""
import argparse
import ctypes
import json
import math
import os
import subprocess
import sys
import tempfile
import time
import tracemalloc

import numpy as np

TITLE = "Checkpointing (2-D heat equation, 100 x 100 cells)"
KAPPA = 0.2
STEPS, SHORT, SIZE, SNAPSHOTS = 10_000, 1_000, 100, 100       # `make bench`'s row
KINDS = ("pullback-taped", "pullback-ckpt", "jax-taped", "jax-ckpt")


def heat(u0, kappa, n):
    u = u0.copy()
    for _ in range(n):
        u[1:-1, 1:-1] = u[1:-1, 1:-1] + kappa * (u[2:, 1:-1] + u[:-2, 1:-1] + u[1:-1, 2:]
                                                 + u[1:-1, :-2] - 4.0 * u[1:-1, 1:-1])
    return np.sum(u * u)


def initial(size):
    x = np.linspace(0.0, 1.0, size)
    return np.sin(3.0 * x)[:, None] * np.cos(2.0 * x)[None, :] + 0.5


def block(n):
    """The divisor of ``n`` nearest sqrt(n) from below: JAX's inner scan length."""
    return max(d for d in range(1, math.isqrt(n) + 1) if n % d == 0)


def jax_gradient(n, checkpointed):
    """A compiled ``(u0, kappa) -> (u0_bar, kappa_bar)`` for ``n`` steps."""
    import jax
    import jax.numpy as jnp
    jax.config.update("jax_enable_x64", True)

    def step(u, kappa):
        inner = u[1:-1, 1:-1]
        lap = u[2:, 1:-1] + u[:-2, 1:-1] + u[1:-1, 2:] + u[1:-1, :-2] - 4.0 * inner
        return u.at[1:-1, 1:-1].set(inner + kappa * lap)

    def steps(u, kappa, count):
        return jax.lax.scan(lambda c, _: (step(c, kappa), None), u, None, length=count)[0]

    def loss(u0, kappa):
        if checkpointed:
            b = block(n)
            run = jax.checkpoint(lambda u: steps(u, kappa, b))
            u = jax.lax.scan(lambda c, _: (run(c), None), u0, None, length=n // b)[0]
        else:
            u = steps(u0, kappa, n)
        return jnp.sum(u * u)
    return jax.jit(jax.grad(loss, argnums=(0, 1)))


def _status(key):
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024
    return None


def _reset_peak():
    """Linux: VmHWM := VmRSS (clear_refs 5).  False where that is not possible."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


def child(kind, steps, size, snapshots, out):
    """Measure one gradient in this process: one JSON line on stdout, the gradient in ``out``."""
    u0 = initial(size)
    traced = None
    if kind.startswith("jax"):
        import jax
        g = jax_gradient(steps, kind == "jax-ckpt")
        # XLA's own account of the compiled gradient's buffers (arguments, results,
        # temporaries): the figure RSS cannot give when compilation's freed memory is reused
        use = g.lower(u0, KAPPA).compile().memory_analysis()
        traced = use and (use.temp_size_in_bytes + use.argument_size_in_bytes +
                          use.output_size_in_bytes)

        def call():
            return [np.asarray(x) for x in jax.block_until_ready(g(u0, KAPPA))]
        warm = call
    else:
        import pullback
        snaps = snapshots if kind == "pullback-ckpt" else None
        gp = pullback.grad(heat, argnums=(0, 1), checkpoint=snaps)

        def call():
            return gp(u0, KAPPA, steps)

        def warm():
            return gp(u0, KAPPA, 2)
    warm()
    _trim()
    before = _status("VmRSS")
    reset = _reset_peak()
    start, cpu = time.perf_counter(), time.process_time()
    grads = call()
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    hwm = _status("VmHWM")
    if not kind.startswith("jax"):
        del grads
        tracemalloc.start()
        grads = call()
        traced = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    np.save(out, np.concatenate([np.ravel(grads[0]), [float(grads[1])]]))
    print(json.dumps({"seconds": seconds, "cpu": cpu, "traced": traced, "rss_peak": hwm,
                      "rss_growth": hwm - before if reset else None}))


def _trim():
    """Hand freed heap back to the system (glibc), so RSS growth counts new memory only."""
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def measure(kind, steps, size, snapshots, tmp):
    out = os.path.join(tmp, f"{kind}-{steps}.npy")
    cmd = [sys.executable, "-m", "benchmarks.checkpointing", "--child", kind, "--steps",
           str(steps), "--size", str(size), "--snapshots", str(snapshots), "--out", out]
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=here)
    if done.returncode != 0:
        raise RuntimeError(f"{kind}, {steps} steps: " + done.stderr.strip()[-500:])
    got = json.loads(done.stdout.strip().splitlines()[-1])
    got["gradient"] = np.load(out)
    return got


def _mb(x):
    return "—" if x is None else f"{x / 1e6:.1f} MB"


def run(steps=STEPS, short=SHORT, size=SIZE, snapshots=SNAPSHOTS, log=print):
    """Measure every kind; returns (markdown lines, {figure: value}) and logs as it goes."""
    from pullback.rules.schedule import forward_steps
    with tempfile.TemporaryDirectory() as tmp:
        m = {}
        for kind in KINDS:
            for n in (short, steps):
                if n == steps and kind.endswith("taped"):
                    continue            # 8 GB at full size: extrapolated from the short run
                try:
                    m[kind, n] = measure(kind, n, size, snapshots, tmp)
                    log(f"  measured {kind}, {n} steps: {m[kind, n]['seconds']:.2f} s")
                except Exception as e:  # JAX missing: its rows say so, the run goes on
                    log(f"  {kind}, {n} steps: unsupported yet: {e}")
    scale = steps / short
    rows, figures = [], {}
    for tool in ("pullback", "jax"):
        taped, ck = m.get((f"{tool}-taped", short)), m.get((f"{tool}-ckpt", steps))
        if taped is None or ck is None:
            rows.append(f"| {tool} | not measured | | | | | |")
            continue
        t_ratio = ck["cpu"] / (taped["cpu"] * scale)
        g_tape = taped["rss_growth"] and taped["rss_growth"] * scale
        t_tape = taped["traced"] and taped["traced"] * scale
        how = f"{snapshots} snapshots" if tool == "pullback" else \
            f"scan of jax.checkpoint blocks of {block(steps)}"
        rows.append(f"| {tool} taped (x{scale:g} of {short} steps) | {_mb(g_tape)} | "
                    f"{_mb(t_tape)} | {_mb(taped['rss_peak'])} (short run) | "
                    f"{taped['seconds'] * scale:.2f} s | {taped['cpu'] * scale:.2f} s | 1 |")
        rows.append(f"| {tool} checkpointed, {how} | {_mb(ck['rss_growth'])} | "
                    f"{_mb(ck['traced'])} | {_mb(ck['rss_peak'])} | {ck['seconds']:.2f} s | "
                    f"{ck['cpu']:.2f} s | {t_ratio:.2f} |")
        figures[f"{tool} time ratio"] = t_ratio
        figures[f"{tool} memory"] = max(x for x in (ck["rss_growth"], ck["traced"]) if x)
    extra = forward_steps(steps, snapshots)
    lines = [f"{steps} steps on {size} x {size} cells; the taped rows are extrapolated "
             f"from a {short}-step run.", "",
             "| gradient | peak RSS growth | peak tracemalloc (JAX: XLA buffers) | "
             "process peak RSS | wall time | CPU time | CPU time / taped |",
             "|---|---|---|---|---|---|---|"] + rows + [""]
    lines.append(f"- pullback recomputed {extra} steps: revolve's optimum t({steps}, "
                 f"{snapshots}), {(steps + extra) / steps:.2f} forward steps per step")
    pt, pc = m.get(("pullback-taped", short)), m.get(("pullback-ckpt", short))
    if pt and pc:
        same = np.array_equal(pt["gradient"], pc["gradient"])
        figures["bitwise"] = same
        lines.append(f"- pullback checkpointed = taped on {short} steps, bitwise: {same}")
    for n, a, b in ((short, "pullback-taped", "jax-taped"), (steps, "pullback-ckpt", "jax-ckpt")):
        if (a, n) in m and (b, n) in m:
            x, y = m[a, n]["gradient"], m[b, n]["gradient"]
            err = float(np.max(np.abs(x - y)) / np.max(np.abs(y)))
            lines.append(f"- {a} vs {b} on {n} steps: largest difference {err:.1e} "
                         f"(relative to the largest entry)")
            figures[f"jax agreement {n}"] = err
    return lines, figures


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m benchmarks.checkpointing",
                                 description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=STEPS)
    ap.add_argument("--short", type=int, default=SHORT)
    ap.add_argument("--size", type=int, default=SIZE, help="cells per side")
    ap.add_argument("--snapshots", type=int, default=SNAPSHOTS)
    ap.add_argument("--child", choices=KINDS, help=argparse.SUPPRESS)
    ap.add_argument("--out", help=argparse.SUPPRESS)
    opts = ap.parse_args(argv)
    if opts.child:
        return child(opts.child, opts.steps, opts.size, opts.snapshots, opts.out)
    lines, _ = run(opts.steps, opts.short, opts.size, opts.snapshots)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
