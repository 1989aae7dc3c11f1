"""Fusion: which runs of a block's statements become one loop nest (``loopnest.py``).

``fuse(body, uses, fresh, worth)`` walks one block (no nested blocks inside a
run) and grows a run while the next statement still lowers together with it
over the same iteration space; a run ends at anything else (control flow, a
call, a statement ``lower_nest`` refuses), but for a pure call independent of the run
(``_independent``), which goes before it.  A tape statement met inside a run
leaves it instead of ending it: a push goes before the run (it reads the value
the run has not yet assigned), a pop after it (the run ends before a statement
that reads or writes the popped name), so a taped chain (a sigmoid's exp, 1 + e
and 1 / (1 + e), each saved for the reverse sweep) is still one loop.  A finished run becomes a
``Fused`` item when ``worth(nest)`` says so, else its statements stay as they
were.  Both sweeps of a derivative are plain blocks, so a forward chain, the
reduction consuming it and the adjoint statements after it fuse alike.

Invariants
- a run is consecutive statements of one block but for the pushes and pops moved
  out of it, so moving its work into one loop at its place reorders nothing else; a
  push moves only past statements that neither assign its value nor write an array
  in place, and never past a pop (one tape's pushes and pops keep their order);
- a value is stored for later only if something outside the run reads it:
  ``uses`` (``value_uses``) counts every read in the function (nested blocks and
  the run itself included; a read for the static shape only is none), so reads
  outside are ``uses`` minus the run's own reads,
  and a name read in the run before the run assigns it (a loop-carried value)
  counts as read outside;
- a slice (``getitem``, ``getitem_copy``) read outside its run is printed
  before the nest, as it was (the nest reads its base directly); the lowering
  refuses one whose base the run writes before it.
"""
from dataclasses import dataclass

from ..analysis.liveness import live_before_stmt, loop_head
from ..ir import Assign, Const, For, If, Pop, Push, Var, While
from ..ir.types import is_array
from ..ir.walk import atoms_read, blocks, vars_written, walk
from ..rules import PRIMITIVES
from .loopnest import FUSIBLE, REDUCTIONS, NotFusible, region
from .loopnest_lower import lower_nest


@dataclass(frozen=True)
class Fused:
    """A run of statements and the nest that computes them; ``kept``: the slices of
    the run printed before the nest because something after it reads them."""
    nest: object
    stmts: tuple
    kept: tuple

    @property
    def loc(self):
        return next((s.loc for s in self.stmts if getattr(s, "loc", None)), None)


KEPT = ("getitem", "getitem_copy")     # slices a nest reads in place, printed before it
LOOKAHEAD = 2    # statements tried together when one alone ends a run
ANY = "any"      # a statement that fits any iteration space (a slice, a copy)


def space_of(s):
    """The iteration space a statement needs, ``ANY``, or None (never fused)."""
    if not isinstance(s, Assign):
        return None
    op, args, t = s.op, s.args, s.target
    tt = getattr(t, "type", None)

    def shape(a):
        ty = getattr(a, "type", None)
        return tuple(ty.shape) if is_array(ty) and ty.static else None
    if op in FUSIBLE:
        return shape(t)
    if op in ("getitem", "getitem_copy", "copy", "copy_array"):
        return ANY if is_array(tt) else None
    if op in REDUCTIONS + ("unbroadcast", "getitem_vjp") and args:
        return shape(args[0])
    if op == "expand_to":
        return shape(t)
    if op == "setitem" and args[0] == t and isinstance(args[1], Const) and shape(t):
        try:
            return region(shape(t), args[1].value)[0]
        except NotFusible:
            return None
    return None


# arguments both backends read for their static shape only (never printed as values)
SHAPE_ONLY = {"expand_to": (1,), "unbroadcast": (1,), "getitem_vjp": (1,), "count": (0,)}


def value_reads(s):
    """The Vars statement ``s`` reads as values (not only for their shape)."""
    skip = SHAPE_ONLY.get(s.op, ()) if isinstance(s, Assign) else ()
    return [v for i, v in enumerate(s.args) if isinstance(v, Var) and i not in skip] \
        if skip else atoms_read(s)


def value_uses(fn):
    """name -> how many statements of ``fn`` read it as a value (``fuse``'s ``uses``)."""
    uses = {}
    for s in walk(fn.body):
        for v in value_reads(s):
            uses[v.name] = uses.get(v.name, 0) + 1
    return uses


def block_exits(fn):
    """id(block) -> the names live after it (a loop body: those live at the loop's
    head, so a value the next iteration reads counts), for every block of ``fn``.
    A read for the static shape only is none (``value_reads``): a value read so after
    the block (an adjoint's ``expand_to`` in a later branch) is not stored for it."""
    out = {}

    def visit(stmts, after):
        out[id(stmts)] = frozenset(after)
        live = set(after)
        for s in reversed(stmts):
            if isinstance(s, If):
                visit(s.body, live)
                visit(s.orelse, live)
            elif isinstance(s, (For, While)):
                visit(s.body, loop_head(s, live, reads=value_reads))
            live = live_before_stmt(s, live, value_reads)
    visit(fn.body, set())
    return out


def _suffix_live(body, after):
    """``live[i]``: names read as values by ``body[i:]`` before written, or in ``after``."""
    live = [None] * (len(body) + 1)
    cur = set(after)
    live[len(body)] = frozenset(cur)
    for i in range(len(body) - 1, -1, -1):
        s = body[i]
        if isinstance(s, Assign):
            cur.discard(s.target.name)
            cur.update(v.name for v in value_reads(s))
        else:
            cur = set(live_before_stmt(s, cur, value_reads))
        live[i] = frozenset(cur)
    return live


def fuse(body, uses, worth, candidate=lambda s: True, after=None):
    """``body`` with runs that ``worth`` accepts replaced by ``Fused`` items.  ``after``:
    the names live after ``body`` (``block_exits``); without it a name is live after a
    run when ``uses`` counts a read outside it.  The nest's body scalars are named
    ``e#N`` (no IR name has a ``#``): printers name them."""
    if not any(space_of(s) not in (None, ANY) for s in body):
        return list(body)
    out, run, space = [], [], None
    suffix = _suffix_live(body, after) if after is not None else None
    end = [0]           # ``body``'s index right after the statements tried as a run
    run_end = [0]       # ... after the run's last statement
    deferred = []       # pops met inside the run, printed after it
    count = iter(range(1 << 62))

    def fresh(base):
        return f"{base}#{next(count)}"

    def try_nest(stmts, sp):
        if sp in (None, ANY):
            return None
        reads, first_read, first_def = {}, {}, {}
        for i, s in enumerate(stmts):
            for v in value_reads(s):
                reads[v.name] = reads.get(v.name, 0) + 1
                first_read.setdefault(v.name, i)
            first_def.setdefault(s.target.name, i)
        carried = {n for n, i in first_def.items() if first_read.get(n, len(stmts)) < i}

        def live_out(name):
            if suffix is not None:
                return name in suffix[end[0]]
            return uses.get(name, 0) > reads.get(name, 0) or name in carried
        for i, s in enumerate(stmts):
            # a slice read after the run is printed before the nest (``kept``): it must
            # neither rebind a name the run read before it (``w = W[1]`` after a read of
            # the old ``w``) nor read a value the run makes
            if s.op in KEPT and live_out(s.target.name) and (
                    s.target.name in carried or
                    any(first_def.get(v.name, i) < i for v in value_reads(s))):
                return None
        try:
            return lower_nest(stmts, sp, live_out, fresh), live_out
        except NotFusible:
            return None

    def flush():
        nonlocal run, space
        end[0] = run_end[0]
        got = try_nest(run, space)
        # a run none of whose values is read after it (only for shapes) stays unfused
        if got is not None and worth(got[0]) and any(got[1](s.target.name) for s in run):
            nest, live_out = got
            kept = tuple(s for s in run if s.op in KEPT and
                         live_out(s.target.name))
            out.extend(kept)
            out.append(Fused(nest, tuple(run), kept))
        else:
            out.extend(run)
        out.extend(deferred)
        deferred.clear()
        run, space = [], None

    body = list(body)
    i = 0
    while i < len(body):
        s = body[i]
        if run and _floats(s, run, deferred):
            # a push before the run, a pop after it: one nest around the tapes
            (out if isinstance(s, Push) else deferred).append(s)
            i += 1
            continue
        if deferred and _touches(s, deferred):
            flush()
        sp = space_of(s) if candidate(s) else None
        if sp is None and run and _independent(s, run, deferred):
            out.append(s)       # a call between two parts of a run goes before it
            i += 1
            continue
        if sp is None:
            flush()
            out.append(s)
            i += 1
            continue
        # the run's space first: a statement over another one may still fit (t = x + b
        # adds into the run's buffer b)
        new_space = space if space not in (None, ANY) else sp
        if new_space is ANY:
            run.append(s)
            space = new_space
            i += 1
            end[0] = run_end[0] = i
            continue
        # x[i] = x[i] + v is three statements: a run may be illegal until the third
        taken = 0
        for more in range(LOOKAHEAD + 1):
            extra = body[i:i + 1 + more]
            end[0] = i + len(extra)
            if len(extra) == 1 + more and all(candidate(x) and space_of(x) is not None and
                                              not _touches(x, deferred) for x in extra) and \
                    try_nest(run + extra, new_space) is not None:
                taken = 1 + more
                break
        if taken:
            run += body[i:i + taken]
            space = new_space
            i += taken
            run_end[0] = i
            continue
        flush()
        run, space = [s], sp
        end[0] = run_end[0] = i + 1
        if sp is not ANY and try_nest(run, sp) is None:
            out.append(s)
            run, space = [], None
        i += 1
    flush()
    return out


def _independent(s, run, deferred):
    """Whether statement ``s``, met while a run grows, may go before the run so that the
    run goes on after it (``t11 = a * xc; t12 = einsum(lower, xc); qxc = t11 + t12`` is
    one loop after the einsum): ``s`` is a pure primitive making a new value, reads
    nothing the run assigns, assigns nothing the run reads or assigns, touches no
    deferred pop, and the run writes no array in place (``s`` might read it through a
    view)."""
    if not isinstance(s, Assign):
        return False
    prim = PRIMITIVES.get(s.op)
    names = {v.name for v in atoms_read(s)}
    if prim is None or not prim.pure or s.op.startswith("list_") or s.target.name in names:
        return False
    assigned, read = set(), set()
    for x in run:
        if any(getattr(a, "name", None) == x.target.name for a in x.args):
            return False
        assigned.add(x.target.name)
        read.update(v.name for v in atoms_read(x))
    return not (names & assigned) and s.target.name not in assigned | read and \
        not _touches(s, deferred)


def _floats(s, run, deferred):
    """Whether tape statement ``s`` met inside a run may leave it: a push goes before
    the run when the run so far neither assigns its value nor writes an array in place
    (the push reads the value the run found), and no pop waits (a tape's pushes and
    pops keep their order); a pop goes after the run (``_touches`` ends the run before
    a statement that reads or writes its target)."""
    if isinstance(s, Pop):
        return True
    if not isinstance(s, Push) or deferred:
        return False
    name = getattr(s.value, "name", None)
    return not any(x.target.name == name or
                   any(getattr(a, "name", None) == x.target.name for a in x.args)
                   for x in run)


def _touches(s, pops):
    """Whether statement ``s`` reads or writes the target of one of ``pops``."""
    names = {p.target.name for p in pops}
    return bool(names) and (any(v.name in names for v in atoms_read(s)) or
                            any(v.name in names for v in vars_written(s)) or
                            any(v.name in names for b in blocks(s) for x in walk(b)
                                for v in atoms_read(x) + vars_written(x)))
