"""Shrink a failing program to a small one that fails the same way.

Greedy reduction over the module's AST, first improvement wins, until no
candidate still fails: delete a statement, replace a compound statement by
one of its blocks, replace an expression by one of its operands or by a
constant or a parameter, simplify constants and argument values (each
candidate argument strictly plainer than the last, so the search ends).  A candidate
counts only if the oracle reports a failure of the same kind (an invalid
program -- one that raises, or is no longer judged -- does not).
"""
import ast
import copy
import dataclasses
import re
import warnings

from .oracle import check
from .programs import Program

BLOCKS = ("body", "orelse")


def shrink(program, outcome, use_jax=True, budget=3000, timeout=20, checker=check):
    """The smallest failing variant found (a ``Program``) and its ``Outcome``;
    ``checker`` is the oracle (``array_oracle.check_array`` for array programs)."""
    best, best_out = program, outcome
    tries = 0
    progress = True
    while progress and tries < budget:
        progress = False
        for cand in _candidates(best):
            tries += 1
            if tries > budget:
                break
            out = checker(cand, use_jax=use_jax, timeout=timeout)
            if out.failed and out.kind == outcome.kind and _same(out, outcome):
                best, best_out, progress = cand, out, True
                break
    return best, best_out


def _same(a, b):
    """Errors must carry the same message (positions aside) to count as the same failure."""
    if a.kind in ("crash", "unsupported", "vjp", "jvp"):
        return _message(a.detail) == _message(b.detail)
    return True


def _message(detail):
    """An error message without positions (they change as the program shrinks)."""
    text = re.sub(r"(<[^>]*>|\S+\.py):\d+:\d+: ", "", detail)   # programs are module files
    return re.sub(r"line \d+", "line", text)


def _candidates(p):
    tree = ast.parse(p.source)
    n = sum(1 for _ in ast.walk(tree))
    for edit in _edits(tree):
        new = copy.deepcopy(tree)
        if not edit(new):
            continue
        ast.fix_missing_locations(new)
        try:
            src = ast.unparse(new) + "\n"
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                compile(src, "<shrink>", "exec")
        except (SyntaxError, ValueError):
            continue
        if src != p.source and sum(1 for _ in ast.walk(new)) <= n:
            yield dataclasses.replace(p, source=src)     # keeps the kind of program
    if hasattr(p, "simpler_args"):
        yield from p.simpler_args()
        return
    for i, (name, kind) in enumerate(p.params):
        if kind == "float":
            for simple in (0.5, 1.0, round(p.args[i], 1), -0.5):
                if _rank(simple) < _rank(p.args[i]):
                    args = p.args[:i] + (simple,) + p.args[i + 1:]
                    yield Program(p.source, p.params, args, p.entry)


SIMPLE_FLOATS = (0.5, 1.0, -0.5)      # simplest first


def _rank(v):
    """How plain a float argument is (lower is plainer).  A candidate must be strictly
    plainer: without the order, a failure that ignores its arguments went 0.5 -> 1.0 ->
    0.5 ... and spent the whole budget (3000 checks) there."""
    if v in SIMPLE_FLOATS:
        return SIMPLE_FLOATS.index(v)
    return len(SIMPLE_FLOATS) + (v != round(v, 1))


def _edits(tree):
    """Edits as functions of a fresh copy of ``tree``, addressed by walk order."""
    nodes = list(ast.walk(tree))
    for k, node in enumerate(nodes):
        for field in BLOCKS:
            stmts = getattr(node, field, None)
            if not isinstance(stmts, list):
                continue
            for j in range(len(stmts)):
                yield _delete(k, field, j)
                for inner in BLOCKS:
                    if getattr(stmts[j], inner, None):
                        yield _unwrap(k, field, j, inner)
    for k, node in enumerate(nodes):
        if isinstance(node, ast.expr) and not isinstance(node.ctx if hasattr(node, "ctx") else
                                                         ast.Load(), (ast.Store, ast.Del)):
            for j, child in enumerate(c for c in ast.iter_child_nodes(node)
                                      if isinstance(c, ast.expr)):
                yield _replace(k, ("child", j))
            for const in ("1.0", "x"):
                if not (isinstance(node, ast.Constant) or
                        (isinstance(node, ast.Name) and node.id == const)):
                    yield _replace(k, ("expr", const))
        if isinstance(node, ast.Constant) and type(node.value) in (int, float) \
                and node.value not in (0, 1):
            yield _replace(k, ("expr", "1" if isinstance(node.value, int) else "1.0"))


def _delete(k, field, j):
    def edit(tree):
        node = list(ast.walk(tree))[k]
        stmts = getattr(node, field)
        if isinstance(node, ast.Module) and isinstance(stmts[j], ast.Import):
            return False
        if isinstance(node, ast.FunctionDef) and field == "body" and \
                isinstance(stmts[j], ast.Return) and j == len(stmts) - 1:
            return False
        del stmts[j]
        if not stmts and field == "body":
            stmts.append(ast.Pass())
        return True
    return edit


def _unwrap(k, field, j, inner):
    def edit(tree):
        node = list(ast.walk(tree))[k]
        stmts = getattr(node, field)
        if isinstance(stmts[j], (ast.FunctionDef, ast.ClassDef)):
            return False
        stmts[j:j + 1] = getattr(stmts[j], inner)
        return True
    return edit


def _replace(k, how):
    def edit(tree):
        nodes = list(ast.walk(tree))
        target = nodes[k]
        if how[0] == "child":
            kids = [c for c in ast.iter_child_nodes(target) if isinstance(c, ast.expr)]
            if how[1] >= len(kids):
                return False
            new = kids[how[1]]
        else:
            new = ast.parse(how[1], mode="eval").body
        for parent in nodes:
            for field, value in ast.iter_fields(parent):
                if value is target:
                    setattr(parent, field, new)
                    return True
                if isinstance(value, list) and any(v is target for v in value):
                    value[[i for i, v in enumerate(value) if v is target][0]] = new
                    return True
        return False
    return edit
