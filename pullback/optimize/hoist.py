"""Loop-invariant code motion, run on the primal before it is differentiated.

A loop-invariant assignment left in the loop body is recomputed on every
iteration and, because it overwrites its variable each time, its old value is
saved on a tape for the reverse sweep.  Moved in front of the loop it is
computed once and never taped:

    for i in range(n):                  t2 = -k
        t2 = -k                         for i in range(n):
        acc = t2 * sin(x)                   acc = t2 * sin(x)
        x = x + acc                         x = x + acc

An assignment moves when it sits directly in the loop body, is the only
assignment to its variable in the function, nothing in the loop writes its
operands or reads its variable before it, and its primitive cannot raise
(so running it when the loop runs zero times is harmless).

Executed:

    >>> from pullback.ir import Assign, Const, For, Function, Return, Var
    >>> from pullback.ir.printer import format_function
    >>> x, k, t2, acc = (Var(v, "float") for v in ("x", "k", "t2", "acc"))
    >>> i, n = Var("i", "int"), Var("n", "int")
    >>> fn = Function("f", (x, k, n), (For(i, Const(0), n, Const(1), (
    ...     Assign(t2, "neg", (k,)), Assign(acc, "mul", (t2, x)), Assign(x, "add", (x, acc)))),
    ...     Return((x,))))
    >>> print(format_function(hoist_invariants(fn)))
    def f(x, k, n):
      t2 = neg(k)
      for i in range(0, n, 1):
        acc = mul(t2, x)
        x = add(x, acc)
      return x
"""
from dataclasses import replace

from ..ir import Assign, For, Var, While
from ..ir.walk import all_written, atoms_read, map_blocks, walk, write_counts

# Primitives that never raise on scalars (float overflow gives inf; math.sin(inf),
# math.exp(1000) and float(10**400) raise, so they stay in the loop).
SAFE = {"copy", "neg", "pos", "add", "sub", "mul", "select", "lt", "le", "gt", "ge", "eq",
        "ne", "not_", "truth", "min", "max", "minimum", "maximum", "clip", "abs", "fabs",
        "tanh", "atan"}


def hoist_invariants(fn):
    counts = write_counts(fn.body)
    for p in fn.params:                         # a parameter is assigned by the call
        counts[p.name] = counts.get(p.name, 0) + 1
    return replace(fn, body=_block(fn.body, counts))


def _block(stmts, counts):
    out = []
    for s in stmts:
        s = map_blocks(s, lambda b: _block(b, counts))
        if isinstance(s, (For, While)):
            moved, s = _hoist(s, counts)
            out.extend(moved)
        out.append(s)
    return tuple(out)


def _hoist(loop, counts):
    """One pass in body order (a move never lets an earlier statement move: that one
    would read the moved variable before it is assigned)."""
    written = all_written(loop.body) | ({loop.var.name} if isinstance(loop, For) else set())
    moved, body, read = [], [], set()
    for s in loop.body:
        if _invariant(s, read, written, counts):
            moved.append(s)
            written.discard(s.target.name)
        else:
            body.append(s)
            read.update(v.name for x in walk((s,)) for v in atoms_read(x))
    return moved, replace(loop, body=tuple(body))


def _invariant(s, read_before, written, counts):
    if not isinstance(s, Assign) or s.op not in SAFE or counts.get(s.target.name) != 1:
        return False
    if any(isinstance(a, Var) and a.name in written for a in s.args):
        return False
    if s.target.type not in ("float", "int", "bool"):
        return False
    return s.target.name not in read_before
