"""Naming conventions shared by every stage, and the one fresh-name allocator.

Temporaries (``t1``, ``t_3``, and their adjoints ``t1_bar``) are the frontend's
and the transforms' own; user variables keep the user's names (``x``,
versioned ``x_1``), adjoints are ``x_bar`` and tangents ``x_dot`` after Griewank
(``x_dot0`` .. for several directions, ``x_ddot`` for a second forward layer).  Passes prefer
to keep user names visible and fold temporaries away.

Invariant: every fresh name comes from a ``Names``: it is never one the allocator was
told is taken nor one it gave before.  Variables are numbered ``x``, ``x_1``, ``x_2``;
function names of a generated module ``f_grad``, ``f_grad2``.
"""
import re

from .nodes import Var
from .types import Array, FLOAT, is_list
from .walk import all_read, all_written

_TEMP = re.compile(r"^(t\d*(_\d+)?)(_bar(_\d+)?)?(_d*dot_?\d*)*(_out(_\d+)?)?$")


class Names:
    """Fresh names: ``base``, then ``base{sep}{first}``, ``base{sep}{first + 1}``...,
    skipping every name in ``taken`` (a set it keeps and adds to)."""

    def __init__(self, taken=(), sep="_", first=1):
        self.taken = taken if isinstance(taken, set) else set(taken)
        self.sep, self.first = sep, first
        self.next_k = {}

    def fresh(self, base):
        k = self.next_k.get(base, 0)       # names below it are taken: no rescan from 0
        name = self._numbered(base, k)
        while name in self.taken:
            k += 1
            name = self._numbered(base, k)
        self.next_k[base] = k + 1
        self.taken.add(name)
        return name

    def _numbered(self, base, k):
        return f"{base}{self.sep}{k + self.first - 1}" if k else base


def name_allocator(taken):
    """``unique(base)``: ``base``, else ``base2``, ``base3``...; never a name in
    ``taken`` nor one it gave before (function names of a generated module)."""
    return Names(taken, sep="", first=2).fresh


class Namer:
    """Fresh, typed variables that never collide with a function's own names, and the
    adjoint ``x_bar`` of each variable (one per variable)."""

    def __init__(self, fn):
        self.names = Names({p.name for p in fn.params} | all_written(fn.body) | all_read(fn.body))
        self.bars = {}

    @property
    def used(self):
        return self.names.taken

    def fresh(self, base, type_):
        return Var(self.names.fresh(base), type_)

    def bar(self, v):
        if v.name not in self.bars:
            type_ = FLOAT if v.type is None else v.type
            if is_list(type_):      # a list's adjoint is an array over its elements
                type_ = Array("float64", None)
            self.bars[v.name] = self.fresh(v.name + "_bar", type_)
        return self.bars[v.name]


def fresh_vars(fn):
    """``fresh(base, type_)``: a new ``Var`` named ``base``, else ``base_1``, ``base_2``...;
    never a name ``fn`` reads, writes or takes, nor one it gave before.  The one
    allocator of the optimisation passes: a pass that names its temporaries after
    their target (``t1_e``) would grow ``t1_e_e`` each time it runs again.

    >>> from pullback.ir import Assign, Const, Function, Var
    >>> fn = Function("f", (Var("x", "float"),), (Assign(Var("t", "float"), "sin", (Var("x", "float"),)),))
    >>> fresh = fresh_vars(fn)
    >>> [fresh("t", "float").name, fresh("t", "float").name, fresh("y", "float").name]
    ['t_1', 't_2', 'y']
    """
    used = {p.name for p in fn.params} | all_written(fn.body) | all_read(fn.body)
    next_k = {}

    def fresh(base, type_):
        k = next_k.get(base, 0)        # names below it are taken: no rescan from 0
        name = f"{base}_{k}" if k else base
        while name in used:
            k += 1
            name = f"{base}_{k}"
        next_k[base] = k + 1
        used.add(name)
        return Var(name, type_)
    return fresh


def is_temp(name):
    return bool(_TEMP.match(name))
