"""Metamorphic checks: a program and its rewrites must give the same numbers everywhere.

``Campaign.add(program)`` checks one program (a generated ``Program`` or
``ArrayProgram``, or a corpus case) with its usual oracle (``oracle.check`` or
``array_oracle.check_array``: finite differences, JAX, pullback's own modes);
a program that oracle cannot judge is skipped.  Then every ``variants``
rewrite of it, imported from its own module file, must

- compute the same primal value (else the rewrite does not apply: dropped);
- pass the same oracle (JAX is left out for rewrites that alias arrays: the
  JAX twin has value semantics);
- on every backend and in each mode give the numbers the original gives on
  the Python backend (``backends.agree``) or reject with a TransformError;
- for ``global``: after the module's globals move, give the numbers of the
  original program written with the new constants (same function, same
  ``value_and_grad`` objects; C is emitted again).

The original itself runs on every backend too.  C units of many programs are
compiled together at ``Campaign.finish()``.  Each (program, variant, backend,
mode) compared is one run; a ``Finding`` is a run that gave other numbers
(``wrong``), raised something other than a TransformError (``crash``), or a
variant the oracle failed (``oracle``).  A rejection where the original was
accepted counts as a false rejection, not a finding, unless ``EXPECTED`` gives the
reason it is pullback's documented behaviour (an expected rejection).
"""
import collections
import copy
import math
import re
import signal
from dataclasses import dataclass, replace

import numpy as np

from . import oracle
from .array_oracle import check_array
from .backends import BACKENDS, MODES, CBatch, Result, Runner, agree
from .oracle import Outcome, Timeout, check, load
from .shapes import shapes_at_lines
from .variants import variants

# Wrong numbers and crashes of causes being fixed elsewhere: ``tools/fuzz.py`` counts them as
# "known" and the CI test allows them (their cases are in tests/fuzz/cases, marked known).
KNOWN_VARIANTS = {
    "global-moved": "module globals are folded at the first transform (frontend/expressions.py)",
    "npsum": "np.sum of a list of scalars has a zero derivative (container types)",
}
NO_JAX = {"alias", "identity", "loop", "index", "index_closure", "npsum"}

# Rejections that are pullback's documented behaviour where the original is accepted:
# (variant, backend or None, message pattern, reason).  They count as "expected" with
# their reason (tools/fuzz.py --rejections lists both kinds), not as false rejections.
EXPECTED = (
    ("alias", None, r"in-place write to '\w+_alias\d+' while ('\w+'|another name for the "
     r"same array \(b = a\)), which shares its memory, "
     r"is still read",
     "a write through a second name (b = a; b[i] = v) while the first is still read: "
     "rejected at the write's line by the alias analysis (docs/edges.md, 'In-place writes "
     "and aliasing'); NumPy's meaning would need must-alias renaming, not built"),
)


def expected_reason(variant, backend, detail):
    """The reason a rejection of ``variant`` on ``backend`` is expected, or None."""
    for v, b, pattern, reason in EXPECTED:
        if v == variant and b in (None, backend) and re.search(pattern, detail or ""):
            return reason
    return None


@dataclass
class Finding:
    seed: object
    program: object
    variant: str
    backend: str
    mode: str
    kind: str                  # wrong | crash | oracle
    detail: str

    @property
    def key(self):
        return f"{self.variant}:{self.backend}:{self.mode}:{self.kind}"


def _array(program):
    return hasattr(program, "simpler_args")


def _load(program):
    """``load(program.source)`` as its oracle loads it (array programs: NumPy raising)."""
    if not _array(program):
        return load(program.source)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        return load(program.source)


def _rejection(out):
    """An oracle failure that is pullback declining (counted in the runs), not a bug."""
    return out.kind == "unsupported" or out.detail.startswith(("TransformError",
                                                              "UnsupportedError"))


def _value(f, args):
    """``f``'s value, within ``oracle.PRIMAL_LIMIT`` seconds (a moved constant can stop a
    loop converging: ``Timeout``, which callers treat as any error)."""
    signal.signal(signal.SIGALRM, oracle._alarm)
    signal.setitimer(signal.ITIMER_REAL, oracle.PRIMAL_LIMIT)
    try:
        with np.errstate(all="ignore"):
            v = f(*copy.deepcopy(args))
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    return float(v) if np.ndim(v) == 0 else math.nan


class Campaign:
    def __init__(self, backends=BACKENDS, modes=MODES, only=None, timeout=30.0, c_flags=("-O1",)):
        self.backends = tuple(dict.fromkeys(("python",) + tuple(backends)))  # python: reference
        self.modes, self.only, self.timeout = modes, only, timeout
        self.counts = collections.Counter()
        self.findings = []
        self.false_rejections = []  # (seed, variant, backend, mode, message): to inspect
        self.expected_rejections = collections.Counter()    # reason -> runs
        self.batch = CBatch(c_flags)
        self.pending = []          # (seed, program, variant, mode, expected, result, base) for C
        self.base = {}             # the current original's results: (backend, mode) -> Result

    # -- one program ---------------------------------------------------------------------
    def add(self, program, seed=None, use_jax=False):
        checker = check_array if _array(program) else check
        try:        # loaded once: the oracle and the runs call the same function objects
            loaded = _load(program)
        except Exception:   # noqa: BLE001 -- as the oracle's own load: not judged
            self.counts["invalid"] += 1
            return
        base_out = checker(program, use_jax=use_jax, timeout=self.timeout, loaded=loaded)
        if base_out.status == "invalid":
            self.counts["invalid"] += 1
            return
        self.counts["programs"] += 1
        if base_out.failed:
            self._find(seed, program, "base", "python", "grad", "oracle",
                       f"{base_out.kind}: {base_out.detail}")
        ns = loaded[0]
        f = ns[program.entry]
        base_value = _value(f, program.args)
        shapes = shapes_at_lines(program.source, f, program.args, program.entry) \
            if _array(program) else {}
        ref = self._runs(seed, program, "base", f, None)
        self.base = ref.results
        for v in variants(program.source, program.entry, "array" if _array(program) else "scalar",
                          shapes, self.only):
            vp = replace(program, source=v.source)
            try:
                vloaded = _load(vp)
                vns = vloaded[0]
                same = math.isclose(_value(vns[program.entry], program.args), base_value,
                                    rel_tol=1e-12, abs_tol=1e-300)
            except Exception:   # noqa: BLE001 -- a rewrite that does not apply here
                same = False
            if not same:
                self.counts["variants dropped"] += 1
                continue
            self.counts["variants"] += 1
            out = checker(vp, use_jax=use_jax and v.name not in NO_JAX, timeout=self.timeout,
                          loaded=vloaded)
            if out.failed and not _rejection(out):
                self._find(seed, vp, v.name, "python", "grad", "oracle", f"{out.kind}: {out.detail}")
            runner = self._runs(seed, program, v.name, vns[program.entry], ref)
            if v.change:
                self._moved(seed, program, v, vns, runner)

    def _runs(self, seed, program, name, f, ref):
        """Run ``f`` everywhere; compare with ``ref`` (the original's Python results, by
        mode) or, for the original itself (``ref`` None), with its own Python results."""
        runner = Runner(f, program.args, program.argnums)
        runner.results = {}
        for mode in self.modes:
            for backend in self.backends:
                if backend == "c":
                    if mode != "grad":
                        continue
                    r = self._limited(lambda: self.batch.add(f, program.args, program.argnums))
                else:
                    r = self._limited(lambda: runner.run(backend, mode))
                runner.results[(backend, mode)] = r
                expected = (ref.results if ref is not None else runner.results)[
                    ("python", mode)] if ref is not None or backend != "python" else None
                if r.status == "pending":
                    self.pending.append((seed, program, name, mode, expected, r, self.base))
                elif expected is not None:
                    self._compare(seed, program, name, backend, mode, expected, r)
        return runner

    def _moved(self, seed, program, v, vns, runner):
        """``global``: move the globals, rerun the same objects, compare with the original
        written with the new constants."""
        try:
            rns, _, _ = load(v.reference)
            rf = rns[program.entry]
            want = _value(rf, program.args)
        except Exception:   # noqa: BLE001 -- the moved constants leave the domain
            return
        if not math.isfinite(want):
            return
        ref = {("python", m): self._limited(lambda: Runner(rf, program.args,
                                                           program.argnums).run("python", m))
               for m in self.modes}
        for name, value in v.change.items():
            vns[name] = value
        for mode in self.modes:
            for backend in self.backends:
                if backend == "c":
                    if mode == "grad":
                        r = self._limited(lambda: self.batch.add(vns[program.entry], program.args,
                                                                 program.argnums))
                        self.pending.append((seed, program, "global-moved", mode,
                                             ref[("python", mode)], r, self.base))
                    continue
                r = self._limited(lambda: runner.run(backend, mode))
                self._compare(seed, program, "global-moved", backend, mode, ref[("python", mode)],
                              r)

    def _limited(self, run):
        if not self.timeout:
            return run()
        signal.signal(signal.SIGALRM, oracle._alarm)
        signal.setitimer(signal.ITIMER_REAL, self.timeout)
        try:
            return run()
        except Timeout:
            return Result("crash", detail=f"more than {self.timeout} s")
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)

    def _compare(self, seed, program, name, backend, mode, expected, r, base=None):
        """``r`` against ``expected``; a rejection is false where the original was accepted
        on the same backend in the same mode (``base``: the original's results)."""
        if r.status == "pending" or name == "base" and backend == "python":
            return
        base = (base or self.base).get((backend, mode), expected) if name != "base" else r
        self.counts["runs"] += 1
        if r.status == "crash":
            self._find(seed, program, name, backend, mode, "crash", r.detail)
        elif r.status == "reject":
            self.counts["rejected"] += 1
            reason = expected_reason(name, backend, r.detail)
            if base.status == "ok" and reason is not None:
                self.counts["expected rejections"] += 1
                self.expected_rejections[reason] += 1
            elif base.status == "ok":
                self.counts["false rejections"] += 1
                self.false_rejections.append((seed, name, backend, mode, r.detail))
        elif r.status == "na":
            self.counts["not applicable"] += 1
        elif expected.status == "ok" and not agree(expected, r):
            self._find(seed, program, name, backend, mode, "wrong",
                       f"value {r.value!r} derivative {list(r.deriv)!r}; the original on "
                       f"python: value {expected.value!r} derivative {list(expected.deriv)!r}")
        else:
            self.counts["agree"] += 1

    def _find(self, seed, program, variant, backend, mode, kind, detail):
        self.counts[kind] += 1
        self.findings.append(Finding(seed, program, variant, backend, mode, kind, detail))

    # -- the C batch -------------------------------------------------------------------
    def finish(self):
        """Compile and run the C units gathered so far; compare them."""
        self.batch.run()
        for seed, program, name, mode, expected, r, base in self.pending:
            if expected is not None:
                self._compare(seed, program, name, "c", mode, expected, r, base)
        self.pending, self.batch = [], CBatch(self.batch.flags)


def check_variant(program, use_jax=False, timeout=20, variant="global", backend="python",
                  mode="grad", kind="wrong"):
    """One variant on one backend in one mode as an ``oracle.Outcome`` (for ``shrink`` and
    the case files): ``fail`` with kind ``variant`` when it finds ``kind`` there."""
    camp = Campaign(backends=tuple(dict.fromkeys(("python", backend))), modes=(mode,),
                    only=(variant,), timeout=timeout)
    try:
        camp.add(program, use_jax=use_jax)
        camp.finish()
    except Timeout:
        return Outcome("invalid", "timeout")
    if camp.counts["invalid"]:
        return Outcome("invalid", "base")
    for fd in camp.findings:
        if fd.backend == backend and fd.mode == mode and fd.kind == kind and \
                fd.variant in (variant, "global-moved"):
            if kind == "crash":        # shrink keeps the same error (paths and names aside)
                return Outcome("fail", "crash", f"{fd.key}: {_essence(fd.detail)}")
            return Outcome("fail", "variant", f"{fd.key}: {fd.detail}")
    return Outcome("ok")


def _essence(detail):
    """An error without file paths and positions; a C compiler's: its first warning flag."""
    flag = re.search(r"\[-W[^\]]*\]", detail)
    if detail.startswith("C does not") and flag:
        return f"C does not compile: {flag.group(0)}"
    return re.sub(r"\S*\.(py|c):\d+(:\d+)?:? ?", "", detail)


def corpus_programs():
    """The hand-written corpus (tests/corpus) as ``Program``s: each case's whole module as the
    source (its imports made absolute), its function as the entry."""
    import inspect
    import re

    from corpus import CASES

    from .programs import Program
    out = []
    for case in CASES:
        module = inspect.getmodule(case.func)
        source = re.sub(r"^from \.(\w+) import", r"from corpus.\1 import",
                        inspect.getsource(module), flags=re.M)
        # every float argument is differentiated (vjp gives cotangents for all of them)
        params = [(f"a{i}", "float" if isinstance(a, float) else "const")
                  for i, a in enumerate(case.args)]
        out.append((case.id, Program(source, params, tuple(case.args), case.func.__name__)))
    return out
