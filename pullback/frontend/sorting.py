"""``sorted(...)`` of a few numbers known only at run time, in the order Python's
``list.sort`` gives them.

CPython's sort asks only ``a < b``.  With a NaN among the items the answers need not be
consistent, and the result is whatever its algorithm makes of them (``sorted([3.0, nan,
1.0])`` is ``[3.0, nan, 1.0]``), not NumPy's order.  So the order is found by running
``sorted`` itself on stand-ins whose ``<`` answers from a script: every sequence of
answers it can be given, each ending in one permutation.  Lowered, that is a tree of
comparisons with the permuted items at its leaves: Python's value whatever the items are,
and the derivative at each position flows through the item placed there.

Invariants: the tree is the running interpreter's own algorithm, never a copy of it;
up to ``MOST`` items (172 leaves for 5) it is lowered; more items are sorted by np.sort
(the same order where no item is NaN), with a check in the forward sweep that raises,
naming the user's line, where one is NaN.
"""
import functools

from ..ir import Assign, Const, If
from .bindings import TupleB

MOST = 5
NAN_MESSAGE = ("%s: sorted() of more than {0} values known only at run time, one of them "
               "NaN: Python's order of these is not reproduced (sort at most {0}, or an "
               "array with np.sort)").format(MOST)


class _Asked(Exception):
    """The script has no answer left: the comparison (i, j) is the next node."""


class _Script:
    def __init__(self, answers):
        self.answers, self.asked = answers, 0


class _Item:
    __slots__ = ("index", "script")

    def __init__(self, index, script):
        self.index, self.script = index, script

    def __lt__(self, other):
        s = self.script
        s.asked += 1
        if s.asked > len(s.answers):
            raise _Asked(self.index, other.index)
        return s.answers[s.asked - 1]


@functools.lru_cache(maxsize=None)
def sort_tree(n, reverse):
    """``("lt", i, j, if_true, if_false)`` or a leaf: the permutation (item indices in
    the order sorted returns them).  The algorithm is deterministic, so one prefix of
    answers always asks the same next comparison."""
    def grow(answers):
        script = _Script(answers)
        try:
            out = sorted([_Item(i, script) for i in range(n)], reverse=reverse)
        except _Asked as asked:
            i, j = asked.args
            return ("lt", i, j, grow(answers + (True,)), grow(answers + (False,)))
        return tuple(x.index for x in out)
    return grow(())


class SortLowerer:
    def python_sorted(self, items, reverse, node):
        """Run-time numbers ``items`` as ``sorted(items, reverse=reverse)`` orders them."""
        if len(items) > MOST:
            return self.sorted_checked(items, reverse, node)
        result = [self.temp() for _ in items]
        loc = self.loc(node)

        def lowered(tree):
            if tree[0] != "lt":
                for r, k in zip(result, tree):
                    self.emit(Assign(r, "copy", (items[k],), loc))
                return
            _, i, j, yes, no = tree
            less = self.op("lt", (items[i], items[j]), node)
            self.emit(If(less, self.nested(lowered, yes), self.nested(lowered, no), loc))
        lowered(sort_tree(len(items), reverse))
        return TupleB(tuple(result), is_list=True)

    def sorted_checked(self, items, reverse, node):
        """np.sort of their array (its derivative the scatter through argsort), read back
        one by one; NaN, which np.sort puts last, raises."""
        order = self.call_bound("sort", [self.atom_of(TupleB(tuple(items)), node)], {}, node)
        last = self.op("getitem", (order, Const(-1)), node)
        message = Const(NAN_MESSAGE % self.loc(node))      # (Numba's traceback has no line)
        self.op("check_assert", (self.op("eq", (last, last), node), message), node)
        ks = range(len(items) - 1, -1, -1) if reverse else range(len(items))
        return TupleB(tuple(self.op("getitem", (order, Const(k)), node) for k in ks),
                      is_list=True)
