"""The Python backend: IR module -> readable Python source.

Invariants: the text is deterministic for a given module; single-use
temporaries are folded back into expressions (so ``t1 = sin(x); y = 2 * t1``
prints as ``y = 2 * math.sin(x)``); the module imports only ``math`` and
copies in the runtime helpers it calls, so a written file runs on its own.
"""
import inspect
import math

from ..ir import Assign, Call, Comment, Const, For, If, NewTape, Pop, Push, Return, Var, While
from ..ir.names import is_temp
from ..ir.walk import all_written, atoms_read, blocks, walk
from ..rules import PRIMITIVES
from ..rules import helpers

ATOM = 100


def emit_module(module, header=None):
    used_helpers = sorted({PRIMITIVES[s.op].helper for f in module.functions
                           for s in walk(f.body) if isinstance(s, Assign) and s.op in PRIMITIVES
                           and PRIMITIVES[s.op].helper})
    parts = []
    if header:
        parts.append(header)
    parts.append("import math\n")
    for h in used_helpers:
        parts.append(inspect.getsource(getattr(helpers, h)))
    for fn in module.functions:
        parts.append(emit_function(fn))
    return "\n\n".join(p.rstrip("\n") for p in parts) + "\n"


def emit_function(fn):
    printer = _Printer(fn)
    lines = [f"def {fn.name}({', '.join(p.name for p in fn.params)}):"]
    if fn.doc:
        lines.append(f'    """{fn.doc.splitlines()[0]}"""')
    printer.block(fn.body, 1, lines)
    return "\n".join(lines)


def render_atom(a):
    if isinstance(a, Var):
        return a.name, ATOM
    v = a.value
    if isinstance(v, float):
        if math.isinf(v):
            return ("math.inf", ATOM) if v > 0 else ("-math.inf", 30)
        if math.isnan(v):
            return "math.nan", ATOM
    text = repr(v)
    return text, (30 if text.startswith("-") else ATOM)


class _Printer:
    def __init__(self, fn):
        self.uses = {}
        self.defs = {}
        for s in walk(fn.body):
            for v in atoms_read(s):
                self.uses[v.name] = self.uses.get(v.name, 0) + 1
            for v in (all_written([s]) if not blocks(s) else ()):
                self.defs[v] = self.defs.get(v, 0) + 1
        self.last_line = None

    # -- expressions ------------------------------------------------------------
    def expr(self, s, env):
        """(text, precedence) of an Assign's right-hand side."""
        args = [env.get(a.name) if isinstance(a, Var) and a.name in env else render_atom(a)
                for a in s.args]
        if s.op == "copy":
            return args[0]
        syn = PRIMITIVES[s.op].syntax
        if syn.kind == "infix":
            lmin = syn.prec + 1 if syn.right_assoc or syn.prec == 5 else syn.prec
            rmin = 30 if syn.right_assoc else syn.prec + 1
            return f"{_paren(args[0], lmin)} {syn.text} {_paren(args[1], rmin)}", syn.prec
        if syn.kind == "prefix":
            return f"{syn.text}{_paren(args[0], syn.prec)}", syn.prec
        if syn.kind == "ifexp":
            c, a, b = args
            return f"{_paren(a, 2)} if {_paren(c, 2)} else {_paren(b, 1)}", 1
        if syn.kind == "tuple":
            inner = ", ".join(t for t, _ in args)
            return f"({inner},)" if len(args) == 1 else f"({inner})", ATOM
        if syn.kind == "index":
            return f"{_paren(args[0], ATOM)}[{args[1][0]}]", ATOM
        return f"{syn.text}({', '.join(t for t, _ in args)})", ATOM

    def inlinable(self, body, i, env_reads):
        s = body[i]
        if not isinstance(s, Assign) or not is_temp(s.target.name) or s.op in ("item",):
            return False
        name = s.target.name
        if self.defs.get(name) != 1 or self.uses.get(name) != 1:
            return False
        reads = set()
        for v in atoms_read(s):
            reads |= env_reads.get(v.name, {v.name})
        for later in body[i + 1:]:
            if any(v.name == name for v in atoms_read(later)):
                return True
            if blocks(later) or reads & all_written([later]):
                return False
        return False

    # -- statements ----------------------------------------------------------------
    def block(self, body, depth, lines):
        pad = "    " * depth
        start = len(lines)
        env, env_reads = {}, {}
        i = 0
        while i < len(body):
            s = body[i]
            if self.inlinable(body, i, env_reads):
                env[s.target.name] = self.expr(s, env)
                env_reads[s.target.name] = set().union(
                    *[env_reads.get(v.name, {v.name}) for v in atoms_read(s)])
                i += 1
                continue
            if isinstance(s, Assign) and s.op == "item":
                j = i
                while j < len(body) and isinstance(body[j], Assign) and body[j].op == "item" \
                        and body[j].args[0] == s.args[0]:
                    j += 1
                names = [x.target.name for x in body[i:j]]
                lhs = ", ".join(names) + ("," if len(names) == 1 else "")
                lines.append(f"{pad}{lhs} = {s.args[0].name}")
                i = j
                continue
            self.stmt(s, env, depth, lines)
            i += 1
        if len(lines) == start:
            lines.append(pad + "pass")

    def comment(self, s):
        loc = getattr(s, "loc", None)
        if loc is None or loc.line == self.last_line or not loc.line:
            return ""
        self.last_line = loc.line
        return f"  # line {loc.line}"

    def stmt(self, s, env, depth, lines):
        pad = "    " * depth

        def a(x, prec=0):
            t = env[x.name] if isinstance(x, Var) and x.name in env else render_atom(x)
            return _paren(t, prec)
        if isinstance(s, Assign):
            text, _ = self.expr(s, env)
            tgt = s.target.name
            if s.op in ("add", "sub", "mul") and s.args[0] == s.target and \
                    isinstance(s.args[0], Var) and s.args[0].name not in env:
                sym = PRIMITIVES[s.op].syntax.text
                rhs = a(s.args[1], PRIMITIVES[s.op].syntax.prec + 1 if s.op == "sub" else 0)
                lines.append(f"{pad}{tgt} {sym}= {rhs}{self.comment(s)}")
            else:
                lines.append(f"{pad}{tgt} = {text}{self.comment(s)}")
        elif isinstance(s, Call):
            lhs = ", ".join(t.name for t in s.targets)
            args = ", ".join(a(x) for x in s.args)
            lines.append(f"{pad}{lhs} = {s.func}({args}){self.comment(s)}")
        elif isinstance(s, If):
            self.if_(s, a, depth, lines, "if")
        elif isinstance(s, For):
            start, stop, step = (a(x) for x in (s.start, s.stop, s.step))
            if step == "1":
                rng = f"range({stop})" if start == "0" else f"range({start}, {stop})"
            else:
                rng = f"range({start}, {stop}, {step})"
            if s.reverse:
                rng = f"reversed({rng})"
            lines.append(f"{pad}for {s.var.name} in {rng}:{self.comment(s)}")
            self.block(s.body, depth + 1, lines)
            if s.exit is not None:
                lines.append(f"{pad}    if {s.exit.name}:")
                lines.append(f"{pad}        break")
        elif isinstance(s, While):
            lines.append(f"{pad}while True:{self.comment(s)}")
            self.block(s.body, depth + 1, lines)
            lines.append(f"{pad}    if {s.exit.name}:")
            lines.append(f"{pad}        break")
        elif isinstance(s, Return):
            lines.append(f"{pad}return {', '.join(a(x) for x in s.values)}")
        elif isinstance(s, Push):
            lines.append(f"{pad}{s.tape.name}.append({a(s.value)})")
        elif isinstance(s, Pop):
            lines.append(f"{pad}{s.target.name} = {s.tape.name}.pop()")
        elif isinstance(s, NewTape):
            lines.append(f"{pad}{s.tape.name} = []")
        elif isinstance(s, Comment):
            lines.append(f"{pad}# {s.text}")
        else:
            raise TypeError(s)

    def if_(self, s, a, depth, lines, kw):
        pad = "    " * depth
        if not s.body:
            lines.append(f"{pad}{kw} not {a(s.cond, 4)}:{self.comment(s)}")
            self.block(s.orelse, depth + 1, lines)
            return
        lines.append(f"{pad}{kw} {a(s.cond)}:{self.comment(s)}")
        self.block(s.body, depth + 1, lines)
        if len(s.orelse) == 1 and isinstance(s.orelse[0], If) and s.orelse[0].body:
            self.if_(s.orelse[0], a, depth, lines, "elif")
        elif s.orelse:
            lines.append(f"{pad}else:")
            self.block(s.orelse, depth + 1, lines)


def _paren(t, min_prec):
    text, prec = t
    return f"({text})" if prec < min_prec else text
