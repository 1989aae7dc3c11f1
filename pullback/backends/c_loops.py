"""How loops print in C99: ``range`` with Python's semantics, ``do``/``while``, guards.

A mixin of ``c_function.FunctionPrinter`` (it uses the printer's names,
atoms, blocks and context).

Invariants
- ``for i in range(a, b, s)`` evaluates ``b`` and ``s`` once in Python; the
  printer only lets C re-evaluate them when they are constants or variables
  the body never writes (``c_decls`` keeps folded temporaries out).  A zero
  constant step is rejected; a zero run-time step returns ``NAME_VALUE_ERROR``
  (``c_raise``).
- No loop arithmetic overflows, whatever the bounds (issue 15): ``i++`` runs
  only while ``i < b``; a larger step advances with ``py_range_next``, which
  stops at ``b`` instead of stepping past ``LONG_MAX``.  A reversed range
  with a constant start and step 1 starts at ``py_imax(b, a) - 1``; any other
  reversed range counts its ``py_range_len`` elements down and computes each
  value with ``py_range_at`` in unsigned arithmetic.  Constant ranges are
  computed here.
- When the body assigns the index, or the index is read after the loop, a
  hidden counter drives the loop and the index is assigned from it, since
  Python's index never steers the iteration.
- A loop that ``c_layout`` guards counts its iterations before any store of
  the iteration and returns ``NAME_TOO_MANY_ITERATIONS`` past
  ``MAX_ITERATIONS``; the reverse transform's own trip counter (``n = 0``
  just before, ``n += 1`` first in the body) doubles as the guard counter.
"""
from ..errors import UnsupportedError
from ..ir import Assign, Const
from ..ir.walk import atoms_read, walk
from .c_ops import ADD, INT_MAX, REL, paren


class LoopPrinting:
    def while_(self, s, depth, lines):
        pad = "    " * depth
        lines.append(f"{pad}do {{{self.comment(s)}")
        counter = self.guard(s, pad, lines, before=True)
        self.guard_check(counter, pad + "    ", lines)
        self.block(s.body, depth + 1, lines, (id(s), 0))
        lines.append(f"{pad}}} while (!{self.names[s.exit.name]});")

    def guard(self, s, pad, lines, before):
        """Start a max_iterations guard for loop ``s`` if it needs one: reuse the trip
        counter the reverse transform keeps (``n = 0`` before, ``n += 1`` first in the
        body), else declare one; the counter's C name, or None."""
        if id(s) not in self.ctx.layout.guards:
            return None
        first, prev = (s.body[0] if s.body else None), self.prev
        if _counts(first) and isinstance(prev, Assign) and prev.op == "copy" and \
                prev.target == first.target and _is_int(prev.args[0], 0):
            self.counted[id(first)] = self.names[first.target.name]
            return None
        counter = self.names.fresh("iterations")
        lines.insert(len(lines) - 1 if before else len(lines), f"{pad}long {counter} = 0;")
        return counter

    def guard_check(self, counter, pad, lines, bump=True):
        if counter is not None:
            lines.append(f"{pad}if ({'++' if bump else ''}{counter} > {self.ctx.max_macro}) "
                         f"return {self.ctx.status_iterations};")

    def for_(self, s, env, depth, lines):
        pad = "    " * depth
        counter = self.guard(s, pad, lines, before=False)
        var = self.names[s.var.name]
        index = var
        if id(s) in self.place.needs_counter:
            index = self.names.fresh(var + "_next")
        declare = "long " if id(s) in self.place.header_index or index != var else ""
        start, stop, step = (self.atom(a, env) for a in (s.start, s.stop, s.step))
        k = s.step.value if isinstance(s.step, Const) else None
        if k == 0:
            raise UnsupportedError.at(s.loc, "range() step must not be zero", "range")
        first = None
        if s.reverse:
            head, first = self._reversed_range(s, index, declare, start, stop, step, k)
        else:
            inc = _step(index, k, step)
            if k not in (1, -1) and not _constant(s, stepped=True):
                self.ctx.helpers.add("py_range_next")
                inc = f"{index} = py_range_next({index}, {step[0]}, {stop[0]})"
            head = f"{declare}{index} = {start[0]}; {_test(index, '<', '>', stop, step, k)}; {inc}"
        lines.append(f"{pad}for ({head}) {{{self.comment(s)}")
        self.guard_check(counter, pad + "    ", lines)
        if first:
            lines.append(f"{pad}    {first};")
        if index != var:
            lines.append(f"{pad}    {var} = {index};")
        self.block(s.body, depth + 1, lines, (id(s), 0))
        if s.exit is not None:
            lines.append(f"{pad}    if ({self.names[s.exit.name]}) break;")
        lines.append(f"{pad}}}")

    def _reversed_range(self, s, index, declare, start, stop, step, k):
        """(for-header, first statement of the body or None) of a reversed range."""
        if _constant(s):
            r = range(s.start.value, s.stop.value, k)
            last = s.start.value + (len(r) - 1) * k
            test = _test(index, ">=", "<=", start, step, k)
            return f"{declare}{index} = {last}; {test}; {_step(index, -k, None)}", None
        if k in (1, -1) and isinstance(s.start, Const):     # start > LONG_MIN: i-- is safe
            edge = "py_imax" if k == 1 else "py_imin"
            self.ctx.helpers.add(edge)
            init = f"{edge}({stop[0]}, {start[0]}) {'-' if k == 1 else '+'} 1"
            test = _test(index, ">=", "<=", start, step, k)
            return f"{declare}{index} = {init}; {test}; {_step(index, -k, None)}", None
        self.ctx.helpers.add("py_range_len")
        left = self.names.fresh(self.names[s.var.name] + "_left")
        head = f"unsigned long {left} = py_range_len({start[0]}, {stop[0]}, {step[0]}); " \
               f"{left} > 0; {left}--"
        if index == self.names[s.var.name] and \
                s.var.name not in {v.name for b in walk(s.body) for v in atoms_read(b)}:
            return head, None         # the body never reads the index
        self.ctx.helpers.add("py_range_at")
        return head, f"{declare}{index} = py_range_at({start[0]}, {step[0]}, {left} - 1)"


def _constant(s, stepped=False):
    """Whether the range is constant (and, ``stepped``, its index never passes a 32-bit
    long on its last step)."""
    if not all(isinstance(a, Const) for a in (s.start, s.stop, s.step)):
        return False
    r = range(s.start.value, s.stop.value, s.step.value)
    return not (stepped and r) or abs(r[-1] + r.step) <= INT_MAX


def _test(index, up, down, bound, step, k):
    """The loop test: ``index up bound`` for a positive step, ``index down bound`` for a
    negative one, chosen at run time when the step is not a constant."""
    if k is not None:
        return f"{index} {up if k > 0 else down} {paren(bound, ADD)}"
    b = paren(bound, REL + 1)
    return f"{paren(step, REL + 1)} > 0 ? {index} {up} {b} : {index} {down} {b}"


def _step(index, k, step):
    if k == 1:
        return f"{index}++"
    if k == -1:
        return f"{index}--"
    if k is not None:
        return f"{index} += {k}" if k > 0 else f"{index} -= {-k}"
    return f"{index} += {step[0]}"


def _is_int(a, value):
    return isinstance(a, Const) and type(a.value) is int and a.value == value


def _counts(s):
    """``n += 1`` on an int."""
    return isinstance(s, Assign) and s.op == "add" and s.target.type == "int" and \
        s.args[0] == s.target and _is_int(s.args[1], 1)
