"""Containers of numbers as arguments and results (JAX's pytrees).

Tuples, lists, dicts, NamedTuples, dataclasses and objects of the user's own classes
(their ``__dict__``) nest; leaves are floats,
ints and arrays; a string, None or (inside a container) a bool is static
(``cfg["mode"] == "lin"`` is decided while compiling, and each value compiles its own
derivative, as JAX's static arguments).  ``flatten`` gives a hashable tree description and the
leaves; ``unflatten`` rebuilds the same structure from new leaves (gradients).
``skeleton`` is the frontend's view of the same tree (``frontend.bindings``).
"""
import dataclasses

import numpy as np

from .frontend.objects import is_user_instance
from .frontend.randomness import GENERATORS


def flatten(x, top=True):
    if isinstance(x, tuple) and hasattr(x, "_fields"):
        return _children(("record", type(x), tuple(x._fields)), tuple(x))
    if dataclasses.is_dataclass(x) and not isinstance(x, type):
        names = tuple(f.name for f in dataclasses.fields(x))
        return _children(("record", type(x), names), tuple(getattr(x, n) for n in names))
    if isinstance(x, (tuple, list)):
        return _children((type(x).__name__,), tuple(x))
    if isinstance(x, dict):
        return _children(("dict", tuple(x)), tuple(x.values()))
    if isinstance(x, GENERATORS):  # a random generator: passed whole, its draws static
        return ("static", x), []
    if isinstance(x, str) or x is None:     # a mode or a name: static, as a constant
        return ("const", x), []
    if isinstance(x, (bool, np.bool_)) and not top:     # a layer's flag (act=True)
        return ("const", bool(x)), []
    if is_user_instance(x):        # a layer or model object: its attributes (issue 13)
        names = tuple(vars(x))
        return _children(("object", type(x), names), tuple(vars(x).values()))
    return ("leaf",), [x]


def _children(head, items):
    trees, leaves = [], []
    for item in items:
        t, ls = flatten(item, top=False)
        trees.append(t)
        leaves += ls
    return head + tuple(trees), leaves


def unflatten(tree, leaves):
    it = iter(leaves)
    out = _build(tree, it)
    return out


def _build(tree, it):
    kind = tree[0]
    if kind == "leaf":
        return next(it)
    if kind in ("static", "const"):
        return tree[1]
    if kind in ("tuple", "list"):
        items = [_build(t, it) for t in tree[1:]]
        return tuple(items) if kind == "tuple" else items
    if kind == "dict":
        return dict(zip(tree[1], (_build(t, it) for t in tree[2:])))
    cls, names = tree[1], tree[2]
    items = [_build(t, it) for t in tree[3:]]
    if kind == "object":            # rebuilt without calling __init__, attributes set
        obj = object.__new__(cls)
        obj.__dict__.update(zip(names, items))
        return obj
    if hasattr(cls, "_fields"):
        return cls(*items)
    return cls(**dict(zip(names, items)))


def skeleton(tree):
    """The frontend's binding skeleton of a tree."""
    kind = tree[0]
    if kind == "leaf":
        return ("atom",)
    if kind == "static":
        return ("obj", tree[1])
    if kind == "const":
        return ("const", tree[1])
    if kind in ("tuple", "list"):
        return (kind,) + tuple(skeleton(t) for t in tree[1:])
    if kind == "dict":
        return ("dict", tree[1]) + tuple(skeleton(t) for t in tree[2:])
    return ("record", tree[1], tree[2]) + tuple(skeleton(t) for t in tree[3:])


def from_skeleton(skel, leaves):
    """Rebuild a result from the frontend's skeleton of a function's return value."""
    it = iter(leaves)

    def build(s):
        kind = s[0]
        if kind == "atom":
            return next(it)
        if kind == "const":
            return s[1]
        if kind in ("tuple", "list"):
            items = [build(c) for c in s[1:]]
            return tuple(items) if kind == "tuple" else items
        if kind == "dict":
            return dict(zip(s[1], (build(c) for c in s[2:])))
        items = [build(c) for c in s[3:]]
        return s[1](*items) if hasattr(s[1], "_fields") else s[1](**dict(zip(s[2], items)))
    return build(skel)


def at_atoms(skel, tree, whole, what="cotangent"):
    """The values of ``tree`` (shaped like a value of skeleton ``skel``: a cotangent of a
    result, a tangent of the primals) at the skeleton's atoms, in ``from_skeleton``'s
    order, a dict's items by key (JAX sorts keys; a tangent built by ``sorted`` or another
    insertion order pairs each leaf with its own primal): atom ``k`` with ``whole(k)`` (a
    run-time list, one value of the generated code) is taken as it is, any other is
    flattened into its leaves."""
    out, count = [], iter(range(10 ** 9))

    def walk(s, t):
        kind = s[0]
        if kind == "atom":
            k = next(count)
            out.extend([list(t)] if whole(k) else flatten(t)[1])
            return
        if kind in ("const", "obj"):       # no cotangent
            return
        if kind in ("tuple", "list"):
            if not isinstance(t, (tuple, list)) or len(t) != len(s) - 1:
                raise ValueError(f"a {what} {type(t).__name__} where the value has "
                                 f"a tuple of {len(s) - 1}")
            for c, x in zip(s[1:], t):
                walk(c, x)
            return
        if kind == "dict":
            if not isinstance(t, dict) or set(t) != set(s[1]):
                got = sorted(map(repr, t)) if isinstance(t, dict) else type(t).__name__
                raise ValueError(f"a {what} {got} where the value is a dict with keys "
                                 f"{sorted(map(repr, s[1]))}")
            for key, c in zip(s[1], s[2:]):     # by key: insertion order may differ
                walk(c, t[key])
            return
        for name, c in zip(s[2], s[3:]):
            walk(c, getattr(t, name))
    walk(skel, tree)
    return out


def paths(tree):
    """Each leaf's place in the tree as Python spells it: ``['w']``, ``[0]``, ``.bias``."""
    kind = tree[0]
    if kind == "leaf":
        return [""]
    if kind in ("const", "static"):
        return []
    if kind in ("tuple", "list"):
        keys, children = [f"[{k}]" for k in range(len(tree) - 1)], tree[1:]
    elif kind == "dict":
        keys, children = [f"[{k!r}]" for k in tree[1]], tree[2:]
    else:
        keys, children = [f".{n}" for n in tree[2]], tree[3:]
    return [key + p for key, child in zip(keys, children) for p in paths(child)]


def n_leaves(tree):
    return len(flatten_tree_leaves(tree))


def flatten_tree_leaves(tree):
    kind = tree[0]
    if kind == "leaf":
        return [None]
    if kind in ("const", "static"):
        return []
    start = {"tuple": 1, "list": 1, "dict": 2}.get(kind, 3)
    return [x for t in tree[start:] for x in flatten_tree_leaves(t)]


__all__ = ["at_atoms", "flatten", "unflatten", "paths", "skeleton", "from_skeleton", "np"]
