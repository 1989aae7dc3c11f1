"""Fuzzing campaign: random programs through pullback, checked against its oracles.

    python tools/fuzz.py 100000                 # or: make fuzz N=100000
    python tools/fuzz.py 5000 --jax-every 10 --save
    python tools/fuzz.py 2000 --arrays --jobs 1   # NumPy array programs (tests/fuzz/arrays.py)

Program ``seed`` is ``generate(RandomChooser(seed))`` (tests/fuzz), so any
failure reproduces from its seed alone.  Every program is checked against
finite differences and pullback's own modes; every ``--jax-every``-th also
against JAX (JAX is ~20 times slower than the rest together).  Failures are
shrunk; ``--save`` writes them to tests/fuzz/cases/, where ``make test`` checks
them from then on.  Prints programs tried, judged, failures and time; exits 1
on any failure.  A failure with the same error as a case marked ``known`` is
counted apart (``--all-failures`` reports them too).  ``--arrays``: array programs instead (``generate_array``,
checked by ``check_array``, saved to tests/fuzz/array_cases/); ``--known``
also generates the constructs of known, unfixed bugs (``arrays.KNOWN``).
"""
import argparse
import collections
import multiprocessing
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests"))

from fuzz.array_oracle import check_array  # noqa: E402
from fuzz.arrays import generate_array  # noqa: E402
from fuzz.choices import RandomChooser  # noqa: E402
from fuzz.oracle import check  # noqa: E402
from fuzz.programs import generate  # noqa: E402
from fuzz.regressions import known_signatures, save, save_array, signature  # noqa: E402
from fuzz.shrink import shrink  # noqa: E402

CHUNK = 50


def run_chunk(job):
    """Check seeds ``start .. start+CHUNK``: counts and shrunk failures."""
    start, stop, opts = job
    counts, failures = collections.Counter(), []
    checker = check_array if opts.arrays else check
    for seed in range(start, stop):
        program = (generate_array(RandomChooser(seed), known=opts.known) if opts.arrays
                   else generate(RandomChooser(seed)))
        use_jax = opts.jax_every > 0 and seed % opts.jax_every == 0
        out = checker(program, use_jax=use_jax, timeout=opts.timeout)
        counts[out.status] += 1
        counts["jax"] += use_jax and out.status == "ok"
        if out.failed and signature(out.kind, out.detail) in opts.signatures:
            counts["known"] += 1          # a known bug again: not shrunk, not a failure
        elif out.failed:
            small, small_out = (shrink(program, out, use_jax=out.kind == "jax", checker=checker)
                                if opts.shrink else (program, out))
            failures.append((seed, out, small, small_out))
    return counts, failures


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("n", type=int, nargs="?", default=1000, help="programs to try")
    ap.add_argument("--seed", type=int, default=0, help="first seed")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--jax-every", type=int, default=20, metavar="K",
                    help="check every K-th program against JAX too (0: never)")
    ap.add_argument("--timeout", type=float, default=30.0, help="seconds per program")
    ap.add_argument("--no-shrink", dest="shrink", action="store_false")
    ap.add_argument("--save", action="store_true", help="write shrunk failures to tests/fuzz/cases")
    ap.add_argument("--arrays", action="store_true", help="NumPy array programs")
    ap.add_argument("--known", action="store_true",
                    help="with --arrays: also the constructs of known bugs")
    ap.add_argument("--all-failures", action="store_true",
                    help="also report failures with the error of a known case (a 'known' line)")
    opts = ap.parse_args(argv)
    opts.signatures = set() if opts.all_failures else known_signatures()
    jobs = [(s, min(s + CHUNK, opts.seed + opts.n), opts)
            for s in range(opts.seed, opts.seed + opts.n, CHUNK)]
    total, failures = collections.Counter(), []
    t0 = last = time.time()
    with multiprocessing.Pool(opts.jobs, maxtasksperchild=20) as pool:
        for counts, found in pool.imap_unordered(run_chunk, jobs):
            total.update(counts)
            failures += found
            for seed, out, _, _ in found:
                print(f"FAIL seed {seed}: {out.kind}: {out.detail[:200]}", flush=True)
            if time.time() - last > 15:
                last = time.time()
                tried = sum(total[k] for k in ("ok", "invalid", "fail"))
                print(f"... {tried} programs, {len(failures)} failures, "
                      f"{tried / (last - t0):.0f}/s", flush=True)
    elapsed = time.time() - t0
    tried = sum(total[k] for k in ("ok", "invalid", "fail"))
    for seed, out, small, small_out in sorted(failures, key=lambda f: f[0]):
        print(f"\n=== seed {seed}: {small_out.kind}: {small_out.detail}\n# args: {small.args}")
        print(small.source)
        if opts.save:
            print("saved to", (save_array if opts.arrays else save)(small, small_out))
    kinds = collections.Counter(out.kind for _, out, _, _ in failures)
    print(f"\nprograms tried: {tried}  judged: {total['ok']} (against JAX: {total['jax']})  "
          f"not judged: {total['invalid']}  failures: {len(failures)} {dict(kinds)}  "
          f"known bugs again: {total['known']}  "
          f"time: {elapsed:.1f} s ({tried / max(elapsed, 1e-9):.1f} programs/s, "
          f"{opts.jobs} processes)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
