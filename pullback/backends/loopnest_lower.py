"""Lowering: a run of IR statements -> one ``loopnest.Nest`` (or ``NotFusible``).

``lower_nest(stmts, shape, live_out, fresh)`` walks the statements in order,
keeping for each name what the body holds for it at the iteration point: a body
scalar, a slice of an outer array (an affine ``Access``, no copy), or an array
the nest allocates and accumulates into.  The invariants it checks are those of
``loopnest.py``'s ``Nest``.
"""
from ..ir import Assign, Const, Var
from ..ir.types import is_array
from .loopnest import (FUSIBLE, REDUCTIONS, SCALAR_OF, Access, Alloc, Index, Load, Nest,
                       NotFusible, Reduce, Store, broadcast, region)

def _shape(a):
    t = getattr(a, "type", None)
    if not is_array(t):
        return None
    if not t.static or t.dtype not in SCALAR_OF or t.shape == ():
        # (a 0-d array may be a number at run time in Numba: it keeps its own printing)
        raise NotFusible("a dynamic shape, an unsupported dtype or a 0-d array")
    return tuple(t.shape)


def _static(a):
    if not isinstance(a, Const):
        raise NotFusible("a run-time static argument")
    return a.value


def _axes(axis, ndim):
    axes = tuple(range(ndim)) if axis is None else axis if isinstance(axis, tuple) else (axis,)
    return tuple(sorted(a % ndim for a in axes))


def lower_nest(stmts, shape, live_out, fresh):
    """The ``Nest`` of ``stmts`` over iteration ``shape``; ``live_out(name)``: whether the
    name is read after (or outside) these statements; ``fresh(base)``: a new local name."""
    if not shape or 0 in shape:
        raise NotFusible("no loop")
    return _Lowering(shape, live_out, fresh).run(stmts)


class _Lowering:
    def __init__(self, space, live_out, fresh):
        self.space, self.live_out, self.fresh = space, live_out, fresh
        self.value = {}       # name -> ("scalar", atom) | ("view", name, shape, view) | ("buffer", Var)
        #                       | ("overwritten",): a view whose array the nest wrote since
        self.body, self.inputs, self.allocs, self.updates, self.reduces = [], [], [], [], []
        self.loads = {}       # Access -> the body scalar holding it (until a store to its array)
        self.accesses = {}    # array name -> [(Access, kind)]  kind: load | store | accumulate
        self.reduced = set()
        self.targets = {}     # name -> the Var a statement of the nest assigned

    def run(self, stmts):
        for s in stmts:
            if not isinstance(s, Assign):
                raise NotFusible("not an assignment")
            self.stmt(s)
        self.finish()
        self.check()
        return Nest(self.space, tuple(self.inputs), tuple(self.allocs), tuple(self.updates),
                    tuple(self.reduces), tuple(self.body))

    # -- reading values -------------------------------------------------------------------
    def outer(self, v):
        if v.name in self.reduced:
            raise NotFusible("a reduction read in its own nest")
        if v not in self.inputs:
            self.inputs.append(v)
        return v

    def scalar_var(self, dtype):
        return Var(self.fresh("e"), SCALAR_OF[dtype])

    def load(self, access, dtype):
        got = self.loads.get(access)
        if got is None:
            got = self.scalar_var(dtype)
            self.body.append(Load(got, access))
            self.loads[access] = got
            self.accesses.setdefault(access.array, []).append((access, "load"))
        return got

    def elem(self, a, index=None):
        """Atom a body statement reads for ``a`` at the iteration point (``index``: the
        Indexes of ``a``'s own dimensions; default: ``a`` broadcast over the space)."""
        if isinstance(a, Const):
            if not isinstance(a.value, (int, float, bool)):
                raise NotFusible("a static argument")
            return a
        shape = _shape(a)
        if shape is None:
            if a.name in self.value:             # an outer scalar rebound in the nest
                raise NotFusible("a scalar written in the nest")
            return self.outer(a)
        if index is None:
            index = broadcast(shape, self.space)
        got = self.value.get(a.name)
        if got is None:
            self.outer(a)
            return self.load(Access(a.name, shape, index), a.type.dtype)
        kind = got[0]
        if kind == "scalar":
            if index != broadcast(self.space, self.space):
                raise NotFusible("a value of the nest read at another index")
            return got[1]
        if kind == "view":
            _, base, _, view = got
            return self.load(Access(base.name, _shape(base), view(index)), a.type.dtype)
        if kind == "overwritten":
            raise NotFusible("a slice read after the nest writes its array")
        raise NotFusible("an accumulated or reduced value read in its own nest")

    # -- statements -------------------------------------------------------------------------
    def stmt(self, s):
        op, args, t = s.op, s.args, s.target
        tshape = _shape(t)
        if op in FUSIBLE and tshape == self.space:
            if any(getattr(a.type, "dtype", a.type) == "bool" for a in args[op == "select":]) \
                    or op == "pow" and t.type.dtype != "float64":
                raise NotFusible("arithmetic on booleans or an integer power")   # NumPy's own
            elems = [self.elem(a) for a in args]
            out = self.scalar_var(t.type.dtype)
            self.body.append(Assign(out, op, tuple(elems)))
            self.define(t, ("scalar", out))
        elif op in ("getitem", "getitem_copy") and tshape is not None:
            base, idx = args
            if not isinstance(base, Var) or base.name in self.value and \
                    self.value[base.name][0] not in ("view", "buffer"):
                raise NotFusible("a slice of a value of the nest")
            shape, view = region(_shape(base), _static(idx))
            if shape != tshape:
                raise NotFusible("a slice of another shape")
            if self.live_out(t.name) and (base in self.updates or base.name in self.value):
                # the planner prints it before the nest: it must read what it read here
                raise NotFusible("a slice read after the nest of an array it writes")
            if self.value.get(base.name, ("",))[0] == "view":      # a view of a view
                _, root, _, inner = self.value[base.name]
                self.define(t, ("view", root, shape, lambda i, v=view, w=inner: w(v(i))))
            elif base.name in self.value:        # a slice of an array being accumulated
                self.define(t, ("view", base, shape, view))
            else:
                self.outer(base)
                self.define(t, ("view", base, shape, view))
        elif op in REDUCTIONS and len(args) == 3 and _shape(args[0]) == self.space:
            self.reduction(s)
        elif op == "unbroadcast" and _shape(args[0]) == self.space:
            xs = _shape(args[1])
            if xs is None or tshape is None:         # down to a scalar: a sum
                if t.type != "float":
                    raise NotFusible("unbroadcast to a non-float scalar")
                self.reduce(t, "sum", self.elem(args[0]))
                return
            if xs == self.space:
                self.define(t, ("scalar", self.elem(args[0])))
                return
            lead = len(self.space) - len(xs)
            buf = self.buffer(t)
            self.store(Access(buf.name, xs, tuple(
                Index(None) if n == 1 else Index(lead + j) for j, n in enumerate(xs))),
                self.elem(args[0]), True)
        elif op == "expand_to" and tshape == self.space:
            g, _, axis, keep = args
            gs = _shape(g)
            if gs is None:
                self.define(t, ("scalar", self.elem(g)))
                return
            axes = _axes(_static(axis), len(self.space))
            if _static(keep):
                index = broadcast(gs, self.space)
            else:
                index = tuple(Index(d) for d in range(len(self.space)) if d not in axes)
            self.define(t, ("scalar", self.elem(g, index)))
        elif op == "getitem_vjp" and _shape(args[0]) is not None:
            g, x, idx = args
            shape, view = region(_shape(x), _static(idx))
            if shape != self.space:
                raise NotFusible("a scatter over another space")
            buf = self.buffer(t)
            self.store(Access(buf.name, _shape(x), view(broadcast(shape, shape))),
                       self.elem(g), True)
        elif op == "setitem" and args[0] == t and isinstance(args[1], Const):
            self.setitem(s)
        elif op == "copy" and tshape is not None and isinstance(args[0], Var) and \
                self.value.get(args[0].name, ("",))[0] == "buffer" and \
                not self.live_out(args[0].name) and t not in self.inputs:
            self.rename_buffer(self.value[args[0].name][1], t)
        elif op == "add" and tshape is not None and self.added_into(s):
            pass
        elif op in ("copy", "copy_array") and tshape == self.space:
            self.define(t, ("scalar", self.elem(args[0])))
        else:
            raise NotFusible(f"'{op}'")

    def added_into(self, s):
        """``t = x + b`` where ``b`` is an array the nest accumulates into (and nothing
        after reads): ``b`` starts as a copy of ``x`` instead of zeros and becomes ``t``
        (one pass fewer).  ``x`` must be an outer array the nest has not touched yet."""
        t = s.target
        for x, b in (s.args, s.args[::-1]):
            got = self.value.get(getattr(b, "name", None))
            if got is None or got[0] != "buffer" or self.live_out(b.name) or \
                    not isinstance(x, Var) or _shape(x) != _shape(t) or \
                    _shape(b) != _shape(t) or x.name in self.value or x in self.inputs or \
                    x.name in self.accesses or t in self.inputs or t.name in self.accesses:
                continue
            self.outer(x)
            self.rename_buffer(got[1], t)
            self.allocs = [Alloc(a.target, False, x) if a.target == t else a
                           for a in self.allocs]
            return True
        return False

    def rename_buffer(self, buf, t):
        self.value.pop(buf.name)
        self.allocs = [Alloc(t, a.zero, a.source) if a.target == buf else a
                       for a in self.allocs]
        self.accesses[t.name] = [(Access(t.name, x.shape, x.index), k)
                                 for x, k in self.accesses.pop(buf.name, [])]
        self.body = [_rename_store(b, buf.name, t.name) for b in self.body]
        self.value[t.name] = ("buffer", t)

    def define(self, t, value):
        if t.name in self.reduced or self.value.get(t.name, ("",))[0] == "buffer":
            raise NotFusible("a reduced or accumulated name redefined")
        self.value[t.name] = value
        self.targets[t.name] = t

    def buffer(self, t):
        """A zero array the nest allocates as ``t`` and accumulates into."""
        if any(v.name == t.name for v in self.inputs):
            raise NotFusible("an array the nest reads is reallocated")
        self.allocs.append(Alloc(t, True))
        self.value[t.name] = ("buffer", t)
        return t

    def store(self, access, value, accumulate):
        self.body.append(Store(access, value, accumulate))
        self.accesses.setdefault(access.array, []).append(
            (access, "accumulate" if accumulate else "store"))
        for a in [a for a in self.loads if a.array == access.array]:
            del self.loads[a]
        # a slice taken before this write holds the values from before it (``getitem_copy``
        # then ``x[idx] = 0.0``): the nest would load them after it, so it may not read it
        for name, got in list(self.value.items()):
            if got[0] == "view" and got[1].name == access.array:
                self.value[name] = ("overwritten",)

    def reduction(self, s):
        x, axis, keep = s.args
        t = s.target
        xs = self.space
        axes = _axes(_static(axis), len(xs))
        if not is_array(t.type):
            if s.op == "mean" and t.type != "float" or t.type not in ("float", "int"):
                raise NotFusible("a reduction of this type")
            if s.op in ("prod", "amax", "amin") and t.type != "float":
                raise NotFusible("an integer product or extremum")
            self.reduce(t, s.op, self.elem(x))
            return
        if s.op != "sum" or t.type.dtype != "float64":
            raise NotFusible("a reduction over some axes other than sum")
        keep = _static(keep)
        kept = [Index(None) if d in axes else Index(d) for d in range(len(xs))] if keep else \
            [Index(d) for d in range(len(xs)) if d not in axes]
        buf = self.buffer(t)
        self.store(Access(buf.name, _shape(t), tuple(kept)), self.elem(x), True)

    def reduce(self, t, op, value):
        if t.name in self.value or t.name in self.reduced or t in self.inputs:
            raise NotFusible("a reduced name assigned twice")
        self.body.append(Reduce(t, op, value))
        self.reduces.append((t, op))
        self.reduced.add(t.name)
        self.value[t.name] = ("reduced",)

    def setitem(self, s):
        a, idx, v = s.args
        shape, view = region(_shape(a), _static(idx))
        if shape != self.space:
            raise NotFusible("a write over another space")
        got = self.value.get(a.name)
        if got is not None and got[0] != "buffer":
            raise NotFusible("a write into a value of the nest")
        access = Access(a.name, _shape(a), view(broadcast(shape, shape)))
        plus = self.accumulated(v, access)
        if got is None and a not in self.updates:
            self.outer(a)
            self.updates.append(a)
        if plus is not None:
            self.store(access, plus, True)
        else:
            if got is not None:
                raise NotFusible("a write into an accumulated array")
            self.store(access, self.elem(v), False)

    def accumulated(self, v, access):
        """``w`` when ``v`` is ``x[idx] + w`` read at ``access`` (the load then dropped)."""
        if not isinstance(v, Var) or self.value.get(v.name, ("",))[0] != "scalar" or \
                self.live_out(v.name):
            return None
        total = next((b for b in reversed(self.body) if isinstance(b, Assign) and
                      b.target == self.value[v.name][1]), None)
        if total is None or total.op != "add" or total is not self.body[-1]:
            return None
        load = next((b for b in self.body if isinstance(b, Load) and
                     b.target == total.args[0]), None)
        if load is None or load.access != access or _reads(self.body, load.target) != 1:
            return None
        self.body.pop()
        self.body.remove(load)
        self.loads.pop(access, None)
        self.accesses[access.array].remove((access, "load"))
        return total.args[1]

    # -- the end --------------------------------------------------------------------------
    def finish(self):
        """Store what is read after the nest (slices read after it the planner prints
        as they were, before the nest)."""
        for name, got in list(self.value.items()):
            if not self.live_out(name) or got[0] != "scalar":
                continue
            var = self.targets[name]
            # ``x = x + t`` (an adjoint's accumulation): a new array, made as a copy of the
            # outer ``x`` and written over, each element after it is read (``check``
            # refuses a read of ``x`` at another place)
            copied = any(v.name == name for v in self.inputs)
            self.allocs.append(Alloc(var, False, var if copied else None))
            self.store(Access(name, _shape(var), broadcast(self.space, self.space)),
                       got[1], False)

    def check(self):
        for name, uses in self.accesses.items():
            kinds = {k for _, k in uses}
            if kinds == {"load"}:
                continue
            if len({a for a, _ in uses}) > 1 and kinds != {"accumulate"}:
                raise NotFusible(f"'{name}' read and written at different places")


def _reads(body, v):
    n = 0
    for b in body:
        if isinstance(b, Assign):
            n += sum(a == v for a in b.args)
        elif isinstance(b, (Store, Reduce)):
            n += b.value == v
    return n


def _rename_store(b, old, new):
    if isinstance(b, Store) and b.access.array == old:
        return Store(Access(new, b.access.shape, b.access.index), b.value, b.accumulate)
    return b
