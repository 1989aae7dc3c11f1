"""Recompute cheap loop values in the reverse sweep instead of taping them.

A value computed in a loop by one arithmetic operation from the loop index,
loop invariants and values the reverse loop restores anyway is cheaper to
compute again than to store and load (Tapenade's recomputation, and what a
hand-written adjoint does with ``t = i * dt``).  Its push and pop go, and the
top of each reverse iteration computes it again:

    for i in range(n):                         for i in range(n):
        t_tape.append(t)                           t = i * 0.01
        t = i * 0.01                               y = y + math.sin(w * t)
        y = y + math.sin(w * t)                ...
    ...                                        for i in reversed(range(n)):
    for i in reversed(range(n)):                   t = i * 0.01
        w_bar += t * ...                           w_bar += t * ...
        t = t_tape.pop()

Why the recomputed value is right: in the reverse loop each restored variable
holds, at the top of iteration i, the value it had at the end of forward
iteration i (its one pop per iteration restores the value its one push saw).
So a value ``v = op(args)`` assigned once per iteration, at the top of the
forward body, is recomputed exactly when every argument is

- a constant or the loop index (the reverse loop runs the same indices);
- invariant: assigned only at the top of the function before the loop;
- restored: assigned once at the top of the forward body before ``v``, pushed
  and popped once, and written by nothing else; or an earlier recomputed value.

``v`` must not be read in the forward body before its assignment (the reverse
code after its pop would have read the old value) nor after the reverse loop.

Executed:

    >>> from pullback.ir import Assign, Const, For, Function, NewTape, Pop, Push, Return, Var
    >>> from pullback.ir.printer import format_function
    >>> w, y, t, s, w_bar, c = (Var(v, "float") for v in ("w", "y", "t", "s", "w_bar", "c"))
    >>> i, n, tape = Var("i", "int"), Var("n", "int"), Var("t_tape", "tape")
    >>> fn = Function("f_grad", (w, n), (
    ...     Assign(y, "copy", (Const(0.0),)), Assign(t, "copy", (Const(0.0),)), NewTape(tape),
    ...     For(i, Const(0), n, Const(1), (Push(tape, t), Assign(t, "mul", (i, Const(0.01))),
    ...         Assign(s, "sin", (t,)), Assign(y, "add", (y, s)))),
    ...     Assign(w_bar, "copy", (Const(0.0),)),
    ...     For(i, Const(0), n, Const(1), (Assign(c, "cos", (t,)),
    ...         Assign(w_bar, "add", (w_bar, c)), Pop(t, tape)), reverse=True),
    ...     Return((y, w_bar))))
    >>> print(format_function(recompute_cheap(fn)))
    def f_grad(w, n):
      y = copy(0.0)
      t = copy(0.0)
      t_tape = tape
      for i in range(0, n, 1):
        t = mul(i, 0.01)
        s = sin(t)
        y = add(y, s)
      w_bar = copy(0.0)
      for i in reversed range(0, n, 1):
        t = mul(i, 0.01)
        c = cos(t)
        w_bar = add(w_bar, c)
      return y, w_bar

Loop pairs of one block (both halves in one function; split ``fwd``/``rev`` pairs
pass their tapes through the residual), and inside such a pair the pair of its
inner loops: a forward loop in the forward body and the one reverse loop over the
same index in the reverse body.  For the inner pair a value of the outer iteration
counts as invariant when both inner loops see the same value: assigned once at the
top of the outer forward body before the inner loop, and restored or recomputed by
the outer reverse body before its inner loop runs.  A temporary the forward body
assigns once and does not tape (the reverse loop never reads it) is recomputed by
the same rules when a recomputed value needs it (``aj = phase + 2 pi j / n`` is
three operations, two of them on untaped temporaries).
"""
from dataclasses import replace

from ..ir import Assign, Const, For, Pop, Push, Var
from ..ir.types import is_array, is_list
from ..ir.walk import atoms_read, blocks, vars_written, walk, write_counts

CHEAP = ("add", "sub", "mul", "neg", "pos", "truediv", "float", "copy")
SCALARS = ("float", "int", "bool")


def recompute_cheap(fn):
    body = list(fn.body)
    tapes = _tape_uses(fn.body)
    sealed = _sealed_arrays(fn)
    for j, r in enumerate(body):
        if isinstance(r, For) and r.reverse and r.exit is None:
            i = next((k for k in range(j - 1, -1, -1) if _pairs(body[k], r)), None)
            if i is not None:
                writes = _write_sites(body, i, j)
                f, r, restored, done, again = _recompute(
                    body[i], body[j], writes, tapes, lambda v: _read_after(body, j, v),
                    set(sealed))
                body[i], body[j] = _nested(f, r, writes, restored, done, again, tapes, fn,
                                           sealed)
    return replace(fn, body=tuple(body))


def _pairs(f, r):
    return isinstance(f, For) and not f.reverse and f.exit is None and f.var == r.var


def _recompute(f, r, writes, tapes, read_after, sealed):
    """The pair with its cheap values recomputed, and what the reverse loop restores
    (``restored``), recomputes (``done``: name -> tape) and the recomputations.
    ``sealed``: arrays whose memory nothing writes (a recomputed view of one joins it)."""
    pushes = {s.value.name: s for s in f.body if isinstance(s, Push) and isinstance(s.value, Var)}
    pops = {s.target.name: s for s in r.body if isinstance(s, Pop)}
    restored, done, again = set(), {}, []
    for k, s in enumerate(f.body):
        if not isinstance(s, Assign):
            continue
        v = s.target.name
        # (a write before the loop is the 0.0 that the push saw first)
        taped = v in pushes and v in pops and pushes[v].tape == pops[v].tape and \
            tapes.get(pushes[v].tape.name) == 2 and writes.get(v) in ({"loop"}, {"before", "loop"})
        # an untaped temporary (the reverse loop never reads it) may be recomputed too,
        # for what its recomputation feeds
        untaped = v not in pushes and v not in pops and \
            writes.get(v) in ({"loop"}, {"before", "loop"})
        view = _view(s, sealed)
        value = s.target.type in SCALARS or is_array(s.target.type)
        if (taped or untaped) and (_cheap(s) and value or view) and \
                all(_available(a, f, writes, restored, done) for a in s.args) and \
                not _read_before(f.body, k, v, pushes.get(v)) and not read_after(v):
            done[v] = pushes[v].tape if taped else None
            again.append(s)
            if view:
                sealed.add(v)
        elif taped:
            restored.add(v)
    kept = _needed(again, r.body)
    for s in again:     # unread here (an inner pair may still read it): taped as before
        if s not in kept:
            if done.pop(s.target.name) is not None:
                restored.add(s.target.name)
    again = kept
    if not again:
        return f, r, restored, done, again
    gone = set(done.values()) - {None}
    fbody = tuple(s for s in f.body if not (isinstance(s, Push) and s.tape in gone))
    rbody = tuple(s for s in r.body if not (isinstance(s, Pop) and s.tape in gone))
    # (the tapes' creation is dead now: DCE removes it)
    return replace(f, body=fbody), replace(r, body=_sunk(again, rbody)), restored, done, again


def _sunk(again, rbody):
    """``rbody`` after the recomputations, each array operation placed right before the
    first statement that reads its value (the last first, so an earlier one lands before
    a later one that reads it), as long as nothing before that point writes its
    arguments: it then fuses into the loop that reads it (no array of its own).  Scalars
    and slices stay at the top, where the forward body had them."""
    top = {s.target.name for s in again if not is_array(s.target.type) or s.op == "getitem"}
    for s in reversed(again):          # and what those read
        if s.target.name in top:
            top |= {a.name for a in s.args if isinstance(a, Var)}
    top = [s for s in again if s.target.name in top]
    body = top + list(rbody)
    for s in reversed([s for s in again if s not in top]):
        names = {s.target.name} | {a.name for a in s.args if isinstance(a, Var)}
        k = len(top)
        while k < len(body) and s.target.name not in {
                a.name for t in walk([body[k]]) for a in atoms_read(t) if isinstance(a, Var)} \
                and not names & {v.name for t in walk([body[k]]) for v in vars_written(t)}:
            k += 1
        body.insert(k, s)
    return tuple(body)


def _needed(again, rbody):
    """The recomputations the reverse body reads, directly or through another one."""
    need = {a.name for s in walk(rbody) for a in atoms_read(s) if isinstance(a, Var)}
    kept = []
    for s in reversed(again):
        if s.target.name in need:
            kept.append(s)
            need |= {a.name for a in s.args if isinstance(a, Var)}
    return kept[::-1]


def _nested(f, r, writes, restored, done, again, tapes, fn, sealed):
    """The pair ``f``, ``r`` with the loop pairs directly in their bodies recomputed too
    (a forward loop in ``f``'s body and the one reverse loop over the same index in
    ``r``'s body).  A value of the outer iteration is invariant for the inner pair when
    both inner loops see it: written once at the top of ``f``'s body before the inner
    loop and restored or recomputed by ``r`` before its inner loop runs, or not written
    in either outer loop and invariant for them.  A recomputed inner value must not be
    read outside the two inner loops (its value after the reverse inner loop changes)."""
    fwd = [k for k, s in enumerate(f.body) if isinstance(s, For) and not s.reverse]
    rev = [k for k, s in enumerate(r.body) if isinstance(s, For) and s.reverse]
    fbody, rbody = list(f.body), list(r.body)
    for q in rev:
        inner_r = rbody[q]
        same = [k for k in fwd if fbody[k].var == inner_r.var]
        if inner_r.exit is not None or len(same) != 1 or \
                sum(rbody[k].var == inner_r.var for k in rev) != 1 or \
                not _pairs(fbody[same[0]], inner_r):
            continue
        p = same[0]
        inner_f = fbody[p]
        sites = _inner_sites(f, r, p, q, writes, restored, done, again, fn)
        elsewhere = _reads_outside(fn, inner_f, inner_r)
        inner_sealed = set(sealed) | {v for v in done if v in sealed}
        nf, nr, res2, done2, again2 = _recompute(inner_f, inner_r, sites, tapes,
                                                lambda v: v in elsewhere, inner_sealed)
        fbody[p], rbody[q] = _nested(nf, nr, sites, res2, done2, again2, tapes, fn,
                                     inner_sealed)
    return replace(f, body=tuple(fbody)), replace(r, body=tuple(rbody))


def _inner_sites(f, r, p, q, writes, restored, done, again, fn):
    """``_write_sites`` for the inner pair ``f.body[p]``, ``r.body[q]``: 'before' for
    what is invariant for it (see ``_nested``), 'loop' for a single assignment at the
    top of the inner forward body, 'other' else."""
    inner_f, inner_r = f.body[p], r.body[q]
    sites = _pair_sites(inner_f, inner_r)
    outer_f = write_counts(f.body)
    outer_r = write_counts(r.body)
    top = {s.target.name: k for k, s in enumerate(f.body) if isinstance(s, Assign)}
    early = {v.name for s in walk(r.body[:q]) if not any(s is a for a in again)
             for v in vars_written(s)}
    for name in set(outer_f) | set(outer_r) | {f.var.name}:
        if name in sites and sites[name] != {"before"}:
            continue
        if name == f.var.name:
            ok = name not in outer_f and name not in outer_r
        else:
            ok = (name in restored or name in done) and outer_f.get(name) == 1 and \
                top.get(name, p) < p and name not in early
        sites.setdefault(name, set()).add("before" if ok else "other")
    for name, where in writes.items():     # invariant for the outer pair, unwritten in it
        if name not in outer_f and name not in outer_r and name != f.var.name and \
                where != {"before"}:
            sites.setdefault(name, set()).add("other")
    return sites


def _pair_sites(f, r):
    """Per variable written in the pair: 'loop' (once, at the top of the forward body,
    or by a pop at the top of the reverse body) or 'other'."""
    sites = {}
    counts = write_counts(f.body)
    for s in f.body:
        for v in vars_written(s):
            if counts[v.name] == 1 and isinstance(s, Assign):
                sites.setdefault(v.name, set()).add("loop")
    for name, n in counts.items():
        if n != 1 or not any(isinstance(s, Assign) and s.target.name == name for s in f.body):
            sites.setdefault(name, set()).add("other")
    for s in walk(r.body):
        for v in vars_written(s):
            if not isinstance(s, Pop) or s not in r.body:
                sites.setdefault(v.name, set()).add("other")
    sites.setdefault(f.var.name, set()).add("other")
    return sites


def _reads_outside(fn, f, r):
    """Names read anywhere in ``fn`` but inside the loops ``f`` and ``r``."""
    inside = {id(s) for s in walk(f.body)} | {id(s) for s in walk(r.body)}
    return {a.name for s in walk(fn.body) if id(s) not in inside for a in atoms_read(s)}


def _available(a, f, writes, restored, done):
    if isinstance(a, Const) or a == f.var:
        return True
    name = a.name
    if name in done or name in restored:
        return True
    return writes.get(name, {"before"}) == {"before"}


def _write_sites(body, i, j):
    """Per variable, where the block writes it: 'before' the loop at top level,
    'loop' (once, at the top of the forward body, or by a pop in the reverse
    body), or 'other'."""
    sites = _pair_sites(body[i], body[j])
    for k, s in enumerate(body):
        if k == i or k == j:
            continue
        where = "before" if k < i and not blocks(s) else "other"
        for s2 in walk([s]):
            for v in vars_written(s2):
                # a list filled by a loop before the pair (a table) is fixed in it too
                sites.setdefault(v.name, set()).add(
                    "before" if k < i and is_list(v.type) else where)
    return sites


def _cheap(s):
    """One arithmetic operation, or a read of a list (``optimize/tables.py``'s tables)."""
    return s.op in CHEAP or (s.op == "getitem" and is_list(getattr(s.args[0], "type", None)))


# ops whose result is a new array (never a view of an argument)
_FRESH = ("zeros", "full", "zeros_like", "ones", "ones_like", "empty", "add", "sub", "mul",
          "truediv", "neg", "setitem")


def _view(s, sealed):
    """A basic-index read of an array no statement writes in place (a row ``w = W[i]`` of
    an input, ``w[:14]``): recomputed, it is the taped value, and a view costs nothing,
    where a tape copies the row in and out."""
    return s.op in ("getitem", "copy") and is_array(s.target.type) and \
        isinstance(s.args[0], Var) and s.args[0].name in sealed and all(
            isinstance(a, Const) and isinstance(a.value, (int, slice)) or
            isinstance(a, Var) and a.type == "int" for a in s.args[1:])


def _sealed_arrays(fn):
    """The array parameters of ``fn`` whose memory nothing writes: every array written in
    place (``setitem``) was made by an operation that allocates, so no write reaches a
    parameter or a view of one (a tape's pop reads back the value it saved either way)."""
    made = {}
    for s in walk(fn.body):
        if isinstance(s, Assign):
            made.setdefault(s.target.name, set()).add(s.op)
        elif isinstance(s, (Pop, For)) or blocks(s):
            for v in vars_written(s):
                made.setdefault(v.name, set()).add("other")
    for s in walk(fn.body):
        if isinstance(s, Assign) and s.op == "setitem" and is_array(s.target.type) and \
                not made.get(s.target.name, {"other"}) <= set(_FRESH):
            return frozenset()
    return frozenset(p.name for p in fn.params if is_array(p.type) and p.name not in made)


def _tape_uses(body):
    n = {}
    for s in walk(body):
        if isinstance(s, (Push, Pop)):
            n[s.tape.name] = n.get(s.tape.name, 0) + 1
    return n


def _read_before(fbody, k, v, push):
    return any(s is not push and any(a.name == v for a in atoms_read(s) if isinstance(a, Var))
               for s in walk(fbody[:k]))


def _read_after(body, j, v):
    return any(isinstance(a, Var) and a.name == v
               for s in walk(body[j + 1:]) for a in atoms_read(s))


__all__ = ["recompute_cheap"]
