"""Recompute cheap loop values in the reverse sweep instead of taping them.

A value computed in a loop by one arithmetic operation from the loop index,
loop invariants and values the reverse loop restores anyway is cheaper to
compute again than to store and load (Tapenade's recomputation, and what a
hand-written adjoint does with ``t = i * dt``).  Its push and pop go, and the
top of each reverse iteration computes it again:

    for i in range(n):                         for i in range(n):
        t_tape.append(t)                           t = i * 0.01
        t = i * 0.01                               y = y + math.sin(w * t)
        y = y + math.sin(w * t)                ...
    ...                                        for i in reversed(range(n)):
    for i in reversed(range(n)):                   t = i * 0.01
        w_bar += t * ...                           w_bar += t * ...
        t = t_tape.pop()

Why the recomputed value is right: in the reverse loop each restored variable
holds, at the top of iteration i, the value it had at the end of forward
iteration i (its one pop per iteration restores the value its one push saw).
So a value ``v = op(args)`` assigned once per iteration, at the top of the
forward body, is recomputed exactly when every argument is

- a constant or the loop index (the reverse loop runs the same indices);
- invariant: assigned only at the top of the function before the loop;
- restored: assigned once at the top of the forward body before ``v``, pushed
  and popped once, and written by nothing else; or an earlier recomputed value.

``v`` must not be read in the forward body before its assignment (the reverse
code after its pop would have read the old value) nor after the reverse loop.

Executed:

    >>> from pullback.ir import Assign, Const, For, Function, NewTape, Pop, Push, Return, Var
    >>> from pullback.ir.printer import format_function
    >>> w, y, t, s, w_bar, c = (Var(v, "float") for v in ("w", "y", "t", "s", "w_bar", "c"))
    >>> i, n, tape = Var("i", "int"), Var("n", "int"), Var("t_tape", "tape")
    >>> fn = Function("f_grad", (w, n), (
    ...     Assign(y, "copy", (Const(0.0),)), Assign(t, "copy", (Const(0.0),)), NewTape(tape),
    ...     For(i, Const(0), n, Const(1), (Push(tape, t), Assign(t, "mul", (i, Const(0.01))),
    ...         Assign(s, "sin", (t,)), Assign(y, "add", (y, s)))),
    ...     Assign(w_bar, "copy", (Const(0.0),)),
    ...     For(i, Const(0), n, Const(1), (Assign(c, "cos", (t,)),
    ...         Assign(w_bar, "add", (w_bar, c)), Pop(t, tape)), reverse=True),
    ...     Return((y, w_bar))))
    >>> print(format_function(recompute_cheap(fn)))
    def f_grad(w, n):
      y = copy(0.0)
      t = copy(0.0)
      t_tape = tape
      for i in range(0, n, 1):
        t = mul(i, 0.01)
        s = sin(t)
        y = add(y, s)
      w_bar = copy(0.0)
      for i in reversed range(0, n, 1):
        t = mul(i, 0.01)
        c = cos(t)
        w_bar = add(w_bar, c)
      return y, w_bar

Loops of the same block only (both halves in one function): the reverse loop
of a nested loop lies in another block, and split ``fwd``/``rev`` pairs pass
their tapes through the residual.
"""
from dataclasses import replace

from ..ir import Assign, Const, For, Pop, Push, Var
from ..ir.walk import atoms_read, blocks, vars_written, walk

CHEAP = ("add", "sub", "mul", "neg", "pos", "truediv", "float", "copy")
SCALARS = ("float", "int", "bool")


def recompute_cheap(fn):
    body = list(fn.body)
    for j, r in enumerate(body):
        if isinstance(r, For) and r.reverse and r.exit is None:
            i = next((k for k in range(j - 1, -1, -1) if _pairs(body[k], r)), None)
            if i is not None:
                body = _recompute(body, i, j, fn)
    return replace(fn, body=tuple(body))


def _pairs(f, r):
    return isinstance(f, For) and not f.reverse and f.exit is None and f.var == r.var


def _recompute(body, i, j, fn):
    f, r = body[i], body[j]
    tapes = _tape_uses(fn.body)
    pushes = {s.value.name: s for s in f.body if isinstance(s, Push) and isinstance(s.value, Var)}
    pops = {s.target.name: s for s in r.body if isinstance(s, Pop)}
    writes = _write_sites(body, i, j)
    restored, done, again = set(), {}, []
    for k, s in enumerate(f.body):
        if not isinstance(s, Assign):
            continue
        v = s.target.name
        # (a write before the loop is the 0.0 that the push saw first)
        taped = v in pushes and v in pops and pushes[v].tape == pops[v].tape and \
            tapes.get(pushes[v].tape.name) == 2 and writes.get(v) in ({"loop"}, {"before", "loop"})
        if taped and s.op in CHEAP and s.target.type in SCALARS and \
                all(_available(a, f, writes, restored, done) for a in s.args) and \
                not _read_before(f.body, k, v, pushes[v]) and not _read_after(body, j, v):
            done[v] = pushes[v].tape
            again.append(s)
        elif taped:
            restored.add(v)
    if not again:
        return body
    gone = set(done.values())
    fbody = tuple(s for s in f.body if not (isinstance(s, Push) and s.tape in gone))
    rbody = tuple(s for s in r.body if not (isinstance(s, Pop) and s.tape in gone))
    new = list(body)
    new[i] = replace(f, body=fbody)
    new[j] = replace(r, body=tuple(again) + rbody)
    return new          # the tapes' creation is dead now: DCE removes it


def _available(a, f, writes, restored, done):
    if isinstance(a, Const) or a == f.var:
        return True
    name = a.name
    if name in done or name in restored:
        return True
    return writes.get(name, {"before"}) == {"before"}


def _write_sites(body, i, j):
    """Per variable, where the block writes it: 'before' the loop at top level,
    'loop' (once, at the top of the forward body, or by a pop in the reverse
    body), or 'other'."""
    sites = {}
    f, r = body[i], body[j]
    for k, s in enumerate(body):
        if k == i or k == j:
            continue
        where = "before" if k < i and not blocks(s) else "other"
        for s2 in walk([s]):
            for v in vars_written(s2):
                sites.setdefault(v.name, set()).add(where)
    counts = {}
    for s in walk(f.body):
        for v in vars_written(s):
            counts[v.name] = counts.get(v.name, 0) + 1
    for s in f.body:
        for v in vars_written(s):
            if counts[v.name] == 1 and isinstance(s, Assign):
                sites.setdefault(v.name, set()).add("loop")
    for name, n in counts.items():
        if n != 1 or not any(isinstance(s, Assign) and s.target.name == name for s in f.body):
            sites.setdefault(name, set()).add("other")
    for s in walk(r.body):
        for v in vars_written(s):
            if not isinstance(s, Pop) or s not in r.body:
                sites.setdefault(v.name, set()).add("other")
    sites.setdefault(f.var.name, set()).add("other")
    return sites


def _tape_uses(body):
    n = {}
    for s in walk(body):
        if isinstance(s, (Push, Pop)):
            n[s.tape.name] = n.get(s.tape.name, 0) + 1
    return n


def _read_before(fbody, k, v, push):
    return any(s is not push and any(a.name == v for a in atoms_read(s) if isinstance(a, Var))
               for s in walk(fbody[:k]))


def _read_after(body, j, v):
    return any(isinstance(a, Var) and a.name == v
               for s in walk(body[j + 1:]) for a in atoms_read(s))


__all__ = ["recompute_cheap"]
