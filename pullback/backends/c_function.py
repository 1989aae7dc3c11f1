"""One IR function as C99: its signature, declarations and statements.

Invariants
- Calling conventions (``Sig``): one scalar output is the return value;
  several, or an array, go through out-pointers (``c_calls``); a function
  whose bound or index checks can fire returns an ``int`` status and passes
  every output through out-pointers (the value function ``NAME`` returns
  NaN instead).  A ``g_fwd``
  takes the frame its caller allocated after its arguments; a ``g_rev``
  takes that frame (``const``) first.  The entry ``f_grad`` always returns
  a status, fills its outputs (every element) with NaN first when it can
  fail, and empties the frame pools.
- Statements print in IR order; a ``for`` over ``range`` keeps Python's
  semantics (bounds and step evaluated once, index unchanged by the body).
- Every array write is ``tape[top++]`` or ``&pool[count++]`` whose room
  ``c_layout`` proved or a guard checked just before.
"""
from dataclasses import dataclass

from ..errors import UnsupportedError
from ..ir import Assign, Call, Comment, Const, For, If, NewTape, Pop, Push, Return, Var, While
from ..ir.walk import atoms_read, vars_written, walk
from .c_arrays import ArrayPrinting, is_array, size_of
from .c_calls import CallPrinting
from .c_decls import Placement
from .c_fused import Fused, FusedPrinting
from .escape import c_comment
from .c_names import CNames, legal
from .c_loops import LoopPrinting
from .c_ops import ATOM, EQ, UNARY, NoCForm, paren, render, wrapped
from .c_raise import RaisePrinting


@dataclass
class Sig:
    name: str           # C name
    params: list        # C declarations of the value (and frame) parameters
    outs: list          # (C type, name) of out-pointers
    style: str          # value | void | status
    result: str = "void"

    def prototype(self):
        ps = self.params + [f"{t} *{n}" for t, n in self.outs]
        ret = {"value": self.result, "void": "void", "status": "int"}[self.style]
        return f"{ret} {self.name}({', '.join(ps) or 'void'})"


class FunctionPrinter(LoopPrinting, ArrayPrinting, FusedPrinting, CallPrinting, RaisePrinting):
    def __init__(self, fn, ctx):
        self.fn, self.ctx = fn, ctx
        lay = ctx.layout
        self.kind = lay.kinds[fn.name]
        self.types = {}
        for v in list(fn.params) + [v for s in walk(fn.body) for v in _vars(s)]:
            self.types.setdefault(v.name, v.type)
        self.names = CNames(ctx.globals)
        ret = fn.body[-1]
        self.frame = ret.values[-1].name if self.kind == "fwd" else None
        self.sig = self._signature(ret)     # interface names first: locals yield to them
        self.storage = "" if fn.name in ctx.recursive else "static "   # frames of recursion
        self.own_params()
        self.unread = self.unread_items()
        self.tops, self.tape_home = {}, {}
        for name, t in self.types.items():
            self.names[name]
        for name, t in self.types.items():
            if t == "tape":
                self.tops[name] = self.names.fresh(self.names[name] + "_top")
        if self.kind == "fwd":
            home = f"{self.names[self.frame]}->"
            for fl in lay.frames[fn.name]:
                if fl.type == "tape":
                    self.tape_home[fl.name] = home + ctx.fields[fn.name][fl.name]
        self.place = None         # needs every callee's Sig: built by lines()
        self.status = None
        self.last_line = None
        self.prev = None
        self.counted = {}
        self.array_storage = self.array_longs = 0    # reals; longs (a schedule's state)
        self.fused_names = set()     # arrays assigned by statements a fused loop replaced

    # -- types and signature ------------------------------------------------------------
    def ctype(self, name):
        t = self.types[name]
        if t == "residual":
            key = self.ctx.layout.residual_of[(self.fn.name, name)]
            if key in self.ctx.layout.records:
                return f"struct {self.ctx.tags[key]}"
            return f"{'const ' if self.kind == 'rev' else ''}struct {self.ctx.tags[key]} *"
        try:
            if is_array(t):
                return f"const {self.real_of(t)} *"
            return self.ctx.dialect.scalar(t)
        except NoCForm as e:
            raise UnsupportedError.at(self._loc_of(name), f"cannot emit C for {e}",
                                      "C backend") from None

    def decl(self, name, init=None):
        t = self.ctype(name)
        text = f"{t}{'' if t.endswith('*') else ' '}{self.names[name]}"
        return text if init is None else f"{text} = {init}"

    def zero(self, name):
        t = self.types[name]
        if t == "residual" and self.is_record(name):
            return "{0}"
        return "NULL" if t == "residual" else self.ctx.dialect.literal(
            {"float": 0.0, "int": 0, "bool": False}[t])[0]

    def _signature(self, ret):
        ctx, kind = self.ctx, self.kind
        params = [self.decl(p.name) for p in self.fn.params]
        values = list(ret.values)
        if kind == "fwd":
            params.append(self.decl(self.frame))
            values = values[:-1]
        fallible = self.fn.name in ctx.layout.fallible and self.fn.name != ctx.value_entry
        if kind == "grad":
            names = ["value"] + [f"d_{p}" for p in ctx.wrt]
            style = "status"
        else:
            names = [self._out_name(v, i) for i, v in enumerate(values)]
            one = len(values) == 1 and not is_array(values[0].type)
            style = "status" if fallible else ("value" if one else "void")
        types = [self.real_of(v.type) for v in values]
        if kind == "grad":
            types = [ctx.dialect.real] * len(values)
        outs = [] if style == "value" else [(t, self.names.fresh(n)) for t, n in zip(types, names)]
        if kind == "grad":
            by_name = {legal(p.name): p.type for p in self.fn.params}
            wanted = ["float"] + [by_name[w] for w in ctx.wrt]
        else:
            wanted = [v.type for v in values]
        self.out_types = {n: w for (_, n), w in zip(outs, wanted)}
        return Sig(ctx.fnames[self.fn.name], params, outs, style, types[0] if types else "void")

    def _out_name(self, v, i):
        if self.kind == "rev" and isinstance(v, Var) and v.name.endswith("_bar"):
            return "d_" + v.name[:-4]
        return f"out{i}"

    def pure_call(self, s):
        k = self.ctx.layout.kinds.get(s.func)
        return k in ("primal", "rev") and self.value_call(s)

    def is_record(self, name):
        return self.ctx.layout.residual_of.get((self.fn.name, name)) in self.ctx.layout.records

    def record_pack(self, s):
        return s.op == "pack" and self.is_record(s.target.name)

    def value_call(self, s):
        return self.ctx.sigs[s.func].style == "value"

    def _loc_of(self, name):
        for s in walk(self.fn.body):
            if any(v.name == name for v in _vars(s)) and getattr(s, "loc", None):
                return s.loc
        return self.fn.loc

    # -- the function ---------------------------------------------------------------------
    def lines(self):
        ctx, lay = self.ctx, self.ctx.layout
        skip = {n for n, t in self.types.items() if t == "tape" or is_array(t)} | \
            {self.frame} | self.unread
        self.place = Placement(self.fn, self.pure_call, self.value_call, self.record_pack, skip,
                               lay.raising.get(self.fn.name, {}))
        out = [self.sig.prototype(), "{"]
        pad = "    "
        if self.kind == "grad":
            for (f, tape), info in sorted(lay.tapes.items()):
                if f == self.fn.name:
                    cap = info.capacity.c_text(ctx.max_macro)
                    out.append(f"{pad}static {ctx.elem_type(info)}{self.names[tape]}[{cap}]"
                               f"{ctx.elem_suffix(info)};")
            if self.fn.name in lay.fallible:
                for _, n in self.sig.outs:       # every element of an array output
                    self.loops((size_of(self.out_types[n]),) if is_array(self.out_types[n])
                               else (), pad, out, lambda ks, p: [f"{p}{n}[{ks[0]}] = NAN;"
                                                                 if ks else f"{p}*{n} = NAN;"])
            out += [f"{pad}{ctx.pools[g][1]} = 0;" for g in sorted(ctx.pools)]
        if any(isinstance(s, Call) and s.func in lay.fallible and
               ctx.sigs[s.func].style == "status" for s in walk(self.fn.body)):
            self.status = self.names.fresh("status")
            out.append(f"{pad}int {self.status};")
        # (a value read for its static shape alone, or by an item not printed, is unread)
        used = {v.name for s in walk(self.fn.body) for v in vars_written(s)} | \
            {n for s in walk(self.fn.body)
             if not (isinstance(s, Assign) and s.target.name in self.unread)
             for n in self.values_read(s)}
        for p in self.fn.params:
            if p.name not in used and p.name != self.frame:
                out.append(f"{pad}(void){self.names[p.name]};")
        if self.frame is not None and not lay.frames[self.fn.name]:
            out.append(f"{pad}(void){self.names[self.frame]};")
        body = []            # first: fused loops leave some arrays unmentioned
        self.block(self.fn.body, 1, body, ("fn", 0))
        self.unread |= self.fused_away(body)
        try:
            out += self.array_decls(pad) + self.param_copy_lines(pad)
        except NoCForm as e:
            raise UnsupportedError.at(self.fn.loc, f"cannot emit C for {e}", "C backend") \
                from None
        for name in self.place.at_top:
            out.append(f"{pad}{self.decl(name, self.zero(name))};")
        if self.fn.name in lay.deep:
            body = self.depth_bounded(body, pad)
        out += body
        out.append("}")
        return out

    # -- expressions ------------------------------------------------------------------------
    def atom(self, a, env):
        if isinstance(a, Var):
            return env[a.name] if a.name in env else (self.names[a.name], ATOM)
        try:
            return self.ctx.dialect.literal(a.value)
        except NoCForm as e:
            raise UnsupportedError.at(self.fn.loc, f"cannot emit C for {e}", "C backend") \
                from None

    def expr(self, s, env):
        if isinstance(s, Call):
            args = ", ".join(self.atom(a, env)[0] for a in s.args)
            return f"{self.ctx.fnames[s.func]}({args})", ATOM
        args = [self.atom(a, env) for a in s.args]
        if s.op == "copy":
            return args[0]
        if s.op == "pack":
            tag = self.ctx.tags[self.ctx.layout.residual_of[(self.fn.name, s.target.name)]]
            return f"(struct {tag}){{{', '.join(a[0] for a in args)}}}", ATOM
        same = _identity(s)
        if same is not None:
            return args[same]
        try:
            return render(s.op, args, [a.type for a in s.args], self.ctx.dialect,
                          self.ctx.helpers, s.target.type)
        except NoCForm as e:
            raise UnsupportedError.at(s.loc or self.fn.loc, f"cannot emit C for {e}",
                                      "C backend") from None

    def comment(self, s):
        loc = getattr(s, "loc", None)
        if loc is None or loc.derived or not loc.line or loc.line == self.last_line:
            return ""
        self.last_line = loc.line
        return f"  /* line {loc.line} */"

    # -- statements -------------------------------------------------------------------------
    def block(self, body, depth, lines, key):
        pad = "    " * depth
        for name in self.place.at_block.get(key, ()):
            lines.append(f"{pad}{self.decl(name, self.zero(name))};")
        env = {}
        body = self.fused_block(body)
        for i, s in enumerate(body):
            if isinstance(s, Fused):
                if s.nest.outputs:      # (nothing reads a nest without outputs)
                    self.fused(s, env, pad, lines)
                continue
            t = self.place.target(s)
            if t is not None and t.name in self.place.folded:
                env[t.name] = self.expr(s, env)
                continue
            self.prev = body[i - 1] if i else None
            self.raise_guards(s, env, pad, lines)
            self.stmt(s, env, depth, lines)
            if id(s) in self.counted:        # the loop's own trip counter doubles as guard
                self.guard_check(self.counted.pop(id(s)), pad, lines, bump=False)

    def assign_line(self, pad, name, value, s):
        declare = name in self.place.at_stmt.get(id(s), ())
        lhs = self.decl(name) if declare else self.names[name]
        return wrapped(f"{pad}{lhs} = ", value, f";{self.comment(s)}", pad)

    def stmt(self, s, env, depth, lines):
        pad = "    " * depth
        if isinstance(s, Assign):
            self.assign(s, env, pad, lines)
        elif isinstance(s, Call):
            self.call(s, env, pad, lines)
        elif isinstance(s, If):
            self.if_(s, env, depth, lines, "if")
        elif isinstance(s, For):
            self.for_(s, env, depth, lines)
        elif isinstance(s, While):
            self.while_(s, depth, lines)
        elif isinstance(s, Return):
            self.return_(s, env, pad, lines)
        elif isinstance(s, Push) and is_array(s.value.type):
            tape, n = s.tape.name, size_of(s.value.type)
            top, src = self.tops[tape], self.names[s.value.name]
            self.loops((n,), pad, lines, lambda ks, p: [
                f"{p}{self.tape_expr(tape)}[{top}][{ks[0]}] = {src}[{ks[0]}];"])
            lines.append(f"{pad}{top}++;")
        elif isinstance(s, Pop) and is_array(s.target.type):
            tape, n = s.tape.name, size_of(s.target.type)
            top, dst = self.tops[tape], self.names[s.target.name]
            lines.append(f"{pad}{top}--;{self.comment(s)}")
            self.loops((n,), pad, lines, lambda ks, p: [
                f"{p}{dst}[{ks[0]}] = {self.tape_expr(tape)}[{top}][{ks[0]}];"])
        elif isinstance(s, Push):
            tape = s.tape.name
            lines.append(f"{pad}{self.tape_expr(tape)}[{self.tops[tape]}++] = "
                         f"{self.atom(s.value, env)[0]};")
        elif isinstance(s, Pop):
            tape = s.tape.name
            lines.append(self.assign_line(pad, s.target.name,
                                          f"{self.tape_expr(tape)}[--{self.tops[tape]}]", s))
        elif isinstance(s, NewTape):
            lines.append(f"{pad}size_t {self.tops[s.tape.name]} = 0;")
        elif isinstance(s, Comment):
            lines.append(f"{pad}/* {c_comment(s.text)} */")
        else:
            raise UnsupportedError.at(getattr(s, "loc", None) or self.fn.loc,
                                      f"the C backend has no form for {type(s).__name__}",
                                      "C backend")

    def tape_expr(self, tape):
        if self.kind == "grad":
            return self.names[tape]
        return self.tape_home[tape]

    def assign(self, s, env, pad, lines):
        if s.op in ("pack", "item"):
            return self.frame_assign(s, env, pad, lines)
        name = s.target.name
        if self.needs_array_form(s):
            try:
                self.index_guard(s, env, pad, lines)
                self.array_assign(s, env, pad, lines)
            except NoCForm as e:
                raise UnsupportedError.at(s.loc or self.fn.loc, f"cannot emit C for {e}",
                                          "C backend: array") from None
            return
        if s.target.type == "residual":
            value = self.names[s.args[0].name] if isinstance(s.args[0], Var) else \
                f"(struct {self.ctx.tags[self.ctx.layout.residual_of[(self.fn.name, name)]]}){{0}}" \
                if self.is_record(name) else "NULL"
            lines.append(self.assign_line(pad, name, value, s))
            return
        text, _ = self.expr(s, env)
        declare = name in self.place.at_stmt.get(id(s), ())
        if not declare and s.op in ("add", "sub", "mul") and s.args[0] == s.target and \
                s.args[0].name not in env and _identity(s) is None:
            sym = {"add": "+", "sub": "-", "mul": "*"}[s.op]
            rhs = self.atom(s.args[1], env)[0]
            lines.append(wrapped(f"{pad}{self.names[name]} {sym}= ", rhs,
                                  f";{self.comment(s)}", pad))
            return
        lines.append(self.assign_line(pad, name, text, s))

    def if_(self, s, env, depth, lines, kw):
        pad = "    " * depth
        cond = self.truth(s, env)
        if not s.body:
            lines.append(f"{pad}{kw} (!{paren(cond, UNARY)}) {{{self.comment(s)}")
            self.block(s.orelse, depth + 1, lines, (id(s), 1))
            lines.append(f"{pad}}}")
            return
        lines.append(f"{pad}{kw} ({cond[0]}) {{{self.comment(s)}")
        self.block(s.body, depth + 1, lines, (id(s), 0))
        if len(s.orelse) == 1 and isinstance(s.orelse[0], If) and s.orelse[0].body and \
                not self.place.at_block.get((id(s), 1)):
            self.if_(s.orelse[0], env, depth, lines, "} else if")
            return
        if s.orelse:
            lines.append(f"{pad}}} else {{")
            self.block(s.orelse, depth + 1, lines, (id(s), 1))
        lines.append(f"{pad}}}")

    def truth(self, s, env):
        """An If's test.  Python's truth of an array is its one element's; of an array
        of more (shapes are static here) it raises ValueError: rejected at the line."""
        c = s.cond
        if not (isinstance(c, Var) and is_array(c.type)):
            return self.atom(c, env)
        if size_of(c.type) != 1:
            raise UnsupportedError.at(s.loc or self.fn.loc, "cannot emit C for the truth "
                                      "value of an array of more than one element (Python "
                                      "raises ValueError: use a.any() or a.all())",
                                      "C backend: array truth")
        return f"{self.names[c.name]}[0] != 0", EQ


def _identity(s):
    """Index of the argument an int ``x + 0`` / ``x * 1`` / ``x - 0`` equals, or None."""
    if s.op not in ("add", "sub", "mul") or s.target.type != "int":
        return None
    unit = 1 if s.op == "mul" else 0
    for i, a in enumerate(s.args):
        other = s.args[1 - i]
        if isinstance(a, Const) and type(a.value) is int and a.value == unit and \
                other.type == "int" and (s.op != "sub" or i == 1):
            return 1 - i
    return None


def _vars(s):
    found = [v for v in atoms_read(s) + vars_written(s)]
    if isinstance(s, (Assign, Call)):
        found += [a for a in s.args if isinstance(a, Var)]
    if isinstance(s, For) and s.exit is not None:
        found.append(s.exit)
    return found
