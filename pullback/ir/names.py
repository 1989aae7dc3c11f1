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


def is_temp(name):
    return bool(_TEMP.match(name))
