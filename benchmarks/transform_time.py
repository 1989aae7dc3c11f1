"""Transformation time of a 100-line function (target < 50 ms, Numba's compile excluded).

The function is generated (deterministically) as a plausible scalar model: a
chain of arithmetic and ``math`` calls over eight parameters, a loop and a
branch, 100 lines of body.  It is written to a temporary file because
pullback reads source code, then transformed several times; the median is
reported for the Python backend (source text and ``exec``) and for the Numba
backend's source text.
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
    folder = tempfile.mkdtemp(prefix="pullback_bench_")
    path = os.path.join(folder, "long_model.py")
    with open(path, "w") as fh:
        fh.write(source())
    spec = importlib.util.spec_from_file_location("long_model", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.model


def run(repeats=7):
    global LAST
    from pullback.compile import compile_reverse
    f = load()
    types, mask = ["float"] * 8, (True,) * 8
    lines = []
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        compile_reverse(f, types, mask)
        samples.append(time.perf_counter() - start)
    LAST = statistics.median(samples)
    lines.append(f"- python backend, {LINES}-line function, 8 parameters: median "
                 f"{LAST * 1e3:.1f} ms over {repeats} transformations (lowering, types, "
                 f"reverse mode, optimisation, printing, exec)")
    try:
        from pullback.backends.numba import emit_numba_module
        from pullback.compile import lower_typed
        from pullback.transforms.gradient import gradient_module
        samples = []
        for _ in range(repeats):
            start = time.perf_counter()
            emit_numba_module(gradient_module(lower_typed(f, types), mask))
            samples.append(time.perf_counter() - start)
        lines.append(f"- numba backend source for the same function: median "
                     f"{statistics.median(samples) * 1e3:.1f} ms (Numba's own compile excluded)")
    except Exception as e:       # pragma: no cover - reported, not fatal
        lines.append(f"- numba backend source: unsupported yet: {e}")
    return lines
