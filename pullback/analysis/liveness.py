"""Backward liveness over structured IR (the basis of dead-code elimination).

``live_before(stmts, live_after)`` returns the variables (by name) that may be
read before being written.  Tapes count as read by ``Push`` and ``Pop`` (they
mutate the list), so a live tape keeps both.

Liveness is distributive, so a block has a summary ``(gen, kill)`` with
``live_before(block, X) == gen | (X - kill)`` for every ``X``.  A loop's head
set is then closed-form instead of iterated: the least ``head`` with
``head == X | live_before(body, head | extra)`` is ``X | gen | (extra - kill)``
(``extra``: the exit flag, read after every iteration).  Every block is summed
up once per query, so liveness is linear in the function's size however deep
its loops nest (iterating each loop to a fixpoint was exponential in depth).
"""
from ..ir import Assign, Call, For, If, NewTape, Pop, Push, Return, While
from ..ir.walk import atoms_read, walk


def _reads(s, reads=atoms_read):
    return {v.name for v in reads(s)}


def _writes(s):
    """Names a simple statement assigns (None: not a simple statement)."""
    t = type(s)
    if t is Assign or t is Pop:
        return (s.target.name,)
    if t is Call:
        return tuple(v.name for v in s.targets)
    if t is NewTape:
        return (s.tape.name,)
    if t is Push or t is Return:
        return ()
    return None


def summary(stmts, reads=atoms_read):
    """``(gen, kill)`` of a block: ``live_before(stmts, X) == gen | (X - kill)``.
    ``reads``: what a statement reads (the backends' fusion passes one that leaves out
    arguments read only for their static shape)."""
    gen, kill = set(), set()
    for s in reversed(stmts):
        w = _writes(s)
        if w is not None:
            gen.difference_update(w)
            kill.update(w)
            gen.update(v.name for v in reads(s))
            continue
        sg, sk = stmt_summary(s, reads)
        if sk:
            gen.difference_update(sk)
            kill |= sk
        gen |= sg
    return gen, kill


def stmt_summary(s, reads=atoms_read):
    """``(gen, kill)`` of one statement, nested blocks included."""
    w = _writes(s)
    if w is not None:
        return _reads(s, reads), set(w)
    if isinstance(s, If):
        g1, k1 = summary(s.body, reads)
        g2, k2 = summary(s.orelse, reads)
        return g1 | g2 | _reads(s, reads), k1 & k2
    if isinstance(s, For):
        g, k = summary(s.body, reads)
        head = g | ({s.exit.name} - k if s.exit else set())
        return (head - {s.var.name}) | _reads(s, reads), {s.var.name}
    if isinstance(s, While):
        g, k = summary(s.body, reads)
        return g | ({s.exit.name} - k), set()
    return set(), set()


def loop_head(s, after, body=None, reads=atoms_read):
    """Variables live at the head of loop ``s`` (with ``body`` in place of its own)
    when ``after`` is live after it."""
    g, k = summary(s.body if body is None else body, reads)
    exit_ = s.exit
    return set(after) | g | ({exit_.name} - k if exit_ is not None else set())


def live_before_stmt(s, after, reads=atoms_read):
    w = _writes(s)
    if w is not None:
        return (set(after) - set(w)) | _reads(s, reads)
    if isinstance(s, For):
        return (loop_head(s, after, reads=reads) - {s.var.name}) | _reads(s, reads)
    if isinstance(s, While):
        return loop_head(s, after, reads=reads)
    if isinstance(s, If):
        return live_before(s.body, after, reads) | live_before(s.orelse, after, reads) | \
            _reads(s, reads)
    return set(after)


def live_step(s, live, reads=atoms_read):
    """``live_before_stmt`` on a set the caller owns: a simple statement updates it in
    place (copying it at every statement made long functions quadratic)."""
    w = _writes(s)
    if w is None:
        return live_before_stmt(s, live, reads)
    live.difference_update(w)
    live.update(v.name for v in reads(s))
    return live


def live_before(stmts, after, reads=atoms_read):
    live = set(after)
    for s in reversed(stmts):
        live = live_step(s, live, reads)
    return live


def live_in(stmts):
    """Variables (as ``Var`` nodes, with types) read before written by ``stmts``."""
    names = live_before(stmts, set())
    found = {}
    for s in walk(stmts):
        for v in atoms_read(s):
            if v.name in names:
                found[v.name] = v
    return list(found.values())
