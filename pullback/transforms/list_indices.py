"""Reads of a growing list by an index counted from its end, made absolute where they run.

``L[-1]`` reads the item that is last *now*.  Its adjoint sends the cotangent to
``L[-1]`` of the list as the reverse sweep sees it, after the appends that followed,
which is another item: ``res.append(res[-1] * 2.0)`` had a silently wrong gradient.  So
every ``getitem`` of a list by a negative constant becomes one by ``len(L) + c``, and
one by a run-time int ``i`` one by ``i + len(L) * (i < 0)``, both computed in the
forward sweep: an int the reverse sweep reads back like any other index.

    t = getitem(L, -1)          n = len(L)
                                k = add(n, -1)
                                t = getitem(L, k)

Invariants: runs on the typed module, before the aliasing checks and every transform;
only ``getitem`` of a ``ListT`` value changes (an array's ``x[-1]`` has a fixed length);
the new names are fresh in their function.
"""
from dataclasses import replace

from ..ir import Assign, Const, Var
from ..ir.names import Names
from ..ir.types import ListT
from ..ir.walk import all_read, all_written, map_blocks


def absolute_list_indices(module):
    """``module`` with each list read by an end-relative or run-time index made absolute."""
    functions = []
    for fn in module.functions:
        names = Names({p.name for p in fn.params} | all_written(fn.body) | all_read(fn.body))
        functions.append(replace(fn, body=_block(fn.body, names)))
    return replace(module, functions=tuple(functions))


def _block(stmts, names):
    out = []
    for s in stmts:
        s = map_blocks(s, lambda b: _block(b, names))
        if isinstance(s, Assign) and s.op == "getitem" and \
                isinstance(getattr(s.args[0], "type", None), ListT):
            idx = s.args[1]
            if isinstance(idx, Const) and type(idx.value) is int and idx.value < 0:
                n = Var(names.fresh("n"), "int")
                k = Var(names.fresh("k"), "int")
                out += [Assign(n, "len", (s.args[0],), s.loc), Assign(k, "add", (n, idx), s.loc)]
                s = replace(s, args=(s.args[0], k) + s.args[2:])
            elif isinstance(idx, Var) and idx.type == "int":
                n, neg = Var(names.fresh("n"), "int"), Var(names.fresh("neg"), "bool")
                wrap, k = Var(names.fresh("wrap"), "int"), Var(names.fresh("k"), "int")
                out += [Assign(n, "len", (s.args[0],), s.loc),
                        Assign(neg, "lt", (idx, Const(0)), s.loc),
                        Assign(wrap, "mul", (n, neg), s.loc),
                        Assign(k, "add", (idx, wrap), s.loc)]
                s = replace(s, args=(s.args[0], k) + s.args[2:])
        out.append(s)
    return tuple(out)
