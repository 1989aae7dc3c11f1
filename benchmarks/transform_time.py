"""Transformation time of a 100-line function (target < 50 ms, Numba's compile excluded).

The function is generated (deterministically) as a plausible scalar model: a
chain of arithmetic and ``math`` calls over eight parameters, a loop and a
branch, 100 lines of body.  It is written to a temporary file because
pullback reads source code, then transformed several times; the median is
reported for the Python backend (source text and ``exec``) and for the Numba
backend's source text, as wall time and as this process's CPU time (the
machine is shared: the wall time also counts whatever else runs).  Repeated
transformations of one function reuse its parsed source and syntactic scan,
as a second API object (``grad`` then ``vjp``) does; a separate figure is the
first transformation of a newly defined function.

    python -m benchmarks.transform_time
"""
import importlib.util
import os
import random
import statistics
import tempfile
import time

LAST = None
LINES = 100


def source(lines=LINES):
    rng = random.Random(7)
    params = [f"p{i}" for i in range(8)]
    body, names = [], list(params)
    funcs = ["math.sin", "math.cos", "math.exp", "math.tanh", "math.sqrt", "math.log1p"]
    while len(body) < lines - 8:
        a, b = rng.sample(names[-12:], 2)
        fn = rng.choice(funcs)
        op = rng.choice(["+", "-", "*"])
        arg = f"0.1 * {a} * {a}" if fn in ("math.sqrt", "math.log1p") else f"0.1 * {a}"
        name = f"v{len(body)}"
        body.append(f"    {name} = {b} {op} {fn}({arg})")
        names.append(name)
    body += ["    acc = 0.0",
             "    for i in range(10):",
             f"        acc = acc + {names[-1]} * math.sin(acc + i * {names[-2]})",
             f"        if acc > {names[-3]}:",
             "            acc = acc * 0.5",
             "        else:",
             f"            acc = acc + 0.1 * {names[-4]}",
             f"    return acc + {names[-5]}"]
    return "import math\n\n\ndef model(" + ", ".join(params) + "):\n" + "\n".join(body) + "\n"


def load():
    """A fresh ``model`` (a new module, so nothing pullback cached for it applies)."""
    folder = tempfile.mkdtemp(prefix="pullback_bench_")
    path = os.path.join(folder, "long_model.py")
    with open(path, "w") as fh:
        fh.write(source())
    spec = importlib.util.spec_from_file_location("long_model", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.model


def _timed(fn, repeats):
    """Median wall and CPU (this process) seconds of ``fn()``: on a shared machine the
    wall time also counts other processes, the CPU time only the transformation."""
    wall, cpu = [], []
    for _ in range(repeats):
        w, c = time.perf_counter(), time.process_time()
        fn()
        cpu.append(time.process_time() - c)
        wall.append(time.perf_counter() - w)
    return statistics.median(wall), statistics.median(cpu)


def run(repeats=7):
    global LAST
    from pullback.pipeline import Reverse, build
    f = load()

    def compile_reverse(f, types, mask):
        return build(f, types, None, (Reverse(mask),))
    types, mask = ["float"] * 8, (True,) * 8
    lines = []
    LAST, cpu = _timed(lambda: compile_reverse(f, types, mask), repeats)
    lines.append(f"- python backend, {LINES}-line function, 8 parameters: median "
                 f"{LAST * 1e3:.1f} ms ({cpu * 1e3:.1f} ms CPU) over {repeats} transformations "
                 "(lowering, types, reverse mode, optimisation, printing, exec)")
    fresh = [load() for _ in range(repeats)]
    wall, cpu = _timed(lambda: compile_reverse(fresh.pop(), types, mask), repeats)
    lines.append(f"- the same, first transformation of a newly defined function (its source "
                 f"read and parsed too): median {wall * 1e3:.1f} ms ({cpu * 1e3:.1f} ms CPU)")
    try:
        from pullback.backends.numba import emit_numba_module
        from pullback.pipeline import derive
        wall, cpu = _timed(lambda: emit_numba_module(derive(f, types, None, (Reverse(mask),))[1]),
                           repeats)
        lines.append(f"- numba backend source for the same function: median "
                     f"{wall * 1e3:.1f} ms ({cpu * 1e3:.1f} ms CPU; Numba's own compile excluded)")
    except Exception as e:       # pragma: no cover - reported, not fatal
        lines.append(f"- numba backend source: unsupported yet: {e}")
    return lines


if __name__ == "__main__":      # python -m benchmarks.transform_time
    print("\n".join(run()))
