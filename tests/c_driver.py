"""Build emitted C into one test executable and run it (for tests/test_c99*.py).

``run_units(units, directory, flags)`` writes each ``EmittedC``, generates a
``main.c`` that calls ``NAME_grad`` and ``NAME`` on each unit's arguments and
prints ``name status value primal grads...`` per line, compiles everything
with ``cc`` (two compiler processes, one per core), links, runs, and parses
the output.  One executable for many units keeps the C tests fast.
``run_array_cases(cases, directory)`` does the same for cases
``(name, f, args, argnums)`` whose arguments may be NumPy arrays, and
``agrees(result, f, args, argnums)`` checks one against ``value_and_grad``.
"""
import os
import shutil
import subprocess
from dataclasses import dataclass

CC = shutil.which("cc")
STRICT = ["-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic"]
SANITIZE = ["-O1", "-g", "-fno-omit-frame-pointer",        # float-cast-overflow: issue 15
            "-fsanitize=address,undefined,float-cast-overflow", "-fno-sanitize-recover=all"]


def _is_gcc():
    done = CC and subprocess.run([CC, "--version"], capture_output=True, text=True)
    return bool(done) and "Free Software Foundation" in done.stdout


# GCC's variable tracking at -O1 -g is most of a sanitized build (test_c99_calls' kalman_nll.c:
# 8.9 CPU s with it, 2.0 s without); the sanitizers' reports keep their file:line frames.
# Clang has no such pass and, under -Werror, rejects the flag.
if _is_gcc():
    SANITIZE.insert(2, "-fno-var-tracking")


@dataclass
class Unit:
    emitted: object          # pullback.emit_c.EmittedC
    args: tuple
    label: str = None        # the result's key (default: the function's name)


@dataclass
class Result:
    status: int
    value: float
    primal: float
    grads: tuple


def c_literal(x):
    if isinstance(x, bool):
        return "1" if x else "0"
    if isinstance(x, int):      # LONG_MIN has no literal: -9223372036854775808 is unsigned
        return f"({x + 1}L - 1)" if x < -2 ** 31 else f"{x}L"
    x = float(x)
    if x != x:
        return "NAN"
    return {float("inf"): "HUGE_VAL", float("-inf"): "-HUGE_VAL"}.get(x, repr(x))


def driver(units):
    lines = ["#include <math.h>", "#include <stdio.h>"] + \
        [f'#include "{n}.h"' for n in dict.fromkeys(u.emitted.name for u in units)]
    lines += ["",
              "static void report(const char *name, int status, double value, double primal,",
              "                   int n, const double *g)",
              "{",
              "    int i;",
              '    printf("%s %d %.17g %.17g", name, status, value, primal);',
              "    for (i = 0; i < n; i++) {",
              '        printf(" %.17g", g[i]);',
              "    }",
              '    printf("\\n");',
              "}",
              "",
              "int main(void)",
              "{"]
    for u in units:
        m = u.emitted.module
        real = m.grad_sig.outs[0][0]
        n = len(m.grad_sig.outs) - 1
        args = ", ".join(c_literal(a) for a in u.args)
        outs = ", ".join(["&value"] + [f"&g[{i}]" for i in range(n)])
        lines += ["    {",
                  f"        {real} value, g[{n}];",
                  "        double wide[" + str(n) + "];",
                  f"        int status = {m.grad_sig.name}({args}{', ' if args else ''}{outs});",
                  f"        double primal = {m.value_sig.name}({args});",
                  "        int i;",
                  f"        for (i = 0; i < {n}; i++) {{",
                  "            wide[i] = g[i];",
                  "        }",
                  f'        report("{u.label or u.emitted.name}", status, value, primal, {n}, '
                  'wide);',
                  "    }"]
    lines += ["    return 0;", "}", ""]
    return "\n".join(lines)


def run_units(units, directory, flags=STRICT + SANITIZE):
    """Compile and run; a dict from unit name to ``Result``."""
    os.makedirs(directory, exist_ok=True)
    sources = []
    for u in {u.emitted.name: u for u in units}.values():     # each function once
        sources.append(u.emitted.write(directory)[0])
    main = os.path.join(directory, "main.c")
    with open(main, "w") as fh:
        fh.write(driver(units))
    sources.append(main)
    halves = [sources[0::2], sources[1::2]]
    procs = [subprocess.Popen([CC, *flags, "-c", *half], cwd=directory, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for half in halves if half]
    errors = [p.communicate()[1] for p in procs]
    failed = [e for p, e in zip(procs, errors) if p.returncode]
    if failed:
        raise AssertionError("C compilation failed:\n" + "\n".join(failed))
    objects = [os.path.splitext(os.path.basename(s))[0] + ".o" for s in sources]
    exe = os.path.join(directory, "driver")
    link = subprocess.run([CC, *flags, "-o", exe, *objects, "-lm"], cwd=directory,
                          capture_output=True, text=True)
    assert link.returncode == 0, link.stderr
    env = dict(os.environ, ASAN_OPTIONS="detect_leaks=0:abort_on_error=0",
               UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1")
    done = subprocess.run([exe], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0 and "runtime error" not in done.stderr, \
        f"driver failed ({done.returncode}):\n{done.stderr[-4000:]}"
    results = {}
    for line in done.stdout.splitlines():
        name, status, value, primal, *grads = line.split()
        results[name] = Result(int(status), float(value), float(primal),
                               tuple(float(g) for g in grads))
    return results


def _flat(a):
    import numpy as np
    return [float(v) for v in np.ravel(np.asarray(a, dtype=float))]


def array_driver(units):
    """main.c for ``(name, args, argnums)`` units: arrays as static row-major literals."""
    import numpy as np
    lines = ["#include <stdio.h>"] + [f'#include "{name}.h"' for name, _, _ in units]
    lines += ["", "int main(void)", "{"]
    for name, args, argnums in units:
        lines.append("    {")
        names = []
        for i, a in enumerate(args):
            if np.ndim(a):
                lines.append(f"        static const double a{i}[{np.size(a)}] = "
                             f"{{{', '.join(repr(v) for v in _flat(a))}}};")
                names.append(f"a{i}")
            else:
                names.append(repr(float(a)) if isinstance(a, float) else str(a))
        outs = []
        for i in argnums:
            n = max(1, int(np.size(args[i])))
            lines.append(f"        double g{i}[{n}];")
            outs.append((f"g{i}", n))
        call = ", ".join(names + ["&value"] + [g for g, _ in outs])
        lines.append("        double value;")
        lines.append(f"        int status = {name}_grad({call});")
        lines.append(f"        double primal = {name}({', '.join(names)});")
        lines.append("        int k;")
        lines.append(f'        printf("{name} %d %.17g %.17g", status, value, primal);')
        for g, n in outs:
            lines.append(f"        for (k = 0; k < {n}; k++) {{")
            lines.append(f'            printf(" %.17g", {g}[k]);')
            lines.append("        }")
        lines.append('        printf("\\n");')
        lines.append("    }")
    lines += ["    return 0;", "}", ""]
    return "\n".join(lines)


def run_array_cases(cases, directory, **emit):
    """Emit, compile strictly under the sanitizers, run; name -> ``Result``."""
    from pullback.emit_c import emit_c
    units, sources = [], []
    for name, f, args, argnums in cases:
        c = emit_c(f, *args, argnums=argnums, name=name, **emit)
        sources.append(c.write(directory)[0])
        units.append((name, args, (argnums,) if isinstance(argnums, int) else argnums))
    main = os.path.join(directory, "main.c")
    with open(main, "w") as fh:
        fh.write(array_driver(units))
    exe = os.path.join(directory, "driver")
    done = subprocess.run([CC, *STRICT, *SANITIZE, "-o", exe, *sources, main, "-lm"],
                          capture_output=True, text=True, cwd=directory)
    assert done.returncode == 0, done.stderr[-4000:]
    env = dict(os.environ, ASAN_OPTIONS="detect_leaks=0",
               UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1")
    run = subprocess.run([exe], capture_output=True, text=True, env=env, timeout=120)
    assert run.returncode == 0 and "runtime error" not in run.stderr, run.stderr[-4000:]
    out = {}
    for line in run.stdout.splitlines():
        name, status, value, primal, *grads = line.split()
        out[name] = Result(int(status), float(value), float(primal),
                           tuple(float(g) for g in grads))
    return out


def close(a, b, tol=1e-12):
    import math
    return math.isclose(a, b, rel_tol=tol, abs_tol=tol)


def agrees(result, f, args, argnums):
    """Assert ``result`` (a ``Result``) matches the Python backend to 1e-12."""
    import pullback
    ref_value, ref_grads = pullback.value_and_grad(f, argnums=argnums)(*args)
    ref_grads = (ref_grads,) if isinstance(argnums, int) else ref_grads
    assert result.status == 0
    assert close(result.value, ref_value), (result.value, ref_value)
    assert close(result.primal, f(*args)), (result.primal, f(*args))
    ref = [v for g in ref_grads for v in _flat(g)]
    assert len(result.grads) == len(ref)
    bad = [(k, a, b) for k, (a, b) in enumerate(zip(result.grads, ref)) if not close(a, b)]
    assert not bad, bad[:5]


def results_fixture(cases, tag, **emit):
    """A module-scoped fixture: ``run_array_cases(cases)`` built once per test module."""
    import pytest

    @pytest.fixture(scope="module")
    def results(tmp_path_factory):
        return run_array_cases(cases, str(tmp_path_factory.mktemp(tag)), **emit)
    return results
