"""Constant factors in adjoint code fold together, broadcast constants into products.

A reduction's adjoint broadcasts its seed (``expand_to(1.0, y)``) and rules
multiply by their constants one at a time; each costs a pass over the array:

    t = expand_to(1.0, y, None, False)
    t1 = mul(2, a)                           t1 = mul(2, a)
    t2 = mul(t1, t)                ->        t2 = t1
    t3 = mul(100.0, t)                       t3 = expand_to(100.0, y, None, False)
    t4 = mul(t1, t3)                         t4 = mul(200.0, a)
    t5 = neg(t4)                             t5 = mul(-200.0, a)

(dead-code elimination then drops ``t``, ``t3`` and ``t1`` where nothing else reads them).

Executed:

    >>> from pullback.ir import Assign, Const, Function, Return, Var
    >>> from pullback.ir.printer import format_function
    >>> from pullback.ir.types import Array
    >>> a, y, t, t1, t2, t3, t4, t5 = (Var(v, Array("float64", (3,)))
    ...                                for v in ("a", "y", "t", "t1", "t2", "t3", "t4", "t5"))
    >>> fn = Function("f_grad", (a, y), (
    ...     Assign(t, "expand_to", (Const(1.0), y, Const(None), Const(False))),
    ...     Assign(t1, "mul", (Const(2), a)), Assign(t2, "mul", (t1, t)),
    ...     Assign(t3, "mul", (Const(100.0), t)), Assign(t4, "mul", (t1, t3)),
    ...     Assign(t5, "neg", (t4,)), Return((t2, t5))))
    >>> print(format_function(fold_scaled(fn)))
    def f_grad(a, y):
      t = expand_to(1.0, y, None, False)
      t1 = mul(2, a)
      t2 = copy(t1)
      t3 = expand_to(100.0, y, None, False)
      t4 = mul(200.0, a)
      t5 = mul(-200.0, a)
      return t2, t5

Invariants
- Only the transforms' own statements (no source position) change, never the
  user's arithmetic (``0 * y`` stays as written).
- A broadcast constant becomes a scalar only in a product whose other factor
  already has the product's type, so no value changes shape or dtype.
- A sum (``unbroadcast``, ``sum``) of a scaled array ``k a`` that makes a smaller value
  is ``k`` times the sum of ``a``: the factor multiplies the smaller array
  (``np.sum(-g, axis=0)`` is ``-np.sum(g, axis=0)``).
- Facts hold within one block, from a definition until one of its operands is
  written again; a compound statement forgets them all.  Reassociating
  ``(2 a) 100`` as ``200 a`` may change the last bit, as any compiler's
  reassociation of derivative code would.
"""
from dataclasses import replace

from ..ir import Assign, Const, For, If, Var, While, derived
from ..ir.names import Namer, is_temp
from ..ir.types import is_array, is_differentiable
from ..ir.walk import map_blocks
from ..rules.algebra import fold
from .inplace_adjoints import visible_writes


def fold_scaled(fn):
    names = []          # the function's names are scanned only when a temporary is made

    def temp(t):
        if not names:
            names.append(Namer(fn))
        return names[0].fresh("t", t)
    return replace(fn, body=_block(fn.body, temp, visible_writes(fn)))


def _own(new, written):
    """A transform's array copy (a product folded to a bare array, too) must not share an
    array the code writes in place (the reverse sweep restores primals in place:
    ``x_bar = y`` would follow them)."""
    if isinstance(new, Assign) and new.op == "copy" and isinstance(new.args[0], Var) and \
            new.args[0].name in written and is_array(new.target.type):
        return Assign(new.target, "copy_array", new.args)
    return new


def _block(stmts, temp, written):
    bcast, scaled = {}, {}     # name -> (c, expand statement); name -> (k, a): the value k * a
    out = []
    for s in stmts:
        t = type(s)
        if t is If or t is For or t is While:
            bcast.clear()
            scaled.clear()
            out.append(map_blocks(s, lambda b: _block(b, temp, written)))
            continue
        if t is Assign and derived(s):
            if bcast or scaled:     # (knowing nothing, a statement is rewritten to itself)
                s = _rewrite(s, bcast, scaled, temp)
                if type(s) is tuple:    # (a product of the two factors, then the scaling)
                    out.append(s[0])
                    s = s[1]
            s = _own(s, written)
        if bcast or scaled:
            for facts in (bcast, scaled):       # whatever read the written variable is stale
                for name in [n for n, f in facts.items() if _reads(f, s)]:
                    del facts[name]
            for facts in (bcast, scaled):
                for v in _written(s):
                    facts.pop(v, None)
        if t is Assign:
            _learn(s, bcast, scaled)
        out.append(s)
    return tuple(out)


def _written(s):
    return {v.name for v in getattr(s, "targets", ())} | \
        ({s.target.name} if hasattr(s, "target") else set())


def _reads(fact, s):
    written = _written(s)
    atoms = fact[1].args if isinstance(fact[1], Assign) else (fact[1],)
    return any(isinstance(a, Var) and a.name in written for a in atoms)


def _const(a):
    return isinstance(a, Const) and isinstance(a.value, (int, float)) and \
        not isinstance(a.value, bool)


def _rewrite(s, bcast, scaled, temp):
    op, args, y = s.op, s.args, s.target
    args = tuple(scaled[a.name][1] if isinstance(a, Var) and is_temp(a.name) and
                 scaled.get(a.name, (0,))[0] == 1 else a for a in args)   # through copies
    s = replace(s, args=args)
    if op == "neg" and isinstance(args[0], Var):
        name = args[0].name
        if name in bcast:
            c, ex = bcast[name]
            return _expand(y, -c, ex)
        if name in scaled:
            k, a = scaled[name]
            return Assign(y, "mul", (Const(-k), a))
        return s
    if op in ("unbroadcast", "sum") and isinstance(args[0], Var) and args[0].name in scaled \
            and y.type != args[0].type:     # sum (k a) = k sum a: scale the smaller array
        k, a = scaled[args[0].name]
        if a.type == args[0].type and k != 1:
            part = temp(y.type)
            return Assign(part, op, (a,) + args[1:]), _mul(y, Const(k), part)
    if op != "mul":
        return s
    for p, q in (args, args[::-1]):
        if isinstance(p, Var) and p.name in bcast:
            c, ex = bcast[p.name]
            if _const(q) and y.type == ex.target.type:    # k * broadcast c: still one
                return _expand(y, q.value * c, ex)
            if isinstance(q, Var) and q.type == y.type:     # the factor is the full shape
                s = _mul(y, Const(c), q)
                op, args = s.op, s.args
                break
    if op != "mul":
        return s
    for p, q in (args, args[::-1]):
        if _const(p) and isinstance(q, Var) and q.name in scaled and \
                scaled[q.name][1].type == y.type:
            k, a = scaled[q.name]
            return _mul(y, Const(p.value * k), a)
    p, q = args
    if all(isinstance(v, Var) and v.name in scaled and scaled[v.name][1].type == y.type
           for v in (p, q)):                # (k1 a) (k2 b) = (k1 k2) (a b)
        (k1, a), (k2, b) = scaled[p.name], scaled[q.name]
        ab = temp(y.type)
        return Assign(ab, "mul", (a, b)), _mul(y, Const(k1 * k2), ab)
    return s


def _mul(y, k, a):
    folded = fold("mul", (k, a))
    if isinstance(folded, tuple):
        return Assign(y, *folded)
    return Assign(y, "copy", (folded,)) if folded is not None else Assign(y, "mul", (k, a))


def _expand(y, c, ex):
    return Assign(y, ex.op, (Const(float(c)),) + ex.args[1:])


def _learn(s, bcast, scaled):
    y, args = s.target, s.args
    if not (is_array(y.type) and is_differentiable(y.type)):
        return
    if s.op in ("expand_to", "expand_like") and _const(args[0]) and y.type.static:
        bcast[y.name] = (float(args[0].value), s)
    elif s.op == "mul" and derived(s):
        for p, q in (args, args[::-1]):
            if _const(p) and isinstance(q, Var) and q.type == y.type:
                scaled[y.name] = (p.value, q)
                return
    elif s.op == "neg" and derived(s) and isinstance(args[0], Var) and args[0].type == y.type:
        scaled[y.name] = (-1, args[0])
    elif s.op == "copy" and isinstance(args[0], Var) and args[0].type == y.type:
        name = args[0].name
        if name in bcast:
            bcast[y.name] = bcast[name]
        else:
            scaled[y.name] = scaled.get(name, (1, args[0]))
