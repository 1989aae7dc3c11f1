"""Print the generated source of every corpus program into a folder, one file each, so
that a refactor can be checked byte for byte (``diff -r before after``).

    python tools/dump_generated.py OUT [--quick]

Per scalar corpus case (tests/corpus): the Python backend's grad and jvp, and the C
source and header.  Per NumPy rule-table row (tests/numpy_rule_table*.py, the SciPy
and expansion rows too): the Python grad and jvp of the row's objective, and with
``--quick`` left out also its Hessian (forward over reverse: the forward rules of the
reverse rules' helpers).  A rejected program writes its error's class and first line,
so a change in what is rejected shows in the diff as well.
"""
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import numpy as np  # noqa: E402

import pullback  # noqa: E402
from pullback.emit_c import emit_c  # noqa: E402


def attempt(make):
    """``make()``'s text, or the error it raised as one line (rejections are output too)."""
    try:
        return make()
    except Exception as e:  # noqa: BLE001 -- any failure is part of what is compared
        first = str(e).strip().split("\n")[0]
        return f"!! {type(e).__name__}: {first}\n"


def corpus(out):
    from corpus import CASES
    for case in CASES:
        name = f"corpus.{case.id}"

        def grad():
            g = pullback.grad(case.func, argnums=case.argnums)
            g(*case.args)
            return pullback.source(g)

        def jvp():
            return pullback.jvp_source(case.func, case.args)

        def c():
            unit = emit_c(case.func, *case.args, argnums=case.argnums)
            return unit.source + "\n/* ---- header ---- */\n" + unit.header
        for kind, make in (("grad.py", grad), ("jvp.py", jvp), ("c", c)):
            (out / f"{name}.{kind}").write_text(attempt(make))


def rule_rows(out, quick):
    import numpy_rule_table_arrays  # noqa: F401  (appends rows)
    import numpy_expansion_table  # noqa: F401
    import scipy_rule_table  # noqa: F401
    from numpy_rule_table import ROWS
    from test_numpy_rules import differentiated, inputs, objective
    seen = {}
    for row in ROWS:
        k = seen[row.id] = seen.get(row.id, 0) + 1
        name = f"rule.{row.id}" + (f".{k}" if k > 1 else "")
        name = name.replace("/", "_")
        xs = inputs(row)
        np.random.seed(0)
        try:
            y = row.f(*xs)
        except Exception:  # noqa: BLE001
            continue
        w = np.ones(np.shape(y)) if np.ndim(y) else 1.0
        nums = tuple(i + 1 for i in differentiated(xs))
        obj = objective(row.f, len(xs))
        args = (w, *xs)

        def grad():
            np.random.seed(0)
            g = pullback.grad(obj, argnums=nums)
            g(*args)
            return pullback.source(g)

        def jvp():
            np.random.seed(0)
            return pullback.jvp_source(obj, args)

        def hess():
            np.random.seed(0)
            h = pullback.hessian(obj, argnums=nums)
            h(*args)
            return pullback.source(h)
        kinds = [("grad.py", grad), ("jvp.py", jvp)] + ([] if quick else [("hess.py", hess)])
        for kind, make in kinds:
            (out / f"{name}.{kind}").write_text(attempt(make))


def main():
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    corpus(out)
    rule_rows(out, "--quick" in sys.argv)
    print(f"{len(list(out.iterdir()))} files in {out}")


if __name__ == "__main__":
    main()
