"""Reads and writes of IR statements, and tree traversal.

One place answers "which variables does this statement read / write", so
every analysis agrees on it.
"""
from .nodes import Assign, Call, Const, For, If, Pop, Push, NewTape, Return, Var, While


def atoms_read(stmt):
    """Variables a statement reads itself (not counting nested blocks)."""
    if isinstance(stmt, (Assign, Call)):
        atoms = stmt.args
    elif isinstance(stmt, If):
        atoms = (stmt.cond,)
    elif isinstance(stmt, For):
        atoms = (stmt.start, stmt.stop, stmt.step)
    elif isinstance(stmt, While):
        atoms = (stmt.exit,)
    elif isinstance(stmt, Return):
        atoms = stmt.values
    elif isinstance(stmt, Push):
        atoms = (stmt.tape, stmt.value)
    elif isinstance(stmt, Pop):
        atoms = (stmt.tape,)
    else:
        atoms = ()
    return [a for a in atoms if isinstance(a, Var)]


def vars_written(stmt):
    """Variables a statement assigns itself (not counting nested blocks)."""
    if isinstance(stmt, Assign):
        return [stmt.target]
    if isinstance(stmt, Call):
        return list(stmt.targets)
    if isinstance(stmt, For):
        return [stmt.var]
    if isinstance(stmt, Pop):
        return [stmt.target]
    if isinstance(stmt, NewTape):
        return [stmt.tape]
    return []


def blocks(stmt):
    """Nested statement blocks of a statement."""
    if isinstance(stmt, If):
        return [stmt.body, stmt.orelse]
    if isinstance(stmt, (For, While)):
        return [stmt.body]
    return []


def walk(body):
    """Every statement of a block, nested ones included, in source order."""
    for s in body:
        yield s
        for b in blocks(s):
            yield from walk(b)


def map_blocks(stmt, fn):
    """The statement with each nested block replaced by ``fn(block)``."""
    from dataclasses import replace
    if isinstance(stmt, If):
        return replace(stmt, body=fn(stmt.body), orelse=fn(stmt.orelse))
    if isinstance(stmt, (For, While)):
        return replace(stmt, body=fn(stmt.body))
    return stmt


def all_written(body):
    return {v.name for s in walk(body) for v in vars_written(s)}


def all_read(body):
    return {v.name for s in walk(body) for v in atoms_read(s)}


def is_const(a, value=None):
    return isinstance(a, Const) and (value is None or (a.value == value and type(a.value) is not bool))
