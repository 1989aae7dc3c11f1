"""Generator expressions: Python computes an item when its consumer takes it, pullback
all items where the expression is written (``functional.expr_GeneratorExp``).

A mixin of ``lower.FunctionLowerer``, beside ``generators.py`` (whose loop check it
shares).  Invariant: a generator expression is computed whole only where nothing can
run between two of Python's steps, or where what runs passes the generators' loop
check: unpacked (``*``, ``a, b = ...``), the iterable of a comprehension, an argument of
a call that consumes it at once (``EAGER``, or a library function such as ``np.sum``),
or the iterable of a ``for`` loop whose body passes ``check_lazy_loop``; passed to a
function of the user's or through ``zip``/``map``/``enumerate``, that call must sit in
such a place.  Kept in a name (or as a comprehension's item) it is rejected at its line.
Expressions inside a comprehension's element, which lowering copies, are checked where
they stand in the copy (``note_copies``).
"""
import ast

from .generators import CONSUMERS, lambda_reads


class GenexpLowerer:
    def check_generator_expression(self, node):
        """A generator expression runs one step per item taken; pullback runs it whole
        where it is written (the module's invariant).  Returns whether it is consumed
        at once (nothing runs between its steps: its draws keep Python's order)."""
        root = self.src.node
        cache = getattr(self, "_genexp_parents", None)
        if cache is None or cache[0] is not root:
            cache = self._genexp_parents = (root, {id(c): p for p in ast.walk(root)
                                                   for c in ast.iter_child_nodes(p)})
        original, copied = cache[1], getattr(self, "_copied", {})

        def parent(n):
            if id(n) in original:
                return original[id(n)]
            kept = copied.get(id(n))        # (node, parent): the copy is alive, its id too
            return kept[1] if kept is not None and kept[0] is n else None
        at, up = node, parent(node)
        reads = _genexp_reads(node)
        if isinstance(up, ast.Starred) or isinstance(up, ast.Assign) and up.value is node \
                and all(isinstance(t, (ast.Tuple, ast.List)) for t in up.targets):
            return True         # f(*(e for ...)), a, b = (e for ...): unpacked whole at once
        while True:
            if isinstance(up, ast.comprehension) and up.iter is at and \
                    isinstance(parent(up), ast.GeneratorExp):
                at = parent(up)             # taken as the outer one takes its items
                reads |= _genexp_reads(at)
            elif isinstance(up, ast.Call) and at is not up.func and not _eager(up):
                at = up                     # zip(...), map(...), helper(...): lazy too
                reads |= lambda_reads(up.args + [k.value for k in up.keywords])
            else:
                break
            up = parent(at)
        if isinstance(up, ast.For) and up.iter is at:
            self.check_lazy_loop(up, self.reads_through(reads), "a generator expression")
            return False
        if isinstance(up, ast.comprehension) and up.iter is at:
            return False
        if not (isinstance(up, ast.Call) and at is not up.func):
            raise self.error(node, "a generator expression kept to be consumed later "
                                   "(Python computes its items when they are taken, pullback "
                                   "where it is written: use a list comprehension)")
        return at is node       # an eager call's own argument: nothing runs between steps

    def note_copies(self, roots):
        """Lowering copied ``roots`` (a comprehension's element and conditions, renamed):
        the parents of their nodes, so that a generator expression inside is checked
        where it stands in the copy; a root itself is a value kept (an item)."""
        table = self.__dict__.setdefault("_copied", {})
        for root in roots:
            table[id(root)] = (root, _KEPT)
            for p in ast.walk(root):
                for c in ast.iter_child_nodes(p):
                    table[id(c)] = (c, p)


_KEPT = ast.List(elts=[], ctx=ast.Load())      # the parent of a copied comprehension element
EAGER = frozenset(CONSUMERS + ("sorted", "any", "all", "set", "frozenset", "dict", "len"))
_LAZY_ATTRS = frozenset(("chain", "islice", "accumulate", "starmap", "zip_longest", "cycle",
                         "compress", "dropwhile", "takewhile", "filterfalse", "groupby",
                         "tee", "pairwise", "batched", "product", "imap", "from_iterable"))


def _eager(call):
    """Does ``call`` consume a generator passed to it before it returns?  A builtin of
    ``EAGER`` does, and a library function reached by attribute (``np.sum``,
    ``"".join``) other than itertools' lazy ones; a bare name may be the user's own
    function, which could return the generator untouched."""
    f = call.func
    if isinstance(f, ast.Name):
        return f.id in EAGER
    return isinstance(f, ast.Attribute) and f.attr not in _LAZY_ATTRS


def _genexp_reads(node):
    """Names a generator expression reads beyond its own loop variables."""
    own = {n.id for g in node.generators for n in ast.walk(g.target) if isinstance(n, ast.Name)}
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and
            isinstance(n.ctx, ast.Load)} - own
