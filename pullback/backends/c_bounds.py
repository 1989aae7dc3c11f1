"""Static bounds for the C backend: loop trip counts and storage sizes.

``trip_bounds(fn)`` maps each ``For`` to an upper bound on its trip count
when one follows from constants, or ``None``.  It runs an interval analysis
over the function's int variables: flow-insensitive (a variable's interval
joins all its definitions), so it is sound wherever a definition sits; a
variable whose interval keeps growing (``k = k + 1``) is widened to unknown.
Parameters, call results and values read from residuals are unknown.  A
loop index ranges over its ``range``, so ``for j in range(i, 4)`` inside
``for i in range(4)`` is bounded by 4 without ``max_iterations``.

``int_intervals(fn)`` exposes the same analysis (name -> (lo, hi)) and
``atom_interval`` an atom's interval in it; ``c_index`` uses them to prove
run-time indices in range.

``Size`` is an upper bound polynomial in ``M`` (``max_iterations``) with
non-negative coefficients: loops multiply, sequences add, branches take the
coefficient-wise maximum (an upper bound of both since M >= 1).
"""
import math

from ..ir import Assign, Call, Const, For, Pop, Push
from ..ir.walk import walk

INF = math.inf
TOP = (-INF, INF)


def trip_bounds(fn):
    env = _intervals(fn)
    return {id(s): trip_count(*(_atom(a, env) for a in (s.start, s.stop, s.step)))
            for s in walk(fn.body) if isinstance(s, For)}


def trip_count(start, stop, step):
    """Upper bound on len(range(start, stop, step)) over the intervals, or None."""
    if step[0] > 0:
        n = math.ceil((stop[1] - start[0]) / step[0]) if stop[1] < INF and start[0] > -INF else INF
    elif step[1] < 0:
        n = math.ceil((start[1] - stop[0]) / -step[1]) if start[1] < INF and stop[0] > -INF \
            else INF
    else:
        return None
    return None if n == INF else max(0, int(n))


def int_intervals(fn):
    """Intervals of ``fn``'s ints, for a function that is not a ``g_rev``: its ``item``
    loads restore a field of a loop record, which holds what was packed there."""
    return _intervals(fn, restored_items=True)


def atom_interval(a, env):
    return _atom(a, env)


def _atom(a, env):
    if isinstance(a, Const):
        v = a.value
        return (int(v), int(v)) if isinstance(v, (bool, int)) else TOP
    if a.type == "bool":
        return (0, 1)
    return env.get(a.name, TOP) if a.type == "int" else TOP


def _join(a, b):
    if a is None:
        return b
    if b is None:
        return a
    return (min(a[0], b[0]), max(a[1], b[1]))


def _defs(fn, restored_items=False):
    """(name, defining statement) for every definition of an int variable."""
    out = [(p.name, None) for p in fn.params if p.type == "int"]
    fields = _record_fields(fn) if restored_items else {}
    for s in walk(fn.body):
        if isinstance(s, Assign) and s.target.type == "int" and s.op == "item" and \
                (s.args[0].name, s.args[1].value) in fields:
            out += [(s.target.name, Assign(s.target, "copy", (a,)))
                    for a in fields[(s.args[0].name, s.args[1].value)]]
        elif isinstance(s, Assign) and s.target.type == "int":
            out.append((s.target.name, s))
        elif isinstance(s, For):
            out.append((s.var.name, s))
        elif isinstance(s, Call):
            out += [(t.name, None) for t in s.targets if t.type == "int"]
    return out       # Pop restores a value some other definition produced: not listed


def _record_fields(fn):
    """(popped record variable, field) -> the atoms packed there before the push."""
    packs = {s.target.name: s.args for s in walk(fn.body)
             if isinstance(s, Assign) and s.op == "pack"}
    pushed = {}
    for s in walk(fn.body):
        if isinstance(s, Push):
            pushed.setdefault(s.tape.name, []).append(getattr(s.value, "name", None))
    out = {}
    for s in walk(fn.body):
        if isinstance(s, Pop):
            sources = [packs.get(v) for v in pushed.get(s.tape.name, ())]
            if sources and all(sources):
                for k in range(min(len(a) for a in sources)):
                    out[(s.target.name, k)] = [a[k] for a in sources]
    return out


def _intervals(fn, restored_items=False):
    """Ascending iteration from bottom (None: no value yet), so cycles of copies
    (``t = t_old`` ... ``t_old = t``) keep the interval of what enters them."""
    defs = _defs(fn, restored_items)
    env = {name: None for name, _ in defs}
    for rnd in range(64):
        new = {}
        for name, s in defs:
            new[name] = _join(new.get(name), _eval(s, env))
        if new == env:
            return {k: TOP if v is None else v for k, v in env.items()}
        if rnd >= 4:       # widen what still moves
            new = {k: (TOP if v != env.get(k) else v) for k, v in new.items()}
        env = new
    return {k: TOP for k in env}


def _eval(s, env):
    if s is None:
        return TOP
    atoms = (s.start, s.stop, s.step) if isinstance(s, For) else s.args
    if any(_atom(a, env) is None for a in atoms):
        return None
    if isinstance(s, For):
        start, stop, step = (_atom(a, env) for a in (s.start, s.stop, s.step))
        if step[0] > 0:
            return None if stop[1] - 1 < start[0] else (start[0], stop[1] - 1)
        if step[1] < 0:
            return None if stop[0] + 1 > start[1] else (stop[0] + 1, start[1])
        return _join(start, stop)
    args = [_atom(a, env) for a in s.args]
    op = s.op
    if op in ("copy", "pos", "int", "round", "floor", "ceil", "trunc") and s.args[0].type != "float":
        return args[0]
    if op == "add":
        return (args[0][0] + args[1][0], args[0][1] + args[1][1])
    if op == "sub":
        return (args[0][0] - args[1][1], args[0][1] - args[1][0])
    if op == "neg":
        return (-args[0][1], -args[0][0])
    if op == "mul":
        if any(abs(v) == INF for x in args for v in x):
            return TOP
        ps = [x * y for x in args[0] for y in args[1]]
        return (min(ps), max(ps))
    if op in ("min", "max", "minimum", "maximum", "select"):
        a, b = args[-2:]
        op = {"minimum": "min", "maximum": "max"}.get(op, op)
        if op == "min":
            return (min(a[0], b[0]), min(a[1], b[1]))
        if op == "max":
            return (max(a[0], b[0]), max(a[1], b[1]))
        return _join(a, b)
    if op == "floordiv" and args[1][0] == args[1][1] and args[1][0] > 0:
        k = args[1][0]
        return tuple(v if abs(v) == INF else v // k for v in args[0])
    if op == "mod" and args[1][0] == args[1][1] and args[1][0] > 0:
        return (0, args[1][0] - 1)
    return TOP


class Size:
    """An upper bound ``c0 + c1*M + c2*M**2 + ...`` with M = max_iterations."""

    def __init__(self, coeffs=(0,)):
        c = list(coeffs)
        while len(c) > 1 and c[-1] == 0:
            c.pop()
        self.coeffs = tuple(c)

    @classmethod
    def of(cls, n):
        return cls((n,))

    M = None    # Size((0, 1)), set below

    def __add__(self, other):
        n = max(len(self.coeffs), len(other.coeffs))
        pad = lambda c: c + (0,) * (n - len(c))
        return Size(tuple(a + b for a, b in zip(pad(self.coeffs), pad(other.coeffs))))

    def __mul__(self, other):
        out = [0] * (len(self.coeffs) + len(other.coeffs) - 1)
        for i, a in enumerate(self.coeffs):
            for j, b in enumerate(other.coeffs):
                out[i + j] += a * b
        return Size(tuple(out))

    def max(self, other):
        n = max(len(self.coeffs), len(other.coeffs))
        pad = lambda c: c + (0,) * (n - len(c))
        return Size(tuple(max(a, b) for a, b in zip(pad(self.coeffs), pad(other.coeffs))))

    def __eq__(self, other):
        return isinstance(other, Size) and self.coeffs == other.coeffs

    def __hash__(self):
        return hash(self.coeffs)

    def is_zero(self):
        return self.coeffs == (0,)

    def value(self, m):
        return sum(c * m ** k for k, c in enumerate(self.coeffs))

    def c_text(self, macro):
        """``3 * MAX_ITERATIONS + 2`` for the array declarator."""
        terms = []
        for k in range(len(self.coeffs) - 1, -1, -1):
            c = self.coeffs[k]
            if c == 0:
                continue
            power = " * ".join([macro] * k)
            terms.append(str(c) if k == 0 else (power if c == 1 else f"{c} * {power}"))
        return " + ".join(terms) or "0"


Size.M = Size((0, 1))
