"""Reads and writes of IR statements, and tree traversal.

One place answers "which variables does this statement read / write", so
every analysis agrees on it.
"""
from dataclasses import fields, replace

from .nodes import Assign, Call, Const, Extern, For, If, Module, Pop, Push, NewTape, Return, Var, While


def atoms_read(stmt):
    """Variables a statement reads itself (not counting nested blocks)."""
    if type(stmt) is Assign:        # most statements
        return [a for a in stmt.args if type(a) is Var]
    get = _READS.get(type(stmt))
    return [a for a in get(stmt) if type(a) is Var] if get is not None else []


# by exact node type: these run for every statement of every pass
_READS = {
    Assign: lambda s: s.args, Call: lambda s: s.args, If: lambda s: (s.cond,),
    For: lambda s: (s.start, s.stop, s.step), While: lambda s: (s.exit,),
    Return: lambda s: s.values, Push: lambda s: (s.tape, s.value), Pop: lambda s: (s.tape,),
}


def vars_written(stmt):
    """Variables a statement assigns itself (not counting nested blocks)."""
    get = _WRITES.get(type(stmt))
    return list(get(stmt)) if get is not None else []


_WRITES = {
    Assign: lambda s: (s.target,), Call: lambda s: s.targets, For: lambda s: (s.var,),
    Pop: lambda s: (s.target,), NewTape: lambda s: (s.tape,),
}


def blocks(stmt):
    """Nested statement blocks of a statement."""
    t = type(stmt)
    if t is If:
        return [stmt.body, stmt.orelse]
    if t is For or t is While:
        return [stmt.body]
    return []


def walk(body):
    """Every statement of a block, nested ones included, in source order."""
    for s in body:
        yield s
        t = type(s)
        if t is If:
            yield from walk(s.body)
            yield from walk(s.orelse)
        elif t is For or t is While:
            yield from walk(s.body)


def map_blocks(stmt, fn):
    """The statement with each nested block replaced by ``fn(block)``."""
    t = type(stmt)
    if t is If:
        return replace(stmt, body=fn(stmt.body), orelse=fn(stmt.orelse))
    if t is For or t is While:
        return replace(stmt, body=fn(stmt.body))
    return stmt


def all_written(body, found=None):
    """Names assigned anywhere in ``body`` (added to ``found``)."""
    found = set() if found is None else found
    for s in body:
        t = type(s)
        if t is Assign or t is Pop:
            found.add(s.target.name)
        elif t is If:
            all_written(s.body, found)
            all_written(s.orelse, found)
        elif t is For:
            found.add(s.var.name)
            all_written(s.body, found)
        elif t is While:
            all_written(s.body, found)
        elif t in _WRITES:
            found.update(v.name for v in _WRITES[t](s))
    return found


def write_counts(body):
    """How many statements of ``body`` (nested ones included) assign each name."""
    counts = {}
    for s in walk(body):
        for v in vars_written(s):
            counts[v.name] = counts.get(v.name, 0) + 1
    return counts


def all_read(body, found=None, externs=True):
    """Names read anywhere in ``body`` (added to ``found``), the globals the generated
    code reads by name (``Extern``) included unless ``externs`` is false: a fresh name
    must never shadow one."""
    found = set() if found is None else found
    for s in body:
        t = type(s)
        get = _READS.get(t)
        for a in get(s) if get is not None else ():
            if type(a) is Var:
                found.add(a.name)
            elif externs and type(a) is Const and type(a.value) is Extern:
                found.add(a.value.name)
        if t is not Assign:
            if t is If:
                all_read(s.body, found, externs)
                all_read(s.orelse, found, externs)
            elif t is For or t is While:
                all_read(s.body, found, externs)
    return found


def is_const(a, value=None):
    return isinstance(a, Const) and (value is None or (a.value == value and type(a.value) is not bool))


def called_from(module, roots):
    """The names of ``roots`` and of every function of ``module`` they lead to by calls
    (``Call.callees``, rules included), at any depth."""
    by_name = {f.name: f for f in module.functions}
    seen, todo = set(roots), list(roots)
    while todo:
        fn = by_name.get(todo.pop())
        for s in walk(fn.body) if fn is not None else ():
            for name in (s.callees if isinstance(s, Call) else ()):
                if name not in seen:
                    seen.add(name)
                    todo.append(name)
    return seen


def reachable(module):
    """The module without the functions its entry (first) never calls: a callee only
    dead code called (a folded branch, a replaced call) has no argument types."""
    seen = called_from(module, (module.functions[0].name,))
    if len(seen) == len(module.functions):
        return module
    return Module(tuple(f for f in module.functions if f.name in seen), module.result)


def externs(module):
    """Global arrays the generated code reads by name."""
    return {a.value.name: a.value.obj for fn in module.functions for a in extern_atoms(fn.body)}


def extern_atoms(body):
    """Every ``Const(Extern)`` a block reads, in any position (arguments, a condition, a
    returned value, a part of a constant index tuple), nested blocks included."""
    for s in walk(body):
        if type(s) is Assign:       # (most statements: only the arguments may be one)
            for a in s.args:
                if type(a) is Const and isinstance(a.value, Extern):
                    yield a
                elif type(a) is Const and type(a.value) is tuple:   # x[I, 0]: inside an index
                    yield from (Const(q) for q in a.value if isinstance(q, Extern))
            continue
        names = _ATOM_FIELDS.get(type(s))
        if names is None:
            names = _ATOM_FIELDS[type(s)] = tuple(
                f.name for f in fields(s) if f.name not in ("body", "orelse"))
        for name in names:
            v = getattr(s, name)
            for a in (v if isinstance(v, tuple) else (v,)):
                if type(a) is Const and isinstance(a.value, Extern):
                    yield a


_ATOM_FIELDS = {}       # statement type -> its fields but nested blocks (read per statement)
