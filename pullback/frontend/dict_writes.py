"""Item assignment to a dict known when compiling: ``out[k] = v`` in a function that
builds ``out`` itself (``flatten``-style helpers filling a dict key by key).

A mixin of ``lower.FunctionLowerer``.  Invariant: pullback's dict is a value (a
``DictB``, rebound with the new item), Python's is shared; so a write is accepted only
for a dict no other name, container or call can see (``_private_dict``, read from the
function's text), and only with a constant key; anything else is rejected at the line.
"""
import ast

from ..ir import Const
from .bindings import DictB


class DictWriteLowerer:
    def store_dict_item(self, target, d, value, node):
        """``d[k] = v`` on a dict known when compiling: ``d`` is bound again to the dict
        with that key (as ``bind`` rebinds a tuple: in a loop or branch only where the keys
        stay the same).  A dict is mutable and pullback's is a value, so this holds only
        for a dict no other name or container can see (``_private_dict``)."""
        name = target.value.id
        if not _private_dict(self.src.node, name):
            raise self.error(target, f"an item assignment to the dict '{name}', which another "
                                     "name, container or call may see (build it in this "
                                     "function as a literal and use it only by its keys)")
        key = self.expr(target.slice)
        if not isinstance(key, Const):
            raise self.error(target, "a dict item assignment with a key not known at "
                                     "compile time")
        keys, items = list(d.keys), list(d.items)
        view = _live_view(self.src.node, target, name)
        if view in ("items", "values"):
            raise self.error(target, f"an item assignment to the dict '{name}' in a loop over "
                                     f"{name}.{view}() (Python's loop reads each value when "
                                     f"it reaches it: loop over list({name}.{view}()))")
        if view == "keys" and key.value not in keys:
            raise self.error(target, f"a new key in the dict '{name}' in a loop over it "
                                     "(Python raises 'dictionary changed size during "
                                     "iteration')")
        if key.value in keys:
            items[keys.index(key.value)] = value
        else:
            keys.append(key.value)
            items.append(value)
        self.bind(name, DictB(tuple(keys), tuple(items)), node)


def _live_view(fn, target, name):
    """``"keys"``, ``"items"`` or ``"values"`` when ``target`` lies in the body of a
    ``for`` loop over the dict ``name`` itself or one of its views (directly or through
    ``zip``/``enumerate``/``reversed``), which Python reads as the loop goes; else None."""
    for loop in ast.walk(fn):
        if isinstance(loop, ast.For) and \
                any(n is target for b in loop.body for n in ast.walk(b)):
            view = _view_of(loop.iter, name)
            if view is not None:
                return view
    return None


def _view_of(it, name):
    if isinstance(it, ast.Name):
        return "keys" if it.id == name else None
    if not isinstance(it, ast.Call):
        return None
    f = it.func
    if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and \
            f.value.id == name and f.attr in ("keys", "items", "values"):
        return f.attr
    if isinstance(f, ast.Name) and f.id in ("zip", "enumerate", "reversed"):
        views = {_view_of(a, name) for a in it.args}      # the strictest one decides
        return next((v for v in ("items", "values", "keys") if v in views), None)
    return None


_COPIES = {"len", "sorted", "list", "tuple"}      # called on a dict: a new object or a number
_BUILT = (ast.Dict, ast.DictComp, ast.List, ast.ListComp, ast.Tuple)


def _private_dict(fn, name):
    """Does ``fn`` bind ``name`` only to containers it builds (``{...}``, ``dict(...)``,
    a comprehension, ``[]``) and let the value out of its name only by reading it
    (``d[k]``, ``d.items()``, ``for k in d``, ``len(d)``: a dict binding has no mutating
    method) or by returning it (``return d, n``, ``return tuple(d) if t else d``)?  Then
    an item assignment is seen by no one else, and a dict value is exact."""
    if not isinstance(fn, ast.FunctionDef):
        return False
    a = fn.args
    if name in {p.arg for p in a.posonlyargs + a.args + a.kwonlyargs} | \
            {p.arg for p in (a.vararg, a.kwarg) if p is not None}:
        return False
    parents = {}
    for node in ast.walk(fn):
        for child in ast.iter_child_nodes(node):
            parents[child] = node
    for node in ast.walk(fn):
        if not isinstance(node, ast.Name) or node.id != name:
            continue
        up = parents[node]
        if isinstance(node.ctx, ast.Store):
            value = _assigned(node, parents)
            built = isinstance(value, _BUILT) or (
                isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and
                value.func.id == "dict")
            if not built:
                return False
        elif isinstance(node.ctx, ast.Load):
            if isinstance(up, ast.Subscript) and up.value is node:
                continue
            if isinstance(up, ast.Attribute) or \
                    (isinstance(up, (ast.For, ast.comprehension)) and up.iter is node):
                continue
            if _copied(up, node):
                continue
            at = node
            while isinstance(up, (ast.Tuple, ast.List)) or _copied(up, at) or \
                    (isinstance(up, ast.IfExp) and up.test is not at):
                at, up = up, parents[up]
            if not isinstance(up, ast.Return):
                return False
        else:
            return False
    return True


def _copied(call, arg):
    return isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and \
        call.func.id in _COPIES and arg in call.args


def _assigned(name, parents):
    """The expression ``name`` is bound to: ``d = {}`` or ``d, n = {}, 0``; else None."""
    up = parents[name]
    if isinstance(up, ast.Assign) and up.targets == [name]:
        return up.value
    if isinstance(up, ast.Tuple) and isinstance(parents[up], ast.Assign) and \
            parents[up].targets == [up] and isinstance(parents[up].value, ast.Tuple) and \
            len(parents[up].value.elts) == len(up.elts):
        return parents[up].value.elts[up.elts.index(name)]
    return None
