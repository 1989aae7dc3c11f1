"""Write docs/numpy-coverage.md from the rule registry.

    python tools/numpy_coverage.py            # rewrite the file
    python tools/numpy_coverage.py --check    # exit 1 if it is out of date

Every Python, NumPy and scipy.special callable the frontend maps to a
primitive (``registry.python_mappings``), the tuple-returning functions
(``registry.TUPLE_RESULTS``), array methods and attributes
(``frontend.arrays``) and operators (``frontend.expressions``), each with its
primitive(s) and whether a derivative flows through it.  A test
(``tests/test_numpy_rules.py``) fails when the file is out of date.
"""
import ast
import builtins
import importlib
import math
import sys
from pathlib import Path

import numpy as np

from pullback.frontend import expressions, library
from pullback.rules import PRIMITIVES, expansions, registry

FUNCTION_SECTIONS = ("Python", "NumPy", "scipy.special", "scipy.linalg", "scipy.integrate",
                     "scipy.signal", "scipy.stats")
DOC = Path(__file__).resolve().parent.parent / "docs" / "numpy-coverage.md"
_OPERATORS = {ast.Add: "a + b", ast.Sub: "a - b", ast.Mult: "a * b", ast.Div: "a / b",
              ast.FloorDiv: "a // b", ast.Mod: "a % b", ast.Pow: "a ** b", ast.MatMult: "a @ b",
              ast.Lt: "a < b", ast.LtE: "a <= b", ast.Gt: "a > b", ast.GtE: "a >= b",
              ast.Eq: "a == b", ast.NotEq: "a != b", ast.BitAnd: "a & b", ast.BitOr: "a \\| b",
              ast.BitXor: "a ^ b"}
_ATTRIBUTES = {".T": "transpose", ".shape": "shape_of", ".ndim": "ndim", ".size": "size"}
# lowered by the frontend (frontend/arrays.py, call_numpy) into these primitives
_LOWERED = {np.concatenate: ("concat2",), np.hstack: ("hstack2",),
            np.vstack: ("atleast_2d", "concat2"), np.split: ("split_part",)}


def _namespaces():
    spaces = [("", builtins), ("math.", math), ("np.", np), ("np.linalg.", np.linalg),
              ("np.random.", np.random)]
    try:
        import scipy.integrate
        import scipy.linalg
        import scipy.signal
        import scipy.special
        spaces += [("scipy.special.", scipy.special), ("scipy.linalg.", scipy.linalg),
                   ("scipy.integrate.", scipy.integrate), ("scipy.signal.", scipy.signal)]
    except ImportError:
        pass
    return spaces


def expansion_rows():
    """scipy.stats methods and scipy.linalg functions written as expansions
    (``rules/expansions.py``): their derivative is that of the primitives they use."""
    out = []
    stats = None
    try:
        import scipy.stats as stats
    except ImportError:
        return out
    for module in ("scipy.integrate", "scipy.signal"):   # their expansions load on demand
        importlib.import_module(module)
    expansions.load_imported()
    for k, fn in expansions.EXPANSIONS.items():
        if isinstance(k, tuple):        # (distribution type, method)
            for attr in dir(stats):
                if type(getattr(stats, attr, None)) is k[0]:
                    out.append(("scipy.stats", f"scipy.stats.{attr}.{k[1]}", [fn.__name__],
                                "yes (expansion)"))
        else:
            for spelling in public_names(k):
                out.append((_section(spelling), spelling, [fn.__name__], "yes (expansion)"))
    return out


def _section(spelling):
    for prefix in ("scipy.special", "scipy.linalg", "scipy.integrate", "scipy.signal"):
        if spelling.startswith(prefix + "."):
            return prefix
    return "NumPy" if spelling.startswith("np.") else "Python"


def public_names(obj):
    """Every public spelling of ``obj`` in the namespaces users import."""
    names = []
    for prefix, mod in _namespaces():
        for attr in dir(mod):
            if not attr.startswith("_"):
                try:
                    if getattr(mod, attr) is obj:
                        names.append(prefix + attr)
                except Exception:       # noqa: BLE001 -- lazy attributes that fail
                    continue
    return names


def _kind(prims):
    diff = [p for p in prims if PRIMITIVES[p].differentiable]
    if not diff:
        return "no (zero derivative)"
    unknown = [PRIMITIVES[p].params[i] for p in prims for i in PRIMITIVES[p].no_rule_positions()
               if i < len(PRIMITIVES[p].params) - len(PRIMITIVES[p].defaults)]
    if unknown:         # NO_RULE: a derivative in these parameters is rejected
        return f"yes, except in {', '.join(unknown)} (rejected)"
    return "yes" if len(diff) == len(prims) else "partly"


def rows():
    """(section, spelling, primitives, differentiable) for every supported spelling."""
    by_obj = {}
    for obj, _nargs, name in registry.python_mappings():
        by_obj.setdefault(id(obj), (obj, set()))[1].add(name)
    for obj, names in _LOWERED.items():
        by_obj.setdefault(id(obj), (obj, set()))[1].update(names)
    for obj, names in registry.TUPLE_RESULTS.items():
        by_obj.setdefault(id(obj), (obj, set()))[1].update(names)
    out = []
    for obj, prims in sorted(by_obj.values(), key=lambda op: sorted(op[1])):
        for spelling in public_names(obj):
            section = _section(spelling)
            if obj in registry.TUPLE_RESULTS:     # in the order of the tuple's elements
                names = list(registry.TUPLE_RESULTS[obj])
                out.append((section, spelling, names, _kind(names) + " (per element)"))
                continue
            out.append((section, spelling, sorted(prims), _kind(sorted(prims))))
    for method, prim in registry.METHODS.items():
        out.append(("methods and attributes", f"x.{method}()", [prim], _kind([prim])))
    for attr, prim in _ATTRIBUTES.items():
        out.append(("methods and attributes", f"x{attr}", [prim], _kind([prim])))
    ops = dict(expressions.BINOPS)
    ops.update(expressions.CMPOPS)
    for op, prim in ops.items():
        out.append(("operators", _OPERATORS[op], [prim], _kind([prim])))
    out.append(("operators", "-a", ["neg"], _kind(["neg"])))
    out += expansion_rows()
    for (module, name), text in library.ADVICE.items():   # rejected, with the rewrite
        spelling = f"{module}.{name or '*'}".replace("numpy.", "np.")
        out.append((_section(spelling), spelling, [], f"no: rejected at the call; {text}"))
    order = ["operators", "Python", "NumPy", "scipy.special", "scipy.linalg", "scipy.integrate",
             "scipy.signal", "scipy.stats", "methods and attributes"]
    return sorted(set((s, n, tuple(p), k) for s, n, p, k in out),
                  key=lambda r: (order.index(r[0]), r[1].lower(), r[3]))


# what a section's rows cannot say (printed under its heading)
SECTION_NOTES = {
    "scipy.integrate": "`odeint` and `solve_ivp` are pullback's own adaptive Dormand-Prince "
                       "5(4) integrator (`pullback/ode.py`): values agree with SciPy's to the "
                       "tolerance asked for; derivatives in `y0`, `args`, values the right-hand "
                       "side captures and the output times, by the discrete adjoint (reverse) "
                       "or sensitivities (forward); `solve_ivp` needs `t_eval` and returns "
                       "`.t`, `.y`, `.success`; python backend only (Numba and C reject the "
                       "call at its line).",
    "scipy.signal": "Convolutions over every axis of two arrays with the same number of "
                    "axes, in the modes 'full', 'valid' and 'same' (as `np.convolve` and "
                    "`np.correlate` for vectors): one primitive, `convolve`, whose rules are "
                    "correlations with the other argument (`pullback/rules/signal.py`); "
                    "`method` changes only rounding; real values are differentiated, an active "
                    "complex argument is rejected; python backend only (Numba and C reject the "
                    "call at its line). autograd.scipy.signal.convolve's signature (`axes`, "
                    "`dot_axes`: some axes convolved, some contracted, the rest outer) is the "
                    "primitive `convolve_axes` (`pullback.rules.signal_helpers.convolve_axes`).",
}


def render():
    table = rows()
    functions = [r for r in table if r[0] in FUNCTION_SECTIONS]
    lines = ["# NumPy coverage", "",
             "Generated from the rule registry by `python tools/numpy_coverage.py`; "
             "`tests/test_numpy_rules.py` fails when this file is out of date.", "",
             f"- {len(functions)} functions (Python, NumPy, scipy.special, scipy.linalg, "
             f"scipy.integrate, scipy.signal and scipy.stats spellings), "
             f"{sum(not r[3].startswith('no') for r in functions)} of them differentiable;",
             f"- {sum(r[0] == 'methods and attributes' for r in table)} array methods and "
             f"attributes and {sum(r[0] == 'operators' for r in table)} operators.", "",
             "Anything not listed is rejected with an `UnsupportedError` naming the function "
             "and the line, unless it is a Python function with source (then it is "
             "differentiated through). `no (zero derivative)`: declared without a derivative "
             "(comparisons, rounding, shape queries, integer results, draws that take only a "
             "shape); the derivative through it is zero.  `yes (expansion)`: written in "
             "pullback's subset over the primitives above (`pullback/rules/scipy_*.py`), so "
             "its derivative is theirs; `except in a (rejected)`: no rule in that argument, "
             "and a derivative that needs one is an error at its line.  A static argument "
             "(one with a default: `axis`, `ord`, `ddof`, `left`) given a differentiated value "
             "is an error at its line too.", ""]
    section = None
    for sec, name, prims, kind in table:
        if sec != section:
            lines += ["", f"## {sec}", ""] + ([SECTION_NOTES[sec], ""] if sec in SECTION_NOTES
                                              else []) + \
                ["| spelling | primitive | differentiable |", "|---|---|---|"]
            section = sec
        lines.append(f"| `{name}` | {', '.join(prims)} | {kind} |")
    return "\n".join(lines) + "\n"


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    text = render()
    if "--check" in argv:
        if not DOC.exists() or DOC.read_text() != text:
            print(f"{DOC} is out of date: run python tools/numpy_coverage.py")
            return 1
        return 0
    DOC.write_text(text)
    print(f"wrote {DOC}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
