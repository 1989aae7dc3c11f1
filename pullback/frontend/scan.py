"""Syntactic facts about a function's AST that lowering needs up front.

Invariant: one walk per function node answers the fence and every question here
(``Facts``), and its answers are kept for the node: parsed trees are never
modified, so lowering a function again (another API object, a nested function
at each call) asks again at no cost.
"""
import ast
import weakref
from collections import Counter

from .fence import LOOK, SUPPORTED_TYPES, problem

_SCOPES = (ast.FunctionDef, ast.Lambda, ast.AsyncFunctionDef, ast.ClassDef)


def own_nodes(node):
    """Nodes of a function body, not descending into nested definitions."""
    todo = list(ast.iter_child_nodes(node))
    while todo:
        n = todo.pop()
        yield n
        if not isinstance(n, _SCOPES):
            todo.extend(ast.iter_child_nodes(n))


class Facts:
    """What lowering asks about one function (or lambda) node, from one walk.

    ``counts``: how many places bind each name (params included); ``appended``:
    names ``.append`` is called on; ``first_return``: the first ``return`` with a
    value in ``own_nodes`` order; ``returns``: ``return`` statements in the whole
    subtree, nested definitions included; ``fenced``: True when the fence finds
    nothing to reject (None: not known, check it); ``first_yield``: its first
    ``yield``/``yield from`` by position in its own nodes (a generator), else None."""

    def __init__(self, params, parent):
        self.counts = Counter(a.arg for a in params)
        self.appended = set()
        self.first_return = None
        self.returns = 0
        self.fenced = None
        self.first_yield = None
        self.parent = parent


# node -> Facts.  Parsed trees are not modified, so a function lowered again (another
# API object, another specialisation, a nested function at each call) is not walked
# again; by weak reference, so that a deep copy (renamed by the lowerer) has none.
_FACTS = weakref.WeakKeyDictionary()


def facts(fn):
    """The ``Facts`` of a function or lambda node."""
    found = _FACTS.get(fn)
    if found is None:
        _walk(fn)
        found = _FACTS[fn]
    return found


def _walk(root):
    """One walk of ``root`` for the fence and for every scope's ``Facts``.  The stack
    visits each scope's own nodes in ``own_nodes`` order (a nested scope's subtree
    is finished before its siblings), so ``first_return`` is the one it finds."""
    AST, Name, Store, Call, Attribute, Return, Yield, YieldFrom = \
        ast.AST, ast.Name, ast.Store, ast.Call, ast.Attribute, ast.Return, ast.Yield, \
        ast.YieldFrom
    clean = type(root) in SUPPORTED_TYPES and not problem(root, root)
    scopes = [Facts(root.args.args, None)]
    todo = [(n, scopes[0]) for n in ast.iter_child_nodes(root)]
    while todo:
        n, owner = todo.pop()
        t = type(n)
        if clean and (t not in SUPPORTED_TYPES or (t in LOOK and problem(n, root))):
            clean = False
        if t is Name:
            if type(n.ctx) is Store:
                owner.counts[n.id] += 1
        elif t is Call:
            f = n.func
            if type(f) is Attribute and f.attr in ("append", "extend") and type(f.value) is Name:
                owner.appended.add(f.value.id)
            elif type(f) is Attribute and f.attr in ("append", "extend") and \
                    type(f.value) is Attribute and type(f.value.value) is Name:
                owner.appended.add("self." + f.value.attr)   # an attribute __init__ grows
        elif t is Return:
            owner.returns += 1
            if owner.first_return is None and n.value is not None:
                owner.first_return = n
        elif t is Yield or t is YieldFrom:
            y = owner.first_yield
            if y is None or (n.lineno, n.col_offset) < (y.lineno, y.col_offset):
                owner.first_yield = n
        elif t in _SCOPES:
            if t is ast.FunctionDef:
                owner.counts[n.name] += 1
            owner = Facts(getattr(getattr(n, "args", None), "args", ()), owner)
            if t is not ast.ClassDef:       # (rejected by the fence; its facts go nowhere)
                scopes.append(owner)
                _FACTS[n] = owner
        for field in n._fields:
            v = getattr(n, field, None)
            if isinstance(v, AST):
                todo.append((v, owner))
            elif type(v) is list:
                todo.extend((x, owner) for x in v if isinstance(x, AST))
    for s in reversed(scopes[1:]):     # nested returns count for every enclosing scope
        s.parent.returns += s.returns
        s.fenced = True if clean else None
    scopes[0].fenced = clean
    _FACTS[root] = scopes[0]


# node -> every name and attribute name spelled in its subtree (see ``spelled``)
_SPELLED = weakref.WeakKeyDictionary()


def spelled(node):
    """Every ``Name`` and attribute name in ``node``'s subtree, nested definitions
    included (fresh temporaries avoid them); kept for the node, as ``facts`` is."""
    found = _SPELLED.get(node)
    if found is None:
        found = _SPELLED[node] = frozenset(
            n.id if isinstance(n, ast.Name) else n.attr for n in ast.walk(node)
            if isinstance(n, (ast.Name, ast.Attribute)))
    return found


def binding_counts(fn):
    """How many places bind each name in this function (params included)."""
    return Counter(facts(fn).counts)


def appended_names(fn):
    """Names the function calls ``.append`` or ``.extend`` on: they are run-time lists."""
    return set(facts(fn).appended)


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
    """The skeleton of a function's return value, guessed from its first ``return``'s
    syntax (a name bound once, by ``=``, is read through); checked once it is lowered."""
    if isinstance(fn, ast.Lambda):
        return _shape(fn.body, {})
    ret = facts(fn).first_return
    return _shape(ret.value, _bound_once(fn)) if ret is not None else ("atom",)


def _shape(e, once):
    if isinstance(e, ast.Name) and e.id in once:
        return _shape(once.pop(e.id), once)         # (popped: a cycle ends)
    if isinstance(e, (ast.Tuple, ast.List)):
        return ("list" if isinstance(e, ast.List) else "tuple",) + \
            tuple(_shape(x, once) for x in e.elts)
    if isinstance(e, ast.Dict) and all(isinstance(k, ast.Constant) for k in e.keys):
        return ("dict", tuple(k.value for k in e.keys)) + tuple(_shape(v, once) for v in e.values)
    return ("atom",)


def _bound_once(fn):
    """name -> value of the names ``fn`` binds exactly once, by a plain ``name = value``."""
    values, count = {}, {}
    for n in ast.walk(fn):
        if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load):
            count[n.id] = count.get(n.id, 0) + 1
        elif isinstance(n, ast.Assign) and len(n.targets) == 1 and \
                isinstance(n.targets[0], ast.Name):
            values[n.targets[0].id] = n.value
    return {k: v for k, v in values.items() if count.get(k) == 1}
