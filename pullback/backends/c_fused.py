"""A fused loop nest (``loopnest.Nest``) printed inline as C loops.

A mixin of ``c_function.FunctionPrinter``.  ``fused_block`` picks the runs of a
block that become one nest (``fusion.fuse``); ``fused`` prints one::

    for (long k0 = 0; k0 < 9; k0++) {
        double e0 = x[k0];
        double e1 = x[k0 + 1] - e0 * e0;
        ...
        x_bar[k0 + 1] += 200.0 * e1;
    }

Invariants
- arrays keep their static storage (``c_arrays.py``): a nest's allocations are
  the statements' own targets, zeroed first where the nest accumulates into them;
- a statement with a run-time check before it (``c_raise``, ``c_index``) or whose
  target the declaration placement folds never joins a nest, so no check is lost;
- reduced scalars are declared where their statement declared them.
"""
import math
import re

from ..ir import Assign, Var
from .c_ops import ATOM, render
from .c_shapes import is_array, size_of, strides
from .fusion import Fused, block_exits, fuse, value_uses
from .loopnest import Load, Reduce, Store, folded

START = {"sum": 0.0, "mean": 0.0, "prod": 1.0}


def worth(nest):
    """Fuse where at least two operations share the loop (one alone is the old loop)."""
    return sum(isinstance(b, (Assign, Reduce)) or isinstance(b, Store) and b.accumulate
               for b in nest.body) >= 2


class FusedPrinting:
    def fused_block(self, body):
        lay = self.ctx.layout
        raising = lay.raising.get(self.fn.name, {})
        risky = lay.risky.get(self.fn.name, {})

        def candidate(s):
            return isinstance(s, Assign) and id(s) not in raising and id(s) not in risky and \
                s.target.name not in self.place.folded and \
                not any(isinstance(a, Var) and a.name in self.place.folded and is_array(a.type)
                        for a in s.args)
        if not hasattr(self, "value_uses"):
            self.value_uses, self.exits = value_uses(self.fn), block_exits(self.fn)
        return fuse(body, self.value_uses, worth, candidate, self.exits.get(id(body)))

    def fused_away(self, body_lines):
        """Arrays of fused statements the printed body never mentions (not declared)."""
        text = "\n".join(body_lines)
        return {n for n in self.fused_names
                if not re.search(rf"\b{re.escape(self.names[n])}\b", text)}

    def fused(self, item, env, pad, lines):
        nest, d = item.nest, self.ctx.dialect
        self.fused_names |= {s.target.name for s in item.stmts if is_array(s.target.type)}
        for s in item.stmts:
            name = s.target.name
            if not is_array(s.target.type) and name in self.place.at_stmt.get(id(s), ()):
                lines.append(f"{pad}{self.decl(name)};")
        comment = self.comment(item)
        if comment:
            lines.append(f"{pad}/* line {self.last_line} */")
        for a in nest.allocs:
            if a.source is not None and a.source.name != a.target.name:
                src, dest = self.atom(a.source, env)[0], self.names[a.target.name]
                self.loops((size_of(a.target.type),), pad, lines,
                           lambda ks, p: [f"{p}{dest}[{ks[0]}] = {src}[{ks[0]}];"])
            elif a.zero:
                zero = d.literal(0.0)[0] if a.target.type.dtype == "float64" else "0"
                dest = self.names[a.target.name]
                self.loops((size_of(a.target.type),), pad, lines,
                           lambda ks, p: [f"{p}{dest}[{ks[0]}] = {zero};"])
        for v, op in nest.reduces:
            init = d.literal(START[op])[0] if op in START else \
                ("-" if op == "amax" else "") + "HUGE_VAL" + ("F" if d.real == "float" else "")
            if v.type == "int":
                init = str(int(START[op]))
            lines.append(f"{pad}{self.names[v.name]} = {init};")
        self.loops(nest.shape, pad, lines, lambda ks, p: self.nest_body(nest, env, ks, p))
        for v, op in nest.reduces:
            if op == "mean":
                lines.append(f"{pad}{self.names[v.name]} /= "
                             f"{d.literal(float(math.prod(nest.shape)))[0]};")

    def nest_body(self, nest, env, ks, pad):
        fold, local, lines = folded(nest.body), dict(env), []

        def text(a):
            return local[a.name] if isinstance(a, Var) and a.name in local else self.atom(a, env)

        def at(access):
            st = strides(access.shape)
            const = sum(s * i.start for s, i in zip(st, access.index))
            terms = [f"{ks[i.dim]}" if s * i.step == 1 else f"{s * i.step} * {ks[i.dim]}"
                     for s, i in zip(st, access.index) if i.dim is not None and s * i.step]
            if const or not terms:
                terms.append(str(const))
            return f"{self.names[access.array]}[{' + '.join(terms).replace('+ -', '- ')}]"
        for b in nest.body:
            if isinstance(b, Load):
                got = (at(b.access), ATOM)
            elif isinstance(b, Assign):
                got = render(b.op, [text(a) for a in b.args], [a.type for a in b.args],
                             self.ctx.dialect, self.ctx.helpers, b.target.type)
            elif isinstance(b, Store):
                sym = "+=" if b.accumulate else "="
                lines.append(f"{pad}{at(b.access)} {sym} {text(b.value)[0]};")
                continue
            else:
                lines += self.reduce_line(b, text(b.value)[0], pad)
                continue
            if b.target.name in fold:
                local[b.target.name] = got
            else:
                name = self.names.fresh("e")
                lines.append(f"{pad}{self.ctx.dialect.scalar(b.target.type)} {name} = "
                             f"{got[0]};")
                local[b.target.name] = (name, ATOM)
        return lines

    def reduce_line(self, b, v, pad):
        acc = self.names[b.target.name]
        if b.op in ("sum", "mean"):
            return [f"{pad}{acc} += {v};"]
        if b.op == "prod":
            return [f"{pad}{acc} *= {v};"]
        cmp = ">" if b.op == "amax" else "<"        # NaN wins, as in np.max
        tmp = self.names.fresh("v")
        return [f"{pad}{{", f"{pad}    {self.ctx.dialect.real} {tmp} = {v};",
                f"{pad}    if ({tmp} {cmp} {acc} || {tmp} != {tmp}) {acc} = {tmp};",
                f"{pad}}}"]


__all__ = ["FusedPrinting", "Fused"]
