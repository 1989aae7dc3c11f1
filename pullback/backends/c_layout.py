"""Static storage for the C backend: residual frames, tapes, pools and loop guards.

The derivative IR keeps values for the reverse sweep in two places: tapes
(``Push``/``Pop``) and the residual a callee's ``g_fwd`` hands to its
``g_rev`` (``pack``/``item``).  In C neither may use a heap, so this module
decides, before any text is printed, where every stored value lives and how
much room it needs:

- A residual is a *frame*, ``struct g_res``, with one field per packed
  value; a tape packed into it is an array field plus its length.  Frames
  live in a static pool per ``g_fwd``; a residual variable is a pointer to
  its frame, so frames are never copied and recursive frames just point to
  their children.  Any other ``pack`` is a *record* (one loop iteration's
  values, ``optimize.tapes``): a struct held by value, on a tape of structs.
- A tape of the entry ``f_grad`` is a static array; a tape of a ``g_fwd`` is
  an array in its frame.  A tape's capacity is its pushes per iteration
  times the trip count bounds of the loops around them (``c_bounds.Size``).
- A loop that stores (pushes, or calls a ``g_fwd``) without a static trip
  count bound runs under a guard counting to ``max_iterations``; a
  recursive ``g_fwd``'s pool has ``max_iterations`` frames and each call
  checks for room.  So every array write is in bounds by construction, and a
  function whose guard can fire returns a status code (``fallible``), as
  does one with a run-time index not proven in range (``risky``), and every
  function that calls a fallible one.
- Without ``max_iterations`` such a loop or recursion is rejected with
  ``UnsupportedError`` at its line.

Invariants: every residual variable has exactly one frame type; every pool
capacity bounds the number of frames the entry can allocate per call.
"""
from dataclasses import dataclass, field
from typing import Optional

from ..errors import TransformError, UnsupportedError
from ..ir import Assign, Call, For, If, NewTape, Pop, Push, Return, Var, While
from ..ir.walk import walk
from .c_arrays import is_array, size_of
from .c_bounds import Size, trip_bounds
from .c_index import risky_accesses
from .c_raise import raising_checks


@dataclass
class Tape:
    elem: str                       # IR scalar type, or "residual"
    frame: Optional[str] = None     # frame type of a tape of residuals
    capacity: Size = field(default_factory=Size)


@dataclass
class Field:
    name: str
    type: str                       # IR type: float/int/bool, "residual" or "tape"
    frame: Optional[str] = None     # frame type of a residual field
    tape: Optional[Tape] = None


@dataclass
class Layout:
    kinds: dict                     # function name -> primal | grad | fwd | rev
    frames: dict                    # fwd name, or record key -> [Field]
    records: set                    # keys of frames that are records (tuples on a tape)
    residual_of: dict               # (function, var) -> fwd name whose frame it points to
    tapes: dict                     # (function, tape) -> Tape
    pools: dict                     # fwd name -> Size (frames per call of the entry)
    checked: set                    # fwd names whose pool is checked (recursion)
    guards: set                     # id(loop) run under a max_iterations guard
    fallible: set                   # function names that return a status code
    rev_frame: dict                 # rev name -> fwd name of its residual parameter
    risky: dict = field(default_factory=dict)   # function -> c_index.risky_accesses
    raising: dict = field(default_factory=dict)  # function -> c_raise.raising_checks
    deep: set = field(default_factory=set)      # recursive value-side functions: depth

    def frame_of(self, fn, var):
        return self.residual_of[(fn, var)]


def kind_of(fn, entry):
    if fn.name == entry:
        return "grad"
    ret = fn.body[-1] if fn.body else None
    if isinstance(ret, Return) and ret.values and isinstance(ret.values[-1], Var) and \
            ret.values[-1].type == "residual":
        return "fwd"
    if fn.params and fn.params[0].type == "residual":
        return "rev"
    return "primal"


def plan(functions, entry, max_iterations):
    """The ``Layout`` of a list of IR functions whose derivative entry is ``entry``."""
    fns = {f.name: f for f in functions}
    kinds = {f.name: kind_of(f, entry) for f in functions}
    for f in functions:
        drive = next((s for s in walk(f.body) if is_checkpoint_drive(s)), None)
        if drive is not None and kinds[f.name] in ("fwd", "rev"):
            raise UnsupportedError.at(drive.loc, "a checkpointed loop in a function the "
                                      "entry calls has no C form yet (its schedule and "
                                      "snapshots would travel in a residual frame); inline "
                                      "the call or leave checkpoint off",
                                      "C backend: checkpoint")
    frames, records, residual_of, rev_frame = _frames(fns, kinds)
    storing = [f for f in functions if kinds[f.name] in ("grad", "fwd")]
    guards, bounds = set(), {}
    for f in storing:
        trips = trip_bounds(f)
        for s in walk(f.body):
            if not isinstance(s, (For, While)) or not _stores(s, kinds):
                continue
            if is_checkpoint_drive(s):
                bounds[id(s)] = _drive_bound(s, kinds)
                continue
            n = trips.get(id(s)) if isinstance(s, For) else None
            if n is not None:
                bounds[id(s)] = Size.of(n)
                continue
            if max_iterations is None:
                what = "a while loop" if isinstance(s, While) else "this loop's range"
                raise UnsupportedError.at(
                    s.loc, f"the gradient stores values at every iteration and {what} has no "
                    "trip count known at emit time: pass max_iterations=N (CLI: "
                    "--max-iterations N) to bound it; the C function then returns an error "
                    "code past N",
                    "unbounded loop")
            guards.add(id(s))
            bounds[id(s)] = Size.M
    tapes = {}
    for f in storing:
        for s in walk(f.body):
            if isinstance(s, NewTape):
                tapes[(f.name, s.tape.name)] = _tape(f, s.tape.name, residual_of, bounds,
                                                     s.capacity)
    for key, fields in frames.items():
        for fl in fields:
            if fl.type == "tape":
                fl.tape = tapes[(key, fl.name)]
    for f in functions:
        if kinds[f.name] == "rev":
            for s in f.body:
                if isinstance(s, Assign) and s.op == "item" and s.target.type == "tape":
                    fl = frames[rev_frame[f.name]][s.args[1].value]
                    tapes[(f.name, s.target.name)] = fl.tape
    recursive = {g for g in fns if kinds[g] == "fwd" and frames[g] and
                 g in _reachable(g, fns, kinds)}
    pools, checked = {}, set()
    for g in recursive:
        if max_iterations is None:
            raise UnsupportedError.at(
                fns[g].loc, f"'{g[:-4] if g.endswith('_fwd') else g}' is recursive and its "
                "gradient keeps one residual frame per call: pass max_iterations=N to bound "
                "the number of calls (CLI: --max-iterations N); the C function then returns an "
                "error code past N",
                "unbounded recursion")
        pools[g] = Size.M
        checked.add(g)

    def count(g):
        if g not in pools:
            total = Size()
            for f in storing:
                calls = _count(f.body, lambda s: isinstance(s, Call) and s.func == g, bounds)
                if not calls.is_zero():
                    total = total + (Size.of(1) if kinds[f.name] == "grad" else count(f.name)) \
                        * calls
            pools[g] = total
        return pools[g]
    for g in fns:
        if kinds[g] == "fwd" and frames[g]:
            count(g)
    fallible = {f.name for f in storing if any(id(s) in guards for s in walk(f.body))}
    risky = {f.name: risky_accesses(f) for f in functions if kinds[f.name] != "rev"}
    fallible |= {name for name, found in risky.items() if found}
    raising = {f.name: raising_checks(f) for f in functions}
    fallible |= {name for name, found in raising.items() if found}
    deep = _recursive_primals(fns, kinds)
    if deep and max_iterations is None:
        g = fns[min(deep)]
        raise UnsupportedError.at(
            g.loc, f"'{g.name}' is recursive and C's stack is finite: pass max_iterations=N "
            "to bound its depth (CLI: --max-iterations N); the C function then returns an "
            "error code past N", "unbounded recursion")
    fallible |= deep
    changed = True
    while changed:
        changed = False
        for f in functions:
            if f.name not in fallible and any(
                    isinstance(s, Call) and (s.func in fallible or s.func in checked)
                    for s in walk(f.body)):
                fallible.add(f.name)
                changed = True
    return Layout(kinds, frames, records, residual_of, tapes, pools, checked, guards, fallible,
                  rev_frame, risky, raising, deep)


def _recursive_primals(fns, kinds):
    """Value-side functions that can call themselves (a g_fwd's pool bounds the rest)."""
    calls = {n: {s.func for s in walk(f.body) if isinstance(s, Call) and
                 kinds.get(s.func) == "primal"} for n, f in fns.items() if kinds[n] == "primal"}
    deep = set()
    for start in calls:
        seen, todo = set(), list(calls[start])
        while todo:
            g = todo.pop()
            if g == start:
                deep.add(start)
                break
            if g not in seen:
                seen.add(g)
                todo.extend(calls.get(g, ()))
    return deep


def _stores(loop, kinds):
    return any(isinstance(s, Push) or (isinstance(s, Call) and kinds.get(s.func) == "fwd")
               for s in walk(loop.body))


def _count(body, pred, bounds):
    """How many times statements matching ``pred`` may run in ``body`` (a Size)."""
    total = Size()
    for s in body:
        if pred(s):
            total = total + Size.of(1)
        elif isinstance(s, If):
            total = total + _count(s.body, pred, bounds).max(_count(s.orelse, pred, bounds))
        elif isinstance(s, (For, While)):
            inner = _count(s.body, pred, bounds)
            if not inner.is_zero():
                total = total + bounds[id(s)] * inner
    return total


def is_checkpoint_drive(s):
    """The action loop of a checkpointed loop (``transforms/checkpoint.py``)."""
    return isinstance(s, While) and bool(s.body) and isinstance(s.body[0], Assign) and \
        s.body[0].op == "checkpoint_next"


def _drive_bound(s, kinds):
    """A checkpointed loop records one step at a time (its snapshot tapes say their own
    capacity), so each recording push counts once per action loop; a residual frame per
    call would be allocated at every recomputation, so calls are refused there."""
    for x in walk(s.body):
        if isinstance(x, Call) and kinds.get(x.func) == "fwd":
            raise UnsupportedError.at(s.loc, "a checkpointed loop that calls a function "
                                      "has no C form yet (its residual frames are allocated "
                                      "per call); inline the call or leave checkpoint off",
                                      "C backend: checkpoint")
    return Size.of(1)


def _tape(fn, name, residual_of, bounds, capacity=None):
    pushes = [s for s in walk(fn.body) if isinstance(s, Push) and s.tape.name == name]
    elem = pushes[0].value.type if pushes else "float"
    arrays = [p.value.type for p in pushes if is_array(p.value.type)]
    if arrays:         # slices of different shapes share one tape: room for the largest
        elem = max(arrays, key=size_of)
    frame = residual_of.get((fn.name, pushes[0].value.name)) if elem == "residual" else None
    if capacity is not None:
        return Tape(elem, frame, Size.of(capacity))
    cap = _count(fn.body, lambda s: isinstance(s, Push) and s.tape.name == name, bounds)
    return Tape(elem, frame, Size.of(1) if cap.is_zero() else cap)


def _reachable(start, fns, kinds):
    """fwd functions reachable from ``start`` through calls (not counting start itself)."""
    seen, todo = set(), [start]
    while todo:
        f = todo.pop()
        for s in walk(fns[f].body):
            if isinstance(s, Call) and kinds.get(s.func) == "fwd" and s.func not in seen:
                seen.add(s.func)
                todo.append(s.func)
    return seen


def _frames(fns, kinds):
    """Fields of every frame and record type, and the type of every residual variable.

    A ``pack`` returned by a ``g_fwd`` builds its frame (type key: the fwd's
    name); any other ``pack`` builds a record, a tuple pushed on a tape
    (type key: ``function.variable``)."""
    frames, records = {}, set()
    residual_of, rev_frame = {}, {}
    for name, f in fns.items():
        ret = f.body[-1].values[-1].name if kinds[name] == "fwd" else None
        for s in walk(f.body):
            if isinstance(s, Assign) and s.op == "pack":
                key = name if s.target.name == ret else f"{name}.{s.target.name}"
                if key in frames:
                    raise TransformError(f"C backend: '{s.target.name}' in '{name}' packs "
                                         "two different tuples")
                if key != name:
                    records.add(key)
                frames[key] = [Field(a.name, a.type) for a in s.args]
                residual_of[(name, s.target.name)] = key

    def learn(key, frame):
        nonlocal changed
        if frame is not None and key not in residual_of:
            residual_of[key] = frame
            changed = True
    changed = True
    while changed:
        changed = False
        for name, f in fns.items():
            for s in walk(f.body):
                if isinstance(s, Call) and kinds.get(s.func) == "fwd":
                    learn((name, s.targets[-1].name), s.func)
                elif isinstance(s, Call) and kinds.get(s.func) == "rev":
                    frame = residual_of.get((name, s.args[0].name))
                    if frame is not None and s.func not in rev_frame:
                        rev_frame[s.func] = frame
                        learn((s.func, fns[s.func].params[0].name), frame)
                        changed = True
                elif isinstance(s, Assign) and s.op == "copy" and s.target.type == "residual" \
                        and isinstance(s.args[0], Var):
                    learn((name, s.target.name), residual_of.get((name, s.args[0].name)))
                elif isinstance(s, Assign) and s.op == "item" and s.target.type == "residual":
                    frame = residual_of.get((name, s.args[0].name))
                    if frame is not None:
                        learn((name, s.target.name), frames[frame][s.args[1].value].frame)
                elif isinstance(s, Push) and s.value.type == "residual":
                    learn((name, s.tape.name), residual_of.get((name, s.value.name)))
                elif isinstance(s, Pop) and s.target.type == "residual":
                    learn((name, s.target.name), residual_of.get((name, s.tape.name)))
        for key, fields in frames.items():
            owner = key.split(".")[0]
            for fl in fields:
                if fl.type in ("residual", "tape") and fl.frame is None:
                    fl.frame = residual_of.get((owner, fl.name))
                    changed = changed or fl.frame is not None
    for name, f in fns.items():
        for s in walk(f.body):
            for v in _residual_vars(s):
                if (name, v.name) not in residual_of and not _is_default(s, v):
                    raise TransformError(f"C backend: cannot tell which frame '{v.name}' "
                                         f"in '{name}' points to")
    return frames, records, residual_of, rev_frame


def _residual_vars(s):
    if isinstance(s, Assign):
        return [v for v in (s.target,) + s.args if isinstance(v, Var) and v.type == "residual"]
    if isinstance(s, Call):
        return [v for v in s.targets + s.args if isinstance(v, Var) and v.type == "residual"]
    return []


def _is_default(s, v):
    """``g_res = 0.0``: a placeholder assignment, not a frame."""
    return isinstance(s, Assign) and s.op == "copy" and s.target == v and \
        not isinstance(s.args[0], Var)
