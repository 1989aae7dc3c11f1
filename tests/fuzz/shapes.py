"""What the expressions a rewrite needs held at each line of a run (``variants``'s input).

``shapes_at_lines(source, f, args)`` runs ``f`` once under ``sys.settrace`` and,
at each line of ``f``'s own body, evaluates the expressions ``variants`` asks
about there (the operands of an assignment, a sliced or augmented name) in the
frame: ``()`` for a number, the shape for an array, ``None`` for anything else,
``"?"`` when two executions of the line disagree.  Only pure expressions are
evaluated (names, subscripts, attributes, ``np.sum``/``np.mean``), so the run
computes what it would untraced.
"""
import ast
import copy
import sys

import numpy as np

from .variants import _entry, _leaves, _own_nodes


def wanted(source, entry="f"):
    """line -> the texts to evaluate there."""
    fn = _entry(ast.parse(source), entry)
    out = {}
    for node, _ in _own_nodes(fn) if fn else ():
        texts = set()
        if isinstance(node, ast.Assign):
            value = node.value
            if isinstance(value, ast.Call) and ast.unparse(value.func) == "np.sum" and \
                    len(value.args) == 1:
                value = value.args[0]
            texts |= {ast.unparse(leaf) for leaf in _leaves(copy.deepcopy(value)) or ()}
        elif isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
            texts.add(node.target.id)
        elif isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name):
            texts.add(node.value.id)
        if texts:
            out.setdefault(node.lineno, set()).update(texts)
    return out


def _shape(value):
    if isinstance(value, (bool, int, float, np.number)):
        return ()
    if isinstance(value, np.ndarray):
        return value.shape
    return None


def shapes_at_lines(source, f, args, entry="f"):
    want = wanted(source, entry)
    compiled = {line: [(t, compile(t, "<shape>", "eval")) for t in sorted(texts)]
                for line, texts in want.items()}
    seen = {}

    def local(frame, event, arg):
        if event == "line" and frame.f_lineno in compiled:
            here = seen.setdefault(frame.f_lineno, {})
            for text, code in compiled[frame.f_lineno]:
                try:
                    shape = _shape(eval(code, frame.f_globals, dict(frame.f_locals)))
                except Exception:   # noqa: BLE001 -- not bound yet at this line
                    continue
                here[text] = shape if here.get(text, shape) == shape else "?"
        return local

    def calls(frame, event, arg):
        return local if frame.f_code is f.__code__ else None
    old = sys.gettrace()
    sys.settrace(calls)
    try:
        with np.errstate(all="ignore"):
            f(*copy.deepcopy(args))
    except Exception:   # noqa: BLE001 -- the caller judges the program; no shapes then
        return {}
    finally:
        sys.settrace(old)
    return seen
