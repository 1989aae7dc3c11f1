"""Type inference: one type per variable, the join over all its assignments.

Scalar types form a chain ``bool < int < float``.  Parameters of the entry
function take the types of the example arguments; a callee's parameters take
the join over its call sites.  The result is the module with every ``Var``
carrying its type, so later stages (activity, backends) read types from the
IR itself.
"""
from dataclasses import replace

from ..errors import TransformError
from ..ir import Assign, Call, Const, For, Function, Module, Pop, Return, Var
from ..ir.walk import blocks, walk
from ..rules import PRIMITIVES

ORDER = {"bool": 0, "int": 1, "float": 2}


def join(a, b):
    if a is None:
        return b
    if b is None:
        return a
    return a if ORDER[a] >= ORDER[b] else b


def infer_types(module, entry_types):
    table = {f.name: {} for f in module.functions}
    rets = {f.name: None for f in module.functions}
    entry = module.functions[0]
    for p, t in zip(entry.params, entry_types):
        table[entry.name][p.name] = t
    changed = True
    while changed:
        changed = False

        def setvar(fname, name, t):
            nonlocal changed
            old = table[fname].get(name)
            new = join(old, t)
            if new != old:
                table[fname][name] = new
                changed = True

        for fn in module.functions:
            env = table[fn.name]

            def ty(a):
                return a.type if isinstance(a, Const) else env.get(a.name)
            for s in walk(fn.body):
                if isinstance(s, Assign):
                    ts = [ty(a) for a in s.args]
                    if None in ts:
                        continue
                    t = ts[0] if s.op == "copy" else PRIMITIVES[s.op].result(*ts)
                    setvar(fn.name, s.target.name, t)
                elif isinstance(s, For):
                    setvar(fn.name, s.var.name, "int")
                elif isinstance(s, Call):
                    callee = module.get(s.func)
                    for p, a in zip(callee.params, s.args):
                        if ty(a) is not None:
                            setvar(callee.name, p.name, ty(a))
                    for t, r in zip(s.targets, rets[s.func] or ()):
                        if r is not None:
                            setvar(fn.name, t.name, r)
                elif isinstance(s, Return):
                    ts = tuple(ty(a) for a in s.values)
                    old = rets[fn.name]
                    new = ts if old is None else tuple(join(x, y) for x, y in zip(old, ts))
                    if new != old:
                        rets[fn.name] = new
                        changed = True
    return Module(tuple(_annotate(f, table[f.name]) for f in module.functions))


def _annotate(fn, env):
    def var(v):
        t = env.get(v.name)
        if t is None:
            raise TransformError.at(fn.loc, f"cannot infer the type of '{v.name}' in "
                                    f"'{fn.name}' (is it used before assignment?)")
        return Var(v.name, t)

    def atom(a):
        return var(a) if isinstance(a, Var) else a

    def stmt(s):
        if isinstance(s, Assign):
            s = replace(s, target=var(s.target), args=tuple(map(atom, s.args)))
        elif isinstance(s, Call):
            s = replace(s, targets=tuple(map(var, s.targets)), args=tuple(map(atom, s.args)))
        elif isinstance(s, Return):
            s = replace(s, values=tuple(map(atom, s.values)))
        elif isinstance(s, For):
            s = replace(s, var=var(s.var), start=atom(s.start), stop=atom(s.stop),
                        step=atom(s.step), exit=s.exit and var(s.exit))
        elif hasattr(s, "cond"):
            s = replace(s, cond=atom(s.cond))
        elif hasattr(s, "exit"):
            s = replace(s, exit=var(s.exit))
        if blocks(s):
            from ..ir.walk import map_blocks
            s = map_blocks(s, lambda b: tuple(map(stmt, b)))
        return s
    return Function(fn.name, tuple(map(var, fn.params)), tuple(map(stmt, fn.body)), fn.loc, fn.doc)


__all__ = ["infer_types", "join", "Pop"]
