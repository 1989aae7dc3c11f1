"""The Numba backend: the same derivative IR, printed for ``numba.njit`` (nopython mode).

It reuses the Python printer (folded temporaries, ``# line N`` comments) and
changes only what nopython mode needs:

- a tape of scalars (or of arrays of one static shape: one row per push, popped as a
  view of its row, which is safe because a reverse sweep only pops, so no push rewrites
  a row while its view is live) is a typed array plus a length, not a list.  A push
  directly in the body of a ``for`` loop stores without a check, because the
  array is reserved for the loop's trip count at loop entry (unless a loop nested
  in that body pushes to the same tape); any other push (in a ``while`` loop or
  under a branch) checks and doubles the buffer::

      x_tape.append(x)            x_tape[x_tape_n] = x         (reserved before the loop)
                                  x_tape_n += 1
      x = x_tape.pop()            x_tape_n -= 1
                                  x = x_tape[x_tape_n]

- a tape whose pushes are ``pack(a, b, ...)`` of scalars (see
  ``optimize/tapes.py``) becomes one array per field and one shared length;
- a tape crossing a ``fwd``/``rev`` pair inside the residual tuple travels as
  the pair ``(array, length)``; tapes of residual tuples stay typed lists;
- lists grown by ``append`` stay native Numba lists; their adjoints (arrays over
  the list's final length) are sized and printed by ``numba_lists.py``;
- an index-tuple variable starts as a tuple of its index types, not ``0.0``;
- ``reversed(range(...))`` becomes a descending ``range``; ``math.log(x, b)``
  becomes ``math.log(x) / math.log(b)``; runtime helpers (``numba_helpers.py``) are
  njit-compiled.

``backends/numba_build.py`` writes the text to the on-disk cache, compiles it
and maps Numba's errors back to the user's source lines.
"""
from dataclasses import dataclass, replace

import numpy as np

from ..errors import TransformError, UnsupportedError
from ..rules.effects import python_only
from ..ir import Assign, Const, For, NewTape, Pop, Push, Var
from ..ir.types import INDEX, Array, IndexT, Scalar, is_array
from ..ir.walk import all_read, all_written, walk
from ..rules import PRIMITIVES
from .extern_names import extern_names
from .fusion import Fused, block_exits, fuse, value_uses
from .numba_arrays import _shape, _tag, _text, _tup, array_expr
from .numba_atoms import narrow_numbers, numba_atom
from .numba_index_arrays import getitem_text, inplace_line, rows_index, without_ellipsis
from .numba_index_pairs import pair_fn, pair_length, pair_parts
from .numba_fused import fused_call, worth
from .numba_bounds import CHECK, bounds_checked, check_text
from .numba_checks import CHECKED_INT, checked_int, helpers_of, located, to_int
from .numba_helpers import HELPERS
from .numba_list_updates import ALIASING, in_place_updates, sink_zeroing
from .numba_lists import ListAdjoint, list_expr, list_shapes
from .numba_recursion import recurses
from .float_checks import as_python
from .numba_tapes import Tape, empty, storage
from .numba_twins import twin_expr
from .python import ATOM, _paren, _Printer
from .escape import literal_of
from .escape import py_identifier, py_string

@dataclass(frozen=True)
class _Item:
    """An ``item`` statement, kept away from the Python printer's tuple unpacking."""
    stmt: Assign


def _at_function(fn, make):
    """``make()``; a rejection from a scan over the whole function (list shapes, tapes),
    which no statement's location reaches, names the function's line, never ``<unknown>``."""
    try:
        return make()
    except TransformError as e:
        if e.line or getattr(fn, "loc", None) is None:
            raise
        raise type(e).at(fn.loc, e.message, "numba") from None


def emit_numba_module(module, header=None):
    """(source text, {line number in the text: Loc}) for a derivative module."""
    printers = [_at_function(fn, lambda fn=fn: NumbaPrinter(fn)) for fn in module.functions]
    if recurses(module):
        for p in printers:
            p.decorator = "@njit"
    bodies = [_at_function(p.fn, p.function) for p in printers]
    helpers = sorted(set().union(*[p.helpers for p in printers]))
    parts = [header] if header else []
    parts.append("import math\n\nimport numpy as np\nfrom numba import njit\n")
    parts += [f"@njit(cache=True)\n{HELPERS[h].strip()}" for h in helpers]
    generated = {}
    for p in printers:
        generated.update(p.generated)
    # a generated function without a decorator gets the plain one; text that starts with
    # an import (a module constant: numba_blas.GEMM_DECL) is printed as it is
    parts += [(generated[n].strip() if generated[n].strip().startswith(("@", "from ")) else
               f"@njit(cache=True)\n{generated[n].strip()}") for n in sorted(generated)]
    text = "\n\n\n".join(p.rstrip("\n") for p in parts) + "\n\n\n"
    locs = {}
    for p, (lines, body_locs) in zip(printers, bodies):
        offset = text.count("\n") + 1
        locs.update({offset + i: loc for i, loc in body_locs.items()})
        text += "\n".join(lines) + "\n\n\n"
    return text.rstrip("\n") + "\n", locs


class NumbaPrinter(_Printer):
    decorator = "@njit(cache=True)"     # "@njit" in a recursive module (numba_recursion.py)
    render = staticmethod(numba_atom)   # dtype=bool as np.bool_ (numba_atoms.py)
    real_pow = False        # scalar statements: _ck_fpow in _expr; fused array elements: NaN

    def __init__(self, fn):
        fn = sink_zeroing(fn, list_shapes(fn))   # a list adjoint's updates in place
        fn = bounds_checked(fn)     # run-time int indices: IndexError at the user's line
        super().__init__(fn)
        self.fn = fn
        self.taken = {p.name for p in fn.params} | all_written(fn.body) | all_read(fn.body) \
            | extern_names(fn.body)         # its tapes' names never hide a global array
        self.helpers = set()
        self.generated = {}       # shape-specialised array helpers (numba_arrays.py)
        self.lists = list_shapes(fn)   # list adjoints and their elements (numba_lists.py)
        self.in_place, self.row_copies = in_place_updates(fn, self.lists)
        self.locs = {}
        self.popped = {}          # name of a record pop's target -> its Tape
        self.tapes = self.plan_tapes()
        self.unchecked = self.plan_reserves()
        self.hoisted = set()      # (id(loop), tape): reserved at the entry of the loop around
        self.value_uses = value_uses(fn)
        self.exits = block_exits(fn)       # what is live after each block (fusion.py)

    def fresh(self, base):
        name, k = base, 0
        while name in self.taken:
            k += 1
            name = f"{base}_{k}"
        self.taken.add(name)
        return name

    # -- planning -----------------------------------------------------------------
    def plan_tapes(self):
        packs = {}
        for s in walk(self.fn.body):
            if isinstance(s, Assign) and s.op == "pack":
                packs[s.target.name] = None if s.target.name in packs else s
        element, popped = {}, {}
        for s in walk(self.fn.body):
            if isinstance(s, Push):
                v = s.value
                pack = packs.get(v.name) if isinstance(v, Var) else None
                if pack is not None and all(_scalar(a.type) for a in pack.args):
                    element.setdefault(s.tape.name, set()).add(
                        ("record", tuple(a.type for a in pack.args)))
                else:
                    element.setdefault(s.tape.name, set()).add(storage(v.type))
            elif isinstance(s, Pop):
                popped.setdefault(s.tape.name, set()).add(storage(s.target.type))
        for name, got in popped.items():
            element.setdefault(name, got)
        for name, got in element.items():   # values that disagree in type: a list
            one = next(iter(got))
            agree = len(got) == 1 and (one[0] == "record" or popped.get(name, got) == got)
            element[name] = one if agree else ("list", ())
        for p in self.fn.params:     # a tape read from a residual but never pushed or popped
            if p.type == "tape":
                element.setdefault(p.name, ("list", ()))
        tapes = {}
        for name, (kind, dtypes) in element.items():
            if kind == "list":
                tapes[name] = Tape("list", (name,), ())
            elif kind == "array":
                tapes[name] = Tape("array", (name,), dtypes, self.fresh(name + "_n"))
            else:
                arrays = tuple(self.fresh(f"{name}{i}") for i in range(len(dtypes)))
                tapes[name] = Tape("record", arrays, dtypes, self.fresh(name + "_n"))
        return tapes

    def plan_reserves(self):
        """ids of the pushes that run once per iteration of a ``for`` loop's body, to a
        tape that nothing nested in that body pushes to (whose pushes would use up the
        room reserved at loop entry)."""
        out = set()
        for s in walk(self.fn.body):
            if isinstance(s, For):
                direct = {id(x) for x in s.body if isinstance(x, Push)}
                nested = {x.tape.name for x in walk(s.body)
                          if isinstance(x, Push) and id(x) not in direct}
                out |= {id(x) for x in s.body if isinstance(x, Push) and x.tape.name not in
                        nested and self.tapes[x.tape.name].kind != "list"}
        return out

    # -- printing -----------------------------------------------------------------------
    def function(self):
        lines = [self.decorator,
                 f"def {py_identifier(self.fn.name)}"
                 f"({', '.join(py_identifier(p.name) for p in self.fn.params)}):"]
        if self.fn.doc:
            lines.append(f"    {py_string(self.fn.doc.splitlines()[0])}")
        self.block(self.fn.body, 1, lines)
        return lines, self.locs

    def block(self, body, depth, lines):
        body = fuse(body, self.value_uses, worth, self.fusible, self.exits.get(id(body)))
        # (a nest whose values nothing reads, an unread product of a dead value: no call)
        body = tuple(_calls(self, body))
        body = tuple(_Item(s) if isinstance(s, Assign) and s.op == "item" else s for s in body)
        super().block(body, depth, lines)

    def inlinable(self, body, i, env_reads):
        """A statement that reads an adjoint updated in place is printed where it stands:
        folded into a later use it could read the memory after the update."""
        s = body[i]
        if isinstance(s, Assign) and not (s.op in ALIASING or id(s) in self.in_place) and \
                any(v.name in self.row_copies for v in s.args if isinstance(v, Var)):
            return False
        return super().inlinable(body, i, env_reads)

    def fusible(self, s):
        """Statements over list-derived arrays keep their own printing (numba_lists.py)."""
        return isinstance(s, Assign) and not any(
            getattr(v, "name", None) in self.lists for v in (s.target,) + s.args)

    def shape(self, a):
        """The static shape of atom ``a`` (list-derived arrays: recovered from the data flow)."""
        got = self.lists.get(getattr(a, "name", None))
        if isinstance(got, ListAdjoint):
            raise UnsupportedError("the numba backend supports a list's adjoint only in "
                                   "indexing and accumulation, not in this NumPy call")
        return _shape(a) if got is None else got

    def expr(self, s, env):
        try:
            return self._expr(s, env)
        except UnsupportedError as e:
            if e.line:
                raise
            raise UnsupportedError.at(getattr(s, "loc", None), e.message, "numba") from None
        except (ValueError, KeyError) as e:     # a form the printer has no text for
            raise UnsupportedError.at(getattr(s, "loc", None), f"the numba backend cannot "
                                      f"print this line ({e}); use backend='python'",
                                      "numba") from None

    def _expr(self, s, env):
        if s.op == CHECK:       # an index checked against its axis (numba_bounds.py)
            text = check_text(self, s, lambda a: _paren(_text(a, env), ATOM))
            return text, ATOM
        s = without_ellipsis(s)
        prim = PRIMITIVES.get(s.op)
        s, env = narrow_numbers(s, env)     # x32 + 1.0 stays float32, as NumPy's does
        if s.op.startswith("random_"):
            raise UnsupportedError("a draw from np.random's global generator: nopython mode "
                                   "draws from Numba's own generator, which np.random.seed "
                                   "does not seed (another value than f's); use "
                                   "backend='python', or draw outside and pass the draws in")
        if prim is not None and any(_number_tuple(a) for a in s.args):
            s, env = _arrays_for_literals(s, prim, env)
        if s.op == "copy" and isinstance(s.args[0], Const) and isinstance(s.target.type, IndexT):
            return _index_placeholder(s.target.type), ATOM   # a tuple of the index's types
        if s.op == "copy" and isinstance(s.args[0], Const) and s.target.type == INDEX:
            return "slice(None, None, None)", ATOM
        if s.op == "logb":
            x, b = (_text(a, env) for a in s.args)
            return f"math.log({x[0]}) / math.log({b[0]})", 20
        if s.op in ("maximum", "minimum", "clip") and is_array(s.target.type):
            # Numba's np.maximum keeps its first operand at a tie (NumPy the second: -0.0
            # against 0.0) and its np.clip drops a NaN bound; both propagate NaN otherwise
            t = [_text(a, env)[0] for a in s.args]
            if s.op == "clip":
                return f"np.minimum(np.maximum({t[0]}, {t[1]}), {t[2]})", ATOM
            return f"np.{s.op}({t[1]}, {t[0]})", ATOM
        if s.op == "float" and is_array(getattr(s.args[0], "type", None)):
            # Numba's float() of a float32 is a float32; Python's is a float (math.f's too)
            return f"np.float64({_text(s.args[0], env)[0]})", ATOM
        if s.op == "cbrt" and not is_array(s.target.type):   # nopython mode has no math.cbrt
            return f"np.cbrt({_text(s.args[0], env)[0]})", ATOM
        if s.op == "pack":
            parts = []
            for a in s.args:
                tape = self.tapes.get(a.name) if isinstance(a, Var) and a.type == "tape" else None
                if tape is not None and tape.kind == "array":
                    parts.append(f"({tape.arrays[0]}, {tape.length})")
                else:
                    parts.append(_text(a, env)[0])
            inner = ", ".join(parts)
            return (f"({inner},)" if len(parts) == 1 else f"({inner})"), ATOM
        if checked_int(s) or to_int(s):     # int64 wraps where Python's int grows
            self.helpers.update(helpers_of(s))
            where = located(s, self.fn)
            if to_int(s):
                x = s.args[0]
                return super().expr(s, {**env, x.name: (f"_ck_int({_text(x, env)[0]}, "
                                                        f"{where})", ATOM)})
            args = ", ".join([_text(a, env)[0] for a in s.args] + [where])
            return f"{CHECKED_INT[s.op]}({args})", ATOM
        got = as_python(s, lambda i: _text(s.args[i], env)[0], located(s, self.fn))
        if got is not None:     # rounding as Python's; raising where Python raises (float_checks)
            self.helpers.update(got[1])
            return got[0], ATOM
        if s.op == "pow" and s.target.type == "float" and all(
                a.type in ("int", "bool") if isinstance(a, Var) else
                type(a.value) in (int, bool) for a in s.args):   # 2 ** -1: Numba's int is 0
            return f"float({_text(s.args[0], env)[0]}) ** {_paren(_text(s.args[1], env), 41)}", 40
        n = pair_length(s.args[1]) if s.op in ("getitem", "getitem_copy") else None
        if n is not None:
            shape = _shape(s.args[0])
            name = pair_fn(self, "getitem", shape, pair_parts(s.args[1]), n, _tag, _tup)
            return f"{name}({_text(s.args[0], env)[0]}, {_text(s.args[1], env)[0]})", ATOM
        if s.op in ("getitem", "getitem_copy") and isinstance(rows_index(s.args[1]), list):
            return getitem_text(_paren(_text(s.args[0], env), ATOM), s.args[1]), ATOM
        special = list_expr(self, s, env, lambda x, prec=0: _paren(_text(x, env), prec))
        special = special or twin_expr(self, s, lambda i, prec=0: _paren(
            _text(s.args[i], env), prec)) or array_expr(self, s, env)
        if special is not None:
            return special
        if prim is not None and prim.syntax.text.startswith("scipy."):
            raise UnsupportedError(f"the numba backend has no {prim.syntax.text} "
                                   "(nopython mode cannot call SciPy): use backend='python'")
        if s.op in PRIMITIVES and PRIMITIVES[s.op].helper:
            if python_only(s.op, s.args):
                raise TransformError.at(getattr(s, "loc", None), python_only(s.op, s.args),
                                        "numba")
            if PRIMITIVES[s.op].helper not in HELPERS:
                raise TransformError.at(getattr(s, "loc", None), f"the numba backend has no "
                                        f"nopython version of '{s.op}' yet; use "
                                        "backend='python'", "numba")
            self.helpers.add(PRIMITIVES[s.op].helper)
        return super().expr(s, env)

    def scalar_augmented(self, s):
        return not is_array(s.target.type) and not checked_int(s)

    def stmt(self, s, env, depth, lines):
        loc = getattr(s, "loc", None) or getattr(getattr(s, "stmt", None), "loc", None)
        if loc is not None:
            self.locs[len(lines)] = loc
        pad = "    " * depth

        def a(x, prec=0):
            return _paren(_text(x, env), prec)
        if isinstance(s, _Item):
            self.item(s.stmt, pad, lines)
        elif isinstance(s, NewTape):
            tape = self.tapes.get(s.tape.name)
            if tape is None:        # never pushed or popped in this function
                if s.tape.name not in all_read(self.fn.body):
                    return          # nor read: nothing to make
                tape = Tape("list", (s.tape.name,), ())
            if tape.kind == "list":
                lines.append(f"{pad}{s.tape.name} = []")
                return
            # a tape with a capacity (a checkpointed loop's snapshots) is allocated whole
            for arr, dt in zip(tape.arrays, tape.dtypes):
                lines.append(f"{pad}{arr} = {empty(dt, s.capacity)}")
            lines.append(f"{pad}{tape.length} = 0")
        elif isinstance(s, Push):
            self.push(s, a, pad, lines)
        elif isinstance(s, Pop):
            tape = self.tapes[s.tape.name]
            if tape.kind == "list":
                lines.append(f"{pad}{s.target.name} = {s.tape.name}.pop()")
                return
            lines.append(f"{pad}{tape.length} -= 1")
            if tape.kind == "record":
                self.popped[s.target.name] = tape
            else:
                lines.append(f"{pad}{s.target.name} = {tape.arrays[0]}[{tape.length}]")
        elif isinstance(s, Assign) and s.op == "setitem" and s.args[0] == s.target and \
                rows_index(s.args[1]) is not None:      # x[I] = v through an index array
            lines.append(f"{pad}{s.target.name} = " + inplace_line(
                self, s, self.shape(s.target), self.shape(s.args[2]), a, _tag, _tup))
        elif isinstance(s, Assign) and s.op == "copy" and isinstance(s.args[0], Const) and \
                s.target.type == "residual":
            pass    # a callee's residual made in a branch: Numba types it from there (its
            # 0.0 zero start would not unify with the tuple: scipy.linalg.cho_solve)
        elif isinstance(s, For):
            self.reserve(s, a, pad, lines)
            if s.reverse:
                self.reversed_for(s, a, depth, lines)
            else:
                super().stmt(s, env, depth, lines)
        else:
            super().stmt(s, env, depth, lines)

    def item(self, s, pad, lines):
        target, (res, k) = s.target, s.args
        if res.name in self.popped:
            tape = self.popped[res.name]
            lines.append(f"{pad}{target.name} = {tape.arrays[k.value]}[{tape.length}]")
            return
        tape = self.tapes.get(target.name) if target.type == "tape" else None
        if tape is not None and tape.kind == "array":
            lines.append(f"{pad}{target.name}, {tape.length} = {res.name}[{k.value}]")
        else:
            lines.append(f"{pad}{target.name} = {res.name}[{k.value}]")

    def push(self, s, a, pad, lines):
        tape = self.tapes[s.tape.name]
        if tape.kind == "list":
            lines.append(f"{pad}{s.tape.name}.append({a(s.value)})")
            return
        n = tape.length
        if id(s) not in self.unchecked:
            self.helpers.add("_grow")
            lines.append(f"{pad}if {n} == {tape.arrays[0]}.shape[0]:")
            for arr in tape.arrays:
                lines.append(f"{pad}    {arr} = _grow({arr}, {n} + 1)")
        values = [s.value] if tape.kind == "array" else self.pack_args(s.value)
        for arr, v in zip(tape.arrays, values):
            lines.append(f"{pad}{arr}[{n}] = {a(v)}")
        lines.append(f"{pad}{n} += 1")

    def pack_args(self, v):
        for s in walk(self.fn.body):
            if isinstance(s, Assign) and s.op == "pack" and s.target.name == v.name:
                return s.args
        raise AssertionError(f"no pack defines {v.name}")

    def reserve(self, s, a, pad, lines):
        """Room for the pushes of ``s``'s iterations, reserved at its entry: those in
        its body, and those of a loop nested directly in it whose bounds ``s`` does not
        change and whose tape nothing else in ``s`` pushes to (reserved here, not once
        per iteration of ``s``: a tape that may be replaced inside a loop costs every
        push of that loop a reload, 3x the store itself)."""
        counts = {}
        for x in s.body:
            if id(x) in self.unchecked and (id(s), x.tape.name) not in self.hoisted:
                counts[x.tape.name] = counts.get(x.tape.name, 0) + 1
        trip = self.trip(s, a)
        needs = {name: trip if k == 1 else f"{k} * ({trip})" for name, k in counts.items()}
        written = all_written(s.body) | {s.var.name}
        for c in s.body:
            if not isinstance(c, For) or any(isinstance(b, Var) and b.name in written
                                             for b in (c.start, c.stop, c.step)):
                continue
            bounds = (c.start, c.stop, c.step)
            inner_trip = len(range(*(b.value for b in bounds))) if all(
                isinstance(b, Const) and isinstance(b.value, int) for b in bounds) else \
                f"max(0, {self.trip(c, a)})"
            inner = {}
            for x in c.body:
                if id(x) in self.unchecked:
                    inner[x.tape.name] = inner.get(x.tape.name, 0) + 1
            for name, k in inner.items():
                if sum(isinstance(x, Push) and x.tape.name == name for x in walk(s.body)) == k:
                    self.hoisted.add((id(c), name))
                    per = k * inner_trip if isinstance(inner_trip, int) else f"{k} * {inner_trip}"
                    needs[name] = f"{per} * ({trip})"
        for name, more in needs.items():
            tape = self.tapes[name]
            need = f"{tape.length} + {more}"
            self.helpers.add("_grow")
            lines.append(f"{pad}if {need} > {tape.arrays[0]}.shape[0]:")
            for arr in tape.arrays:
                lines.append(f"{pad}    {arr} = _grow({arr}, {need})")

    def trip(self, s, a):
        if isinstance(s.step, Const) and s.step.value == 1:
            return a(s.stop, 10) if _is_zero(s.start) else f"{a(s.stop, 10)} - {a(s.start, 11)}"
        self.helpers.add("_trip")
        return f"_trip({a(s.start)}, {a(s.stop)}, {a(s.step)})"

    def reversed_for(self, s, a, depth, lines):
        pad = "    " * depth
        if isinstance(s.step, Const) and s.step.value == 1:
            lines.append(f"{pad}for {s.var.name} in range({a(s.stop, 10)} - 1, "
                         f"{a(s.start, 10)} - 1, -1):{self.comment(s)}")
        else:
            self.helpers.add("_trip")
            k = self.fresh(s.var.name + "_k")
            lines.append(f"{pad}for {k} in range(_trip({a(s.start)}, {a(s.stop)}, "
                         f"{a(s.step)}) - 1, -1, -1):{self.comment(s)}")
            lines.append(f"{pad}    {s.var.name} = {a(s.start, 10)} + {k} * {a(s.step, 21)}")
        self.block(s.body, depth + 1, lines)
        if s.exit is not None:
            lines.append(f"{pad}    if {s.exit.name}:")
            lines.append(f"{pad}        break")


def _calls(p, body):
    """``body`` with each ``Fused`` run as its call.  An array a nest allocated stays
    *owned* until a statement other than a nest reads or writes its name: no other
    name can share its memory then, so a later nest updates it in place without the
    run-time ``_shares_memory`` tests (42 of them a layer step in the LSTM's reverse loop)."""
    owned = set()
    for x in body:
        if not isinstance(x, Fused):
            owned -= all_read([x]) | all_written([x])
            yield x
        elif x.nest.outputs:
            yield fused_call(p, x, owned)
            owned |= {a.target.name for a in x.nest.allocs}


def _number_tuple(a):
    return isinstance(a, Const) and type(a.value) is tuple and a.value and all(
        isinstance(v, (int, float)) and not isinstance(v, bool) for v in a.value)


def _arrays_for_literals(s, prim, env):
    """A constant list of numbers where NumPy reads an array (``np.sum([2.0, 2.5])``, once
    its items folded) as ``np.array(...)``: nopython NumPy takes no tuple there."""
    diff, args, env = set(prim.diff_positions()), list(s.args), dict(env)
    for i, a in enumerate(s.args):
        if i in diff and _number_tuple(a):
            v = np.asarray(a.value)
            args[i] = Var(f"_literal{i}", Array(v.dtype.name, v.shape))
            env[args[i].name] = (f"np.array({literal_of(a.value)})", ATOM)
    return replace(s, args=tuple(args)), env


def _index_placeholder(t):
    """A value of index type ``t`` (Numba gives a variable one type: not ``0.0``)."""
    parts = []
    for p in t.parts:
        if isinstance(p, tuple) and p and p[0] == "slice":
            parts.append(f"slice({', '.join(map(literal_of, p[1:]))})")
        elif p in ("int", "bool"):
            parts.append("0")
        elif p == INDEX:        # a slice made at run time (``W[i, :4 - i]``): slice(a, b, c)
            parts.append("slice(None, None, None)")     # is one Numba type, slice3
        else:
            parts.append(literal_of(p))
    return f"({', '.join(parts)}{',' * (len(parts) == 1)})"


def _scalar(t):
    return isinstance(t, Scalar)


def _is_zero(a):
    return isinstance(a, Const) and a.value == 0 and not isinstance(a.value, bool)


