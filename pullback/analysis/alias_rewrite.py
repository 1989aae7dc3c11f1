"""Array sharing facts and the rewrite that follows the aliasing checks (``alias.py``).

``VIEWS``: the operations whose NumPy result may share its first argument's memory;
``written_groups``: the names connected by sharing statements to a name written in
place; ``rewrite``: in such a group a share (and a helper's array result) becomes a
copy, and ``inplace`` the rebinding it is in value semantics.  ``alias.py`` has checked every write first, so a
copy made here never hides a write NumPy would show.
"""
from dataclasses import replace

from ..ir import Assign, Call, Var
from ..ir.names import is_temp
from ..ir.types import ListT, is_array
from ..ir.walk import atoms_read, blocks, map_blocks, walk

# operations whose result may share memory with their first argument in NumPy
# (asarray's implementation copies, so there the generated code always copies)
VIEWS = {"getitem", "reshape", "ravel", "transpose", "swapaxes", "moveaxis", "expand_dims",
         "squeeze", "broadcast_to", "atleast_2d", "asarray", "asarray_view", "diag",
         "diagonal", "diff", "flip", "einsum1", "expand_like", "unbroadcast",
         "transpose_vjp", "creal", "einsum2", "einsum3", "einsum4", "pad_vjp", "logsumexp_weight",
         "atleast_1d_piece", "split_part", "array_split_part", "cimag",
         "diff_vjp"}
# a copy in NumPy (``x.astype(float)``) that the generated code may share (np.asarray):
# fresh to the analysis, copied by ``rewrite`` next to a write like a view
SHARED_WHEN_GENERATED = {"astype"}


def written_in_place(body):
    return {s.target.name for s in walk(body) if isinstance(s, Assign) and s.op == "setitem"
            and s.args[0] == s.target}


def holds(t):
    """Whether a value of type ``t`` may hold (a reference to) array memory."""
    return is_array(t) or isinstance(t, ListT)


def is_write(s):
    """An in-place write to an array: ``x[i] = v`` or ``w op= v`` on an array."""
    if not isinstance(s, Assign) or not is_array(s.target.type):
        return False
    if s.op == "setitem":
        return s.args[0] == s.target
    return s.op == "inplace" and isinstance(s.args[0], Var) and is_array(s.args[0].type)


def is_share(s):
    """A statement whose array result may share its source's memory and that the
    generated code can make a copy instead."""
    return isinstance(s, Assign) and is_array(s.target.type) and s.args and \
        isinstance(s.args[0], Var) and holds(s.args[0].type) and \
        (s.op == "copy" or s.op in VIEWS or s.op in SHARED_WHEN_GENERATED)


def written_groups(fn):
    """Names connected by sharing statements to a name written in place."""
    parent = {}

    def find(n):
        while parent.setdefault(n, n) != n:
            n = parent[n]
        return n

    def union(a, b):
        parent[find(a)] = find(b)
    writes = set()
    for s in walk(fn.body):
        if isinstance(s, Assign) and holds(s.target.type) and \
                (s.op in VIEWS or s.op in SHARED_WHEN_GENERATED or
                 s.op in ("copy", "inplace", "list_append") or
                 s.op == "setitem" and isinstance(s.target.type, ListT)):
            for a in s.args:
                if isinstance(a, Var) and holds(a.type):
                    union(s.target.name, a.name)
        elif isinstance(s, Call):
            for t in s.targets:
                for a in s.args:
                    if holds(t.type) and isinstance(a, Var) and holds(a.type):
                        union(t.name, a.name)
        if is_write(s):
            writes.add(s.target.name)
    roots = {find(n) for n in writes}
    return frozenset(n for n in list(parent) if find(n) in roots) | writes


def rewrite(fn, groups):
    """Shares next to writes become copies; ``inplace`` becomes the rebinding
    (merged into the temporary that computed its value)."""
    reads = {}
    for s in walk(fn.body):
        for v in atoms_read(s):
            reads[v.name] = reads.get(v.name, 0) + 1

    def block(stmts):
        out = []
        for s in stmts:
            if blocks(s):
                s = map_blocks(s, block)
            elif isinstance(s, Assign) and s.op == "inplace":
                value, prev = s.args[1], out[-1] if out else None
                if isinstance(value, Var) and isinstance(prev, Assign) and \
                        prev.target == value and is_temp(value.name) and reads[value.name] == 1:
                    out[-1] = Assign(s.target, prev.op, prev.args, prev.loc)
                    continue
                s = Assign(s.target, "copy", (value,), s.loc)
            elif is_share(s) and (s.target.name in groups or s.args[0].name in groups):
                if s.op == "copy":
                    s = Assign(s.target, "copy_array", s.args, s.loc)
                elif s.op == "getitem" and is_array(s.args[0].type):
                    s = replace(s, op="getitem_copy")
                else:
                    out.append(s)
                    s = Assign(s.target, "copy_array", (s.target,), s.loc)
            out.append(s)
            if isinstance(s, Call):     # a helper's array result next to a write: a copy
                out += [Assign(t, "copy_array", (t,), s.loc) for t in s.targets
                        if is_array(t.type) and t.name in groups]
        return tuple(out)
    return replace(fn, body=block(fn.body))


__all__ = ["VIEWS", "SHARED_WHEN_GENERATED", "holds", "is_write", "is_share", "written_in_place",
           "written_groups", "rewrite"]
