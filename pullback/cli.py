"""Command line: print or write the derivative of a function as a Python module.

    python -m pullback examples/pendulum.py:simulate --wrt theta c [-o out.py]
    python -m pullback examples/pendulum.py:simulate --emit c -o build/   # C99 .c and .h

Parameters not named in ``--wrt`` are held fixed; ``--args`` gives parameter
types in the spelling the generated header's "Specialised to" line uses
(``"x: float64[3], n: int"``); a parameter it does not name is assumed a float,
and the header says so.

The CLI imports FILE.py, which runs its top-level code, as ``python FILE.py``
would (only the ``if __name__ == "__main__"`` block is skipped).  ``--no-import``
reads the file instead (``source_file.py``): only imports of known libraries,
literal constants and plain ``def`` statements are taken from it.
"""
import argparse
import ast
import importlib.util
import inspect
import linecache
import re
import sys

from .emit_c import emit_c_files
from .errors import TransformError
from .ir.types import Array
from .pipeline import Reverse, assumed, build
from .source_file import function_from_file, syntax_message

EXAMPLES = """examples:
  python -m pullback examples/pendulum.py:simulate
      the gradient with respect to every float parameter, printed
  python -m pullback examples/pendulum.py:simulate --wrt theta c -o simulate_grad.py
      with respect to theta and c only, written to a module that runs on its own
  python -m pullback model.py:loss --args "w: float64[3, 4], x: float64[4], n: int"
      argument types (default: float); arrays as DTYPE[SHAPE], as the header prints them
  python -m pullback examples/pendulum.py:simulate --emit c -o build/
      C99: build/simulate.c and build/simulate.h
  python -m pullback untrusted.py:loss --no-import --args "x: float64[3]"
      read the file without running it (see below)

FILE.py is imported, so its top-level code runs, as with "python FILE.py".  With
--no-import it is read, not run: only imports of math, numpy, scipy.special and
pullback, literal constants (N = 10) and undecorated defs are taken from it.

--args types: float, int, bool (or float64, int64), and arrays float64[3], float64[3, 4],
int64[5], bool[2]; the printed module's "# Specialised to:" line uses the same spelling.
Set PULLBACK_DEBUG=1 to see pullback's own frames in tracebacks."""
ARRAY = re.compile(r"(float64|float32|int64|bool)\[([\d,\s]*)\]")


def load(target, run=True):
    """The function FILE.py:NAME: the file imported (its top-level code runs), or with
    ``run=False`` read without running it."""
    path, _, name = target.rpartition(":")
    if not path or not name:
        raise SystemExit(f"pullback: expected FILE.py:FUNCTION, got {target!r}")
    if not run:
        return function_from_file(path, name)
    spec = importlib.util.spec_from_file_location("_pullback_target", path)
    if spec is None:
        raise SystemExit(f"pullback: cannot load {path!r}")
    module = importlib.util.module_from_spec(spec)
    sys.modules["_pullback_target"] = module
    try:
        spec.loader.exec_module(module)
    except FileNotFoundError:
        raise SystemExit(f"pullback: no such file: {path}") from None
    except SyntaxError as e:
        raise SystemExit(syntax_message(e)) from None
    if not hasattr(module, name):
        raise SystemExit(f"pullback: {path} has no function {name!r}")
    return getattr(module, name)


def parse_types(spec, params):
    """The type of each parameter in ``params`` from ``--args`` text, and the parameters
    it did not name (assumed floats)."""
    types = {}
    for part in filter(None, re.split(r",(?![^\[]*\])", spec or "")):
        pname, _, t = part.partition(":")
        pname, t = pname.strip(), t.strip()
        m = ARRAY.fullmatch(t)      # an array: x: float64[3, 4]
        if m and pname in params:
            types[pname] = Array(m.group(1), tuple(int(d) for d in m.group(2).split(",")
                                                   if d.strip()))
            continue
        t = {"float64": "float", "int64": "int"}.get(t, t)     # NumPy spellings of scalars
        if pname not in params:
            raise SystemExit(f"pullback: --args names {pname!r}, which is not a parameter "
                             f"(parameters: {', '.join(params)})")
        if t not in ("float", "int", "bool"):
            raise SystemExit(f"pullback: bad --args entry {part.strip()!r} (expected "
                             "'name: float', 'name: int', 'name: bool' or "
                             "'name: float64[3, 4]')")
        types[pname] = t
    return [types.get(p, "float") for p in params], [p for p in params if p not in types]


def checked_entry(f, name, params, types):
    """The module's entry again, under its own name: it checks each argument's shape
    against the types the code was specialised to (a float where an array was assumed
    would give wrong numbers, not an error) and restores ``f``'s literal defaults."""
    sig = inspect.signature(f).parameters
    heads = []
    for p in params:
        d = sig[p].default
        literal = d is not inspect.Parameter.empty and _literal(d)
        heads.append(f"{p}={d!r}" if literal else p)
    shapes = [(p, t.shape if isinstance(t, Array) else ()) for p, t in zip(params, types)]
    rows = "".join(f"\n            ({p!r}, {p}, {shape!r})," for p, shape in shapes)
    return f"""

_{name} = {name}


def {name}({", ".join(heads)}):
    \"\"\"``_{name}`` for arguments of the shapes it was specialised to (the header's
    "Specialised to" line); any other shape is a TypeError, not a wrong number.\"\"\"
    import numpy as _np
    for _name, _value, _shape in ({rows}
    ):
        _got = _np.shape(_value)
        if _shape is not None and (len(_got) != len(_shape) or any(
                d is not None and d != g for d, g in zip(_shape, _got))):
            raise TypeError(f"{name} was generated for {{_name}} of shape {{_shape}}, "
                            f"not {{_got}}: generate it again with --args")
    return _{name}({", ".join(params)})
"""


def _no_names_from_outside(f, comp):
    """A global array (or object) the derivative reads by name is bound in the namespace
    pullback loads, not in the printed text: the printed module would fail with a
    NameError.  Rejected, naming the global and the line that reads it."""
    outside = _outside_names(comp)
    if not outside:
        return
    user, name = outside[0]
    line = next((int(m.group(1)) for t in comp.source.splitlines()
                 if re.search(rf"\b{re.escape(name)}\b", t)
                 for m in [re.search(r"# line (\d+)", t)] if m), f.__code__.co_firstlineno)
    raise TransformError(f"a printed module cannot read the global '{user}' (an array or "
                         "object read by name when the derivative runs): pass it as an "
                         "argument", f.__code__.co_filename, line, 0, "global read by name")


def _outside_names(comp):
    """(the user's name, the printed name) of each global the printed text reads but
    does not bind (pullback binds them in the namespace it loads the text in)."""
    own = {"__name__": "pullback_cli"}
    exec(compile(comp.source, "<pullback cli>", "exec"), own)     # the text's own names
    users = {v: k for k, v in (getattr(comp, "extern_names", None) or {}).items()}
    return [(users.get(n, n), n) for n in comp.namespace if n not in own and
            not n.startswith("__")]


def _reads_outside(text, comp):
    """``text`` with a comment saying which globals it reads that it does not bind."""
    outside = _outside_names(comp)
    if not outside:
        return text
    names = ", ".join(u if u == n else f"{u} (as {n})" for u, n in outside)
    return f"# Not runnable on its own: it reads {names}, bound when pullback loads\n" \
        "# it (-o refuses it: pass them as arguments).\n" + text


def _literal(value):
    try:
        return ast.literal_eval(repr(value)) == value
    except (ValueError, SyntaxError):
        return False


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m pullback",
                                 description="Print the derivative of FILE.py:FUNCTION "
                                             "as a Python module.\nFILE.py is imported: its "
                                             "top-level code runs (see --no-import).",
                                 epilog=EXAMPLES,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("target", help="FILE.py:FUNCTION")
    ap.add_argument("--wrt", nargs="+", metavar="PARAM",
                    help="parameters to differentiate (default: all float parameters)")
    ap.add_argument("--args", help='parameter types, e.g. "x: float64[3], n: int" '
                    '(default: float)')
    ap.add_argument("-o", "--output", help="write the module to this file")
    ap.add_argument("--no-import", action="store_true", help="read FILE.py without running "
                    "it: only imports of known libraries, literal constants and plain defs "
                    "are taken from it (give types with --args)")
    ap.add_argument("--emit", choices=("python", "c"), default="python",
                    help="c: FUNCTION.c and FUNCTION.h in C99 (-o names a directory)")
    ap.add_argument("--max-iterations", type=int, help="c: bound for loops and recursion "
                    "whose trip count is not known at generation time")
    ap.add_argument("--dtype", choices=("float64", "float32"), default="float64", help="c: "
                    "floating-point type")
    opts = ap.parse_args(argv)
    f = load(opts.target, run=not opts.no_import)
    params = list(inspect.signature(f).parameters)
    types, guessed = parse_types(opts.args, params)
    wrt = opts.wrt or [p for p, t in zip(params, types)
                       if t == "float" or isinstance(t, Array) and t.dtype.startswith("float")]
    unknown = [w for w in wrt if w not in params]
    if unknown:
        raise SystemExit(f"pullback: {f.__name__} has no parameter {unknown[0]!r} "
                         f"(parameters: {', '.join(params)})")
    mask = [p in wrt for p in params]
    what = f"{', '.join(guessed)} {'is a float' if len(guessed) == 1 else 'are floats'} " \
        "(no --args entry)"
    try:
        if opts.emit == "c":
            if guessed:
                print(f"pullback: assumed: {what}", file=sys.stderr)
            return emit_c_files(f, types, mask, opts.output, opts.dtype, opts.max_iterations)
        comp = build(f, types, None, (Reverse(tuple(mask)),))
        if opts.output:
            _no_names_from_outside(f, comp)     # a module to import must run
        text = comp.source if comp.rev is not None or not opts.output else \
            comp.source + checked_entry(f, comp.entry, params, types)   # a module to import
    except TransformError as e:
        text = e.line and linecache.getline(e.filename, e.line).strip()
        raise SystemExit(f"pullback: {e}" + (f"\n  {e.filename}:{e.line}:  {text}" if text
                                              else "")) from None
    if guessed:
        text = assumed(text, what)
    if not opts.output:                 # (C returned above)
        text = _reads_outside(text, comp)
    if opts.output:
        with open(opts.output, "w") as fh:
            fh.write(text)
        print(f"wrote {opts.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0
