"""Calls, returns and residual frames in the C backend, scalars and arrays alike.

A mixin of ``c_function.FunctionPrinter``.

Invariants
- An array argument is passed as a pointer to its first element (``const``
  in the callee); an array result is written by the callee, element by
  element, into the caller's buffer through an out-pointer, and only in its
  final ``return`` (so a callee never reads an output it has written).
- When a call's array target is also one of its arguments (``x = f(x)``),
  the callee writes into a scratch block that is copied afterwards: an
  out-pointer never aliases an input.
- An array parameter the body assigns (``x = x * 0.5`` in a loop) is copied
  into a local array of its own at entry; the prototype keeps the Python
  name (``param_names``) and the caller's array is never written.
- An array a ``rev`` loads from its frame but reads only for its shape
  (``unread_items``) is neither declared nor copied.
- A failing function returns its status code and the caller passes it on;
  the value function ``NAME`` returns NaN instead (``error_value``).
- Array fields of a frame (``struct g_res``) are copied in by ``pack`` and
  copied out by ``item``, element by element; the frame owns its copy, so
  the caller may overwrite the array after the call.
"""
from ..errors import UnsupportedError
from ..ir import Assign, Var
from ..ir.walk import atoms_read, vars_written, walk
from .c_arrays import is_array, size_of


SHAPE_ONLY = {"getitem_vjp": (1,), "unbroadcast": (1,), "expand_to": (1,), "count": (0,),
              "zeros_like": (0,), "ones_like": (0,), "matmul_vjp_a": (1,), "dot_vjp_a": (1,),
              "matmul_vjp_b": (2,), "dot_vjp_b": (2,),
              "astype_like": (1,),    # (its dtype)
              "like": (1,)}           # argument positions read for shape (like: a reshape)


class CallPrinting:
    def unread_items(self):
        """Values a ``rev`` loads from its frame (``item``) but reads only for their
        static shape (arrays, and the scalars ``unbroadcast(g, s)`` sums to): neither
        declared nor copied (C would warn they are unused)."""
        loaded = {st.target.name for st in walk(self.fn.body) if isinstance(st, Assign) and
                  st.op == "item" and st.target.type not in ("tape", "residual")}
        for st in walk(self.fn.body):
            loaded -= self.values_read(st)
            loaded -= {v.name for v in vars_written(st) if getattr(st, "op", None) != "item"}
        return loaded

    @staticmethod
    def values_read(st):
        """Names whose values the C form of ``st`` reads: not those read for their static
        shape alone (``SHAPE_ONLY``)."""
        if not isinstance(st, Assign):
            return {a.name for a in atoms_read(st)}
        skip = SHAPE_ONLY.get(st.op, ())
        return {a.name for k, a in enumerate(st.args) if k not in skip and isinstance(a, Var)}

    def own_params(self):
        """Give array parameters the body writes a local copy (call after the signature)."""
        self.param_names = {p.name: self.names[p.name] for p in self.fn.params}
        written = {v.name for st in walk(self.fn.body) for v in vars_written(st)}
        self.param_copies = []
        for p in self.fn.params:
            if is_array(p.type) and p.name in written:
                local = self.names.fresh(self.param_names[p.name] + "_")
                self.names.mapping[p.name] = local
                self.param_copies.append((local, self.param_names[p.name], p.type))

    def param_copy_lines(self, pad):
        out = []
        for local, param, t in self.param_copies:
            n = size_of(t)
            self.array_storage += n
            out.append(f"{pad}{self.storage}{self.real_of(t)} {local}[{n}];")
        for local, param, t in self.param_copies:
            self.loops((size_of(t),), pad, out, lambda ks, p: [
                f"{p}{local}[{ks[0]}] = {param}[{ks[0]}];"])
        return out

    def call(self, s, env, pad, lines):
        ctx, lay = self.ctx, self.ctx.layout
        sig = ctx.sigs[s.func]
        targets = list(s.targets)
        args = [self.atom(a, env)[0] for a in s.args]
        if lay.kinds[s.func] == "fwd":
            res = targets.pop()
            if lay.frames[s.func]:
                pool, count = ctx.pools[s.func]
                if s.func in lay.checked:
                    lines.append(f"{pad}if ({count} == {ctx.max_macro}) "
                                 f"return {ctx.status_calls};")
                lines.append(self.assign_line(pad, res.name, f"&{pool}[{count}++]", s))
            else:
                lines.append(self.assign_line(pad, res.name, "NULL", s))
            args.append(self.names[res.name])
        if sig.style == "value":
            call = f"{sig.name}({', '.join(args)})"
            lines.append(self.assign_line(pad, targets[0].name, call, s))
            return
        read = {a.name for a in s.args if is_array(getattr(a, "type", None))}
        outs, copies = [], []
        for t in targets:
            if not is_array(t.type):
                outs.append("&" + self.names[t.name])
            elif t.name in read:       # x = f(x): the callee must not write what it reads
                tmp = self.names.fresh(self.names[t.name] + "_out")
                n = size_of(t.type)
                lines.append(f"{pad}{self.storage}{self.real_of(t.type)} {tmp}[{n}];")
                self.array_storage += n
                outs.append(tmp)
                copies.append((self.names[t.name], tmp, n))
            else:
                outs.append(self.names[t.name])
        call = f"{sig.name}({', '.join(args + outs)})"
        if sig.style == "void":
            lines.append(f"{pad}{call};{self.comment(s)}")
        else:
            lines.append(f"{pad}{self.status} = {call};{self.comment(s)}")
            lines.append(f"{pad}if ({self.status} != {ctx.status_ok}) "
                         f"return {self.error_value(self.status)};")
        for dst, src, n in copies:
            self.loops((n,), pad, lines, lambda ks, p: [f"{p}{dst}[{ks[0]}] = {src}[{ks[0]}];"])

    def error_value(self, code):
        """What a failing function returns: the status ``code``; the value function, which
        returns its result, NaN."""
        if self.fn.name != self.ctx.value_entry:
            return code
        if self.sig.result != self.ctx.dialect.real:
            raise UnsupportedError.at(self.fn.loc, "the C value function returns NaN when it "
                                      "fails (an index out of range, or an error Python "
                                      "raises: // 0, int overflow, int(nan)), and this one "
                                      f"returns {self.sig.result}", "C backend: run-time index")
        return "NAN"

    def return_(self, s, env, pad, lines):
        values = list(s.values)
        if self.kind == "fwd":
            values = values[:-1]
        exprs = [self.atom(v, env)[0] for v in values]
        if self.sig.style == "value":
            lines.append(f"{pad}return {exprs[0]};")
            return
        for (_, name), e, v in zip(self.sig.outs, exprs, values):
            want = self.out_types.get(name)
            if want is not None and is_array(want):
                n = size_of(want)
                src = (lambda k: f"{e}[{k}]") if is_array(v.type) else (lambda k: e)
                self.loops((n,), pad, lines, lambda ks, p: [f"{p}{name}[{ks[0]}] = {src(ks[0])};"])
            else:
                lines.append(f"{pad}*{name} = {e};")
        if self.sig.style == "status":
            lines.append(f"{pad}return {self.ctx.status_ok};")

    def frame_assign(self, s, env, pad, lines):
        """``pack`` (fill a frame or build a record) and ``item`` (read a field)."""
        ctx = self.ctx
        if s.op == "pack" and self.is_record(s.target.name):
            lines.append(self.assign_line(pad, s.target.name, self.expr(s, env)[0], s))
            return
        if s.op == "pack":
            fields = ctx.fields[self.fn.name]
            frame = self.names[s.target.name]
            for a in s.args:
                field = f"{frame}->{fields[a.name]}" if a.type != "tape" else None
                if a.type == "tape":
                    lines.append(f"{pad}{frame}->{fields[a.name + '#top']} = "
                                 f"{self.tops[a.name]};")
                elif is_array(a.type):
                    src = self.names[a.name]
                    self.loops((size_of(a.type),), pad, lines, lambda ks, p: [
                        f"{p}{field}[{ks[0]}] = {src}[{ks[0]}];"])
                else:
                    lines.append(f"{pad}{field} = {self.atom(a, env)[0]};")
            return
        fwd = ctx.layout.frame_of(self.fn.name, s.args[0].name)
        fl = ctx.layout.frames[fwd][s.args[1].value]
        dot = "." if self.is_record(s.args[0].name) else "->"
        where = f"{self.names[s.args[0].name]}{dot}"
        if s.target.type == "tape":
            self.tape_home[s.target.name] = where + ctx.fields[fwd][fl.name]
            lines.append(f"{pad}size_t {self.tops[s.target.name]} = "
                         f"{where}{ctx.fields[fwd][fl.name + '#top']};")
        elif s.target.name in self.unread:
            return
        elif is_array(s.target.type):
            dst, src = self.names[s.target.name], where + ctx.fields[fwd][fl.name]
            self.loops((size_of(s.target.type),), pad, lines, lambda ks, p: [
                f"{p}{dst}[{ks[0]}] = {src}[{ks[0]}];"])
        else:
            lines.append(self.assign_line(pad, s.target.name,
                                          where + ctx.fields[fwd][fl.name], s))
