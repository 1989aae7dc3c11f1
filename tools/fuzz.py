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

Metamorphic mode (``--variants all`` or a comma list of tests/fuzz/variants.py
NAMES; ``make fuzz`` uses it): each program is checked as above, then every
semantics-preserving rewrite of it on every ``--backends`` (python, numba, c)
in every ``--modes`` (grad, jvp; C has grad only) must give the original's
numbers to 1e-12 or reject (tests/fuzz/metamorphic.py).  ``--corpus`` adds the
hand-written corpus (tests/corpus).  A campaign splits by seed range
(``--seed S N``: seeds S .. S+N-1) and prints programs x variants x backends x
modes, runs, wrong numbers, crashes and false rejections (``--rejections``: each
grouped by message, and the expected ones, pullback's documented behaviour, by reason).  Reproduce the
lead's campaign in parts, e.g.:

    python tools/fuzz.py 1000 --seed 0 --variants all --backends python
    python tools/fuzz.py 500 --seed 0 --variants all --backends python,numba --arrays
    python tools/fuzz.py 200 --seed 0 --variants all --backends python,c --save
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
from fuzz.variants import NAMES  # noqa: E402

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
    ap.add_argument("--variants", default="", metavar="NAMES",
                    help="metamorphic mode: 'all' or a comma list of " + ",".join(NAMES))
    ap.add_argument("--backends", default="python", help="with --variants: python,numba,c")
    ap.add_argument("--modes", default="grad,jvp", help="with --variants: grad,jvp")
    ap.add_argument("--corpus", action="store_true",
                    help="with --variants: also the hand-written corpus (tests/corpus)")
    ap.add_argument("--rejections", action="store_true",
                    help="with --variants: list the false rejections, grouped by message")
    opts = ap.parse_args(argv)
    keep_jax_compiles()
    if opts.variants:
        return metamorphic_main(opts)
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


def keep_jax_compiles():
    """JAX's compiled executables kept on disk for every campaign process (the pool's
    workers inherit the setting): the JAX oracle compiles each primitive per argument
    type eagerly, about 3 s of every new process, which then reads them back.  The
    folder is ``$PULLBACK_CACHE_DIR/fuzz-jax`` (else ``~/.cache/pullback/fuzz-jax``),
    private (``private_dir``: it holds code); ``JAX_COMPILATION_CACHE_DIR`` overrides."""
    if "JAX_COMPILATION_CACHE_DIR" in os.environ:
        return
    from pullback.backends.private_dir import private_dir
    base = os.environ.get("PULLBACK_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"),
        "pullback")
    os.environ["JAX_COMPILATION_CACHE_DIR"] = private_dir(os.path.join(base, "fuzz-jax"))
    os.environ.setdefault("JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS", "0")  # all of them
    os.environ.setdefault("JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES", "0")


# -- metamorphic mode ---------------------------------------------------------------------
def meta_chunk(job):
    """Seeds ``start .. stop`` (or corpus programs) through ``Campaign``: counts, findings."""
    from fuzz.metamorphic import KNOWN_VARIANTS, Campaign, corpus_programs
    start, stop, opts = job
    camp = Campaign(tuple(opts.backends.split(",")), tuple(opts.modes.split(",")),
                    None if opts.variants == "all" else tuple(opts.variants.split(",")),
                    timeout=opts.timeout)
    if isinstance(start, tuple):                 # ("corpus", k): ten corpus cases
        items = corpus_programs()[10 * start[1]:10 * start[1] + 10]
    else:
        items = [(seed, generate_array(RandomChooser(seed), known=opts.known) if opts.arrays
                  else generate(RandomChooser(seed))) for seed in range(start, stop)]
    for seed, program in items:
        use_jax = opts.jax_every > 0 and isinstance(seed, int) and seed % opts.jax_every == 0
        camp.add(program, seed, use_jax=use_jax)
    camp.finish()
    found, seen = [], set()
    for fd in camp.findings:
        known = fd.variant in KNOWN_VARIANTS and not opts.all_failures
        camp.counts["known"] += known
        if known or fd.key in seen:
            continue
        seen.add(fd.key)
        small = shrink_finding(fd, opts) if opts.shrink else (fd.program, None)
        found.append((fd, small))
    return camp.counts, found, (camp.false_rejections, camp.expected_rejections)


def shrink_finding(fd, opts):
    """The finding's program shrunk while the same variant still fails the same way."""
    import functools

    from fuzz.metamorphic import check_variant
    if fd.kind == "oracle":
        return fd.program, None
    checker = functools.partial(check_variant, variant=fd.variant.replace("-moved", ""),
                                backend=fd.backend, mode=fd.mode, kind=fd.kind)
    out = checker(fd.program, timeout=opts.timeout)
    if not out.failed:
        return fd.program, None
    return shrink(fd.program, out, use_jax=False, budget=300, checker=checker)


def metamorphic_main(opts):
    stop = opts.seed + opts.n
    jobs = [(s, min(s + CHUNK, stop), opts) for s in range(opts.seed, stop, CHUNK)]
    if opts.corpus:
        from fuzz.metamorphic import corpus_programs
        jobs += [(("corpus", k), None, opts) for k in range((len(corpus_programs()) + 9) // 10)]
    if "numba" in opts.backends:     # generated Numba modules go with the campaign
        import tempfile
        os.environ.setdefault("PULLBACK_CACHE_DIR", tempfile.mkdtemp(prefix="pullback-numba-"))
    total, found, rejected, expected = collections.Counter(), [], [], collections.Counter()
    t0 = time.time()
    with multiprocessing.Pool(opts.jobs, maxtasksperchild=4) as pool:
        for counts, chunk_found, (chunk_rejected, chunk_expected) in pool.imap_unordered(
                meta_chunk, jobs):
            total.update(counts)
            found += chunk_found
            rejected += chunk_rejected
            expected.update(chunk_expected)
            for fd, _ in chunk_found:
                print(f"FOUND seed {fd.seed}: {fd.key}: {fd.detail[:200]}", flush=True)
            print(f"... {total['programs']} programs, {total['runs']} runs, "
                  f"{time.time() - t0:.0f} s", flush=True)
    elapsed = time.time() - t0
    from fuzz.regressions import save_variant
    for fd, (small, out) in found:
        print(f"\n=== seed {fd.seed}: {fd.key}: {(out.detail if out else fd.detail)[:600]}\n"
              f"# args: {small.args!r}\n{small.source}")
        if opts.save and out is not None:
            print("saved to", save_variant(small, out, fd))
    if opts.rejections:
        print_rejections(rejected, expected)
    backends, modes = opts.backends.split(","), opts.modes.split(",")
    n_var = total["variants"] / max(total["programs"], 1)
    print(f"\nprograms: {total['programs']} (+{total['invalid']} not judged)  x variants: "
          f"{total['variants']} ({n_var:.1f} per program; {total['variants dropped']} dropped: "
          f"value differs)  x backends: {','.join(backends)}  x modes: {','.join(modes)}\n"
          f"runs: {total['runs']}  agree: {total['agree']}  wrong: {total['wrong']}  "
          f"crashes: {total['crash']}  oracle failures: {total['oracle']}  "
          f"false rejections: {total['false rejections']} (expected: "
          f"{total['expected rejections']}; rejections: {total['rejected']})  "
          f"not applicable: {total['not applicable']}  known: {total['known']}\n"
          f"findings (distinct, not known): {len(found)}  time: {elapsed:.1f} s "
          f"({opts.jobs} processes)")
    return 1 if found else 0


def print_rejections(rejected, expected):
    """False rejections (a variant, or a backend, declined what the original's Python run
    took) grouped by their message without positions: most frequent first, with seeds;
    then the expected ones (tests/fuzz/metamorphic.py EXPECTED) by reason."""
    import re
    if expected:
        print(f"\nexpected rejections: {sum(expected.values())}")
        for reason, n in expected.most_common():
            print(f"{n:6d}  {reason}")
    groups = collections.defaultdict(list)
    for seed, variant, backend, mode, detail in rejected:
        text = re.sub(r"\S*\.py:\d+(:\d+)?:? ?", "", detail.splitlines()[0] if detail else "")
        groups[text[:160]].append(f"{seed}:{variant}:{backend}:{mode}")
    print(f"\nfalse rejections: {len(rejected)} in {len(groups)} groups")
    for text, where in sorted(groups.items(), key=lambda g: -len(g[1])):
        print(f"{len(where):6d}  {text}\n        {' '.join(where[:6])}")


if __name__ == "__main__":
    sys.exit(main())
