"""Fixed-shape NumPy arrays in the C99 backend: each array primitive as loops.

A mixin of ``c_function.FunctionPrinter``.  An array value is a flat,
row-major C array whose length comes from its static type
(``Array(dtype, shape)``): parameters are ``const double *x``, gradients
``double *d_x``, locals ``double t[N]`` declared at the top of the function
(``static``: an embedded stack stays small; never the heap), tape entries
``double tape[cap][N]``.  Nothing reads an array before the IR defines it, so
the static buffers need no initialiser; the header counts them as storage.

Invariants
- Every array primitive prints as ``for`` loops over static shapes; shapes
  come from the IR types only, never from run-time values.  A shape that is
  not static, an index that is not an int, a constant slice, or a tuple of
  them, and any primitive not listed here raise ``NoCForm`` (reported as
  ``UnsupportedError`` at the user's line).
- Broadcasting follows NumPy: shapes align on the right, size-1 and missing
  dimensions read element 0.
- A primitive whose target is also an argument and that is not elementwise
  (matmul, reductions, ...) computes into a scratch block first, so reads
  never see partial writes.  Elementwise primitives run in place.
- Indexed regions (reads, writes, adjoint scatters) are addressed by
  ``c_index.region`` only.
"""
import math

from ..ir import Const, Var
from ..rules.effects import python_only
from .c_index import IndexArray, IndexPrinting
from .c_linalg import LinalgPrinting
from .c_ops import ATOM, NoCForm, render
from .c_shapes import elem_type, is_array, offset, shape_of, size_of, strides  # noqa: F401


def _axes(axis, ndim):
    if axis is None:
        return tuple(range(ndim))
    axes = axis if isinstance(axis, tuple) else (axis,)
    return tuple(sorted(a % ndim for a in axes))


ELEMENTWISE_SKIP = {"item", "pack"}
FILL = {"zeros": 0.0, "ones": 1.0, "zeros_like": 0.0, "ones_like": 1.0,
        "zeros_for": 0.0, "tuple_for": 0.0}   # an array literal's room; its elements next
REDUCE = ("sum", "mean", "amax", "amin", "prod")
RESHAPE = ("reshape", "ravel", "flatten", "like")
# np.all/np.any/np.count_nonzero of a whole array: (start, update of the scalar per element)
LOGIC = {"np_all": ("1", "&="), "np_any": ("0", "|="), "count_nonzero": ("0", "+=")}


class ArrayPrinting(IndexPrinting, LinalgPrinting):
    # -- names and element access ---------------------------------------------------------
    def kvar(self, d):
        ks = self.__dict__.setdefault("_kvars", [])
        while len(ks) <= d:
            ks.append(self.names.fresh(f"k{len(ks)}"))
        return ks[d]

    def real_of(self, t):
        return self.ctx.dialect.scalar(elem_type(t))

    def array_decls(self, pad):
        out = []
        params = {p.name for p in self.fn.params}
        for name, t in self.types.items():
            if isinstance(t, IndexArray):
                out.append(f"{pad}long {self.names[name]}[{size_of(t)}] = {{0}};")
            elif is_array(t) and name not in params and name not in self.unread:
                n = max(1, size_of(t))
                if self.real_of(t) == "long":
                    self.array_longs += n
                else:
                    self.array_storage += n
                out.append(f"{pad}{self.storage}{self.real_of(t)} {self.names[name]}[{n}];")
        return out

    def el(self, a, env, out_shape, ks):
        """Element of atom ``a`` broadcast to ``out_shape`` at loop indices ``ks``."""
        if not is_array(a.type):
            return self.atom(a, env)
        shape = shape_of(a.type)
        lead = len(out_shape) - len(shape)
        st = strides(shape)
        terms = [(ks[lead + d], st[d]) for d, n in enumerate(shape) if n != 1]
        return f"{self.names[a.name]}[{offset(terms)}]", ATOM

    def loops(self, shape, pad, lines, body):
        """``body(ks, pad)`` inside a loop nest over ``shape`` (none for a scalar)."""
        ks = [self.kvar(d) for d in range(len(shape))]
        for d, n in enumerate(shape):
            lines.append(f"{pad}{'    ' * d}for (long {ks[d]} = 0; {ks[d]} < {n}; {ks[d]}++) {{")
        inner = pad + "    " * len(shape)
        lines += body(ks, inner)
        for d in reversed(range(len(shape))):
            lines.append(f"{pad}{'    ' * d}}}")

    def flat(self, shape, ks):
        return offset(list(zip(ks, strides(shape))))

    # -- statements -----------------------------------------------------------------------
    def needs_array_form(self, s):
        return is_array(s.target.type) or any(is_array(a.type) for a in s.args) or \
            any(isinstance(a, Const) and a.type == "static" for a in s.args)

    def array_assign(self, s, env, pad, lines):
        """Print an Assign whose target or arguments are arrays."""
        name = s.target.name
        t = s.target.type
        if not is_array(t) and name in self.place.at_stmt.get(id(s), ()):
            lines.append(f"{pad}{self.decl(name)};{self.comment(s)}")
        elif self.comment(s):
            lines.append(f"{pad}/* line {self.last_line} */")
        shape = shape_of(t)
        args = s.args
        scratch = is_array(t) and s.op not in ("setitem",) and \
            any(isinstance(a, Var) and a.name == name for a in args) and \
            not self._elementwise(s)
        dest = self.names[name]
        body = []
        if scratch:
            tmp = self.names.fresh(dest + "_new")
            body.append(f"{pad}    {self.storage}{self.real_of(t)} {tmp}[{max(1, size_of(t))}];")
            self.array_storage += max(1, size_of(t))
            self._array_op(s, env, tmp, pad + "    ", body)
            self.loops((size_of(t),), pad + "    ", body,
                       lambda ks, p: [f"{p}{dest}[{ks[0]}] = {tmp}[{ks[0]}];"])
            lines.append(f"{pad}{{")
            lines += body
            lines.append(f"{pad}}}")
            return
        self._array_op(s, env, dest, pad, lines)

    def _elementwise(self, s):
        return s.op not in REDUCE + ("expand_to", "extremum_mask", "unbroadcast", "matmul",
                                     "dot", "matmul_vjp_a", "matmul_vjp_b", "dot_vjp_a",
                                     "dot_vjp_b", "getitem", "getitem_copy", "getitem_vjp",
                                     "setitem", "count", "transpose", "transpose_vjp",
                                     "outer", "eye", "prod_others") + RESHAPE and s.op not in FILL

    def _target(self, s, dest):
        """Writer of element ``off`` of the target (a scalar target ignores ``off``)."""
        if is_array(s.target.type):
            return lambda off: f"{dest}[{off}]"
        return lambda off: dest

    def _array_op(self, s, env, dest, pad, lines):
        op, args, t = s.op, s.args, s.target.type
        if op == "index":
            return self.index_assign(s, env, dest, pad, lines)
        shape = shape_of(t)
        out = self._target(s, dest)
        d = self.ctx.dialect
        lit = lambda v: d.literal(float(v))[0] if elem_type(t) == "float" else str(int(v))

        def static(a):
            if not isinstance(a, Const):
                raise NoCForm(f"'{op}' with a run-time {a.type} argument")
            return a.value

        if op == "checkpoint_start":      # fills the schedule's state (c_checkpoint.py)
            self.ctx.helpers.add(op)
            n = self.atom(args[0], env)[0]
            lines.append(f"{pad}checkpoint_start({n}, {static(args[1])}, {dest}, "
                         f"{size_of(t)});")
            return
        if op == "checkpoint_next":
            self.ctx.helpers.add(op)
            lines.append(f"{pad}{out('0')} = checkpoint_next({self.names[args[0].name]});")
            return
        if op == "eye":
            return self.eye(s, out, pad, lines)
        if op in FILL:
            v = lit(FILL[op])
            self.loops(shape, pad, lines, lambda ks, p: [f"{p}{out(self.flat(shape, ks))} = {v};"])
            return
        if op == "count":
            x = shape_of(args[0].type)
            n = math.prod(x[a] for a in _axes(static(args[1]), len(x)))
            lines.append(f"{pad}{out('0')} = {n};")
            return
        if op in ("asarray", "astype", "astype_like") and is_array(args[0].type) and \
                args[0].type.dtype == t.dtype:
            op, args = "copy", args[:1]        # a cast to the dtype it has: a copy
        if op in ("copy", "copy_array") + RESHAPE:
            if op in RESHAPE:
                args = args[:1]
            if is_array(args[0].type) and op in RESHAPE:
                if size_of(args[0].type) != size_of(t):
                    raise NoCForm(f"'{op}' from {args[0].type} to {t}")
                self.loops((size_of(t),), pad, lines, lambda ks, p: [
                    f"{p}{out(ks[0])} = {self.names[args[0].name]}[{ks[0]}];"])
                return
            self.loops(shape, pad, lines, lambda ks, p: [
                f"{p}{out(self.flat(shape, ks))} = {self.el(args[0], env, shape, ks)[0]};"])
            return
        if op in REDUCE:
            return self._reduce(s, env, out, pad, lines)
        if op in LOGIC and len(args) == 1 and is_array(args[0].type) and not shape:
            src, (start, update) = self.names[args[0].name], LOGIC[op]
            lines.append(f"{pad}{out('0')} = {start};")
            self.loops((size_of(args[0].type),), pad, lines, lambda ks, p: [
                f"{p}{out('0')} {update} {src}[{ks[0]}] != 0;"])
            return
        if op == "expand_to":
            g, x, axis, keep = args
            xs = shape_of(x.type)
            axes = _axes(static(axis), len(xs))
            gs = shape_of(g.type)

            def body(ks, p):
                if not is_array(g.type):
                    return [f"{p}{out(self.flat(xs, ks))} = {self.atom(g, env)[0]};"]
                if static(keep):
                    kk = [("0" if i in axes else ks[i]) for i in range(len(xs))]
                else:
                    kk = [ks[i] for i in range(len(xs)) if i not in axes]
                terms = [(k, st) for k, st, n in zip(kk, strides(gs), gs) if n != 1]
                return [f"{p}{out(self.flat(xs, ks))} = {self.names[g.name]}[{offset(terms)}];"]
            self.loops(xs, pad, lines, body)
            return
        if op == "extremum_mask":
            return self._extremum_mask(s, env, out, pad, lines)
        if op == "prod_others":
            return self._prod_others(s, out, pad, lines)
        if op == "unbroadcast":
            g, x = args
            xs = shape_of(x.type)
            if not is_array(g.type):
                self.loops(xs, pad, lines, lambda ks, p: [
                    f"{p}{out(self.flat(xs, ks))} = {self.atom(g, env)[0]};"])
                return
            gs = shape_of(g.type)
            zero = lit(0)
            self.loops(xs, pad, lines, lambda ks, p: [f"{p}{out(self.flat(xs, ks))} = {zero};"])
            lead = len(gs) - len(xs)
            st = strides(xs)

            def acc(ks, p):
                terms = [(ks[lead + i], st[i]) for i, n in enumerate(xs) if n != 1]
                return [f"{p}{out(offset(terms))} += {self.names[g.name]}[{self.flat(gs, ks)}];"]
            self.loops(gs, pad, lines, acc)
            return
        if op in ("matmul", "dot", "matmul_vjp_a", "matmul_vjp_b", "dot_vjp_a", "dot_vjp_b"):
            return self.matmul(s, env, out, pad, lines)
        if op in ("getitem", "getitem_copy"):
            x, idx = args
            reg, region = self.region(x, idx, env)
            self.loops(reg, pad, lines, lambda ks, p: [
                f"{p}{out(self.flat(reg, ks))} = {self.names[x.name]}[{region(ks)}];"])
            return
        if op in ("setitem", "getitem_vjp"):
            if op == "setitem":
                x, idx, v = args
            else:
                v, x, idx = args
            xs = shape_of(x.type)
            if op == "getitem_vjp":
                zero = lit(0)
                self.loops((size_of(t),), pad, lines, lambda ks, p: [f"{p}{out(ks[0])} = {zero};"])
            elif not (isinstance(x, Var) and self.names[x.name] == dest):
                src = self.names[x.name]
                self.loops((size_of(t),), pad, lines, lambda ks, p: [
                    f"{p}{out(ks[0])} = {src}[{ks[0]}];"])
            reg, region = self.region(x, idx, env)
            if not xs:
                raise NoCForm("indexing a 0-d array")
            self.loops(reg, pad, lines, lambda ks, p: [
                f"{p}{out(region(ks))} = {self.el(v, env, reg, ks)[0]};"])
            return
        if op == "outer":
            a, b = args
            na, nb = size_of(a.type), size_of(b.type)
            A, B = self.names[a.name], self.names[b.name]
            self.loops((na, nb), pad, lines, lambda ks, p: [
                f"{p}{out(self.flat((na, nb), ks))} = {A}[{ks[0]}] * {B}[{ks[1]}];"])
            return
        if op in ("transpose", "transpose_vjp"):
            x, axes = args[0], static(args[1])
            xs = shape_of(x.type)
            perm = list(reversed(range(len(xs)))) if axes is None else [a % len(xs) for a in axes]
            if op == "transpose_vjp" and axes is not None:
                perm = [perm.index(i) for i in range(len(xs))]
            st = strides(xs)
            self.loops(shape, pad, lines, lambda ks, p: [
                f"{p}{out(self.flat(shape, ks))} = {self.names[x.name]}"
                f"[{offset([(ks[d], st[perm[d]]) for d in range(len(xs))])}];"])
            return
        if op in ELEMENTWISE_SKIP or any(isinstance(a, Const) and a.type == "static"
                                         for a in args) or \
                any(len(shape_of(a.type)) > len(shape) for a in args if is_array(a.type)):
            # (an array argument larger than the result: a reduction with no C form here)
            raise NoCForm(python_only(op, args) or f"the array primitive '{op}'")
        # elementwise: render the scalar operation on elements
        types = [elem_type(a.type) for a in args]
        same = all(not is_array(a.type) or shape_of(a.type) == shape for a in args)
        loop_shape = (size_of(t),) if same and shape else shape

        def ew(ks, p):
            if same and shape:
                elems = [(f"{self.names[a.name]}[{ks[0]}]", ATOM) if is_array(a.type)
                         else self.atom(a, env) for a in args]
                off = ks[0]
            else:
                elems = [self.el(a, env, shape, ks) for a in args]
                off = self.flat(shape, ks)
            text, _ = render(op, elems, types, d, self.ctx.helpers, elem_type(t))
            return [f"{p}{out(off)} = {text};"]
        self.loops(loop_shape, pad, lines, ew)

    def _reduce(self, s, env, out, pad, lines):
        op = s.op
        x, axis = s.args[0], s.args[1]
        keep = s.args[2]
        if not isinstance(axis, Const) or not isinstance(keep, Const):
            raise NoCForm(f"'{op}' with a run-time axis")
        if not is_array(x.type):    # np.sum(v) of a number is the number (an array of one)
            self.loops((1,) if is_array(s.target.type) else (), pad, lines,
                       lambda ks, p: [f"{p}{out(ks[0] if ks else '0')} = "
                                      f"{self.atom(x, env)[0]};"])
            return
        xs = shape_of(x.type)
        axes = _axes(axis.value, len(xs))
        os_ = [n for i, n in enumerate(xs) if i not in axes]
        if keep.value:
            os_ = [1 if i in axes else n for i, n in enumerate(xs)]
        d = self.ctx.dialect
        t = s.target.type
        init = {"sum": "0.0", "mean": "0.0", "prod": "1.0", "amax": "-HUGE_VAL",
                "amin": "HUGE_VAL"}[op]
        init = d.literal(float(init))[0] if init[0].isdigit() else \
            init + ("F" if d.real == "float" else "")
        n_out = math.prod(os_)
        self.loops((n_out,) if is_array(t) else (), pad, lines,
                   lambda ks, p: [f"{p}{out(ks[0] if ks else '0')} = {init};"])
        src = self.names[x.name]

        def body(ks, p):
            kept = [("0" if keep.value else None) if i in axes else ks[i] for i in range(len(xs))]
            kept = [k for k in kept if k is not None]
            o = out(offset(list(zip(kept, strides(tuple(os_))))))
            e = f"{src}[{self.flat(xs, ks)}]"
            if op in ("sum", "mean"):
                return [f"{p}{o} += {e};"]
            if op == "prod":
                return [f"{p}{o} *= {e};"]
            cmp = ">" if op == "amax" else "<"
            return [f"{p}if ({e} {cmp} {o} || {e} != {e}) {{", f"{p}    {o} = {e};", f"{p}}}"]
        self.loops(xs, pad, lines, body)
        if op == "mean":
            cnt = d.literal(float(math.prod(xs[a] for a in axes)))[0]
            self.loops((n_out,) if is_array(t) else (), pad, lines,
                       lambda ks, p: [f"{p}{out(ks[0] if ks else '0')} /= {cnt};"])

    def _prod_others(self, s, out, pad, lines):
        """Each element's product of the others in its reduction: a loop over the reduced
        axes skipping the element itself (no division, so right at zeros)."""
        x, axis = s.args
        xs = shape_of(x.type)
        axes = _axes(axis.value, len(xs))
        src, one = self.names[x.name], self.ctx.dialect.literal(1.0)[0]

        def body(ks, p):
            rs = {a: self.names.fresh(f"r{a}") for a in axes}
            inner = p + "    " * len(axes)
            code = [f"{p}{out(self.flat(xs, ks))} = {one};"]
            code += [f"{p}{'    ' * i}for (long {rs[a]} = 0; {rs[a]} < {xs[a]}; {rs[a]}++) {{"
                     for i, a in enumerate(axes)]
            other = " || ".join(f"{rs[a]} != {ks[a]}" for a in axes) or "0"
            at = self.flat(xs, [rs.get(d, k) for d, k in enumerate(ks)])
            code += [f"{inner}if ({other}) {{",
                     f"{inner}    {out(self.flat(xs, ks))} *= {src}[{at}];", f"{inner}}}"]
            code += [f"{p}{'    ' * i}}}" for i in reversed(range(len(axes)))]
            return code
        self.loops(xs, pad, lines, body)

    def _extremum_mask(self, s, env, out, pad, lines):
        x, y, axis, keep = s.args
        xs = shape_of(x.type)
        axes = _axes(axis.value, len(xs))
        ys = shape_of(y.type)
        cnt = self.names.fresh("hits")
        d = self.ctx.dialect
        n = max(1, math.prod(ys))
        lines.append(f"{pad}{{")
        p0 = pad + "    "
        lines.append(f"{p0}{d.real} {cnt}[{n}];")
        self.loops((n,), p0, lines, lambda ks, p: [f"{p}{cnt}[{ks[0]}] = {d.literal(0.0)[0]};"])

        def yoff(ks):
            kk = [("0" if keep.value else None) if i in axes else ks[i] for i in range(len(xs))]
            kk = [k for k in kk if k is not None]
            return offset([(k, st) for k, st, m in zip(kk, strides(ys), ys) if m != 1])

        def yel(ks):
            return f"{self.names[y.name]}[{yoff(ks)}]" if is_array(y.type) \
                else self.atom(y, env)[0]
        src = self.names[x.name]
        self.loops(xs, p0, lines, lambda ks, p: [
            f"{p}{cnt}[{yoff(ks)}] += {src}[{self.flat(xs, ks)}] == {yel(ks)};"])
        self.loops(xs, p0, lines, lambda ks, p: [
            f"{p}{out(self.flat(xs, ks))} = ({src}[{self.flat(xs, ks)}] == {yel(ks)}) / "
            f"{cnt}[{yoff(ks)}];"])
        lines.append(f"{pad}}}")
