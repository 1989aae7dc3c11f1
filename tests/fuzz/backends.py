"""One loaded function on every backend and in both modes: the numbers to compare.

``Runner(f, args, nums)`` runs ``grad`` (``value_and_grad``: the value and every
gradient leaf) and ``jvp`` (the value and J v for a fixed tangent v, as
``array_oracle``) on the Python and Numba backends; ``emit_c`` makes the C
gradient, which ``CBatch`` compiles together with many others (one compiler
run per batch: compile time bounds C fuzzing) and runs in one executable.  C
has no forward mode, so C runs ``grad`` only.  A ``Runner`` keeps its
``value_and_grad`` objects, so a second ``run`` after the function's globals
changed calls the same objects a user keeps.

A ``Result`` is ``ok`` (value, derivative leaves), ``reject`` (a
TransformError: pullback declined, naming the line), ``crash`` (any other
exception; a C program that fails to compile or run), or ``na`` (the backend
does not take such arguments: containers under Numba, a C status code).
"""
import copy
import math
import os
import subprocess
import tempfile
from dataclasses import dataclass

import numpy as np

import pullback

from .array_oracle import leaves, rebuild
from .oracle import Timeout

BACKENDS = ("python", "numba", "c")
MODES = ("grad", "jvp")
RTOL = 1e-12


@dataclass
class Result:
    status: str                 # ok | reject | crash | na
    value: float = math.nan
    deriv: tuple = ()
    detail: str = ""


def tangents(args, nums):
    """The fixed tangent of ``jvp`` (ints get 0), as ``array_oracle`` uses."""
    out = []
    for i, a in enumerate(args):
        if i not in nums:
            out.append(0)
            continue
        n = len(leaves(a))
        out.append(rebuild(a, [0.5 + 0.25 * ((3 * i + k) % 5) for k in range(n)]))
    return tuple(out)


def _error(exc):
    if isinstance(exc, Timeout):
        raise exc
    if isinstance(exc, pullback.TransformError):
        return Result("reject", detail=f"{type(exc).__name__}: {exc}")
    text = f"{type(exc).__name__}: {exc}"
    if isinstance(exc, (ImportError, TypeError)) and ("numba" in text.lower() or
                                                     "containers" in text):
        return Result("na", detail=text)
    return Result("crash", detail=text)


class Runner:
    def __init__(self, f, args, nums):
        self.f, self.args, self.nums = f, args, nums
        self.derivatives = {}

    def run(self, backend, mode):
        if backend == "c":
            raise ValueError("C runs through CBatch")
        args = copy.deepcopy(self.args)
        try:
            if mode == "grad":
                d = self.derivatives.get(backend)
                if d is None:
                    d = self.derivatives[backend] = pullback.value_and_grad(
                        self.f, argnums=self.nums, backend=backend)
                value, grads = d(*args)
                deriv = tuple(v for g in grads for v in leaves(g))
            else:
                value, tan = pullback.jvp(self.f, tuple(args),
                                          tangents(self.args, self.nums), backend=backend)
                deriv = tuple(leaves(tan))
            return Result("ok", float(np.asarray(value)), deriv)
        except Exception as exc:   # noqa: BLE001 -- every failure is classified
            return _error(exc)


_SERIAL = [0]


class CBatch:
    """C gradients of many functions, compiled by one ``cc`` run and run by one driver."""

    def __init__(self, flags=("-O1",)):
        self.units, self.flags = [], list(flags)

    def add(self, f, args, nums):
        """A ``Result`` to fill in at ``run()`` (or one already final: a rejection)."""
        from pullback.emit_c import emit_c
        _SERIAL[0] += 1
        name = f"m{os.getpid()}_{_SERIAL[0]}"
        try:
            emitted = emit_c(f, *copy.deepcopy(args), argnums=nums, name=name)
        except Exception as exc:   # noqa: BLE001
            out = _error(exc)
            if isinstance(exc, TypeError):
                out.status = "na"            # containers, an int result: not C's arguments
            return out
        result = Result("pending")
        self.units.append((name, emitted, args, nums, result))
        return result

    def run(self):
        """Compile and run every unit added; fills their ``Result``s."""
        from c_driver import CC, STRICT, array_driver
        if not self.units:
            return
        if CC is None:
            for *_, r in self.units:
                r.status, r.detail = "na", "no C compiler"
            return
        with tempfile.TemporaryDirectory(prefix="pullback-fuzz-c-") as tmp:
            objs = self._compile(CC, STRICT, tmp)
            alive = [u for u in self.units if u[0] in objs]
            if not alive:
                return
            if not self._drive(CC, STRICT, tmp, alive, [objs[u[0]] for u in alive], array_driver):
                for u in alive:             # one unit broke the driver: run each alone
                    self._drive(CC, STRICT, tmp, [u], [objs[u[0]]], array_driver)

    def _compile(self, cc, strict, tmp):
        sources = [u[1].write(tmp)[0] for u in self.units]
        done = subprocess.run([cc, *strict, *self.flags, "-c", *sources], cwd=tmp,
                              capture_output=True, text=True)
        objs = {u[0]: os.path.join(tmp, u[0] + ".o") for u in self.units}
        if done.returncode != 0:
            for (name, *_, r), src in zip(self.units, sources):
                one = subprocess.run([cc, *strict, *self.flags, "-c", src], cwd=tmp,
                                     capture_output=True, text=True)
                if one.returncode != 0:
                    r.status, r.detail = "crash", f"C does not compile: {one.stderr[-600:]}"
                    objs.pop(name)
        return objs

    def _drive(self, cc, strict, tmp, units, objs, array_driver):
        main = os.path.join(tmp, f"main_{units[0][0]}.c")
        with open(main, "w") as fh:
            fh.write(array_driver([(name, args, nums) for name, _, args, nums, _ in units]))
        exe = main[:-2]
        link = subprocess.run([cc, *strict, *self.flags, "-o", exe, main, *objs, "-lm"],
                              capture_output=True, text=True)
        if link.returncode != 0:
            for *_, r in units:
                r.status, r.detail = "crash", f"C does not link: {link.stderr[-600:]}"
            return True
        try:
            ran = subprocess.run([exe], capture_output=True, text=True, timeout=60)
        except subprocess.TimeoutExpired:
            ran = None
        if ran is None or ran.returncode != 0:
            if len(units) > 1:
                return False
            units[0][4].status = "crash"
            units[0][4].detail = "C driver failed: " + (ran.stderr[-600:] if ran else "timeout")
            return True
        by_name = {line.split()[0]: line.split()[1:] for line in ran.stdout.splitlines()}
        for name, _, _, _, r in units:
            status, value, _primal, *grads = by_name[name]
            if int(status) != 0:
                r.status, r.detail = "na", f"C status {status}"
            else:
                r.status, r.value, r.deriv = "ok", float(value), tuple(map(float, grads))
        return True


def agree(a, b):
    """Two ``ok`` results are the same numbers: to ``RTOL`` relative, with an absolute
    floor of ``RTOL`` times the largest magnitude either holds (cancellation)."""
    if len(a.deriv) != len(b.deriv):
        return False
    xs = (a.value, b.value) + a.deriv + b.deriv
    if not all(math.isfinite(x) for x in xs):
        return all(x == y or (math.isnan(x) and math.isnan(y))
                   for x, y in zip((a.value,) + a.deriv, (b.value,) + b.deriv))
    floor = RTOL * (1.0 + max(abs(x) for x in xs))
    return all(abs(x - y) <= floor + RTOL * max(abs(x), abs(y))
               for x, y in zip((a.value,) + a.deriv, (b.value,) + b.deriv))
