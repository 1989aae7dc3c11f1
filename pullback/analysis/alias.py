"""Aliasing of arrays written in place: make the IR's value semantics true.

The IR treats ``x = setitem(x, idx, v)`` as producing a new value; NumPy
mutates the object, which every alias of ``x`` sees.  This pass makes the two
agree or rejects the program at the write's line.

A forward dataflow tracks, for every name whose value holds array memory
(arrays, and lists of them), the allocations it may share:

- a parameter holds the caller's array (``("param", name)``), a global array
  its own (``("extern", name)``); any other computation makes a fresh one
  (``("site", key)``; a site run again in a loop renames the older one ``old``);
- ``b = a``, views (``x[1:]``, ``x.T``, ``reshape``, ``np.asarray``, ... see
  ``VIEWS``) and the loop variable of ``for row in B`` share their source's;
- a list holds its own (``("list", key)``) and its items' (a list item's own
  marked ``in``); ``L[i]`` shares the items';
- a Python tuple kept as one value (``L.append((W, b))``: ``tuple_for`` and the writes
  that fill it, ``_tuple_fills``) holds its leaves' allocations, as Python's tuple holds
  the arrays themselves: a later write to ``W`` while the tuple is read is rejected;
- a call's result shares what the callee may return: its arguments (a helper
  returning ``c`` or ``c[1:]``), globals, or a fresh array (``_summaries``,
  iterated to a fixpoint so recursion is covered).

Writes are ``setitem`` (``x[i] = v``, ``x[i] += v``) and ``inplace`` (the
frontend's ``w op= v``, in place on an array, a rebinding on a number).  A
write is rejected when what it writes is an argument of the entry function or
part of one (the user would see it), a global array, or is shared by another name
still read.  A helper may write its own parameter (``a[a > hi] = hi``): it then
starts with a copy of it (``_copy_written_params``), which is NumPy's meaning
wherever its caller passes an array nothing else reads after the call (a fresh
temporary, not an argument or a global); at any other call site the write is
rejected at its line, naming the call.  A sharing statement next to a write
(its names are in one group of ``written_groups``), and a helper's array result
there, then becomes a copy in the generated code (``alias_rewrite``),
so the derivative code's own reads (the reverse sweep, a callee's residual)
never see the write: such a copied share counts against a write only while
the forward computation still reads the other name, where NumPy would show
the write.  ``inplace`` then becomes the rebinding it is in value semantics
(its new version shares with the old for NumPy only, like a copied share).

Invariant after ``prepare_module``: no ``inplace`` remains, and an array
written in place shares its memory with no other name that is read.
"""
import re
from dataclasses import replace

from ..errors import UnsupportedError
from ..ir import Assign, Call, Const, Extern, For, If, Module, Return, Var, While
from ..ir.types import ListT, is_array, is_differentiable
from ..ir.walk import atoms_read, blocks, vars_written, walk
from .alias_rewrite import (SHARED_WHEN_GENERATED, VIEWS, holds, is_share, is_write,  # noqa: F401
                            rewrite, written_groups, written_in_place)
from .liveness import live_before_stmt, live_step

def prepare_module(module):
    """Check every function's writes (``UnsupportedError`` at the line), then make
    shares next to writes copies and ``inplace`` a rebinding."""
    if not any(holds(v.type) for fn in module.functions
               for v in fn.params + tuple(v for s in walk(fn.body) for v in vars_written(s))):
        # no name holds array memory (scalar code): no state, no write, no group, nothing to
        # check; only the rebinding of ``inplace`` is left to do
        return Module(tuple(rewrite(fn, frozenset()) for fn in module.functions), module.result)
    summaries = _summaries(module)
    module, written = _copy_written_params(module)
    out = []
    for fn in module.functions:
        groups = written_groups(fn)
        fills = _tuple_fills(fn)
        reverse_reads = {v.name for s in walk(fn.body) if isinstance(s, Assign)
                         and is_differentiable(s.target.type) for v in atoms_read(s)}
        ctx = _Ctx(summaries, groups, reverse_reads, check=True)
        ctx.written_params = written
        ctx.fills = fills
        _block(ctx, fn.body, _params(fn), set())
        out.append(rewrite(fn, groups))
    return Module(tuple(out), module.result)


class _Ctx:
    def __init__(self, summaries, groups, reverse_reads, check):
        self.summaries, self.groups, self.reverse_reads = summaries, groups, reverse_reads
        self.check = check
        self.returned = []      # the token sets of each Return's values (for summaries)
        self.found = None       # a dict param name -> first write (recording, not checking)
        self.written_params = {}    # function -> {param index: (name, its first write)}
        self.fills = set()          # ids of the writes that fill a tuple_for


def _tuple_fills(fn):
    """The ``setitem`` statements that fill a Python tuple's room: those right after its
    ``tuple_for``, writing into it (a tuple is immutable: nothing else writes one)."""
    out, todo = set(), [fn.body]
    while todo:
        block = todo.pop()
        todo += [b for s in block for b in blocks(s)]
        room = None
        for s in block:
            if isinstance(s, Assign) and s.op == "tuple_for":
                room = s.target.name
            elif isinstance(s, Assign) and s.op == "setitem" and s.target.name == room and \
                    isinstance(s.args[0], Var) and s.args[0].name == room:
                out.add(id(s))
            else:
                room = None
    return out


def _copy_written_params(module):
    """Helpers (every function but the entry, ``functions[0]``) that write a parameter
    in place start with a copy of it: ``(module, {function: {index: write}})``.  The
    call sites are checked in ``_call``: a copy is NumPy's meaning only where the
    caller reads the array no more."""
    out, written = [module.functions[0]], {}
    for fn in module.functions[1:]:
        ctx = _Ctx({}, frozenset(), frozenset(), check=False)
        ctx.found, ctx.fills = {}, _tuple_fills(fn)
        _block(ctx, fn.body, _params(fn), set())
        if not ctx.found:
            out.append(fn)
            continue
        index = {p.name: i for i, p in enumerate(fn.params)}
        written[fn.name] = {index[n]: (n, w) for n, w in ctx.found.items()}
        copies = tuple(Assign(p, "copy_array", (p,), ctx.found[p.name].loc)
                       for p in fn.params if p.name in ctx.found)
        out.append(replace(fn, body=copies + tuple(fn.body)))
    return Module(tuple(out), module.result), written


def _params(fn):
    return {p.name: {("param", p.name)} for p in fn.params if holds(p.type)}


def _summaries(module):
    """function -> per result, what it may share: ``("param", i)``, ``("extern", n)``
    or ``("fresh",)``.  Starts at "fresh" and grows to a fixpoint (recursion)."""
    sums = {}
    for _ in range(len(module.functions) + 2):
        new = {}
        for fn in module.functions:
            ctx = _Ctx(sums, frozenset(), frozenset(), check=False)
            ctx.fills = _tuple_fills(fn)
            _block(ctx, fn.body, _params(fn), set())
            index = {p.name: i for i, p in enumerate(fn.params)}
            outs = None
            for values in ctx.returned:
                kinds = [frozenset(("param", index[o[1]]) if o[0] == "param" else
                                   o if o[0] == "extern" else ("fresh",) for o in _real(v))
                         for v in values]
                outs = kinds if outs is None else [a | b for a, b in zip(outs, kinds)]
            new[fn.name] = tuple(outs or ())
        if new == sums:
            break
        sums = new
    return sums


def _tokens(a, state):
    if isinstance(a, Var):
        return state.get(a.name, set())
    if isinstance(a, Const) and isinstance(a.value, Extern):
        return {("extern", a.value.name)}
    return set()


def _real(objs):
    """Allocations without the marks of shares the generated code copies."""
    return {o[1] if o[0] == "copied view" else o for o in objs}


def _shared(objs):
    """Allocations shared in the generated code too (copied shares own theirs)."""
    return {o for o in objs if o[0] != "copied view"}


def _shared_in_use(exclude, objs, state, live, reverse_reads):
    """Another name sharing ``objs`` that is still read: by the forward computation,
    or, when it really shares (not a share to be copied), by the reverse sweep."""
    for other, o in state.items():
        if other in exclude:
            continue
        if _shared(o) & _shared(objs) and (other in live or other in reverse_reads):
            return other
        if _real(o) & _real(objs) and other in live:
            return other
    return None


def _shown(name):
    """The user's name of a variable (``y_1`` is the second version of ``y``)."""
    return re.sub(r"_\d+$", "", name)


def _check_write(ctx, s, name, objs, state, live, exclude):
    real = _real(objs)
    if ctx.found is not None:
        for o in real:
            if o[0] == "param":
                ctx.found.setdefault(o[1], s)
    if not ctx.check:
        return
    globs = sorted(o[1] for o in real if o[0] == "extern")
    if globs:
        raise UnsupportedError.at(s.loc, f"cannot differentiate an in-place write to '{name}', "
                                  f"which is the global array '{globs[0]}' or part of it "
                                  f"(copy it first: {name} = {name}.copy())", "aliased write")
    # the caller would see a write even through a view the generated code copies
    params = sorted(o[1] for o in real if o[0] == "param")
    if params:
        raise UnsupportedError.at(s.loc, f"cannot differentiate an in-place write to "
                                  f"the argument '{params[0]}' or a view of it (copy it first: "
                                  f"{name} = {name}.copy())", "mutation of an argument")
    other = _shared_in_use(exclude, objs, state, live, ctx.reverse_reads)
    if other is not None:
        # `b = a` binds b to a's value itself: the one still read is then a's own earlier
        # version, which the user knows by the other name
        who = f"'{_shown(other)}'" if _shown(other) != name else \
            "another name for the same array (b = a)"
        raise UnsupportedError.at(s.loc, f"cannot differentiate an in-place write to '{name}' "
                                  f"while {who}, which shares its memory, is still "
                                  "read (a view, an alias or a list holding it; copy one of "
                                  "them first)", "aliased write")


def _fresh(state, key):
    """``state`` with allocation ``key`` made anew: an older one (an earlier loop
    iteration's) is renamed ``old``."""
    def rename(o):
        if o[0] in ("copied view", "in"):
            return (o[0], rename(o[1]))
        return (o[0], ("old", o[1][1])) if o[0] in ("site", "list") and o[1] == ("new", key) \
            else o
    return {k: {rename(o) for o in v} for k, v in state.items()}


def _block(ctx, stmts, state, after):
    for s, live in zip(stmts, _live_after_each(stmts, after)):
        state = _stmt(ctx, s, state, live)
    return state


def _live_after_each(stmts, after):
    """``live_before(stmts[i + 1:], after) | after`` for each i, in one backward pass."""
    out, live = [None] * len(stmts), set(after)
    for i in range(len(stmts) - 1, -1, -1):
        out[i] = live | after
        live = live_step(stmts[i], live)
    return out


def _stmt(ctx, s, state, live):
    if isinstance(s, Assign):
        return _assign(ctx, s, state, live)
    if isinstance(s, Call):
        return _call(ctx, s, state, live)
    if isinstance(s, Return):
        ctx.returned.append(tuple(set(_tokens(v, state)) for v in s.values))
        return state
    if isinstance(s, If):
        a = _block(ctx, s.body, state, live)
        b = _block(ctx, s.orelse, state, live)
        return {k: a.get(k, set()) | b.get(k, set()) for k in set(a) | set(b)}
    if isinstance(s, (For, While)):
        head = state
        for _ in range(6):
            end = _block(ctx, s.body, head, live | live_before_stmt(s, live))
            new = {k: head.get(k, set()) | end.get(k, set()) for k in set(head) | set(end)}
            if new == head:
                break
            head = new
        return head
    return state


def _assign(ctx, s, state, live):
    t = s.target.name
    if is_write(s):
        base = s.args[0].name
        objs = state.get(base, set())
        if id(s) in ctx.fills:      # a tuple's item: the leaf itself, not a copy
            return {**state, t: objs | _tokens(s.args[2], state)}
        if s.op == "setitem":
            _check_write(ctx, s, t, objs, state, live, {t})
        else:   # ``w op= v``: w is a new version, the old one (or its copy) read later sees it
            _check_write(ctx, s, _shown(t), objs, state, live, {t} if base in live else {t, base})
            # the generated code rebinds: the new version shares with the old for NumPy only
            return {**state, t: {("copied view", o) for o in _real(objs)}}
        return {**state, t: set(objs)}
    if not holds(s.target.type):
        return {k: v for k, v in state.items() if k != t}
    if isinstance(s.target.type, ListT) and s.args and s.args[0] == s.target and \
            s.op in ("list_append", "setitem"):
        # the list object changes: no other live name may be the same list
        # (or holds it: ``rows.append(row)``, then ``row`` grows, and Python's rows[0] too)
        mine = {o for o in state.get(t, set()) if o[0] == "list"}
        inside = {("in", o) for o in mine}
        other = next((k for k, v in state.items() if k != t and k in live and v & mine), None)
        holder = next((k for k, v in state.items() if k != t and k in live and v & inside), None)
        if ctx.check and (other or holder) is not None:
            how = "is the same list" if other is not None else "holds it"
            raise UnsupportedError.at(s.loc, f"cannot differentiate a change to the list '{t}' "
                                      f"while '{other or holder}' {how}", "aliased write")
        items = s.args[1] if s.op == "list_append" else s.args[2]
        held = {("in", o) if o[0] == "list" else o for o in _tokens(items, state)}
        return {**state, t: state.get(t, set()) | held}
    if s.op == "getitem" and isinstance(s.args[0], Var) and isinstance(s.args[0].type, ListT):
        # an item shares the items' memory, not the list object (a list held is its own)
        objs = {o[1] if o[0] == "in" else o for o in state.get(s.args[0].name, set())
                if o[0] != "list"}
        if t in ctx.groups or s.args[0].name in ctx.groups:
            objs = {("copied view", o) for o in _real(objs)} if is_array(s.target.type) else objs
        return {**state, t: objs}
    if s.op == "inplace":       # on a number: the rebinding ``w = w op v``
        return {**state, t: set(_tokens(s.args[1], state))}
    if (s.op == "copy" or s.op in VIEWS) and s.args and _tokens(s.args[0], state):
        objs = _tokens(s.args[0], state)
        if is_share(s) and (t in ctx.groups or s.args[0].name in ctx.groups):
            objs = {("copied view", o) for o in _real(objs)}
        return {**state, t: set(objs)}
    new = _fresh(state, id(s))
    new[t] = {("list" if s.op == "list_new" else "site", ("new", id(s)))}
    return new


def _check_call(ctx, s, state, live):
    """A helper that writes parameter ``i`` in place works on a copy: NumPy's meaning
    only if the caller's array is a temporary that no name reads after the call."""
    for i, (name, w) in sorted(ctx.written_params.get(s.func, {}).items()):
        objs = _real(_tokens(s.args[i], state)) if i < len(s.args) else set()
        why = None
        if any(o[0] in ("param", "extern") for o in objs):
            why = "an argument or a global array of the caller"
        else:
            targets = {t.name for t in s.targets}
            other = next((k for k, v in state.items() if k not in targets and k in live and
                          _real(v) & objs), None)
            if other is not None:
                why = f"'{_shown(other)}', which the caller still reads"
            elif any(_real(_tokens(a, state)) & objs for j, a in enumerate(s.args) if j != i):
                why = "another argument of the same call"
        if why is not None:
            where = f"{s.loc.file}:{s.loc.line}" if s.loc is not None else "its call"
            raise UnsupportedError.at(w.loc, f"cannot differentiate an in-place write to "
                                      f"the argument '{name}' of '{s.func}': the array passed "
                                      f"at {where} is {why}: NumPy's write would change it "
                                      f"(copy it first: {name} = {name}.copy())",
                                      "mutation of an argument")


def _call(ctx, s, state, live=frozenset()):
    if ctx.check:
        _check_call(ctx, s, state, live)
    kinds = ctx.summaries.get(s.func)
    new = state
    for i, t in enumerate(s.targets):
        if not holds(t.type):
            new = {k: v for k, v in new.items() if k != t.name}
            continue
        objs = set()
        # a result next to a write is copied by ``rewrite`` (as ``b = a`` is): it shares
        # the argument it returns for NumPy only
        mark = (lambda o: ("copied view", o)) if is_array(t.type) and t.name in ctx.groups \
            else (lambda o: o)
        for k in (kinds[i] if kinds and i < len(kinds) and kinds[i] else {("fresh",)}):
            if k[0] == "param":
                objs |= {mark(o) for o in _real(_tokens(s.args[k[1]], state))} \
                    if k[1] < len(s.args) else set()
            elif k[0] == "extern":
                objs.add(k)
            else:
                new = _fresh(new, (id(s), i))
                objs.add(("site", ("new", (id(s), i))))
        new = {**new, t.name: objs}
    return new


__all__ = ["prepare_module", "written_in_place", "VIEWS", "SHARED_WHEN_GENERATED"]
