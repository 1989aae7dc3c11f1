"""Inline small straight-line callees into their callers, on the primal module.

A call of a user function is differentiated as a split pair: ``g_fwd`` returns its
outputs and a residual tuple, which the caller tapes (a list of tuples in a loop), and
``g_rev`` reads it back.  For a callee of a few elementwise operations (``sigmoid =
lambda z: 1 / (1 + np.exp(-z))``) that costs more than the operations: a call, a
residual per call on a list, and a barrier that stops the backends from fusing the
callee's operations with the caller's.  Its statements put in place of the call are
differentiated, taped and fused as the caller's own.

A call is inlined when its callee
- is a plain user function call (no ``pullback.jvp``/``grad`` call, no custom rule,
  which the transforms must see as a call);
- has a body of ``Assign`` statements only, then one ``Return`` (no control flow, no
  calls, no tapes: so it is not recursive and its statements run exactly once), each
  a copy or a pure elementwise primitive (a callee of products, sums or slices keeps
  its call: the C backend prints it as a function over pointers);
- assigns none of its parameters (a write into an argument array would then land in
  the caller's array under another name: such a callee keeps its call) and returns
  none of them (nor a copy of one): every array it returns is one its elementwise
  operations made, so an in-place write the caller makes into it later reaches no
  other array, as when it was the call's result (the aliasing pass ran before);
- has at most ``MAX_STATEMENTS`` statements.

Invariants: the callee's locals get names that are fresh in the caller (one set per
call site), its parameters read the call's arguments, its statements keep their own
source places (an error still names the callee's line); the call's targets are copies
of the returned atoms (constant propagation forwards them).  Under checkpointing
(``pipeline.derive`` does not call this pass) a call stays a call: the checkpointed
loops recompute their callees' steps from snapshots.  Functions no longer
called are dropped (``reachable``); the entry is never inlined (nothing calls it).

    >>> from pullback.ir import Assign, Call, Const, Function, Module, Return, Var
    >>> from pullback.ir.printer import format_function
    >>> z, t1, t2 = Var("z", "float"), Var("t1", "float"), Var("t2", "float")
    >>> sq = Function("sq", (z,), (Assign(t1, "mul", (z, z)), Return((t1,))))
    >>> x, y = Var("x", "float"), Var("y", "float")
    >>> f = Function("f", (x,), (Call((y,), "sq", (x,)), Call((t2,), "sq", (y,)),
    ...                          Return((t2,))))
    >>> for fn in inline_calls(Module((f, sq))).functions: print(format_function(fn))
    def f(x):
      t1 = mul(x, x)
      y = copy(t1)
      t1_1 = mul(y, y)
      t2 = copy(t1_1)
      return t2
"""
from dataclasses import replace

from ..ir import Assign, Call, Module, Return, Var
from ..ir.names import Names
from ..rules import PRIMITIVES
from ..ir.walk import all_read, all_written, map_blocks, reachable, walk

MAX_STATEMENTS = 24


def inline_calls(module):
    """``module`` with the calls of small straight-line callees replaced by their bodies."""
    while True:     # a callee that only called small ones is small once they are inlined
        small = {fn.name: fn for fn in module.functions[1:] if _inlinable(fn)}
        # the same test as _block's: a call it leaves in place must not loop forever
        if not any(_callee(s, small) for fn in module.functions for s in walk(fn.body)):
            return module
        functions = []
        for fn in module.functions:
            names = Names({p.name for p in fn.params} | all_written(fn.body) | all_read(fn.body))
            functions.append(replace(fn, body=_block(fn.body, small, names)))
        module = reachable(Module(tuple(functions), module.result))


def _inlinable(fn):
    *body, last = fn.body or (None,)
    if not isinstance(last, Return) or len(body) > MAX_STATEMENTS:
        return False
    params = aliases = {p.name for p in fn.params}
    for s in body:
        if type(s) is not Assign or s.target.name in params or not _elementwise(s.op):
            return False
        if s.op == "copy" and getattr(s.args[0], "name", None) in aliases:
            aliases = aliases | {s.target.name}
    return not any(getattr(v, "name", None) in aliases for v in last.values)


def _elementwise(op):
    """A copy or a pure elementwise primitive (a scalar rule: the fusible kind)."""
    prim = PRIMITIVES.get(op)
    return op == "copy" or (prim is not None and prim.pure and prim.partials is not None)


def _block(stmts, small, names):
    out = []
    for s in stmts:
        callee = _callee(s, small)
        if callee is not None:
            out.extend(_expand(s, callee, names))
        else:
            out.append(map_blocks(s, lambda b: _block(b, small, names)))
    return tuple(out)


def _callee(s, small):
    """The small function that the statement ``s`` calls and that is put in its place."""
    callee = small.get(s.func) if type(s) is Call else None
    if callee is None or s.jvp or s.rule or s.grad or len(s.args) != len(callee.params) \
            or len(s.targets) != len(callee.body[-1].values):
        return None
    return callee


def _expand(call, callee, names):
    env = {p.name: a for p, a in zip(callee.params, call.args)}

    def atom(a):
        return env.get(a.name, a) if isinstance(a, Var) else a
    out = []
    for s in callee.body[:-1]:
        args = tuple(atom(a) for a in s.args)
        target = Var(names.fresh(s.target.name), s.target.type)
        env[s.target.name] = target
        out.append(Assign(target, s.op, args, s.loc))
    for t, v in zip(call.targets, callee.body[-1].values):
        out.append(Assign(t, "copy", (atom(v),), call.loc))
    return out

