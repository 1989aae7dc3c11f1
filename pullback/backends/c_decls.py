"""Where the C backend declares each local variable, and which temporaries it folds.

Invariants
- A temporary defined once and read once, later in the same block with no
  compound statement or overwrite of its inputs in between, is folded into
  the expression that reads it (as the Python backend does); it is never
  declared.  It is not folded into a ``for`` bound that the loop body
  changes, since C re-evaluates the bound every iteration.
- A variable whose first reference, in the innermost block holding all its
  references, is a plain definition is declared there, with that value
  (``double alpha = ...;``).  Otherwise it is declared zero-initialised at
  the top of that block, or at the top of the function when the block is
  inside a loop (its value must survive iterations, as in Python).
- A ``for`` index that only its own loops use, that the body never assigns
  and that is dead after the loop is declared in the loop header
  (``for (long i = 0; ...)``).  A loop whose body assigns its index, or whose
  index is read after it, runs on a hidden counter (``needs_counter``), since
  Python's index never steers the iteration and keeps its last value.
"""
from ..ir import Assign, Call, For, If, Pop, While
from ..ir.names import is_temp
from ..ir.walk import all_written, atoms_read, blocks, vars_written, walk
from ..analysis.liveness import live_before, live_before_stmt

SCALARS = ("float", "int", "bool")


def _refs(s):
    """Names a statement touches, in program order (a dict, not a set: the C text must
    not depend on the hash seed)."""
    names = dict.fromkeys([v.name for v in atoms_read(s)] + [v.name for v in vars_written(s)])
    if isinstance(s, For) and s.exit is not None:
        names[s.exit.name] = None  # read by the loop's ``if (exit) break;``
    return names


class Placement:
    """Declaration sites and folded temporaries of one function."""

    def __init__(self, fn, pure_call, value_call, record_pack, skip, keep=()):
        """``pure_call(stmt)``: a one-output call the printer may fold like an expression;
        ``value_call(stmt)``: a call whose output is its C return value; ``skip``: names
        the printer declares itself (tapes, the frame); ``keep``: ids of statements never
        folded (``c_raise`` tests run before them)."""
        self.fn = fn
        self.keep = set(keep)
        self.pure_call = pure_call
        self.value_call = value_call
        self.record_pack = record_pack
        self.skip = skip
        self.uses, self.defs = {}, {}
        for s in walk(fn.body):
            for v in atoms_read(s):
                self.uses[v.name] = self.uses.get(v.name, 0) + 1
            for v in vars_written(s):
                self.defs[v.name] = self.defs.get(v.name, 0) + 1
        self.folded = set()
        self._fold_block(fn.body)
        self.live_after = {}
        self._liveness(fn.body, set())
        self.needs_counter, self.header_index = set(), set()
        self.at_stmt, self.at_block, self.at_top = {}, {}, []
        self._place()

    # -- folding ------------------------------------------------------------------------
    def target(self, s):
        if isinstance(s, Assign) and s.op not in ("item", "pack") and s.target.type in SCALARS \
                and all(a.type in SCALARS for a in s.args):
            return s.target
        if isinstance(s, Assign) and self.record_pack(s):
            return s.target
        if isinstance(s, Call) and len(s.targets) == 1 and s.targets[0].type in SCALARS \
                and self.pure_call(s):
            return s.targets[0]
        return None

    def inlinable(self, body, i, env_reads):
        s = body[i]
        t = self.target(s)
        if t is None or not is_temp(t.name) or id(s) in self.keep:
            return False
        if self.defs.get(t.name) != 1 or self.uses.get(t.name) != 1:
            return False
        reads = set()
        for v in atoms_read(s):
            reads |= env_reads.get(v.name, {v.name})
        for later in body[i + 1:]:
            if any(v.name == t.name for v in atoms_read(later)):
                if isinstance(later, For) and t != (later.stop if later.reverse else later.start):
                    # C evaluates this bound at every iteration
                    return not (reads & (all_written(later.body) | {later.var.name}))
                return True
            if blocks(later) or reads & all_written([later]):
                return False
            if isinstance(s, Call) and isinstance(later, Call):
                return False
        return False

    def _fold_block(self, body):
        env_reads = {}
        for i, s in enumerate(body):
            if self.inlinable(body, i, env_reads):
                name = self.target(s).name
                self.folded.add(name)
                env_reads[name] = set().union(*[env_reads.get(v.name, {v.name})
                                                for v in atoms_read(s)])
            for b in blocks(s):
                self._fold_block(b)

    # -- liveness after each for loop -------------------------------------------------
    def _liveness(self, body, after):
        live = set(after)
        for s in reversed(body):
            if isinstance(s, If):
                self._liveness(s.body, live)
                self._liveness(s.orelse, live)
            elif isinstance(s, (For, While)):
                extra = {s.exit.name} if s.exit is not None else set()
                head = set(live)
                while True:
                    new = head | live_before(s.body, head | extra)
                    if new == head:
                        break
                    head = new
                if isinstance(s, For):
                    self.live_after[id(s)] = set(live)
                self._liveness(s.body, head | extra)
            live = live_before_stmt(s, live)

    # -- declarations -------------------------------------------------------------------
    def _place(self):
        refs = {}         # name -> [(chain, stmt)]; chain = ((block key, index), ...)
        in_loop = {}      # block key -> whether the block runs inside a loop
        owners = {}       # name -> the for loops indexed by it

        def visit(body, key, prefix, looped):
            in_loop[key] = looped
            for i, s in enumerate(body):
                chain = prefix + ((key, i),)
                for name in _refs(s):
                    refs.setdefault(name, []).append((chain, s))
                if isinstance(s, For):
                    owners.setdefault(s.var.name, []).append(s)
                for j, b in enumerate(blocks(s)):
                    visit(b, (id(s), j), chain, looped or isinstance(s, (For, While)))
        visit(self.fn.body, ("fn", 0), (), False)
        for s in walk(self.fn.body):
            if isinstance(s, For) and (s.var.name in all_written(s.body) or
                                       s.var.name in self.live_after.get(id(s), ())):
                self.needs_counter.add(id(s))
        params = {p.name for p in self.fn.params}
        for name, found in refs.items():
            if name in params or name in self.folded or name in self.skip:
                continue
            fors = owners.get(name, [])
            if fors and all(self._loop_only(f) for f in fors) and \
                    all(any(_inside(chain, s, f) for f in fors) for chain, s in found):
                self.header_index |= {id(f) for f in fors}
                continue
            key, level = _common([chain for chain, _ in found])
            first = min(chain[level][1] for chain, _ in found)
            direct = [s for chain, s in found if len(chain) == level + 1 and
                      chain[level][1] == first]
            if direct and self._clean_def(direct[0], name):
                self.at_stmt.setdefault(id(direct[0]), []).append(name)
            elif in_loop[key] or key == ("fn", 0):
                self.at_top.append(name)
            else:
                self.at_block.setdefault(key, []).append(name)

    def _loop_only(self, s):
        return id(s) not in self.needs_counter and \
            s.var.name not in {v.name for v in atoms_read(s)}

    def _clean_def(self, s, name):
        if any(v.name == name for v in atoms_read(s)):
            return False
        if isinstance(s, Assign):
            return s.target.name == name
        if isinstance(s, Pop):
            return s.target.name == name
        if isinstance(s, Call):
            return (self.value_call(s) and s.targets[0].name == name) or \
                (s.targets[-1].name == name and s.targets[-1].type == "residual")
        return False


def _common(chains):
    """(key, level) of the innermost block that every chain passes through."""
    level = 0
    while True:
        if not all(len(c) > level + 1 for c in chains):
            return chains[0][level][0], level
        nxt = {c[level + 1][0] for c in chains}
        here = {c[level][1] for c in chains}
        if len(nxt) != 1 or len(here) != 1:
            return chains[0][level][0], level
        level += 1


def _inside(chain, s, loop):
    """Whether a reference (``chain`` ending at ``s``) lies in ``loop``, header or body."""
    return s is loop or any(k[0] == id(loop) for k, _ in chain)
