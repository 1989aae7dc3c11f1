"""First accumulation into a zeroed slice: a write, not zeros then an addition.

``zero_slices_in_place`` zeroes the slice an in-place write's adjoint clears, and
``accumulate_in_place`` adds the adjoints of the reads after it.  The first addition
into that same slice then adds to zeros: it is a write.  Accumulations into other
slices of the buffer between the two commute with it (addition), so they move below
it; the heat equation's reverse step

    u_bar[1:-1] = 0.0                             u_bar[1:-1] = -0.5 * t7
    u_bar[:-2] += t8                    ->        u_bar[:-2] += t8
    u_bar[1:-1] += -0.5 * t7                      u_bar[2:] += t8
    u_bar[2:] += t8                               u_bar[1:-1] += t7
    u_bar[1:-1] += t7

passes over the buffer one time less (the fill).  In the IR the zero write is
``b = setitem(b, idx, 0.0)`` and an accumulation the triple ``p = getitem(b, idx);
q = add(p, v); b = setitem(b, idx, q)`` (``inplace_adjoints.is_triple``).

Executed:

    >>> from pullback.ir import Assign, Const, Function, Return, Var
    >>> from pullback.ir.printer import format_function
    >>> from pullback.ir.types import Array
    >>> A, S = Array("float64", (4,)), Array("float64", (2,))
    >>> b, x = Var("b", A), Var("x", A)
    >>> p, q, v, w, p2, q2 = (Var(n, S) for n in ("p", "q", "v", "w", "p2", "q2"))
    >>> mid, low = Const(slice(1, -1)), Const(slice(None, -2))
    >>> fn = Function("f", (x, v), (Assign(b, "exp", (x,)),
    ...     Assign(b, "setitem", (b, mid, Const(0.0))), Assign(w, "mul", (v, v)),
    ...     Assign(p2, "getitem", (b, low)), Assign(q2, "add", (p2, w)),
    ...     Assign(b, "setitem", (b, low, q2)), Assign(p, "getitem", (b, mid)),
    ...     Assign(q, "add", (p, v)), Assign(b, "setitem", (b, mid, q)), Return((b,))))
    >>> print(format_function(write_first_accumulation(fn)))
    def f(x, v):
      b = exp(x)
      w = mul(v, v)
      b = setitem(b, slice(1, -1, None), v)
      p2 = getitem(b, slice(None, -2, None))
      q2 = add(p2, w)
      b = setitem(b, slice(None, -2, None), q2)
      return b

Invariants
- Only generated statements of one block take part: the zero write (a constant 0.0,
  a float64 buffer) and, below it, the first triple into the same constant index,
  with nothing between but other triples into ``b`` and assignments that neither read
  nor write ``b``.  The triple's ``v`` is not ``b`` and is read at the triple, as before.
- A moved triple's ``v`` is a constant or a variable made (in this block, above the
  triple) by an operation returning a new array (``inplace_adjoints.COPYING_READS``)
  from values other than ``b``, and assigned nowhere else: it holds the same value
  below, and no write into ``b`` changes it.
- The write keeps ``b``'s buffer: ``b = setitem(b, idx, v)`` into an owned buffer (the
  zero write's), which ``inplace_adjoints.owned_accumulations`` counts as the zero
  write it replaces, so the passes before judge the output as they judged the input.
- Where the triple adds back the slice's own copy, taken just before the zero write
  (``v = getitem_copy(b, idx)``), the slice keeps its values: the write goes too.
- Between the zero write and the triple, a tape pop may stand (it writes no ``b`` and,
  being counted as a write, no moved triple's value).
- The values are the same sums, added in another order (float rounding only).
"""
from dataclasses import replace

from ..ir import Assign, Const, Pop, Var, derived
from ..ir.walk import atoms_read, blocks, map_blocks, walk
from .inplace_adjoints import COPYING_READS, is_triple, read_counts


def write_first_accumulation(fn):
    if not any(_zero_write(s) for s in walk(fn.body)):
        return fn
    reads = read_counts(fn)
    written = {}
    for s in walk(fn.body):
        if isinstance(s, (Assign, Pop)):
            written[s.target.name] = written.get(s.target.name, 0) + 1
    return replace(fn, body=_block(fn.body, reads, written))


def _zero_write(s):
    return type(s) is Assign and derived(s) and s.op == "setitem" and \
        isinstance(s.args[0], Var) and s.target == s.args[0] and \
        isinstance(s.args[1], Const) and isinstance(s.args[2], Const) and \
        type(s.args[2].value) is float and s.args[2].value == 0.0 and \
        getattr(s.target.type, "dtype", None) == "float64"


def _block(stmts, reads, written):
    out = [map_blocks(s, lambda b: _block(b, reads, written)) if blocks(s) else s
           for s in stmts]
    i = 0
    while i < len(out):
        if _zero_write(out[i]):
            new = _rewrite(out, i, reads, written)
            if new is not None:
                out = new
                continue
        i += 1
    return tuple(out)


def _rewrite(out, i, reads, written):
    """``out`` with the zero write at ``i`` merged into its slice's first triple, or None."""
    z = out[i]
    b, idx = z.target, z.args[1]
    defined = {}                     # name -> its Assign, for the moved triples' values
    moved, kept = [], []
    j = i + 1
    while j < len(out):
        s = out[j]
        if j + 2 < len(out) and is_triple(out[j], out[j + 1], out[j + 2], reads) and \
                s.args[0] == b:
            v = out[j + 1].args[1]
            if out[j].args[1] == idx:
                if v == b:
                    return None
                if _saved(out, i, v):       # the slice gets back the values it had
                    return out[:i] + kept + moved + out[j + 3:]
                write = Assign(b, "setitem", (b, idx, v), out[j + 2].loc)
                return out[:i] + kept + [write] + moved + out[j + 3:]
            if not _steady(v, b, defined, written):
                return None
            moved += out[j:j + 3]
            j += 3
            continue
        if not (isinstance(s, (Assign, Pop)) and b not in atoms_read(s) and s.target != b):
            return None
        defined[s.target.name] = s if isinstance(s, Assign) else None
        kept.append(s)
        j += 1
    return None


def _saved(out, i, v):
    """Is ``v`` the copy of the zeroed slice taken just before the zero write?"""
    s = out[i - 1] if i else None
    return isinstance(s, Assign) and s.target == v and s.op == "getitem_copy" and \
        s.args == (out[i].target, out[i].args[1])


def _steady(v, b, defined, written):
    """Does ``v`` hold, below, the value it holds here (and no write into ``b`` touch it)?"""
    if isinstance(v, Const):
        return True
    s = defined.get(getattr(v, "name", None))
    return s is not None and written.get(v.name) == 1 and s.op in COPYING_READS and \
        b not in atoms_read(s)
