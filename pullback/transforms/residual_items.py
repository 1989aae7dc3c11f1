"""Which items of a split pair's residual carry a tangent, across the call boundary.

Forward over reverse differentiates a split pair ``g_fwd``/``g_rev`` as two calls joined
by a residual.  The residual always carries a tangent (the pair's signatures never
depend on activity), but an item of it that ``g_fwd`` packed from a constant (a float
exponent passed as a literal, a default, an attribute) has a tangent of zero.  Treated
as active inside ``g_rev``'s tangent, that zero meets a partial that is not finite
(``log(x)`` of the exponent of ``x ** p`` at x < 0): 0 * nan, a NaN Hessian, or a math
domain error, where JAX's symbolic zeros give a finite value.

This module carries the fact across: ``returned_items(fn, active)`` says, per returned
residual, which of its packed items are active in ``fn``'s tangent; ``ResidualFlow``
follows those flags through the caller (calls, copies, tapes pushed and popped) to the
call of ``g_rev``, whose activity pattern then holds a tuple of flags for the residual
instead of ``True``; ``analysis.activity`` starts only the flagged items' edges.

Invariants: a flag is False only where every value that can reach the residual there
was packed with a zero tangent at that position (the join over definitions is an
element-wise or); a residual defined in any other way (unpacked from another residual,
a parameter without flags) is unknown, and unknown means every item is active, as
before.

    t1, h_res = h_fwd(x, 2.0)            # h_fwd_jvp packs (p, t1, x): p_dot is 0.0
    t = h_rev(h_res, 1.0)                # asks h_rev_jvp with ((False, True, True), True)
"""
from ..ir import Assign, Call, Pop, Push, Return, Var
from ..ir.walk import walk

UNKNOWN = None


def returned_items(fn, active):
    """Per return position: the flags of the residual returned there (an item is active),
    or ``UNKNOWN`` (not a residual, or not made by ``pack`` alone)."""
    packs = {}
    for s in walk(fn.body):
        if isinstance(s, Assign) and s.target.type == "residual":
            flags = tuple(isinstance(a, Var) and a.name in active for a in s.args) \
                if s.op == "pack" else UNKNOWN
            packs[s.target.name] = join(packs.get(s.target.name, ()), flags)
        elif isinstance(s, (Call, Pop)):
            for t in (s.targets if isinstance(s, Call) else (s.target,)):
                if t.type == "residual":
                    packs[t.name] = UNKNOWN
    ret = fn.body[-1]
    assert isinstance(ret, Return)
    return tuple(packs.get(v.name, UNKNOWN) or UNKNOWN if isinstance(v, Var) else UNKNOWN
                 for v in ret.values)


def flagged_params(fn, mask):
    """The residual parameters whose activity pattern entry is a tuple of flags."""
    return {p.name: m for p, m in zip(fn.params, mask) if isinstance(m, tuple)}


def join(a, b):
    """Element-wise or; ``()`` is "no definition yet", ``UNKNOWN`` absorbs."""
    if a == ():
        return b
    if b == ():
        return a
    if a is UNKNOWN or b is UNKNOWN or len(a) != len(b):
        return UNKNOWN
    return tuple(x or y for x, y in zip(a, b))


class ResidualFlow:
    """The flags of each residual (and each tape of residuals) in a function being
    differentiated in forward mode: ``mask_of(atom)`` is the atom's entry in a call's
    activity pattern (a tuple of flags for a residual whose flags are known)."""

    def __init__(self, fn, mask, is_active, items_of):
        self.is_active = is_active
        self.flags = {}
        for p, m in zip(fn.params, mask):
            if p.type == "residual":
                self.flags[p.name] = m if isinstance(m, tuple) else UNKNOWN
        stmts = list(walk(fn.body))
        changed = items_of is not None
        while changed:
            changed = False
            for s in stmts:
                for name, flags in self._defines(s, items_of):
                    new = join(self.flags.get(name, ()), flags)
                    if new != self.flags.get(name, ()):
                        self.flags[name] = new
                        changed = True
        if items_of is None:
            self.flags = {}

    def _defines(self, s, items_of):
        if isinstance(s, Call) and any(t.type == "residual" for t in s.targets):
            amask = tuple(self.mask_of(a) for a in s.args)
            got = items_of(s.func, amask, s.rule)
            return [(t.name, got[i] if got is not None and i < len(got) else UNKNOWN)
                    for i, t in enumerate(s.targets) if t.type == "residual"]
        if isinstance(s, Push) and isinstance(s.value, Var) and s.value.type == "residual":
            return [(s.tape.name, self.flags.get(s.value.name, ()))]
        if isinstance(s, Pop) and s.target.type == "residual":
            return [(s.target.name, self.flags.get(s.tape.name, ()))]
        if isinstance(s, Assign) and s.target.type == "residual":
            src = s.args[0] if s.op == "copy" and isinstance(s.args[0], Var) else None
            return [(s.target.name, self.flags.get(src.name, ()) if src else UNKNOWN)]
        return []

    def mask_of(self, a):
        active = self.is_active(a)
        if active and a.type == "residual":
            flags = self.flags.get(a.name)
            if flags:                        # known and not empty
                return flags
        return active
