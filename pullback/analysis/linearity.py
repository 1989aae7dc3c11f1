"""Is a function linear in some of its parameters?  Transposing a custom rule needs it.

A custom JVP rule is transposed for reverse mode, and a custom VJP's ``bwd`` for forward
mode, by differentiating it with respect to its tangents (cotangents) at zero: right
exactly when the rule is linear in them.  ``nonlinear(module, fn, mask)`` returns the
first statement (with its location) that makes the values depending on the masked
parameters nonlinear in them, or None.

Invariants: conservative -- a primitive not listed here as linear in an argument is
nonlinear in it, so ``np.clip(t, -1, 1)`` is reported and a rule is never silently
transposed wrong; a value depending on the parameters may not steer control flow; a
user function called with dependent arguments is checked the same way, once per
activity pattern.  Affine maps (``t + 1``) pass: their transpose is that of the linear
part, which is what a derivative reads.
"""
from ..ir import Assign, Call, For, If, Var, While
from ..ir.walk import walk

# primitive -> positions that may depend on the parameters (None: any, jointly linear)
LINEAR = {name: None for name in """copy neg pos add sub sum mean cumsum unbroadcast
    expand_to expand_like broadcast_to reshape ravel flatten transpose swapaxes moveaxis
    squeeze expand_dims atleast_2d flip roll tile repeat diag diagonal trace tril triu
    concat2 concat_first concat_second hstack2 hstack_first hstack_second stack pad
    copy_array asarray float item pack list_append index_list split_part
    stop_gradient""".split()}
LINEAR.update(getitem=(0,), getitem_copy=(0,), slice=(0,), take=(0,),
              take_along_axis=(0,), setitem=(0, 2), select=(1, 2), truediv=(0,), solve=(1,))
BILINEAR = set("mul matmul dot inner outer vdot tensordot einsum2".split())


def nonlinear(module, fn, mask):
    """The first statement of ``fn`` (or of a function it calls) that is not linear in
    the parameters where ``mask`` is true, or None."""
    return _Checker(module).check(fn, tuple(mask))


class _Checker:
    def __init__(self, module):
        self.module = module
        self.done = {}

    def check(self, fn, mask):
        key = (fn.name, mask)
        if key in self.done:
            return self.done[key][0]
        self.done[key] = (None, ())          # recursion: assume linear until shown otherwise
        dep = {p.name for p, m in zip(fn.params, mask) if m}
        bad, outs = None, ()
        for _ in range(len(list(walk(fn.body))) + 1):     # flow-insensitive fixpoint
            before = set(dep)
            bad = self.scan(fn.body, dep)
            if bad is not None or dep == before:
                break
        ret = fn.body[-1]
        outs = tuple(isinstance(v, Var) and v.name in dep for v in getattr(ret, "values", ()))
        self.done[key] = (bad, outs)
        return bad

    def scan(self, body, dep):
        def d(a):
            return isinstance(a, Var) and a.name in dep
        for s in walk(body):
            if isinstance(s, Assign):
                pos = [i for i, a in enumerate(s.args) if d(a)]
                if not pos:
                    continue
                allowed = LINEAR.get(s.op, ())
                ok = s.op in LINEAR and (allowed is None or set(pos) <= set(allowed)) or \
                    s.op in BILINEAR and len(pos) == 1
                if not ok:
                    return s
                dep.add(s.target.name)
            elif isinstance(s, Call):
                amask = tuple(d(a) for a in s.args)
                if not any(amask):
                    continue
                callee = self.module.get(s.func)
                bad = self.check(callee, amask)
                if bad is not None:
                    return bad
                outs = self.done[(callee.name, amask)][1] or (True,) * len(s.targets)
                dep |= {t.name for t, o in zip(s.targets, outs) if o}
            elif isinstance(s, If) and d(s.cond) or isinstance(s, While) and d(s.exit) or \
                    isinstance(s, For) and any(map(d, (s.start, s.stop, s.step))):
                return s
        return None


__all__ = ["nonlinear"]
