"""Python's builtin ``min`` and ``max`` of several items (or of one literal tuple,
list or unrolled generator of them), as Python computes them: the items are
compared as wholes and the first extreme item is the result, whole.

- Numbers: the primitive ``min``/``max`` (ties share the derivative, as JAX's),
  after tests that reject an array of more than one element at the user's line
  (Python's ValueError: its truth is ambiguous; NumPy's elementwise extreme is
  ``np.maximum``); typing folds the tests away.
- Tuples or lists: Python's lexicographic order (identical or equal items are
  skipped; the first unequal pair decides; an equal prefix makes the shorter one
  smaller), lowered to comparisons and branches.  The result is the chosen item:
  a static tuple of fresh names set from one item or the other, so the derivative
  flows through the chosen item only.

Invariants: sequences are never compared or reduced elementwise; where the choice
between items of different structure (lengths) is made at run time, or Python
raises TypeError (a tuple against a number or a list), the call is rejected at
the user's line.
"""
from ..ir import Assign, Const, If, Var
from .bindings import TupleB, is_atom


class ExtremeLowerer:
    def builtin_extreme(self, obj, items, node):
        """``min(*items)`` or ``max(*items)`` (``obj`` the builtin), two items or more."""
        largest = obj is max
        if all(is_atom(b) for b in items):
            for b in items:
                self.one_element(b, node)
            acc = items[0]
            for b in items[1:]:
                acc = self.op(obj.__name__, (acc, b), node)
            return acc
        acc = items[0]
        for b in items[1:]:      # the first extreme item stays: replaced only if beaten
            beaten = self.item_less(acc, b, node) if largest else self.item_less(b, acc, node)
            acc = self.chosen(beaten, b, acc, node)
        return acc

    def one_element(self, a, node):
        """Reject ``a`` at the line if it is an array of more than one element: tests
        decided by its type, which typing folds away (``analysis/types.py``)."""
        if not isinstance(a, Var):
            return
        loc = self.loc(node)
        size, many, dead = self.temp(), self.temp(), self.temp()
        inner = (Assign(size, "size", (a,), loc), Assign(many, "ne", (size, Const(1)), loc),
                 If(many, (Assign(dead, "rejected", (Const(AMBIGUOUS),), loc),), (), loc))
        self.emit(If(self.op("is_ndarray", (a,), node), inner, (), loc))

    def chosen(self, cond, then, other, node):
        """``then if cond else other`` for two items of one structure (whole items)."""
        if isinstance(cond, Const):
            return then if cond.value else other
        shape = _structure(then)
        if shape != _structure(other) or "other" in str(shape):
            raise self.error(node, "min() or max() choosing at run time between tuples or "
                                   "lists of different lengths")
        result = _rebuilt(other, self.temp)
        leaves = list(zip(_leaves(result), _leaves(then), _leaves(other)))
        loc = self.loc(node)
        body = tuple(Assign(r, "copy", (a,), loc) for r, a, _ in leaves)
        orelse = tuple(Assign(r, "copy", (b,), loc) for r, _, b in leaves)
        self.emit(If(cond, body, orelse, loc))
        return result

    def item_less(self, a, b, node):
        """Python's ``a < b`` of two items: an atom or ``Const(bool)``."""
        if is_atom(a) and is_atom(b):
            if _number(a) and _number(b):
                return Const(a.value < b.value)
            return self.op("lt", (a, b), node)
        self.comparable(a, b, node)
        for i, (x, y) in enumerate(zip(a.items, b.items)):
            same = self.item_equal(x, y, node)
            if isinstance(same, Const) and same.value:
                continue

            def rest(i=i):
                return self.item_less(TupleB(a.items[i + 1:], a.is_list),
                                      TupleB(b.items[i + 1:], b.is_list), node)
            if isinstance(same, Const):
                return self.item_less(x, y, node)
            return self.branch(same, rest, lambda x=x, y=y: self.item_less(x, y, node), node)
        return Const(len(a.items) < len(b.items))

    def item_equal(self, a, b, node):
        """Python's ``a == b`` of two items (identical ones are equal, as Python's
        sequence comparison takes them): an atom or ``Const(bool)``."""
        if a is b or (isinstance(a, Var) and a == b) or (_number(a) and _number(b) and
                                                         a.value == b.value):
            return Const(True)
        if _number(a) and _number(b):
            return Const(False)
        if is_atom(a) and is_atom(b):
            return self.op("eq", (a, b), node)
        self.comparable(a, b, node)
        if len(a.items) != len(b.items):
            return Const(False)
        acc = Const(True)
        for x, y in zip(a.items, b.items):
            if isinstance(acc, Const) and not acc.value:
                return acc
            if isinstance(acc, Const):
                acc = self.item_equal(x, y, node)
            else:
                acc = self.lazy(acc, lambda x=x, y=y: self.item_equal(x, y, node), node, True)
        return acc

    def comparable(self, a, b, node):
        if not (isinstance(a, TupleB) and isinstance(b, TupleB) and a.is_list == b.is_list):
            raise self.error(node, "min() or max() comparing a tuple or list with a value of "
                                   "another kind (Python raises TypeError)")

    def branch(self, cond, then, other, node):
        """``r = then() if cond else other()``, each side lowered in its branch."""
        r = self.temp()
        loc = self.loc(node)
        body = self.nested(lambda: self.emit(Assign(r, "copy", (then(),), loc)))
        orelse = self.nested(lambda: self.emit(Assign(r, "copy", (other(),), loc)))
        self.emit(If(cond, body, orelse, loc))
        return r


AMBIGUOUS = ("max() or min() of an array of more than one element (Python raises ValueError: "
             "its truth value is ambiguous; for the elementwise extreme use np.maximum or "
             "np.minimum)")


def _number(a):
    """A constant number that compares as itself (NaN never equals: not folded)."""
    return isinstance(a, Const) and type(a.value) in (bool, int, float) and a.value == a.value


def _structure(b):
    if is_atom(b):
        return "atom"
    if isinstance(b, TupleB):
        return (b.is_list, tuple(map(_structure, b.items)))
    return "other"      # a dict, record or function: never a sequence compared here


def _rebuilt(b, fresh):
    if is_atom(b):
        return fresh()
    return TupleB(tuple(_rebuilt(x, fresh) for x in b.items), b.is_list)


def _leaves(b):
    if is_atom(b):
        return [b]
    return [leaf for x in b.items for leaf in _leaves(x)]
