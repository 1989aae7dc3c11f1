"""The Python backend: IR module -> readable Python source.

Invariants: the text is deterministic for a given module; single-use
temporaries are folded back into expressions (so ``t1 = sin(x); y = 2 * t1``
prints as ``y = 2 * math.sin(x)``); the module imports only ``math`` and
copies in the runtime helpers it calls, so a written file runs on its own.
"""
import inspect
import math
import re

from ..ir import Assign, Call, Comment, Const, For, If, NewTape, Pop, Push, Return, Var, While
from ..ir.names import is_temp
from ..ir.walk import all_written, atoms_read, blocks, vars_written, walk
from ..rules import PRIMITIVES
from ..rules.registry import LIBRARY_MODULES
from ..rules import helpers, np_helpers
from .float_checks import complex_power
from ..rules.effects import EFFECTS
from ..ir.types import is_array
from .escape import index_text, literal_of, py_comment, py_identifier, py_string
from .python_static import (CREATES, FOREIGN, HELPER_OF, LIKE, STATIC_OPS, elide_broadcast,
                            resolved, static_expr)
from .python_views import transient_copies

_HELPER_NAMES = [n for n in dir(np_helpers) + dir(helpers) if not n.startswith("_")
                 and callable(getattr(np_helpers, n, None) or getattr(helpers, n, None))
                 and n not in ("np", "math")]

ATOM = 100
INLINE_WINDOW = 64     # a temporary is folded into a use at most this many statements below


def emit_module(module, header=None):
    return emit_module_mapped(module, header)[0]


def emit_module_mapped(module, header=None):
    """``(text, origins)``: the module's source and, for each generated line (1-based)
    that comes from the user's code, its ``Loc`` (tracebacks name both)."""
    mapped = [emit_function_mapped(fn) for fn in module.functions]
    body = [text for text, _ in mapped]
    used = {PRIMITIVES[s.op].helper for f in module.functions for s in walk(f.body)
            if isinstance(s, Assign) and s.op in PRIMITIVES and PRIMITIVES[s.op].helper
            and not resolved(s)}
    used |= {HELPER_OF[s.op] for f in module.functions for s in walk(f.body)
             if isinstance(s, Assign) and s.op in HELPER_OF and resolved(s)}
    used |= {"real_pow" for f in module.functions for s in walk(f.body)
             if isinstance(s, Assign) and complex_power(s)}
    sources = _helper_sources(used)
    parts = [header] if header else []
    text = "\n".join(body + sources)
    imports = ("import logging\n" if "logging." in text else "") + "import math\n" + \
        ("\nimport numpy as np\n" if "np." in text else "") + \
        ("import scipy.special\n" if "scipy.special." in text else "") + \
        "".join(f"import {m}\n" for m in sorted(LIBRARY_MODULES - {"scipy.special", "math"})
                if f"{m}." in text)
    parts.append(imports)
    parts += sources
    origins, line = {}, sum(p.rstrip("\n").count("\n") + 2 for p in parts) + 1
    for text, lines in mapped:
        origins.update({line + k: loc for k, loc in lines.items()})
        line += text.rstrip("\n").count("\n") + 2
    parts += body
    return "\n\n".join(p.rstrip("\n") for p in parts) + "\n", origins


_SOURCES = {}


def _source_of(name):
    """A helper's source, read once: a file edited while the process runs would
    give lines of another function."""
    if name not in _SOURCES:
        _SOURCES[name] = inspect.getsource(getattr(helpers, name, None) or
                                           getattr(np_helpers, name))
    return _SOURCES[name]


for _name in _HELPER_NAMES:       # read every helper's source now, while the files match
    try:
        _source_of(_name)
    except (OSError, TypeError):
        pass


def _helper_sources(names):
    """Source of the runtime helpers ``names`` and of the helpers they call."""
    found, todo = {}, sorted(names)
    while todo:
        name = todo.pop()
        if name in found:
            continue
        found[name] = _source_of(name)
        todo += [other for other in _calls(name) if other not in found]
    return [found[n] for n in sorted(found)]


_CALLS = {}


def _calls(name):
    """The helpers helper ``name``'s source calls, found once (a search per helper name:
    hundreds of patterns, more than ``re`` keeps compiled, at every module printed)."""
    if name not in _CALLS:
        text = _source_of(name)
        _CALLS[name] = [other for other in _HELPER_NAMES if re.search(rf"\b{other}\(", text)]
    return _CALLS[name]


def emit_function(fn):
    return emit_function_mapped(fn)[0]


def emit_function_mapped(fn):
    """``(text, origins)``: origins maps a line's index in ``text`` to the ``Loc`` of the
    statement it was printed for (a compound statement's own ``Loc`` where a line inside
    it has none)."""
    printer = _Printer(fn)
    params = ", ".join(py_identifier(p.name) for p in fn.params)
    lines = [f"def {py_identifier(fn.name)}({params}):"]
    if fn.doc:
        lines.append(f"    {py_string(fn.doc.splitlines()[0])}")
    printer.block(fn.body, 1, lines)
    return "\n".join(lines), printer.origins


def render_atom(a):
    if isinstance(a, Var):
        return a.name, ATOM
    v = a.value
    if isinstance(v, type):
        name = py_identifier(v.__name__)
        return (f"np.{name}" if v.__module__ == "numpy" else name), ATOM
    if isinstance(v, float):
        if math.isinf(v):
            return ("math.inf", ATOM) if v > 0 else ("-math.inf", 30)
        if math.isnan(v):
            return "math.nan", ATOM
    text = literal_of(v)
    return text, (30 if text.startswith("-") else ATOM)


class _Printer:
    render = staticmethod(render_atom)      # a constant's text (Numba's: numba_atom)
    real_pow = True         # a scalar float ** float as real_pow (Numba: its own check)

    def __init__(self, fn):
        self.uses = {}
        self.defs = {}
        for s in walk(fn.body):
            for v in atoms_read(s):
                self.uses[v.name] = self.uses.get(v.name, 0) + 1
            if not blocks(s):
                for v in vars_written(s):
                    self.defs[v.name] = self.defs.get(v.name, 0) + 1
        self.last_line = None
        self.origins = {}       # index of a printed line -> the Loc it comes from
        self.inlined = {}       # temporary -> the statement folded into its use
        self.views = transient_copies(fn)     # copies read only before any write: views

    # -- expressions ------------------------------------------------------------
    def expr(self, s, env):
        """(text, precedence) of an Assign's right-hand side."""
        args = [env.get(a.name) if isinstance(a, Var) and a.name in env else self.render(a)
                for a in s.args]
        if s.op == "copy":
            return args[0]
        if s.op == "list_new":
            return "[]", ATOM
        if s.op in STATIC_OPS:             # a shape helper whose shapes the types give
            special = static_expr(s, args)
            if special is not None:
                return special
        prim = PRIMITIVES[s.op]
        syn = prim.syntax
        if prim.numpy and any(is_array(getattr(a, "type", None)) for a in s.args) and \
                syn.kind in ("call", "ifexp") and prim.numpy != syn.text:
            if s.op in ("getitem", "getitem_copy", "setitem"):
                pass
            else:
                syn = type(syn)("call", prim.numpy)
        if s.op == "copy_array" and FOREIGN.get():     # Dask has no np.copy (it computes)
            return f"{_paren(args[0], ATOM)}.copy()", ATOM
        if s.op in ("getitem", "getitem_copy"):
            text = f"{_paren(args[0], ATOM)}[{index_text(s.args[1], args[1])}]"
            if s.op != "getitem_copy" or id(s) in self.views:
                return text, ATOM
            # np.array would make another library's array NumPy's (FOREIGN: Dask, CuPy)
            return (f"{text}.copy()" if FOREIGN.get() else f"np.array({text})"), ATOM
        if complex_power(s) and self.real_pow:    # (-2.0) ** 0.5 is complex (float_checks)
            return f"real_pow({args[0][0]}, {args[1][0]})", ATOM
        if syn.kind == "infix":
            args = elide_broadcast(s, args, self.inlined)
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
        if prim.defaults and prim.helper is None:   # by keyword, those not at their default
            nreq = len(prim.params) - len(prim.defaults)
            texts = [t for t, _ in args[:nreq]] + [
                f"{p}={args[i][0]}" for i, p in enumerate(prim.params)
                if i >= nreq and not _is_default(s.args[i], prim.defaults[i - nreq])]
        else:
            texts = [t for t, _ in args]
        # arrays made in the arguments' library (integer ranges index: they stay NumPy's)
        if s.op in CREATES and FOREIGN.get() and (s.op != "arange" or _float_array(s.target)):
            texts.append(f"like={LIKE}")
        return f"{syn.text}({', '.join(texts)})", ATOM

    def inlinable(self, body, i, env_reads):
        s = body[i]
        if not isinstance(s, Assign) or not is_temp(s.target.name) or s.op in ("item",):
            return False
        if s.op in PRIMITIVES and not PRIMITIVES[s.op].pure:    # keep random draws in order
            return False
        name = s.target.name
        if self.defs.get(name) != 1 or self.uses.get(name) != 1:
            return False
        reads = set()
        for v in atoms_read(s):
            reads |= env_reads.get(v.name, {v.name})
        for j in range(i + 1, min(len(body), i + 1 + INLINE_WINDOW)):
            later = body[j]
            if any(v.name == name for v in atoms_read(later)):
                return True
            if blocks(later) or reads & all_written([later]):
                return False
        return False            # read far below (or never): keep the name

    # -- statements ----------------------------------------------------------------
    def block(self, body, depth, lines):
        pad = "    " * depth
        start = len(lines)
        env, env_reads = {}, {}
        i = 0
        while i < len(body):
            s = body[i]
            if self.inlinable(body, i, env_reads):
                self.inlined[s.target.name] = s
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
                run = body[i:j]
                if [x.args[1].value for x in run] != list(range(len(run))):
                    for x in run:
                        lines.append(f"{pad}{x.target.name} = {x.args[0].name}[{x.args[1].value}]")
                else:   # unpack the leading fields (dead trailing ones were dropped)
                    names = [x.target.name for x in run]
                    lhs = ", ".join(names) + ("," if len(names) == 1 else "")
                    lines.append(f"{pad}{lhs} = {s.args[0].name}[:{len(run)}]")
                i = j
                continue
            if isinstance(s, Assign) and s.op == "getitem_copy" and id(s) in self.views:
                # printed as a view: an expression reading it reads its array's memory,
                # so it is not inlined below a write to that array (python_views.py)
                env_reads[s.target.name] = {s.target.name} | \
                    {v.name for v in atoms_read(s)}
            mark = len(lines)
            self.stmt(s, env, depth, lines)
            if isinstance(s, Assign) and id(s) in self.views:
                # printed as a view: a read of it is a read of its array, which no
                # temporary reading it may be folded past a write of
                env_reads[s.target.name] = {s.target.name}.union(
                    *[env_reads.get(v.name, {v.name}) for v in atoms_read(s)])
            if getattr(s, "loc", None) is not None:    # inner statements keep their own
                for k in range(mark, len(lines)):
                    self.origins.setdefault(k, s.loc)
            i += 1
        if len(lines) == start:
            lines.append(pad + "pass")

    def comment(self, s):
        loc = getattr(s, "loc", None)
        if loc is None or loc.derived or loc.line == self.last_line or not loc.line:
            return ""
        self.last_line = loc.line
        return f"  # line {loc.line}"

    def stmt(self, s, env, depth, lines):
        pad = "    " * depth

        def a(x, prec=0):
            t = env[x.name] if isinstance(x, Var) and x.name in env else self.render(x)
            return _paren(t, prec)
        if isinstance(s, Assign):
            text, _ = self.expr(s, env)
            tgt = s.target.name
            if s.op == "list_append" and s.args[0] == s.target:
                lines.append(f"{pad}{tgt}.append({a(s.args[1])}){self.comment(s)}")
            elif s.op == "setitem" and s.args[0] == s.target:
                idx = index_text(s.args[1], a(s.args[1]) and (env.get(getattr(s.args[1], "name", ""))
                                                               or self.render(s.args[1])))
                aug = self.augmented(s, env)
                if aug is not None:     # x[i] = x[i] + v  ->  x[i] += v (no temporary)
                    sym, v = aug
                    lines.append(f"{pad}{tgt}[{idx}] {sym}= {a(v)}{self.comment(s)}")
                else:
                    lines.append(f"{pad}{tgt}[{idx}] = {a(s.args[2])}{self.comment(s)}")
            elif s.op in ("add", "sub", "mul") and s.args[0] == s.target and \
                    isinstance(s.args[0], Var) and s.args[0].name not in env and \
                    self.scalar_augmented(s):
                sym = PRIMITIVES[s.op].syntax.text
                rhs = a(s.args[1], PRIMITIVES[s.op].syntax.prec + 1 if s.op == "sub" else 0)
                lines.append(f"{pad}{tgt} {sym}= {rhs}{self.comment(s)}")
            elif s.op in EFFECTS and self.uses.get(tgt, 0) == 0:     # print(...), no value
                lines.append(f"{pad}{text}{self.comment(s)}")
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
            lines.append(f"{pad}# {py_comment(s.text)}")
        else:
            raise TypeError(s)

    def scalar_augmented(self, s):
        """Whether ``x = x + v`` on a scalar prints as ``x += v``."""
        return not is_array(s.target.type)

    def augmented(self, s, env):
        """``("+", v)`` when the in-place ``x[idx] = t`` writes ``t = x[idx] + v`` (or
        ``-``), both temporaries folded here: the write reads nothing else."""
        v = s.args[2]
        if not (is_array(s.target.type) and s.target.type.dtype.startswith("float")):
            return None         # an int array would refuse += of a float; lists would extend
        total = self.inlined.get(v.name) if isinstance(v, Var) and v.name in env else None
        if total is None or total.op not in ("add", "sub"):
            return None
        part = total.args[0]
        read = self.inlined.get(part.name) if isinstance(part, Var) and part.name in env \
            else None
        if read is None or read.op != "getitem" or read.args != (s.target, s.args[1]):
            return None
        return ("+" if total.op == "add" else "-"), total.args[1]

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


def _float_array(v):
    return is_array(v.type) and v.type.dtype.startswith("float")


def _is_default(atom, default):
    return isinstance(atom, Const) and type(atom.value) is type(default) and \
        atom.value == default


def _paren(t, min_prec):
    text, prec = t
    return f"({text})" if prec < min_prec else text
