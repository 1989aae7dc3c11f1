"""Command line: print or write the derivative of a function as a Python module.

    python -m pullback examples/pendulum.py:simulate --wrt theta c [-o out.py]
    python -m pullback examples/pendulum.py:simulate --emit c -o build/   # C99 .c and .h

Parameters not named in ``--wrt`` are held fixed; ``--args`` gives parameter
types (``"n: int"``), floats by default.
"""
import argparse
import importlib.util
import inspect
import re
import sys

from .compile import compile_reverse
from .errors import TransformError
from .ir.types import Array
from .emit_c import emit_c_files


def load(target):
    path, _, name = target.rpartition(":")
    if not path or not name:
        raise SystemExit(f"pullback: expected FILE.py:FUNCTION, got {target!r}")
    spec = importlib.util.spec_from_file_location("_pullback_target", path)
    if spec is None:
        raise SystemExit(f"pullback: cannot load {path!r}")
    module = importlib.util.module_from_spec(spec)
    sys.modules["_pullback_target"] = module
    try:
        spec.loader.exec_module(module)
    except FileNotFoundError:
        raise SystemExit(f"pullback: no such file: {path}") from None
    if not hasattr(module, name):
        raise SystemExit(f"pullback: {path} has no function {name!r}")
    return getattr(module, name)


def parse_types(spec, params):
    types = {p: "float" for p in params}
    for part in filter(None, re.split(r",(?![^\[]*\])", spec or "")):
        pname, _, t = part.partition(":")
        pname, t = pname.strip(), t.strip()
        m = re.fullmatch(r"float64\[([\d,\s]*)\]", t)     # an array: x: float64[3, 4]
        if m and pname in types:
            types[pname] = Array("float64", tuple(int(d) for d in m.group(1).split(",")
                                                  if d.strip()))
            continue
        t = {"float64": "float", "int64": "int"}.get(t, t)     # NumPy spellings of scalars
        if pname not in types or t not in ("float", "int", "bool"):
            raise SystemExit(f"pullback: bad --args entry {part.strip()!r} (expected "
                             "'name: float', 'name: int', 'name: bool' or "
                             "'name: float64[3, 4]')")
        types[pname] = t
    return [types[p] for p in params]


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m pullback",
                                 description="Print the derivative of FILE.py:FUNCTION "
                                             "as a Python module.")
    ap.add_argument("target", help="FILE.py:FUNCTION")
    ap.add_argument("--wrt", nargs="+", metavar="PARAM",
                    help="parameters to differentiate (default: all float parameters)")
    ap.add_argument("--args", help='parameter types, e.g. "n: int, x: float"')
    ap.add_argument("-o", "--output", help="write the module to this file")
    ap.add_argument("--emit", choices=("python", "c"), default="python",
                    help="c: FUNCTION.c and FUNCTION.h in C99 (-o names a directory)")
    ap.add_argument("--max-iterations", type=int, help="c: bound for loops and recursion "
                    "whose trip count is not known at generation time")
    ap.add_argument("--dtype", choices=("float64", "float32"), default="float64", help="c: "
                    "floating-point type")
    opts = ap.parse_args(argv)
    f = load(opts.target)
    params = list(inspect.signature(f).parameters)
    types = parse_types(opts.args, params)
    wrt = opts.wrt or [p for p, t in zip(params, types) if t == "float" or isinstance(t, Array)]
    unknown = [w for w in wrt if w not in params]
    if unknown:
        raise SystemExit(f"pullback: {f.__name__} has no parameter {unknown[0]!r} "
                         f"(parameters: {', '.join(params)})")
    mask = [p in wrt for p in params]
    if opts.emit == "c":
        return emit_c_files(f, types, mask, opts.output, opts.dtype, opts.max_iterations)
    try:
        text = compile_reverse(f, types, mask).source
    except TransformError as e:
        raise SystemExit(f"pullback: {e}") from None
    if opts.output:
        with open(opts.output, "w") as fh:
            fh.write(text)
        print(f"wrote {opts.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0
