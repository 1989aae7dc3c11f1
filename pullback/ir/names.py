"""Naming conventions shared by every stage.

Temporaries (``t1``, ``t_3``, and their adjoints ``t1_bar``) are the frontend's
and the transforms' own; user variables keep the user's names (``x``,
versioned ``x_1``), adjoints are ``x_bar`` and tangents ``x_dot`` after Griewank
(``x_dot0`` .. for several directions, ``x_ddot`` for a second forward layer).  Passes prefer
to keep user names visible and fold temporaries away.
"""
import re

_TEMP = re.compile(r"^(t\d*(_\d+)?)(_bar(_\d+)?)?(_d*dot_?\d*)*(_out(_\d+)?)?$")


def name_allocator(taken):
    """``unique(base)``: ``base``, else ``base2``, ``base3``...; never a name in
    ``taken`` nor one it gave before (function names of a generated module)."""
    taken = set(taken)

    def unique(base):
        name, k = base, 1
        while name in taken:
            k += 1
            name = f"{base}{k}"
        taken.add(name)
        return name
    return unique


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
    from .nodes import Var
    from .walk import all_read, all_written
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
