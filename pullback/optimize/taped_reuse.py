"""Reuse taped values in the reverse loop: a partial that computes again what the
forward loop computed and taped (``cos(a)`` for ``sin``'s rule when the user wrote
``c = cos(a)``) reads the variable instead, and pops go last in the reverse body so
that the variables they restore keep their values for longer:

    for i in range(n):                       for i in range(n):
        c_tape.append(c)                         c_tape.append(c)
        c = cos(a * i)                           c = cos(a * i)
        s = sin(a * i)                           s = sin(a * i)
        y = y + c * s                            ...
    for i in reversed(range(n)):             for i in reversed(range(n)):
        t = i * a                                t = i * a
        ...                                      ...
        c = c_tape.pop()                         w = c         # was cos(t)
        w = cos(t)                               ...
                                                 c = c_tape.pop()

Why a read is the value: a taped variable ``v`` assigned once per iteration at the top
of the forward body, popped once at the top of the reverse body and written nowhere
else holds, from the top of reverse iteration ``i`` to its pop, the value forward
iteration ``i`` gave it (``recompute.py`` argues the same).  ``v = op(args)`` is known
while each argument also holds its forward value: a constant, the loop index, a
variable written once at the function's top level (or a parameter), an earlier such
taped variable (until its pop), or one the reverse body assigns at its top level by
the same statement as the forward body (a recomputation, from the same arguments).
A pop moves to the end of the body when nothing after it reads or writes its
variable or pops its tape.  Loop pairs are found as ``recompute.py`` finds them:
in one block, and a forward loop's inner loop with the reverse loop's one inner
loop over the same index.
"""
from dataclasses import replace

from ..ir import Assign, Const, For, Pop, Push, Var
from ..ir.walk import atoms_read, blocks, map_blocks, vars_written, walk, write_counts
from ..rules import PRIMITIVES

SCALARS = ("float", "int", "bool")


def reuse_taped(fn):
    """Executed:

    >>> from pullback.ir import Const, Function, NewTape, Return
    >>> from pullback.ir.printer import format_function
    >>> a, c, y, t, w, g = (Var(v, "float") for v in ("a", "c", "y", "t", "w", "g"))
    >>> i, n, tape = Var("i", "int"), Var("n", "int"), Var("c_tape", "tape")
    >>> fn = Function("f_grad", (a, n), (NewTape(tape), Assign(y, "copy", (Const(0.0),)),
    ...     For(i, Const(0), n, Const(1), (Assign(t, "mul", (i, a)), Push(tape, c),
    ...         Assign(c, "cos", (t,)), Assign(y, "add", (y, c)))),
    ...     Assign(g, "copy", (Const(0.0),)),
    ...     For(i, Const(0), n, Const(1), (Assign(t, "mul", (i, a)), Pop(c, tape),
    ...         Assign(w, "cos", (t,)), Assign(g, "add", (g, w))), reverse=True),
    ...     Return((y, g))))
    >>> print(format_function(reuse_taped(fn)))
    def f_grad(a, n):
      c_tape = tape
      y = copy(0.0)
      for i in range(0, n, 1):
        t = mul(i, a)
        push c_tape c
        c = cos(t)
        y = add(y, c)
      g = copy(0.0)
      for i in reversed range(0, n, 1):
        t = mul(i, a)
        w = copy(c)
        g = add(g, w)
        c = pop c_tape
      return y, g
    """
    uses = {}
    for s in walk(fn.body):
        if isinstance(s, (Push, Pop)):
            uses[s.tape.name] = uses.get(s.tape.name, 0) + 1
    writes = write_counts(fn.body)
    top = {v.name for s in fn.body if not blocks(s) for v in vars_written(s)}
    fixed = {n for n in top if writes[n] == 1} | {p.name for p in fn.params if p.name not in writes}
    return replace(fn, body=_block(fn.body, uses, fixed))


def _block(body, uses, fixed):
    body = list(body)
    for j, r in enumerate(body):
        if isinstance(r, For) and r.reverse and r.exit is None:
            i = next((k for k in range(j - 1, -1, -1) if _pairs(body[k], r)), None)
            if i is not None:
                body[j] = _pair(body[i], r, uses, fixed)
                continue
        if blocks(body[j]):
            body[j] = map_blocks(body[j], lambda b: _block(b, uses, fixed))
    return tuple(body)


def _pairs(f, r):
    return isinstance(f, For) and not f.reverse and f.exit is None and f.var == r.var


def _pair(f, r, uses, fixed):
    """The reverse loop ``r`` (paired with ``f``) with its taped values reused, its
    inner pairs likewise."""
    rbody = _reuse(f, list(r.body), uses, fixed)
    fwd = [s for s in f.body if isinstance(s, For) and not s.reverse]
    for q, inner in enumerate(rbody):
        if isinstance(inner, For) and inner.reverse and inner.exit is None:
            same = [s for s in fwd if s.var == inner.var]
            if len(same) == 1 and _pairs(same[0], inner) and \
                    sum(isinstance(s, For) and s.var == inner.var for s in rbody) == 1:
                rbody[q] = _pair(same[0], inner, uses, fixed)
    return replace(r, body=tuple(rbody))


def _sink_pops(body, names):
    """The pops of ``names`` moved to the end of ``body``, in their order, where nothing
    after them sees the difference."""
    last = [s for k, s in enumerate(body) if isinstance(s, Pop) and s.target.name in names
            and not _touched(body[k + 1:], s)]
    return [s for s in body if not any(s is x for x in last)] + last


def _touched(rest, pop):
    v, tape = pop.target.name, pop.tape.name
    for s in walk(rest):
        if isinstance(s, Pop) and s.tape.name == tape:
            return True
        if any(a.name == v for a in atoms_read(s)) or any(w.name == v for w in vars_written(s)):
            return True
    return False


def _reuse(f, rbody, uses, fixed):
    fcount, rcount = write_counts(f.body), write_counts(rbody)
    pushes = {s.value.name: s.tape for s in f.body if isinstance(s, Push) and isinstance(s.value, Var)}
    pops = {s.target.name: s.tape for s in rbody if isinstance(s, Pop)}
    fstmt = {s.target.name: s for s in f.body if isinstance(s, Assign)}
    taped, again, known = set(), {}, {}     # known: (op, args) -> taped variable
    # again: what the reverse body may assign by the forward body's own statement
    for s in f.body:
        if not isinstance(s, Assign):
            continue
        v = s.target.name
        if fcount.get(v) != 1:
            continue
        if v in pushes and pushes[v] == pops.get(v) and uses.get(pushes[v].name) == 2 and \
                rcount.get(v) == 1:
            if s.target.type in SCALARS and _pure(s.op) and _key(s) is not None and \
                    all(_good(a, f, fixed, taped, again) for a in s.args):
                known[_key(s)] = s.target
            taped.add(v)
        elif v not in pushes and rcount.get(v) == 1 and _pure(s.op) and \
                all(_good(a, f, fixed, taped, again) for a in s.args):
            again[v] = s       # good once the reverse body assigns it by the same statement
    # a pop that restores a known value before a statement computes it again goes last
    # (only then: after the reuse nothing computes it again, so a second run moves nothing)
    again_computed = {_key(s) for s in rbody if isinstance(s, Assign) and s.op != "copy"}
    rbody = _sink_pops(rbody, {v.name for k, v in known.items() if k in again_computed})
    out, done, seen = [], set(), set()    # done: recomputed again; seen: written so far

    def holds(a):       # ``a`` holds its forward value here
        if isinstance(a, Const) or a == f.var or a.name in fixed:
            return True
        return a.name in done if a.name in again else a.name in taped and a.name not in seen
    for s in rbody:
        if isinstance(s, Assign) and s.op != "copy" and s.target.type in SCALARS:
            v = known.get(_key(s) or "")
            if v is not None and v.type == s.target.type and v.name not in seen and \
                    all(map(holds, s.args)):
                s = Assign(s.target, "copy", (v,), s.loc)
            elif s.target.name in again and _same(fstmt, s) and all(map(holds, s.args)):
                done.add(s.target.name)
        out.append(s)
        seen |= {w.name for x in walk([s]) for w in vars_written(x)}
    return out


def _key(s):
    """What ``s`` computes, as a key; None where an argument does not hash (a slice)."""
    if all(isinstance(a, Var) or isinstance(a.value, (bool, int, float, str, type(None)))
           for a in s.args):
        return s.op, s.args
    return None


def _pure(op):
    """Computed again from the same arguments, ``op`` gives the same value (no draws)."""
    prim = PRIMITIVES.get(op)
    return op == "copy" or (prim is not None and prim.pure)


def _same(fstmt, s):
    x = fstmt.get(s.target.name)
    return x and replace(s, loc=x.loc) == x and x


def _good(a, f, fixed, taped, again):
    """``a`` keeps, to the end of the forward iteration, the value it has here."""
    return isinstance(a, Const) or a == f.var or a.name in fixed or a.name in taped or \
        a.name in again


__all__ = ["reuse_taped"]
