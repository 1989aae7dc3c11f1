"""Semantics-preserving rewrites of a program (metamorphic fuzzing, issue 11).

``variants(source, entry, kind, shapes)`` returns ``Variant``s of a module's
source: each computes the same value and derivative as the original, in a form
users write but the generators do not.  Every rewrite applies at *every* site
it finds (so a shrunk program gets the same rewrite), and is skipped where it
finds none.  Rewrites (``NAMES``):

- ``global``: each float literal in a function body becomes a module global
  ``G<k>``; ``change`` also says how to move the globals afterwards (the
  derivative must follow the new values, as the original with new literals);
- ``int``: an integral float literal next to a non-constant operand becomes an
  int (``x * 2.0`` -> ``x * 2``: the same float arithmetic in Python);
- ``aug``: ``y op= e`` <-> ``y = y op e`` (array names only in the first
  direction: ``+=`` on an array writes in place, ``= +`` rebinds);
- ``alias``: each write ``y[i] = e`` goes through a second name ``y_alias = y``;
- ``npsum``: scalar ``a + b`` -> ``np.sum([a, b])`` (scalar programs only);
- ``outline``: the value of each ``v = e`` / ``return e`` moves into a helper
  taking its free local names; ``identity``: each local name read goes through
  a helper that returns its argument (not the array a write or ``.append`` changes); ``inline``: a call of a one-line helper
  becomes the helper's expression;
- ``loop``: a vectorised elementwise ``v = e`` / ``t = np.sum(e)`` on arrays of
  one shape becomes a loop over the first axis (``shapes`` says the shapes);
- ``index``/``index_closure``: a slice ``y[a:b]`` on axis 0 becomes an index
  array, or a boolean mask, held in a module global or in a closure.

The rewrites keep the program valid only where the generators' invariants hold
(pure expressions, no name aliasing a later-written array); the caller checks
every variant's value against the original and drops any that differ.
"""
import ast
import builtins
import copy
from dataclasses import dataclass

NAMES = ("global", "int", "aug", "alias", "npsum", "outline", "identity", "inline", "loop",
         "index", "index_closure")
ELEMENTWISE = {"sin", "cos", "tanh", "arctan", "arcsinh", "exp", "log", "sqrt", "abs",
               "maximum", "minimum", "where", "log1p", "expm1", "square", "tan"}
ARITH = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow)


@dataclass
class Variant:
    name: str
    source: str
    change: dict = None      # global: {name: new value}; ``reference`` is the source with them
    reference: str = None


def variants(source, entry="f", kind="scalar", shapes=None, only=None):
    """The ``Variant``s of ``source`` (``kind``: "scalar" or "array"; ``shapes``: line ->
    {expression text: shape}, from ``shapes.shapes_at_lines``; ``only``: names to make)."""
    out, plain = [], None
    for name in only or NAMES:
        if name not in REWRITES:               # "base": the original alone
            continue
        tree = ast.parse(source)
        f = _entry(tree, entry)
        if f is None:
            return out
        made = REWRITES[name](tree, f, kind, shapes or {})
        if made is None:
            continue
        text = ast.unparse(ast.fix_missing_locations(tree)) + "\n"
        if isinstance(made, tuple):           # global: (change, reference source)
            out.append(Variant(name, text, *made))
        else:
            if plain is None:       # the source as unparsing prints it: no rewrite if equal
                plain = ast.unparse(ast.parse(source)) + "\n"
            if text != plain:
                out.append(Variant(name, text))
    return out


def _entry(tree, entry):
    return next((n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == entry),
                None)


def _own_nodes(fn):
    """The nodes of ``fn``'s body outside nested functions and lambdas, with parents."""
    out, todo = [], [(s, fn) for s in fn.body]
    while todo:
        node, parent = todo.pop()
        out.append((node, parent))
        if isinstance(node, (ast.FunctionDef, ast.Lambda, ast.ClassDef)):
            continue
        todo += [(c, node) for c in ast.iter_child_nodes(node)]
    return out


def _functions(tree):
    return [n for n in tree.body if isinstance(n, ast.FunctionDef)]


def _replace_child(parent, old, new):
    for field, value in ast.iter_fields(parent):
        if value is old:
            setattr(parent, field, new)
            return
        if isinstance(value, list):
            for i, v in enumerate(value):
                if v is old:
                    value[i] = new
                    return


def _insert_after_imports(tree, stmts):
    k = 0
    while k < len(tree.body) and isinstance(tree.body[k], (ast.Import, ast.ImportFrom)):
        k += 1
    tree.body[k:k] = stmts


def _ensure_numpy(tree):
    if not any(isinstance(s, ast.Import) and any(a.asname == "np" for a in s.names)
               for s in tree.body):
        tree.body.insert(0, ast.parse("import numpy as np").body[0])


def _is_float_literal(node):
    return isinstance(node, ast.Constant) and type(node.value) is float


def _defaults(tree):
    """Literal nodes evaluated once at ``def`` time (defaults): moving them is no rewrite."""
    out = set()
    for n in ast.walk(tree):
        if isinstance(n, (ast.FunctionDef, ast.Lambda)):
            for d in n.args.defaults + [d for d in n.args.kw_defaults if d is not None]:
                out |= {id(x) for x in ast.walk(d)}
    return out


# -- literals --------------------------------------------------------------------------
def _global(tree, f, kind, shapes):
    skip = _defaults(tree)
    sites = [(node, parent) for fn in _functions(tree) for node, parent in _own_nodes(fn)
             if _is_float_literal(node) and id(node) not in skip]
    if not sites:
        return None
    reference = copy.deepcopy(tree)
    ref_sites = [node for fn in _functions(reference) for node, _ in _own_nodes(fn)
                 if _is_float_literal(node) and id(node) not in _defaults(reference)]
    change, lines = {}, []
    for k, ((node, parent), ref) in enumerate(zip(sites, ref_sites)):
        name = f"G{k}"
        lines.append(ast.parse(f"{name} = {node.value!r}").body[0])
        change[name] = node.value + 0.125          # small: the domains stay the same
        ref.value = change[name]
        _replace_child(parent, node, ast.Name(name, ast.Load()))
    _insert_after_imports(tree, lines)
    return change, ast.unparse(ast.fix_missing_locations(reference)) + "\n"


def _int(tree, f, kind, shapes):
    for fn in _functions(tree):
        for node, parent in _own_nodes(fn):
            if not isinstance(node, ast.BinOp) or not isinstance(node.op, ARITH):
                continue
            for side, other in (("left", node.right), ("right", node.left)):
                lit = getattr(node, side)
                inner = lit.operand if isinstance(lit, ast.UnaryOp) and \
                    isinstance(lit.op, ast.USub) else lit
                if _is_float_literal(inner) and inner.value.is_integer() and \
                        abs(inner.value) < 1e6 and not isinstance(other, (ast.Constant,
                                                                          ast.UnaryOp)):
                    inner.value = int(inner.value)
    return True


# -- statements ------------------------------------------------------------------------
def _aug(tree, f, kind, shapes):
    for fn in _functions(tree):
        for node, parent in _own_nodes(fn):
            if isinstance(node, ast.AugAssign):
                if isinstance(node.target, ast.Name) and kind != "scalar" and \
                        not _scalar_at(node.target.id, node.lineno, shapes):
                    continue                   # an array: += writes in place, = + rebinds
                load = copy.deepcopy(node.target)
                for n in ast.walk(load):
                    if hasattr(n, "ctx"):
                        n.ctx = ast.Load()
                new = ast.Assign([node.target], ast.BinOp(load, node.op, node.value))
                _replace_child(parent, node, ast.copy_location(new, node))
            elif kind == "scalar" and isinstance(node, ast.Assign) and len(node.targets) == 1 \
                    and isinstance(node.targets[0], ast.Name) and \
                    isinstance(node.value, ast.BinOp) and \
                    isinstance(node.value.left, ast.Name) and \
                    node.value.left.id == node.targets[0].id:
                new = ast.AugAssign(node.targets[0], node.value.op, node.value.right)
                _replace_child(parent, node, ast.copy_location(new, node))
    return True


def _scalar_at(name, line, shapes):
    return shapes.get(line, {}).get(name, "?") == ()


def _alias(tree, f, kind, shapes):
    k = 0
    for fn in _functions(tree):
        for node, parent in _own_nodes(fn):
            if not isinstance(node, (ast.Assign, ast.AugAssign)):
                continue
            target = node.targets[0] if isinstance(node, ast.Assign) else node.target
            if not (isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name)):
                continue
            alias = f"{target.value.id}_alias{k}"
            k += 1
            block = next(b for b in (getattr(parent, "body", None), getattr(parent, "orelse",
                                                                            None))
                         if isinstance(b, list) and any(s is node for s in b))
            at = next(i for i, s in enumerate(block) if s is node)
            block.insert(at, ast.parse(f"{alias} = {target.value.id}").body[0])
            target.value = ast.Name(alias, ast.Load())
    return True if k else None


def _npsum(tree, f, kind, shapes):
    if kind != "scalar":
        return None
    found = False
    for fn in _functions(tree):
        for node, parent in _own_nodes(fn):
            if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
                call = ast.parse("np.sum([a, b])", mode="eval").body
                call.args[0].elts = [node.left, node.right]
                _replace_child(parent, node, call)
                found = True
    if found:
        _ensure_numpy(tree)
    return True if found else None


# -- helpers ---------------------------------------------------------------------------
def _module_names(tree):
    names = set(dir(builtins))
    for s in tree.body:
        if isinstance(s, (ast.Import, ast.ImportFrom)):
            names |= {(a.asname or a.name).split(".")[0] for a in s.names}
        elif isinstance(s, (ast.FunctionDef, ast.ClassDef)):
            names.add(s.name)
        elif isinstance(s, ast.Assign):
            names |= {n.id for t in s.targets for n in ast.walk(t) if isinstance(n, ast.Name)}
    return names


def _locals(fn):
    """Names ``fn`` binds, and those bound to functions (never passed to an outlined helper)."""
    names = {a.arg for a in fn.args.args + fn.args.kwonlyargs}
    funcs = set()
    for node, _ in _own_nodes(fn):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.FunctionDef):
            names.add(node.name)
            funcs.add(node.name)
        elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Lambda):
            funcs |= {t.id for t in node.targets if isinstance(t, ast.Name)}
    return names, funcs


OPAQUE = (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp, ast.NamedExpr,
          ast.Yield, ast.YieldFrom, ast.Await, ast.Starred)


def _outline(tree, f, kind, shapes):
    names, funcs = _locals(f)
    helpers = []
    for node, parent in _own_nodes(f):
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            expr = node.value
        elif isinstance(node, ast.Return) and node.value is not None and \
                not isinstance(node.value, ast.Tuple):
            expr = node.value
        else:
            continue
        if isinstance(expr, (ast.Name, ast.Constant)) or \
                any(isinstance(n, OPAQUE) for n in ast.walk(expr)):
            continue
        free = sorted({n.id for n in ast.walk(expr) if isinstance(n, ast.Name)} & names)
        if set(free) & funcs:
            continue
        name = f"_outlined{len(helpers)}"
        helpers.append(ast.FunctionDef(name, ast.arguments([], [ast.arg(a) for a in free], None,
                                                           [], [], None, []),
                                       [ast.Return(expr)], [], None, None))
        node.value = ast.Call(ast.Name(name, ast.Load()), [ast.Name(a, ast.Load())
                                                           for a in free], [])
    if not helpers:
        return None
    at = tree.body.index(f)
    tree.body[at:at] = helpers
    return True


MUTATORS = {"append", "extend", "insert", "pop", "remove", "clear", "sort", "reverse",
            "update", "setdefault", "fill", "resize", "put", "itemset"}


def _written_bases(fn):
    """Names whose object a statement changes: the base of a write target (``y[i] = v``,
    ``y[i] += v``) and the receiver of a mutating method (``L.append(v)``).  ``identity``
    leaves them: ``_same(y)[i] = v`` writes through a helper's result, which the alias
    analysis rejects by design (issue 11), so the variant would test nothing else."""
    out = set()
    for node, _ in _own_nodes(fn):
        if isinstance(node, (ast.Assign, ast.AugAssign)):
            for t in (node.targets if isinstance(node, ast.Assign) else [node.target]):
                while isinstance(t, ast.Subscript):
                    t = t.value
                    out.add(id(t))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
                node.func.attr in MUTATORS:
            out.add(id(node.func.value))
    return out


def _identity(tree, f, kind, shapes):
    names, funcs = _locals(f)
    found, written = False, _written_bases(f)
    for node, parent in _own_nodes(f):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and \
                node.id in names - funcs and getattr(parent, "func", None) is not node and \
                id(node) not in written:
            _replace_child(parent, node, ast.Call(ast.Name("_same", ast.Load()), [node], []))
            found = True
    if not found:
        return None
    tree.body.insert(tree.body.index(f), ast.parse("def _same(v):\n    return v").body[0])
    return True


def _inline(tree, f, kind, shapes):
    simple = {}
    for fn in _functions(tree):
        a = fn.args
        if fn is not f and len(fn.body) == 1 and isinstance(fn.body[0], ast.Return) and \
                fn.body[0].value is not None and not (a.vararg or a.kwarg or a.kwonlyargs or
                                                      a.posonlyargs):
            simple[fn.name] = fn
    names, _ = _locals(f)
    found = False
    for node, parent in _own_nodes(f):
        fn = simple.get(getattr(node.func, "id", None)) if isinstance(node, ast.Call) else None
        if fn is None or node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
            continue
        params = [p.arg for p in fn.args.args]
        defaults = dict(zip(params[len(params) - len(fn.args.defaults):], fn.args.defaults))
        if len(node.args) > len(params) or any(p not in defaults for p in params[len(node.args):]):
            continue
        body = fn.body[0].value
        used = {n.id for n in ast.walk(body) if isinstance(n, ast.Name)}
        if (used - set(params)) & names or any(isinstance(n, OPAQUE) for n in ast.walk(body)):
            continue                           # its globals are shadowed in f
        bound = dict(zip(params, node.args)) | {p: defaults[p] for p in params[len(node.args):]}
        _replace_child(parent, node, _substitute(copy.deepcopy(body), bound))
        found = True
    return True if found else None


def _substitute(expr, bound):
    class Sub(ast.NodeTransformer):
        def visit_Name(self, node):
            return copy.deepcopy(bound[node.id]) if node.id in bound else node
    return Sub().visit(expr)


# -- arrays (``shapes``: what each expression held at a line, from a traced run) --------
def _leaves(expr):
    """The maximal non-elementwise subexpressions of ``expr`` (None: not elementwise)."""
    if isinstance(expr, ast.Constant):
        return []
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ARITH):
        a, b = _leaves(expr.left), _leaves(expr.right)
        return None if a is None or b is None else a + b
    if isinstance(expr, ast.UnaryOp) and isinstance(expr.op, ast.USub):
        return _leaves(expr.operand)
    if isinstance(expr, ast.Compare) and len(expr.ops) == 1:
        a, b = _leaves(expr.left), _leaves(expr.comparators[0])
        return None if a is None or b is None else a + b
    if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute) and \
            getattr(expr.func.value, "id", None) == "np" and expr.func.attr in ELEMENTWISE \
            and not expr.keywords:
        out = [_leaves(a) for a in expr.args]
        return None if any(o is None for o in out) else [x for o in out for x in o]
    if isinstance(expr, (ast.Name, ast.Subscript, ast.Attribute)) or \
            isinstance(expr, ast.Call) and getattr(expr.func, "attr", None) in ("sum", "mean"):
        return [expr]
    return None


def _loop(tree, f, kind, shapes):
    k = 0
    for node, parent in _own_nodes(f):
        if not (isinstance(node, ast.Assign) and len(node.targets) == 1 and
                isinstance(node.targets[0], ast.Name)):
            continue
        expr, total = node.value, False
        if isinstance(expr, ast.Call) and ast.unparse(expr.func) == "np.sum" and \
                len(expr.args) == 1 and not expr.keywords:
            expr, total = expr.args[0], True
        if isinstance(expr, ast.Compare):
            continue
        leaves = _leaves(expr)
        seen = shapes.get(node.lineno, {})
        if not leaves:
            continue
        sh = [seen.get(ast.unparse(leaf), "?") for leaf in leaves]
        arrays = {s for s in sh if s != ()}
        if len(arrays) != 1 or "?" in arrays or None in arrays:
            continue
        shape = arrays.pop()
        if not total and expr in leaves:
            continue                           # v = y shares y: a loop would copy it
        v, i, buf = node.targets[0].id, f"_i{k}", f"_vec{k}"
        k += 1
        for leaf, s in zip(leaves, sh):
            if s != ():
                _replace_child(_parent_of(leaf, node), leaf, ast.Subscript(
                    leaf, ast.Name(i, ast.Load()), ast.Load()))
        body = ast.unparse(expr)
        text = (f"{buf} = 0.0\nfor {i} in range({shape[0]}):\n    {buf} = {buf} + np.sum({body})\n"
                if total else
                f"{buf} = np.zeros({shape!r})\nfor {i} in range({shape[0]}):\n"
                f"    {buf}[{i}] = {body}\n") + f"{v} = {buf}"
        _replace_stmt(parent, node, ast.parse(text).body)
    return True if k else None


def _parent_of(child, holder):
    return next(n for n in ast.walk(holder) if any(c is child for c in ast.iter_child_nodes(n)))


def _replace_stmt(parent, node, stmts):
    for field in ("body", "orelse"):
        block = getattr(parent, field, None)
        if isinstance(block, list) and any(s is node for s in block):
            at = next(i for i, s in enumerate(block) if s is node)
            block[at:at + 1] = stmts
            return


def _index(tree, f, kind, shapes, closure=False):
    made = []
    for node, parent in _own_nodes(f):
        if not (isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Slice) and
                isinstance(node.value, ast.Name)):
            continue
        line = getattr(node, "lineno", None)
        shape = shapes.get(line, {}).get(node.value.id)
        if not isinstance(shape, tuple) or not shape:
            continue
        try:
            sl = slice(*(None if e is None else ast.literal_eval(e) for e in (
                node.slice.lower, node.slice.upper, node.slice.step)))
        except Exception:    # noqa: BLE001 -- a slice with run-time bounds
            continue
        picked = list(range(shape[0]))[sl]
        if not picked:
            continue
        name = f"I{len(made)}"
        if picked == sorted(picked) and len(made) % 2:          # every other one a mask
            made.append(f"{name} = np.array({[k in picked for k in range(shape[0])]!r})")
        else:
            made.append(f"{name} = np.array({picked!r})")
        node.slice = ast.Name(name, ast.Load())
    if not made:
        return None
    _ensure_numpy(tree)
    defs = [ast.parse(line).body[0] for line in made]
    if not closure:
        _insert_after_imports(tree, defs)
        return True
    at = tree.body.index(f)
    factory = ast.FunctionDef(f"_make_{f.name}", ast.arguments([], [], None, [], [], None, []),
                              defs + [f, ast.parse(f"return {f.name}").body[0]], [], None, None)
    tree.body[at:at + 1] = [factory, ast.parse(f"{f.name} = _make_{f.name}()").body[0]]
    return True


REWRITES = {"global": _global, "int": _int, "aug": _aug, "alias": _alias, "npsum": _npsum,
            "outline": _outline, "identity": _identity, "inline": _inline, "loop": _loop,
            "index": _index,
            "index_closure": lambda *a: _index(*a, closure=True)}
