"""Syntactic facts about a function's AST that lowering needs up front."""
import ast
from collections import Counter

_SCOPES = (ast.FunctionDef, ast.Lambda, ast.AsyncFunctionDef, ast.ClassDef)


def own_nodes(node):
    """Nodes of a function body, not descending into nested definitions."""
    todo = list(ast.iter_child_nodes(node))
    while todo:
        n = todo.pop()
        yield n
        if not isinstance(n, _SCOPES):
            todo.extend(ast.iter_child_nodes(n))


def binding_counts(fn):
    """How many places bind each name in this function (params included)."""
    c = Counter(a.arg for a in fn.args.args)
    for n in own_nodes(fn):
        if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store):
            c[n.id] += 1
        elif isinstance(n, ast.FunctionDef):
            c[n.name] += 1
    return c


def appended_names(fn):
    """Names the function calls ``.append`` on: they are run-time lists."""
    return {n.func.value.id for n in own_nodes(fn) if isinstance(n, ast.Call)
            and isinstance(n.func, ast.Attribute) and n.func.attr == "append"
            and isinstance(n.func.value, ast.Name)}


def exits(stmt):
    """Which of break/continue/return can leave ``stmt`` (loops capture the first two)."""
    if isinstance(stmt, ast.Break):
        return {"break"}
    if isinstance(stmt, ast.Continue):
        return {"continue"}
    if isinstance(stmt, ast.Return):
        return {"return"}
    if isinstance(stmt, _SCOPES):
        return set()
    found = set()
    for field in ("body", "orelse"):
        for s in getattr(stmt, field, ()) or ():
            found |= exits(s)
    if isinstance(stmt, (ast.For, ast.While)):    # a loop's else clause is outside the loop
        found = ({"return"} & found) | set().union(*map(exits, stmt.orelse))
    return found


def body_exits(stmts):
    found = set()
    for s in stmts:
        found |= exits(s)
    return found


def free_names(fn):
    """Names a nested function reads but does not bind itself."""
    bound = {a.arg for a in fn.args.args}
    loads = set()
    for n in ast.walk(fn):
        if isinstance(n, ast.Name):
            (loads if isinstance(n.ctx, ast.Load) else bound).add(n.id)
        elif isinstance(n, ast.arg):
            bound.add(n.arg)
    return loads - bound


def return_shape(fn):
    """The skeleton of a function's return value, from its first ``return``."""
    if isinstance(fn, ast.Lambda):
        return _shape(fn.body)
    for n in own_nodes(fn):
        if isinstance(n, ast.Return) and n.value is not None:
            return _shape(n.value)
    return ("atom",)


def _shape(e):
    if isinstance(e, (ast.Tuple, ast.List)):
        return ("tuple",) + tuple(_shape(x) for x in e.elts)
    return ("atom",)
