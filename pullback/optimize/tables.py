"""Per-index tables: an inner loop's costly values that depend only on its own index
are computed once per index, before the outer loop, and read from a list inside it.

In a nest ``for i: for j in range(i + 1, n)`` a value such as ``cos(phase + 2 pi j / n)``
is recomputed for every pair although it has one value per ``j`` (a hand-written
n-body adjoint computes each particle's position once).  Costly scalar operations
(``TABLED``) whose arguments are, through a chain of scalar operations, only the inner
index, constants and values the outer loop never writes move to a table:

    for i in range(0, n):                    table = []
        s = i + 1                            if 0 < n:
        for j in range(s, n):                    for k in range(1, n):
            a = w * j                                a_1 = w * k
            c = cos(a)                               table.append(cos(a_1))
            y = y + c * x[i]                 for i in range(0, n):
                                                 s = i + 1
                                                 for j in range(s, n):
                                                     c = table[j - 1]
                                                     y = y + c * x[i]

Why the values are the same: a variable the outer loop never writes holds, inside it,
the value it has just before it; a chain variable is assigned once in the outer loop,
at the inner body's top level before its reads, so within an iteration it holds its
chain's value of ``j``.  Why nothing extra is computed: the table covers exactly the
union of the inner ranges, and every index of the union is visited, so each table
entry is a value the loop computes anyway (at least once) -- an exception it raises
is one the loop would raise, if possibly earlier.  The union is known for these inner
ranges (outer ``range(a, b)``, step 1): ``range(i + c, m)`` -> ``[a + c, m)``, all visited
when ``i = a``; ``range(s, i + d)`` -> ``[s, b - 1 + d)``, all visited when ``i = b - 1``;
``range(s, m)`` -> ``[s, m)``; each only when the outer loop runs (``a < b``), and only
when every statement before the inner loop in the outer body is straight-line (so
each outer iteration reaches it).  Loops that can exit early are left alone.

Reverse mode: run before ``recompute_cheap``, the table read replaces the taped value,
and ``recompute_cheap`` reads the table again in the reverse loop instead of popping a
tape (a list written only before a loop pair is invariant for it); run again after it,
the reverse loop's own costly values (a partial's ``cos(t)``) are tabled too.
Only in reverse mode (``pipeline.REVERSE_PASSES``): a table holds no more values than
the pairs' tapes did, where in a tangent or value function it would be memory the loop
never needed.  The C backend has no lists: ``RUNTIME_LISTS`` is false while it derives.
"""
from contextvars import ContextVar
from dataclasses import replace

from ..ir import Assign, Comment, Const, For, If, Pop, Push, Var, literal
from ..ir.names import fresh_vars
from ..ir.types import BOOL, FLOAT, INT, ListT
from ..ir.walk import map_blocks, write_counts
from ..rules import PRIMITIVES
from .recompute import CHEAP

RUNTIME_LISTS = ContextVar("pullback_runtime_lists", default=True)
# pure, deterministic scalar functions worth a list read instead
TABLED = tuple(op for op in ("sin", "cos", "tan", "exp", "log", "sqrt", "pow", "atan", "atan2",
                             "tanh", "sinh", "cosh", "asin", "acos", "log1p", "expm1", "log2",
                             "log10", "hypot", "erf", "erfc", "cbrt")
               if op in PRIMITIVES)
SCALARS = ("float", "int", "bool")
STRAIGHT = (Assign, Push, Pop, Comment)


def tabulate(fn):
    """Executed:

    >>> from pullback.ir import Function, Return
    >>> from pullback.ir.printer import format_function
    >>> w, y, a, c = (Var(v, "float") for v in ("w", "y", "a", "c"))
    >>> i, j, n, s = (Var(v, "int") for v in ("i", "j", "n", "s"))
    >>> fn = Function("f", (w, n), (Assign(y, "copy", (Const(0.0),)),
    ...     For(i, Const(0), n, Const(1), (Assign(s, "add", (i, Const(1))),
    ...         For(j, s, n, Const(1), (Assign(a, "mul", (w, j)), Assign(c, "cos", (a,)),
    ...             Assign(y, "add", (y, c)))))), Return((y,))))
    >>> print(format_function(tabulate(fn)))
    def f(w, n):
      y = copy(0.0)
      table = list_new()
      runs = lt(0, n)
      if runs:
        for k_2 in range(0, 1, 1):
          k_3 = len(table)
          table = list_append(table, 0.0, k_3)
        for k in range(1, n, 1):
          a_1 = mul(w, k)
          t = cos(a_1)
          k_1 = len(table)
          table = list_append(table, t, k_1)
      for i in range(0, n, 1):
        s = add(i, 1)
        for j in range(s, n, 1):
          a = mul(w, j)
          c = getitem(table, j)
          y = add(y, c)
      return y
    """
    if not RUNTIME_LISTS.get():
        return fn
    fresh = fresh_vars(fn)
    return replace(fn, body=_block(fn.body, fresh))


def _block(stmts, fresh):
    out = []
    for s in stmts:
        s = map_blocks(s, lambda b: _block(b, fresh))
        if isinstance(s, For):
            pre, s = _nest(s, fresh)
            out.extend(pre)
        out.append(s)
    return tuple(out)


def _nest(outer, fresh):
    """(statements to run before ``outer``, ``outer`` with its first inner loop's costly
    index-only values read from tables); ``((), outer)`` where nothing applies."""
    if outer.exit is not None or outer.step != Const(1) or \
            outer.var.name in write_counts(outer.body):
        return (), outer
    p = next((k for k, s in enumerate(outer.body) if not isinstance(s, STRAIGHT)), None)
    if p is None or not isinstance(outer.body[p], For):
        return (), outer
    inner = outer.body[p]
    counts = write_counts(outer.body)
    if inner.exit is not None or inner.step != Const(1) or counts[inner.var.name] != 1:
        return (), outer       # (an index the body writes is not the loop's index)
    counts[outer.var.name] = counts.get(outer.var.name, 0) + 1
    bounds = _union(outer, inner, p, counts, fresh)
    if bounds is None:
        return (), outer
    chain = _chain(inner, counts)
    varies = _varying(chain, inner.var)        # (the rest is invariant: not worth a table)
    tabled = [s for s in chain.values() if s.op in TABLED and s.target.type == "float" and
              s.target.name in varies]
    if not tabled:
        return (), outer
    lo, hi, pre = bounds
    if literal(lo) and lo.value >= 0:
        index, top = inner.var, ()          # lo leading entries pad the table
    else:
        index = fresh("k", INT)
        top = (Assign(index, "sub", (inner.var, lo)),)
    k = fresh("k", INT)
    names = {inner.var.name: k}
    fill, reads, tables = [], {}, []
    for s in _needed(chain, tabled):
        args = tuple(names.get(a.name, a) if isinstance(a, Var) else a for a in s.args)
        target = fresh(s.target.name if s not in tabled else "t", s.target.type)
        names[s.target.name] = target
        fill.append(Assign(target, s.op, args))
        if s in tabled:
            table = fresh("table", ListT(FLOAT))
            tables.append(table)
            fill.extend(_append(table, target, fresh))
            reads[id(s)] = Assign(s.target, "getitem", (table, index), s.loc)
    loops = []
    if index is inner.var and lo.value > 0:
        pad = fresh("k", INT)
        loops.append(For(pad, Const(0), lo, Const(1), tuple(
            x for t in tables for x in _append(t, Const(0.0), fresh))))
    loops.append(For(k, lo, hi, Const(1), tuple(fill)))
    runs = _const_or(fresh, "lt", outer.start, outer.stop, BOOL, "runs")
    guard = runs[:-1] + (If(runs[-1], tuple(loops)),) if not isinstance(runs[-1], Const) else \
        (tuple(loops) if runs[-1].value else ())
    body = top + tuple(reads.get(id(s), s) for s in inner.body)
    new_outer = replace(outer, body=outer.body[:p] + (replace(inner, body=body),) +
                        outer.body[p + 1:])
    return tuple(Assign(t, "list_new", ()) for t in tables) + pre + guard, new_outer


def _append(table, value, fresh):
    n = fresh("k", INT)
    return (Assign(n, "len", (table,)), Assign(table, "list_append", (table, value, n)))


def _union(outer, inner, p, counts, fresh):
    """(lo, hi, statements computing them) of the union of the inner loop's ranges over
    the outer loop's, when every index in it is visited; else None."""
    def kind(a):
        if isinstance(a, Const) or (isinstance(a, Var) and a.name not in counts):
            return "inv", a
        if a == outer.var:
            return "idx", 0
        d = next((s for s in outer.body[:p] if isinstance(s, Assign) and s.target == a), None)
        if d is None or counts.get(a.name) != 1 or len(d.args) != 2:
            return None
        x, y = d.args
        if d.op == "add" and x == outer.var and _int_const(y):
            return "idx", y.value
        if d.op == "add" and y == outer.var and _int_const(x):
            return "idx", x.value
        if d.op == "sub" and x == outer.var and _int_const(y):
            return "idx", -y.value
        return None
    start, stop = kind(inner.start), kind(inner.stop)
    if start is None or stop is None:
        return None
    if start[0] == "inv" and stop[0] == "inv":
        return start[1], stop[1], ()
    if start[0] == "idx" and stop[0] == "inv":        # every j visited when i = a
        *pre, lo = _const_or(fresh, "add", outer.start, Const(start[1]), INT)
        return lo, stop[1], tuple(pre)
    if start[0] == "inv" and stop[0] == "idx":        # every j visited when i = b - 1
        *pre, hi = _const_or(fresh, "add", outer.stop, Const(stop[1] - 1), INT)
        return start[1], hi, tuple(pre)
    return None


def _int_const(a):
    return isinstance(a, Const) and type(a.value) is int


def _const_or(fresh, op, x, y, type_, base="k"):
    """(statements..., atom) of ``op(x, y)``: a constant when both are."""
    if isinstance(x, Const) and isinstance(y, Const) and type(x.value) is int and \
            type(y.value) is int:
        return (Const({"add": x.value + y.value, "lt": x.value < y.value}[op]),)
    if op == "add" and y == Const(0):
        return (x,)
    t = fresh(base, type_)
    return (Assign(t, op, (x, y)), t)


def _chain(inner, counts):
    """name -> statement, for the inner body's top-level scalar assignments whose value
    depends only on the inner index, constants and values the outer loop never writes."""
    chain = {}
    for s in inner.body:
        if not isinstance(s, Assign) or s.op not in CHEAP + TABLED or \
                s.target.type not in SCALARS or counts.get(s.target.name) != 1:
            continue
        if all(isinstance(a, Const) or a == inner.var or a.name in chain or
               (a.name not in counts and a.type in SCALARS) for a in s.args):
            chain[s.target.name] = s
    return chain


def _varying(chain, index):
    """The chain's names whose value depends on the inner index."""
    out = {index.name}
    for name, s in chain.items():
        if any(isinstance(a, Var) and a.name in out for a in s.args):
            out.add(name)
    return out


def _needed(chain, tabled):
    """The chain statements the tabled ones need, in their order."""
    need = {id(s) for s in tabled}
    for s in reversed(list(chain.values())):
        if id(s) in need:
            need |= {id(chain[a.name]) for a in s.args if isinstance(a, Var) and a.name in chain}
    return [s for s in chain.values() if id(s) in need]


__all__ = ["tabulate", "RUNTIME_LISTS"]
