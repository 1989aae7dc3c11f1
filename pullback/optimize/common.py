"""Common subexpressions: a pure operation computed again on the same values is a copy.

The user's ``np.exp(q)`` written twice, and the reverse rule of ``x * x``, which adds the
same product ``g * x`` once per operand, compute one array twice:

    t1 = mul(l, g)                      t1 = mul(l, g)
    t2 = mul(l, g)           ->         t2 = copy(t1)
    b = add(t1, t2)                     b = mul(2.0, t1)

A generated sum whose two operands hold the same value (through such copies, or
``b = copy(t); b = add(b, t)`` where constant propagation keeps the user's name ``b``)
is twice that value, one operation less; dead-code elimination drops the copy.

Executed:

    >>> from pullback.ir import Assign, Function, Return, Var
    >>> from pullback.ir.printer import format_function
    >>> from pullback.ir.types import Array
    >>> l, g, t1, t2, b = (Var(n, Array("float64", (3,))) for n in ("l", "g", "t1", "t2", "b"))
    >>> fn = Function("f", (l, g), (Assign(t1, "mul", (l, g)), Assign(t2, "mul", (l, g)),
    ...                             Assign(b, "add", (t1, t2)), Return((b,))))
    >>> print(format_function(reuse_common(fn)))
    def f(l, g):
      t1 = mul(l, g)
      t2 = copy(t1)
      b = mul(2.0, t1)
      return b

Invariants
- Only a statement of the same block below the first one is replaced, while neither
  the first one's target nor any variable either reads has been assigned in between
  (an in-place write assigns its array), so both compute the same value; a compound
  statement between forgets what it assigns anywhere inside (its blocks are blocks of
  their own, starting from nothing).
- Only pure primitives (no random draw, no effect) that make a new value are shared:
  never an array creation, a copy, a view (``alias.VIEWS``: its memory is another
  array's), an in-place write or a list operation; and never into an array that the
  function writes in place (the copy would share its memory with the first).  An
  argument written in place is assigned by that write, which ends what was known of it
  (``analysis/alias.py`` leaves no view of it read across the write).
- A constant argument takes part by type and value (repr) when it is a number, a string,
  a slice, a tuple of those, None or a type; any other constant keeps its statement.
"""
from dataclasses import replace

from ..analysis.alias import VIEWS
from ..ir import Assign, Call, Const, For, If, Pop, Var, While, derived
from ..ir.types import is_differentiable
from ..ir.walk import all_written, map_blocks, vars_written, walk
from ..rules import PRIMITIVES
from ..rules.effects import EFFECTS

# operations whose every result must be a distinct object, or that change one in place
_NEVER = frozenset(("copy", "copy_array", "getitem_copy", "setitem", "inplace", "zeros",
                    "ones", "empty", "full", "zeros_like", "ones_like", "empty_like",
                    "full_like", "arange", "linspace", "eye", "identity", "list_new",
                    "list_append", "item", "pack"))
_PLAIN = (int, float, bool, str, slice, type(None), type(Ellipsis), type)


def reuse_common(fn):
    written = {s.target.name for s in walk(fn.body) if isinstance(s, Assign) and
               s.op in ("setitem", "inplace", "list_append") and s.args and s.args[0] == s.target}
    return replace(fn, body=_block(fn.body, written, {}))


def _block(stmts, written, shareable):
    # Facts are stamped with the versions of the names they mention (a name's version
    # counts the assignments to it in this block so far) and hold while those are
    # current: an assignment makes every fact about the old value unreachable at once.
    ver = {}            # name -> its version
    seen = {}           # key -> (the variable holding it, that variable's version)
    same = {}           # name -> (the variable it is a copy of, its version, own version)
    out = []
    for s in stmts:
        t = type(s)
        if t is If or t is For or t is While:
            # its blocks start knowing nothing; after it, what it assigns is forgotten
            out.append(map_blocks(s, lambda b: _block(b, written, shareable)))
            for n in all_written((s,)):
                ver[n] = ver.get(n, 0) + 1
            continue
        if t is Assign:
            target = s.target
            key = _key(s, written, same, ver, shareable)
            hit = seen.get(key) if key is not None else None
            if hit is not None and ver.get(hit[0].name, 0) == hit[1]:
                s = Assign(target, "copy", (hit[0],), s.loc)
                key = None
            elif s.op == "add" and _twice(s, same, ver):
                s = Assign(target, "mul", (Const(2.0), _source(s.args[0], same, ver)), s.loc)
            name = target.name
            v = ver[name] = ver.get(name, 0) + 1
            if key is not None:
                seen[key] = (target, v)
            if s.op == "copy" and type(s.args[0]) is Var and s.args[0] != target:
                src = _source(s.args[0], same, ver)
                same[name] = (src, ver.get(src.name, 0), v)
        elif t is Call or t is Pop:
            for w in vars_written(s):
                ver[w.name] = ver.get(w.name, 0) + 1
        out.append(s)
    return tuple(out)


def _source(a, same, ver):
    """The variable whose value ``a`` holds as a copy (``a`` itself if none is known)."""
    held = same.get(a.name)
    if held is not None and ver.get(a.name, 0) == held[2] and \
            ver.get(held[0].name, 0) == held[1]:
        return held[0]
    return a


def _twice(s, same, ver):
    """``b = add(b, t)`` where ``b`` holds a copy of ``t``: a generated sum of one value
    with itself (two equal contributions), ``2 * t`` in one operation less."""
    if not (derived(s) and len(s.args) == 2 and all(type(a) is Var for a in s.args) and
            is_differentiable(s.target.type)):
        return False
    a, b = (_source(v, same, ver) for v in s.args)
    return a == b and a.type == s.target.type


def _key(s, written, same, ver, shareable):
    """``(op, argument keys...)`` of a statement that may be shared, else None; a
    variable's key is its name and version.  A variable holding a copy of another (of
    its type, neither written in place) reads as that one, so ``t2 = mul(c, y)`` after
    ``c = copy(a)`` is known as ``mul(a, y)``: a chain of shared operations is found in
    one pass, not one link per pass."""
    op = s.op
    ok = shareable.get(op)
    if ok is None:
        prim = PRIMITIVES.get(op)
        ok = shareable[op] = not (op in _NEVER or op in VIEWS or op in EFFECTS or
                                  prim is None or not prim.pure)
    if not ok or s.target.name in written:
        return None
    key = [op]
    for a in s.args:
        if type(a) is Var:
            c = _source(a, same, ver)
            if c is not a and (c.type != a.type or a.name in written or c.name in written):
                c = a
            key += ("v", c.name, ver.get(c.name, 0))
        elif type(a) is Const and _plain(a.value):
            key += ("c", type(a.value).__name__, repr(a.value))
        else:
            return None
    return tuple(key)


def _plain(v):
    if isinstance(v, tuple):
        return all(_plain(x) for x in v)
    return isinstance(v, _PLAIN)
