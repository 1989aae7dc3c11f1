"""Tape fusion: one record per loop iteration instead of one tape per variable.

When several scalar tapes are each pushed exactly once per iteration of the
same forward loop and popped exactly once per iteration of the same reverse
loop, they always hold the same number of entries, pushed and popped in step.
They become one tape of records: pushed once at the top of the forward body
(a variable's value there is the one its push saw, since nothing in between
assigns it) and popped once at the top of the reverse body into ``x_old``
locals, which the original pops then copy:

    for i in range(n):                         for i in range(n):
        x_tape.append(x)                           tape.append((x, y))
        x = x * c                                  x = x * c
        y_tape.append(y)                           y = sin(x)
        y = sin(x)
    ...                                        ...
    for i in reversed(range(n)):               for i in reversed(range(n)):
        ...                                        x_old, y_old = tape.pop()
        y = y_tape.pop()                           ...
        ...                                        y = y_old
        x = x_tape.pop()                           ...
                                                   x = x_old

In Python one tuple and one ``append``/``pop`` replace one ``append``/``pop``
per variable; the Numba backend stores each field of such a record in its own
array with one shared index.  Only tapes whose push and pop both lie in the
function are fused (so the two halves of a split ``fwd``/``rev`` pair, which
exchange tapes in the residual, are left alone).

Executed:

    >>> from pullback.ir import Assign, Const, For, Function, NewTape, Pop, Push, Return, Var
    >>> from pullback.ir.printer import format_function
    >>> x, y, w_bar = (Var(v, "float") for v in ("x", "y", "w_bar"))
    >>> i, n = Var("i", "int"), Var("n", "int")
    >>> x_tape, y_tape = Var("x_tape", "tape"), Var("y_tape", "tape")
    >>> fn = Function("f_grad", (x, n), (NewTape(x_tape), NewTape(y_tape),
    ...     For(i, Const(0), n, Const(1), (Push(x_tape, x), Assign(x, "mul", (x, Const(0.5))),
    ...                                    Push(y_tape, y), Assign(y, "sin", (x,)))),
    ...     For(i, Const(0), n, Const(1), (Pop(y, y_tape), Assign(w_bar, "add", (w_bar, y)),
    ...                                    Pop(x, x_tape)), reverse=True),
    ...     Return((w_bar,))))
    >>> print(format_function(fuse_tapes(fn)))
    def f_grad(x, n):
      tape = tape
      for i in range(0, n, 1):
        t = pack(x, y)
        push tape t
        x = mul(x, 0.5)
        y = sin(x)
      for i in reversed range(0, n, 1):
        record = pop tape
        x_old = item(record, 0)
        y_old = item(record, 1)
        y = copy(y_old)
        w_bar = add(w_bar, y)
        x = copy(x_old)
      return w_bar
"""
from dataclasses import replace

from ..ir import Assign, Const, For, NewTape, Pop, Push, Var, While
from ..ir.walk import all_read, all_written, map_blocks, vars_written, walk

SCALARS = ("float", "int", "bool")


def fuse_tapes(fn):
    sites = {}                   # tape name -> {"push": [...], "pop": [...]}
    _collect(fn.body, None, sites)
    groups = {}
    for name, site in sites.items():
        if len(site["push"]) != 1 or len(site["pop"]) != 1:
            continue
        (push, floop, before), (pop, rloop, _) = site["push"][0], site["pop"][0]
        if floop is None or rloop is None or not isinstance(push.value, Var):
            continue
        if push.value.type not in SCALARS or pop.target.type not in SCALARS:
            continue
        if push.value.name in {v.name for s in before for v in _writes(s)}:
            continue
        groups.setdefault((id(floop), id(rloop)), []).append(name)
    groups = [g for g in groups.values() if len(g) > 1]
    if not groups:
        return fn
    taken = {p.name for p in fn.params} | all_written(fn.body) | all_read(fn.body)

    def fresh(base, type_):
        name, k = base, 0
        while name in taken:
            k += 1
            name = f"{base}_{k}"
        taken.add(name)
        return Var(name, type_)

    plan = {}                     # id(loop) -> statements to put first in its body
    remove, replaced, tapes = set(), {}, []
    for names in groups:
        pushes = [sites[n]["push"][0][0] for n in names]
        pops = [sites[n]["pop"][0][0] for n in names]
        tape = fresh("tape", "tape")
        rec = fresh("t", "residual")
        got = fresh("record", "residual")
        olds = [fresh(p.target.name + "_old", p.target.type) for p in pops]
        floop, rloop = sites[names[0]]["push"][0][1], sites[names[0]]["pop"][0][1]
        plan.setdefault(id(floop), []).extend(
            [Assign(rec, "pack", tuple(p.value for p in pushes)), Push(tape, rec)])
        plan.setdefault(id(rloop), []).extend(
            [Pop(got, tape)] + [Assign(o, "item", (got, Const(k))) for k, o in enumerate(olds)])
        remove |= {id(p) for p in pushes}
        replaced.update({id(p): Assign(p.target, "copy", (o,)) for p, o in zip(pops, olds)})
        tapes.append(NewTape(tape))
        remove |= {id(s) for s in walk(fn.body) if isinstance(s, NewTape) and s.tape.name in names}
    body = _rewrite(fn.body, plan, remove, replaced)
    return replace(fn, body=tuple(tapes) + body)


def _writes(s):
    return [v for x in walk([s]) for v in vars_written(x)]


def _collect(body, loop, sites):
    """Record each push and pop with the loop whose body holds it directly (or None)
    and the statements before it in that body."""
    for i, s in enumerate(body):
        if isinstance(s, Push):
            sites.setdefault(s.tape.name, {"push": [], "pop": []})["push"].append(
                (s, loop, body[:i]))
        elif isinstance(s, Pop):
            sites.setdefault(s.tape.name, {"push": [], "pop": []})["pop"].append(
                (s, loop, body[:i]))
        elif isinstance(s, (For, While)):
            _collect(s.body, s, sites)
        else:
            for b in (getattr(s, "body", None), getattr(s, "orelse", None)):
                if b:
                    _collect(b, None, sites)


def _rewrite(body, plan, remove, replaced):
    out = []
    for s in body:
        if id(s) in remove:
            continue
        if id(s) in replaced:
            out.append(replaced[id(s)])
            continue
        new = map_blocks(s, lambda b: _rewrite(b, plan, remove, replaced))
        if id(s) in plan:
            new = replace(new, body=tuple(plan[id(s)]) + new.body)
        out.append(new)
    return tuple(out)
