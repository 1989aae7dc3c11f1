"""In-place adjoints: the adjoint of a slice read adds into a slice of one buffer.

The reverse transform accumulates the adjoint of ``x[idx]`` functionally: a zeros
array the size of ``x`` per read (``getitem_vjp``), then a full-size addition.
Where the index is basic (ints and slices: each element read at most once) and
``x_bar`` owns its buffer, this pass adds into the slice instead:

    t = getitem_vjp(g, x, 1:)              t1 = getitem(x_bar, 1:)
    x_bar = add(x_bar, t)            ->    t2 = add(t1, g)
                                           x_bar = setitem(x_bar, 1:, t2)

which the Python backend prints as ``x_bar[1:] += g``; the Numba and C backends
print the in-place ``setitem`` they already know.  An array adjoint that starts
as the constant 0.0 and could be accumulated in place inside a loop becomes one
``zeros`` buffer instead (one allocation, not one per iteration).

Executed:

    >>> from pullback.ir import Assign, Const, For, Function, If, Return, Var
    >>> from pullback.ir.printer import format_function
    >>> from pullback.ir.types import Array
    >>> x, x_bar, t = (Var(n, Array("float64", (3,))) for n in ("x", "x_bar", "t"))
    >>> g = Var("g", Array("float64", (2,)))
    >>> fn = Function("f", (x, g), (Assign(x_bar, "zeros", (Const((3,)), Const(None))),
    ...     Assign(t, "getitem_vjp", (g, x, Const(slice(1, None)))),
    ...     Assign(x_bar, "add", (x_bar, t)), Return((x_bar,))))
    >>> print(format_function(accumulate_in_place(fn)))
    def f(x, g):
      x_bar = zeros((3,), None)
      t_1 = getitem(x_bar, slice(1, None, None))
      t_2 = add(t_1, g)
      x_bar = setitem(x_bar, slice(1, None, None), t_2)
      return x_bar

Invariants
- ``b = setitem(b, idx, v)`` is only written where ``b`` owns its buffer: its value
  was made by an operation that returns a new array (arithmetic, ``getitem_vjp``,
  a copying ``setitem``, ``zeros``) and nothing since read ``b`` in a way that may
  keep a reference to it (a view, a copy, a push, a call, a return).  Ownership is
  a must-analysis: both sides of a branch, and a loop's entry and every
  iteration's end (to a fixpoint).
  An owned buffer has no views, so no other value sees the write.
- The cotangent ``g`` is read at the addition instead of at the scatter: only when
  no statement between writes ``g``, the index, or any array in place.
- The result equals the functional form exactly for basic indices; advanced ones
  (repeated indices add up) are left alone.
- It runs last in ``pipeline.REVERSE_PASSES``, so no later
  pass substitutes another variable for ``b`` in the write.
- ``fresh_results`` reuses the same ownership analysis on a finished function: a
  result it calls fresh is a buffer no argument, global or other result shares.
"""
from dataclasses import replace

from ..ir import Assign, Call, Const, For, If, NewTape, Pop, Return, Var, While, derived
from ..ir.walk import all_read, all_written, atoms_read, blocks, walk
from ..ir.types import Array, IndexT, is_array
from ..analysis.types import result_type

# ops whose result is a new array and which keep no reference to their arguments
_ELEMENTWISE = frozenset(("add", "sub", "mul", "truediv", "neg", "pow", "exp", "log", "sqrt",
                          "square", "tanh", "sin", "cos"))
COPYING_READS = _ELEMENTWISE | {"getitem_vjp", "sum", "mean", "copy_array", "getitem_copy"}
# ops whose (array) result is always a new buffer on every backend, beyond those above:
# a result made by one needs no copy before the caller hands it out (``fresh_results``)
# (``unbroadcast`` only where it sums: of an array already its target's shape it is that array)
_NEW_ARRAYS = frozenset(("matmul", "matmul_vjp_a", "matmul_vjp_b", "sum", "mean", "unbroadcast"))


def fresh_results(fn):
    """Per value of ``fn``'s final ``return``: is it an array that owns its buffer (made
    by an operation returning a new array, and read since only by operations that keep
    no reference to it)?  The caller may hand such a result to the user without a copy.

    >>> from pullback.ir import Assign, Function, Return, Var
    >>> from pullback.ir.types import Array
    >>> x, y, z = (Var(n, Array("float64", (3,))) for n in "xyz")
    >>> fresh_results(Function("f", (x,), (Assign(y, "exp", (x,)), Return((y, x)))))
    (True, False)
    >>> fresh_results(Function("f", (x,), (Assign(y, "exp", (x,)),
    ...     Assign(z, "getitem", (y, Const(slice(None)))), Return((y, z)))))
    (False, False)
    """
    body = fn.body
    if not body or not isinstance(body[-1], Return):
        return ()
    if not any(type(v) is Var and _buffer(v.type) for v in body[-1].values):
        return (False,) * len(body[-1].values)      # (only a buffer is ever owned)
    pass_, _ = _accumulations(fn)
    pass_.new_arrays = _NEW_ARRAYS
    _, owned = pass_.block(body[:-1], frozenset())
    return tuple(isinstance(v, Var) and v.name in owned for v in body[-1].values)


def visible_writes(fn):
    """Names of arrays written in place where a share of them would see it: every
    in-place write but the accumulations this pass proved own their buffer (so the
    passes before it judge a function the same on their own output: idempotence)."""
    writes = [s for s in walk(fn.body) if type(s) is Assign and s.op == "setitem"
              and s.args[0] == s.target]
    owned = owned_accumulations(fn) if any(derived(s) for s in writes) else ()
    return {s.target.name for s in writes if id(s) not in owned}


def owned_accumulations(fn):
    """The accumulations this pass writes (``p = getitem(b, idx); q = add(p, g);
    b = setitem(b, idx, q)``, ``p`` and ``q`` read there only) into a buffer ``b``
    that owns its memory, proven by the same analysis: ``{id(getitem), id(setitem)}``;
    and the generated writes of a constant (``b = setitem(b, idx, 0.0)``, made by
    ``zero_slices.py``) or of a value (``first_accumulation.py``) into such a buffer.
    The earlier passes leave them alone when the pipeline runs again on its own
    output (such a write is seen by no other value and needs no zeros materialised:
    ``b`` was never the constant 0.0 on the way)."""
    pass_, tails = _accumulations(fn)
    if not tails and not pass_.constant_writes:
        return set()
    pass_.block(fn.body, frozenset())
    return {k for tail, ok in pass_.proven.items() if ok
            for k in ((tail, id(tails[tail])) if tail in tails else (tail,))}


def owned_before(fn):
    """``{id(Assign): names owning their buffer just before it}`` over ``fn`` (in a
    loop, at the fixpoint)."""
    pass_, _ = _accumulations(fn)
    pass_.seen = {}
    pass_.block(fn.body, frozenset())
    return pass_.seen


def _accumulations(fn):
    """A read-only ``_Pass`` that knows this pass's accumulations, and those
    (``id(setitem) -> getitem``)."""
    reads = read_counts(fn)
    tails = {}
    for body in _blocks(fn.body):
        for a, b, c in zip(body, body[1:], body[2:]):
            if is_triple(a, b, c, reads):
                tails[id(c)] = a
    pass_ = _Pass(reads, None, zeros=set())
    pass_.heads = {id(a) for a in tails.values()}
    pass_.tails = set(tails)
    # a constant (zero_slices.py), or a value (first_accumulation.py: zeros then an addition)
    pass_.constant_writes = {id(s) for s in walk(fn.body) if type(s) is Assign and
                             derived(s) and s.op == "setitem" and s.args[0] == s.target and
                             id(s) not in tails}
    pass_.proven = {}
    return pass_, tails


def is_triple(a, b, c, reads):
    ok = all(isinstance(x, Assign) and derived(x) for x in (a, b, c)) and \
        (a.op, b.op, c.op) == ("getitem", "add", "setitem")
    return ok and isinstance(a.args[0], Var) and c.target == a.args[0] == c.args[0] and \
        c.args[1] == a.args[1] and b.args[0] == a.target and c.args[2] == b.target and \
        reads.get(a.target.name) == 1 and reads.get(b.target.name) == 1


def _blocks(body):
    yield body
    for s in body:
        for b in blocks(s):
            yield from _blocks(b)


def read_counts(fn):
    reads = {}
    for s in walk(fn.body):
        for v in atoms_read(s):
            reads[v.name] = reads.get(v.name, 0) + 1
    return reads


def accumulate_in_place(fn):
    if not any(type(s) is Assign and s.op == "getitem_vjp" for s in walk(fn.body)):
        return fn       # nothing to scatter into a buffer (and so no buffer to start)
    reads = read_counts(fn)
    names = _Temps(fn)
    pass_ = _Pass(reads, names, zeros=set())
    pass_.block(fn.body, frozenset())
    if pass_.want_zeros:        # start those adjoints as a buffer, then accumulate into it
        pass_ = _Pass(reads, names, zeros=pass_.want_zeros)
    body, _ = pass_.block(fn.body, frozenset(), rewrite=True)
    return replace(fn, body=body)


class _Temps:
    def __init__(self, fn):
        self.used = {p.name for p in fn.params} | all_read(fn.body) | all_written(fn.body)
        self.k = 0

    def fresh(self, type_):
        while True:
            self.k += 1
            name = f"t_{self.k}"
            if name not in self.used:
                self.used.add(name)
                return Var(name, type_)


class _Pass:
    heads = frozenset()     # ids of accumulations' reads ``getitem(b, idx)``: no view escapes
    tails = frozenset()     # ids of their writes ``setitem(b, idx, q)``
    proven = None           # id(accumulation's setitem) -> whether b owned its buffer there
    constant_writes = frozenset()   # ids of other generated ``b = setitem(b, idx, c)``: proven too
    seen = None             # id(Assign) -> the owned names before it (``owned_before``)
    new_arrays = frozenset()    # ops also making owned buffers (``fresh_results`` only)

    def __init__(self, reads, names, zeros):
        self.reads = reads
        self.names = names
        self.zeros = zeros          # adjoints whose constant-zero start becomes a buffer
        self.want_zeros = set()

    def block(self, stmts, owned, rewrite=False):
        owned = set(owned)
        out = []
        pending = {}        # t -> (position in out, getitem_vjp statement)
        for s in stmts:
            if isinstance(s, Assign):
                if self.seen is not None:
                    self.seen[id(s)] = frozenset(owned)
                new = self.assign(s, owned, pending, out, rewrite)
                if s.op == "setitem" and s.args[0] == s.target:
                    pending.clear()     # an in-place write: a pending g might view that array
                for t, (_, st) in list(pending.items()):    # its g or idx changes: too late
                    if s.target in st.args:
                        del pending[t]
                if new is not None:
                    out += new
                    continue
                if s.op == "getitem_vjp" and isinstance(s.target, Var):
                    pending[s.target.name] = (len(out), s)
                out.append(s)
                continue
            pending.clear()
            s, owned = self.compound(s, owned, rewrite)
            out.append(s)
        return tuple(x for x in out if x is not None), frozenset(owned)

    def assign(self, s, owned, pending, out, rewrite):
        """Rewritten statements for ``s`` (None: keep it); updates ``owned``."""
        b, op, args = s.target, s.op, s.args
        hit = self.scatter_into(s, pending)
        if hit is not None:
            if b.name not in owned:
                self.want_zeros.add(b.name)
            elif rewrite:           # b keeps its buffer; g is copied into it
                pos, vjp = hit
                out[pos] = None
                del pending[vjp.target.name]
                return self.in_place(b, vjp.args[2], vjp.args[0])
        if op == "copy" and b.name in self.zeros and _buffer(b.type) and \
                isinstance(args[0], Const) and args[0].value == 0:
            owned.add(b.name)
            return [Assign(b, "zeros", (Const(tuple(b.type.shape)), Const(None)), s.loc)]
        if id(s) in self.tails:       # an accumulation this pass wrote: b keeps its buffer
            self.proven[id(s)] = b.name in owned      # (the last visit is the loop's fixpoint)
            return None
        if id(s) in self.constant_writes:
            self.proven[id(s)] = b.name in owned
        in_place = op == "setitem" and args[0] == b
        copying = op in COPYING_READS or (op == "setitem" and not in_place) or \
            id(s) in self.heads
        for i, a in enumerate(args):
            if isinstance(a, Var) and not (copying or in_place or op == "copy"):
                owned.discard(a.name)
        was = b.name in owned
        owned.discard(b.name)
        if in_place:
            fresh = was                 # written into: still its own buffer, or still not
        elif op == "copy":              # the buffer changes hands when its only reader is this
            src = args[0]
            fresh = isinstance(src, Var) and src.name in owned and self.reads.get(src.name) == 1
            owned.discard(getattr(src, "name", None))
        else:
            made = op in self.new_arrays and (op != "unbroadcast" or getattr(
                args[0], "type", None) != b.type)
            fresh = op in ("getitem_vjp", "setitem", "zeros", "copy_array", "getitem_copy") or made or (
                op in _ELEMENTWISE and any(isinstance(a, Var) and is_array(a.type) for a in args))
        if fresh and _buffer(b.type):
            owned.add(b.name)
        return None

    def scatter_into(self, s, pending):
        """(position, ``t = getitem_vjp(g, x, idx)``) when ``s`` is ``b = b + t`` with a
        basic ``idx``, ``t`` of ``b``'s type and read nowhere else."""
        b, args = s.target, s.args
        if s.op != "add" or not _buffer(b.type) or b not in args:
            return None
        t = args[1] if args[0] == b else args[0]
        hit = pending.get(t.name) if isinstance(t, Var) else None
        if hit is None or self.reads.get(t.name) != 1 or hit[1].target.type != b.type or \
                not _basic(hit[1].args[2]):
            return None
        return hit

    def in_place(self, b, idx, g):
        part = self.names.fresh(result_type("getitem", (b, idx), [b.type, idx.type]))
        total = self.names.fresh(result_type("add", (part, g), [part.type, g.type]))
        return [Assign(part, "getitem", (b, idx)), Assign(total, "add", (part, g)),
                Assign(b, "setitem", (b, idx, total))]

    def compound(self, s, owned, rewrite):
        if isinstance(s, If):
            body, kb = self.block(s.body, owned, rewrite)
            orelse, ko = self.block(s.orelse, owned, rewrite)
            owned = set(kb & ko)
            return replace(s, body=body, orelse=orelse), owned
        if isinstance(s, (For, While)):
            head = frozenset(owned)
            while True:
                _, end = self.block(s.body, head)
                new = head & end
                if new == head:
                    break
                head = new
            body, _ = self.block(s.body, head, rewrite)
            return replace(s, body=body), set(head)
        # calls, pushes, returns, pops: whatever they read or write may be shared
        for v in atoms_read(s):
            owned.discard(v.name)
        for v in (s.targets if isinstance(s, Call) else
                  [s.target] if isinstance(s, Pop) else
                  [s.tape] if isinstance(s, NewTape) else []):
            owned.discard(v.name)
        return s, owned


def _buffer(t):
    """A float array of static shape with at least one axis (``b[idx] += v`` works)."""
    return isinstance(t, Array) and t.static and len(t.shape) >= 1 and t.dtype == "float64"


def _basic(idx):
    """Ints, slices, None and Ellipsis only: each element is read at most once."""
    if isinstance(idx, Const):
        parts = idx.value if isinstance(idx.value, tuple) else (idx.value,)
        return all(p is None or p is Ellipsis or isinstance(p, slice) or
                   (isinstance(p, int) and not isinstance(p, bool)) for p in parts)
    t = getattr(idx, "type", None)
    if t == "int":
        return True
    if isinstance(t, IndexT):
        return all(p is None or p is Ellipsis or p == "int" or
                   (isinstance(p, tuple) and p[:1] == ("slice",)) or
                   (isinstance(p, int) and not isinstance(p, bool)) for p in t.parts)
    return False
