"""Matrix products and ``np.eye`` in the C backend.

A mixin of ``c_function.FunctionPrinter`` (through ``c_arrays``).  ``matmul``,
``dot`` and their reverse rules ``matmul_vjp_a(g, a, b)`` (``g @ b^T``) and
``matmul_vjp_b(g, a, b)`` (``a^T @ g``) print as loop nests:

- operands of at most 2 dimensions (vectors promoted as NumPy does):
  one ``i, j, l`` nest;
- stacks of matrices (``@`` with 3-D operands, batch dimensions
  broadcast): a loop over the target's batch dimensions around the same
  nest, each operand reading element 0 of its size-1 or missing batch
  dimensions.  The vjps produce the broadcast batch shape; the reverse
  transform's ``unbroadcast`` sums it down to the operand's shape.

Invariants: every output element is zeroed then accumulated in its own
inner loop, so a target that is also an operand must go through the
caller's scratch block (``c_arrays`` does that for non-elementwise ops);
shapes come from the IR types, and a mismatch raises ``NoCForm``.
"""
import math

from .c_ops import NoCForm
from .c_shapes import is_array, offset, shape_of


def _shape(t):
    return shape_of(t) if is_array(t) else ()


class LinalgPrinting:
    def eye(self, s, out, pad, lines):
        """``np.eye(N, M, k)``: ones on the k-th diagonal."""
        n, m = _shape(s.target.type)
        k = s.args[2].value if len(s.args) > 2 else 0
        if not isinstance(k, int):
            raise NoCForm("'eye' with a run-time diagonal offset")
        d = self.ctx.dialect
        one, zero = (d.literal(1.0)[0], d.literal(0.0)[0]) if \
            self.real_of(s.target.type) == d.real else ("1", "0")
        i, j = self.kvar(0), self.kvar(1)
        self.loops((n, m), pad, lines, lambda ks, p: [
            f"{p}{out(f'{i} * {m} + {j}')} = {j} - {i} == {k} ? {one} : {zero};"])

    def matmul(self, s, env, out, pad, lines):
        op = s.op
        g, a, b = (None,) + tuple(s.args) if op in ("matmul", "dot") else s.args
        sa, sb = _shape(a.type), _shape(b.type)
        if max(len(sa), len(sb)) <= 2:
            return self._matmul_2d(s, env, out, pad, lines)
        if op.startswith("dot") or min(len(sa), len(sb)) < 1:
            raise NoCForm(f"'{op}' of shapes {sa} and {sb} (stacks of matrices multiply "
                          "with @)")
        # NumPy's promotion: a vector a is a row (1, k), a vector b a column (k, 1), and
        # the product's (and g's) missing dimension is a size-1 one, which moves no offset
        pa = sa if len(sa) > 1 else (1,) + sa
        pb = sb if len(sb) > 1 else sb + (1,)
        shapes = {"a": pa, "b": pb}
        if g is not None:
            sg = _shape(g.type)
            cut = (len(sa) > 1) + (len(sb) > 1)
            shapes["g"] = sg[:len(sg) - cut] + (pa[-2], pb[-1])
        # (operand, transposed): out[.., i, j] = sum_l x[.., i, l] * y[.., l, j]
        x, y = {"matmul": (("a", False), ("b", False)), "matmul_vjp_a": (("g", False), ("b", True)),
                "matmul_vjp_b": (("a", True), ("g", False))}[op]
        var = {"a": a, "b": b, "g": g}
        core = lambda o: shapes[o[0]][-2:][::-1] if o[1] else shapes[o[0]][-2:]
        (m, inner), (inner2, n) = core(x), core(y)
        target = _shape(s.target.type)
        kept = {"matmul": (len(sa) > 1) + (len(sb) > 1), "matmul_vjp_a": 1 + (len(sa) > 1),
                "matmul_vjp_b": 1 + (len(sb) > 1)}[op]
        batch = target[:len(target) - kept]
        if inner != inner2 or math.prod(batch) * m * n != math.prod(target):
            raise NoCForm(f"'{op}' of shapes {sa} and {sb}")
        depth = len(batch)
        bks = [self.kvar(d) for d in range(depth)]
        i, j, l = self.kvar(depth), self.kvar(depth + 1), self.kvar(depth + 2)

        def at(operand, r, c):
            sv = shapes[operand[0]]
            if operand[1]:
                r, c = c, r
            st = [math.prod(sv[d + 1:]) for d in range(len(sv))]
            lead = depth - (len(sv) - 2)
            terms = [(bks[lead + d], st[d]) for d in range(len(sv) - 2) if sv[d] != 1]
            terms += [(r, st[-2]), (c, st[-1])]
            return f"{self.names[var[operand[0]].name]}[{offset(terms)}]"
        zero = self.ctx.dialect.literal(0.0)[0]
        virtual = batch + (m, n)

        def body(ks, p):
            o = out(self.flat(virtual, ks))
            return [f"{p}{o} = {zero};",
                    f"{p}for (long {l} = 0; {l} < {inner}; {l}++) {{",
                    f"{p}    {o} += {at(x, i, l)} * {at(y, l, j)};",
                    f"{p}}}"]
        self.loops(virtual, pad, lines, body)

    def _matmul_2d(self, s, env, out, pad, lines):
        op = s.op
        if op in ("matmul", "dot"):
            a, b = s.args
            g = None
        else:
            g, a, b = s.args
        for v in (a, b):
            if not is_array(v.type) or len(shape_of(v.type)) > 2:
                raise NoCForm(f"'{op}' of arrays with other than 1 or 2 dimensions")
        sa, sb = shape_of(a.type), shape_of(b.type)
        m, k = (1, sa[0]) if len(sa) == 1 else sa
        k2, n = (sb[0], 1) if len(sb) == 1 else sb
        if k != k2:
            raise NoCForm(f"'{op}' of shapes {sa} and {sb}")
        A, B = self.names[a.name], self.names[b.name]
        d = self.ctx.dialect
        zero = d.literal(0.0)[0]
        i, j, l = self.kvar(0), self.kvar(1), self.kvar(2)
        a_at = lambda r, c: f"{A}[{offset([(r, k), (c, 1)])}]"
        b_at = lambda r, c: f"{B}[{offset([(r, n), (c, 1)])}]"
        if g is not None and not is_array(g.type):
            g_at = lambda r, c: self.atom(g, env)[0]
        elif g is not None:
            G = self.names[g.name]
            g_at = lambda r, c: f"{G}[{offset([(r, n), (c, 1)])}]"
        if op in ("matmul", "dot"):
            inner = k
            term = lambda: f"{a_at(i, l)} * {b_at(l, j)}"
            o = lambda: offset([(i, n), (j, 1)])
            outer = [(i, m), (j, n)]
        elif op.endswith("_a"):       # g (m, n) @ b^T (n, k) -> (m, k)
            inner = n
            term = lambda: f"{g_at(i, l)} * {b_at(j, l)}"
            o = lambda: offset([(i, k), (j, 1)])
            outer = [(i, m), (j, k)]
        else:                         # a^T (k, m) @ g (m, n) -> (k, n)
            inner = m
            term = lambda: f"{a_at(l, i)} * {g_at(l, j)}"
            o = lambda: offset([(i, n), (j, 1)])
            outer = [(i, k), (j, n)]
        for depth, (v, cnt) in enumerate(outer):
            lines.append(f"{pad}{'    ' * depth}for (long {v} = 0; {v} < {cnt}; {v}++) {{")
        p = pad + "    " * len(outer)
        lines.append(f"{p}{out(o())} = {zero};")
        lines.append(f"{p}for (long {l} = 0; {l} < {inner}; {l}++) {{")
        lines.append(f"{p}    {out(o())} += {term()};")
        lines.append(f"{p}}}")
        for depth in reversed(range(len(outer))):
            lines.append(f"{pad}{'    ' * depth}}}")
