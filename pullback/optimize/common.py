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
  statement between forgets everything (its body is a block of its own).
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
from ..ir import Assign, Call, Const, Pop, Var, derived
from ..ir.types import is_differentiable
from ..ir.walk import blocks, map_blocks, vars_written, walk
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
    return replace(fn, body=_block(fn.body, written))


def _block(stmts, written):
    seen = {}           # key -> the variable holding it
    same = {}           # name -> the variable it is a copy of
    users = {}          # name -> keys and copies that mention it (forgotten when it changes)
    out = []
    for s in stmts:
        if blocks(s):
            seen.clear()
            same.clear()
            users.clear()
            out.append(map_blocks(s, lambda b: _block(b, written)))
            continue
        key = _key(s, written)
        if key is not None and key in seen:
            s = Assign(s.target, "copy", (seen[key],), s.loc)
            key = None
        elif _twice(s, same):
            s = Assign(s.target, "mul", (Const(2.0), same.get(s.args[0].name, s.args[0])), s.loc)
        for v in _assigned(s):
            for k in users.pop(v, ()):
                if isinstance(k, tuple):
                    seen.pop(k, None)
                else:
                    same.pop(k, None)
            same.pop(v, None)
        if key is not None and s.target.name not in key[1]:
            seen[key] = s.target
            for n in key[1] | {s.target.name}:
                users.setdefault(n, set()).add(key)
        if isinstance(s, Assign) and s.op == "copy" and isinstance(s.args[0], Var) and \
                s.args[0] != s.target:
            src = same.get(s.args[0].name, s.args[0])
            same[s.target.name] = src
            users.setdefault(src.name, set()).add(s.target.name)
        out.append(s)
    return tuple(out)


def _twice(s, same):
    """``b = add(b, t)`` where ``b`` holds a copy of ``t``: a generated sum of one value
    with itself (two equal contributions), ``2 * t`` in one operation less."""
    if not (isinstance(s, Assign) and s.op == "add" and derived(s) and len(s.args) == 2 and
            all(isinstance(a, Var) for a in s.args) and is_differentiable(s.target.type)):
        return False
    a, b = (same.get(v.name, v) for v in s.args)
    return a == b and a.type == s.target.type


def _assigned(s):
    if isinstance(s, (Assign, Call, Pop)):
        return {v.name for v in vars_written(s)}
    return set()


def _key(s, written):
    """``(op, names read, argument keys)`` of a statement that may be shared, else None."""
    if not isinstance(s, Assign) or s.op in _NEVER or s.op in VIEWS or s.op in EFFECTS or \
            s.target.name in written:
        return None
    prim = PRIMITIVES.get(s.op)
    if prim is None or not prim.pure:
        return None
    parts = []
    for a in s.args:
        if isinstance(a, Var):
            parts.append(("v", a.name))
        elif isinstance(a, Const) and _plain(a.value):
            parts.append(("c", type(a.value).__name__, repr(a.value)))
        else:
            return None
    names = frozenset(p[1] for p in parts if p[0] == "v")
    return s.op, names, tuple(parts)


def _plain(v):
    if isinstance(v, tuple):
        return all(_plain(x) for x in v)
    return isinstance(v, _PLAIN)
