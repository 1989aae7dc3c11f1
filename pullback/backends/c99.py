"""The C99 backend: a function and its reverse-mode gradient as one .c and one .h.

    c = emit_c_module(primal, gradient, name="simulate", wrt=["theta"], dtype="float64",
                      max_iterations=None, origin="simulate (pendulum.py:3)")
    c.source, c.header

Invariants
- The .c file includes only <math.h>, <stddef.h>, its own header and, where
  overflow checks need LONG_MIN and LONG_MAX, <limits.h>; it never
  allocates, and exports exactly ``NAME`` (the value) and ``NAME_grad``
  (value and gradient); every other function, helper, frame pool and tape
  is ``static``.  It compiles cleanly with ``-std=c99 -Wall -Wextra -Werror
  -pedantic``.
- Storage is static and sized here, from ``c_layout``: tapes of the entry,
  one pool of frames per split callee.  Nothing writes past its array: the
  sizes are proven bounds, or ``max_iterations`` guards check before writing.
- The text is deterministic for a given input; names come from the Python
  source (``c_names``), with ``_`` suffixes only where C would clash.
- Anything without an exact C rendering raises ``UnsupportedError`` with the
  user's file:line before any text is returned.

Arrays (``c_arrays``): fixed-shape arrays of the entry function are flat
row-major C arrays: ``const double *`` parameters and ``double *d_x``
outputs (shapes documented in the header), locals of static size, tapes of
``[capacity][size]``.  Index tuples with run-time ints (``x[i, :]``) become
small ``long`` arrays first (``c_index.index_arrays``).  Called functions
take and return arrays the same way (``c_calls``); frames hold array fields
by value.  Array locals are ``static`` except in recursive functions, where
each call needs its own.  Arrays of unknown shape and containers are
rejected by ``_check_scalars`` at the line.
"""
import re
from types import SimpleNamespace

from .c_function import FunctionPrinter
from .c_raise import CODES, codes_of
from .escape import c_comment
from .c_header import header_text as _header, wrap as _wrap
from .c_index import index_arrays, inplace_setitems, retype
from .c_layout import plan
from ..errors import UnsupportedError
from ..ir import Call, Const, Pop, Push, Var
from ..ir.types import Array, IndexT
from .c_arrays import elem_type, is_array, shape_of, size_of
from ..ir.walk import walk
from .c_names import KEYWORDS, MATH_NAMES, CNames, legal
from .c_ops import HELPERS, Dialect, helper_sources

MAX_MACRO = "MAX_ITERATIONS"
MAX_NAME = 100      # NAME.c, libNAME.so: well within a file name's 255 bytes


class CModule:
    """Generated C: ``source`` (.c), ``header`` (.h), and the two exported signatures."""

    def __init__(self, name, source, header, value_sig, grad_sig, storage):
        self.name, self.source, self.header = name, source, header
        self.value_sig, self.grad_sig = value_sig, grad_sig
        self.storage = storage


def emit_c_module(primal, gradient, name, wrt, dtype, max_iterations, origin):
    """``primal``: the optimised primal functions, entry first; ``gradient``: the
    derivative module (``f_grad`` first); ``wrt``: names of the differentiated params;
    ``origin``: where ``f`` comes from, user text escaped here for the C comments."""
    origin = c_comment(origin)
    gradient = SimpleNamespace(functions=[inplace_setitems(index_arrays(_typed_pops(f)))
                                          for f in gradient.functions])
    primal = [inplace_setitems(index_arrays(f)) for f in primal]
    _check_scalars(primal + list(gradient.functions))
    prim_names = {f.name for f in primal}
    functions = _reachable([primal[0], gradient.functions[0]] +
                           [f for f in gradient.functions[1:] if f.name not in prim_names] +
                           list(primal[1:]))
    layout = plan(functions, gradient.functions[0].name, max_iterations)
    dialect = Dialect(dtype)
    upper = name.upper()
    globs = CNames(file_scope=True)
    for reserved in [name, name + "_grad", upper + "_H", upper + "_OK",
                     upper + "_TOO_MANY_ITERATIONS", upper + "_TOO_MANY_CALLS", MAX_MACRO,
                     upper + "_INDEX_OUT_OF_RANGE",
                     ] + [f"{upper}_{macro}" for macro, _ in CODES.values()] + list(HELPERS):
        globs.reserve(reserved)
    fnames = {primal[0].name: name, gradient.functions[0].name: name + "_grad"}
    for f in functions[2:]:
        fnames[f.name] = globs.fresh(f.name)
    tag_names, tags, fields, pools = CNames(file_scope=True), {}, {}, {}
    for g, frame in sorted(layout.frames.items()):
        if g in layout.records:
            owner = g.split(".")[0]
            base = (name if owner == gradient.functions[0].name else fnames[owner]) + "_record"
        else:
            base = re.sub(r"_fwd(\d*)$", r"_res\1", g)
        tags[g] = tag_names.fresh(base)
        scope, fields[g] = CNames(), {}
        for fl in frame:
            if fl.name in fields[g]:    # a value packed twice (two names made one): one field
                continue
            fields[g][fl.name] = scope.fresh(fl.name)
            if fl.type == "tape":
                fields[g][fl.name + "#top"] = scope.fresh(fields[g][fl.name] + "_top")
        if frame and g not in layout.records:
            pools[g] = (globs.fresh(tags[g] + "_pool"), globs.fresh(tags[g] + "_count"))
    ctx = SimpleNamespace(
        layout=layout, dialect=dialect, globals=globs, fnames=fnames, tags=tags, fields=fields,
        pools=pools, wrt=[legal(w) for w in wrt], helpers=set(), sigs={}, max_macro=MAX_MACRO,
        status_ok=upper + "_OK", status_iterations=upper + "_TOO_MANY_ITERATIONS",
        status_calls=upper + "_TOO_MANY_CALLS", recursive=_recursive(functions),
        status_index=upper + "_INDEX_OUT_OF_RANGE", value_entry=primal[0].name,
        **{f"status_{code}": f"{upper}_{macro}" for code, (macro, _) in CODES.items()})
    ctx.elem_type = lambda tape: _elem_type(tape, ctx)
    ctx.elem_suffix = lambda tape: f"[{size_of(tape.elem)}]" if is_array(tape.elem) else ""
    printers = []
    for f in functions:
        p = FunctionPrinter(f, ctx)
        ctx.sigs[f.name] = p.sig
        printers.append(p)
    bodies = [p.lines() for p in printers]
    storage = _storage(layout, ctx, max_iterations)
    temps = sum(getattr(p, "array_storage", 0) for p in printers)
    longs = sum(getattr(p, "array_longs", 0) for p in printers)
    if temps:
        storage.append(f"{temps} {dialect.real}s of array temporaries")
    if longs:
        storage.append(f"{longs} longs of integer arrays")
    value_sig, grad_sig = printers[0].sig, printers[1].sig
    fails = set()
    if gradient.functions[0].name in layout.fallible:
        fails = {"loops"} if layout.guards else set()
        fails |= {"calls"} if layout.checked else set()
        fails |= {"index"} if any(layout.risky.values()) else set()
        fails |= {"calls"} if layout.deep else set()
    fails |= set().union(*[codes_of(c) for c in layout.raising.values()])
    arrays = [(printers[0].param_names[p.name], shape_of(p.type), d_name)
              for p in primal[0].params if is_array(p.type)
              for d_name in [next((n for n in [n for _, n in grad_sig.outs]
                                   if n == "d_" + printers[0].param_names[p.name]), None)]]
    header = _header(name, upper, origin, value_sig, grad_sig, wrt, fails, storage,
                     max_iterations, arrays, dialect)
    text = "\n".join("\n".join(b) for b in bodies)
    limits = "#include <limits.h>\n" if "LONG_M" in text + "".join(
        helper_sources(ctx.helpers, dialect)) else ""           # LONG_MIN, LONG_MAX
    parts = [_banner(name, origin, dtype), f"{limits}#include <math.h>\n"
             f'#include <stddef.h>\n\n#include "{name}.h"']
    if max_iterations is not None and MAX_MACRO in text + _frames_text(layout, ctx, dialect):
        parts.append(f"#define {MAX_MACRO} {int(max_iterations)}")
    parts += helper_sources(ctx.helpers, dialect)
    structs = _frames_text(layout, ctx, dialect)
    if structs:
        parts.append(structs)
    statics = [p.sig for p in printers[2:]]
    if statics:
        parts.append("\n".join(_wrap(f"static {s.prototype()}") + ";" for s in statics))
    for p, body in zip(printers, bodies):
        body[0] = _wrap(("" if p in printers[:2] else "static ") + body[0])
        parts.append("\n".join(body))
    source = "\n\n".join(parts) + "\n"
    module = CModule(name, source, header, value_sig, grad_sig, storage)
    # each static array may be padded to the target's alignment (32 bytes on x86-64)
    arrays = len(re.findall(r"^\s*static [^(=;]*\[[^]]*\];", source, re.M))
    module.storage_bytes = _storage_bytes(layout, max_iterations, temps, dialect) + \
        8 * longs + 31 * arrays
    # the bound emit_c(memory_budget=) holds to, where a reader of the .c looks first
    module.source = source.replace(" sized at generation time. */", " sized at generation "
                                   f"time,\n * {module.storage_bytes} bytes at most. */", 1)
    return module


def _check_scalars(functions):
    """Reject, at the user's line, any value C cannot hold: containers, arrays of unknown
    shape, index tuples without a static region."""
    for f in functions:
        for p in f.params:
            if isinstance(p.type, Array) and not p.type.static:
                raise UnsupportedError.at(
                    f.loc, f"the C backend needs fixed shapes, and '{p.name}' is {p.type}",
                    "C backend: array")
        for s in walk(f.body):
            atoms = list(getattr(s, "args", ())) + list(getattr(s, "targets", ())) + \
                [getattr(s, n) for n in ("target", "value", "cond") if hasattr(s, n)]
            for a in sorted(atoms, key=lambda a: not isinstance(a, Var)):
                t = a.type
                if (isinstance(t, Array) and t.static) or (
                        t == "static" and isinstance(a, Const) and
                        getattr(s, "op", None) not in ("pack", None)):
                    continue
                if isinstance(t, IndexT):
                    raise UnsupportedError.at(
                        getattr(s, "loc", None) or f.loc,
                        f"the C backend indexes with run-time ints and constant slices "
                        f"(x[i, 1:3]), and this index is {t}",
                        "C backend: run-time index")
                if t not in ("float", "int", "bool", "tape", "residual"):
                    what = f"'{a.name}'" if isinstance(a, Var) else f"the constant {a.value!r}"
                    raise UnsupportedError.at(
                        getattr(s, "loc", None) or f.loc,
                        f"the C backend handles float, int and bool scalars and fixed-shape "
                        f"arrays, and {what} is {t}", "C backend: array")


def _typed_pops(fn):
    """The values the reverse sweep pops into fresh variables carry type ``any``: give
    them the type of what was pushed on that tape."""
    pushed = {s.tape.name: s.value.type for s in walk(fn.body) if isinstance(s, Push)}
    known = {s.target.name: pushed[s.tape.name] for s in walk(fn.body)
             if isinstance(s, Pop) and s.target.type == "any" and s.tape.name in pushed}
    if not known:
        return fn
    return retype(fn, lambda v: Var(v.name, known[v.name])
                  if v.name in known and v.type == "any" else None)


def _reachable(functions):
    """The functions the two entry points (listed first) call, in the given order."""
    by_name = {f.name: f for f in functions}
    seen, todo = {functions[0].name, functions[1].name}, [functions[0], functions[1]]
    while todo:
        for s in walk(todo.pop().body):
            if isinstance(s, Call) and s.func not in seen:
                seen.add(s.func)
                todo.append(by_name[s.func])
    return [f for f in functions if f.name in seen]


def _recursive(functions):
    """Names of the functions on a cycle of calls (their arrays cannot be static)."""
    calls = {f.name: {s.func for s in walk(f.body) if isinstance(s, Call)} for f in functions}
    out = set()
    for f in calls:
        seen, todo = set(), list(calls[f])
        while todo:
            g = todo.pop()
            if g not in seen:
                seen.add(g)
                todo += calls.get(g, ())
        if f in seen:
            out.add(f)
    return out


def exported_name(base, given):
    """The C name of the value function: ``base`` made a legal, unreserved identifier
    (a suffix ``_`` when derived from the Python name; an error when ``given``)."""
    if not isinstance(base, str):
        raise TypeError(f"name must be a str, not {type(base).__name__}")
    name = legal(base)
    if len(name) > MAX_NAME:
        raise ValueError(f"name {base[:20]!r}... is {len(name)} characters long as a C name: "
                         f"at most {MAX_NAME}, as it names the files NAME.c and NAME.h"
                         + ("" if given else " (pass a shorter name=)"))
    if not given:
        name = name.lstrip("_") or "f"        # file-scope names may not start with _
    clash = name in KEYWORDS or name in MATH_NAMES or name in HELPERS or name == MAX_MACRO
    if given and (name != base or clash or name.startswith("_")):
        raise ValueError(f"name {base!r} is not usable as a C function name")
    return name + "_" if clash else name


def _elem_type(tape, ctx):
    """Declaration prefix of a tape's elements: ``double ``, ``struct f_record ``,
    ``struct g_res *``."""
    if tape.elem != "residual":
        return ctx.dialect.scalar(elem_type(tape.elem)) + " "
    star = "" if tape.frame in ctx.layout.records else "*"
    return f"struct {ctx.tags[tape.frame]} {star}"


def _banner(name, origin, dtype):
    return (f"/* {name}.c: generated by pullback from {origin}.\n"
            f" * The function and its reverse-mode gradient in C99 ({dtype}); see {name}.h.\n"
            " * No heap: every tape and frame is static storage sized at generation time. */")


def _frames_text(layout, ctx, dialect):
    """Frame structs (referenced ones first), forward declarations where needed, pools."""
    order, done, forward = [], set(), set()

    def visit(g, stack):
        if g in done:
            return
        stack = stack | {g}
        for fl in layout.frames[g]:
            ref = fl.frame if fl.type in ("residual", "tape") else None
            if ref is not None and ref != g:
                if ref in stack or not layout.frames[ref]:
                    forward.add(ref)
                else:
                    visit(ref, stack)
        done.add(g)
        order.append(g)
    for g in sorted(layout.frames):
        if layout.frames[g]:
            visit(g, set())
        else:
            forward.add(g)
    out = [f"struct {ctx.tags[g]};" for g in sorted(forward)]
    for g in order:
        if g in layout.records:
            owner = ctx.fnames[g.split(".")[0]]
            doc = f"/* The values {owner} saves at each iteration of a loop. */"
        else:
            doc = f"/* What {ctx.fnames[g]} keeps for {_rev_of(layout, ctx, g)}. */"
        lines = [doc, f"struct {ctx.tags[g]} {{"]
        seen = set()
        for fl in layout.frames[g]:
            if fl.name in seen:         # a value packed twice has one field
                continue
            seen.add(fl.name)
            name = ctx.fields[g][fl.name]
            if fl.type == "residual":
                star = "" if fl.frame in layout.records else "*"
                lines.append(f"    struct {ctx.tags[fl.frame]} {star}{name};")
            elif fl.type == "tape":
                t = fl.tape
                elem = ctx.elem_type(t)
                lines.append(f"    {elem}{name}[{t.capacity.c_text(MAX_MACRO)}]"
                             f"{ctx.elem_suffix(t)};")
                lines.append(f"    size_t {ctx.fields[g][fl.name + '#top']};")
            elif is_array(fl.type):
                lines.append(f"    {ctx.dialect.scalar(elem_type(fl.type))} {name}"
                             f"[{size_of(fl.type)}];")
            else:
                lines.append(f"    {dialect.scalar(fl.type)} {name};")
        lines.append("};")
        if g in ctx.pools:
            pool, count = ctx.pools[g]
            size = layout.pools[g].c_text(MAX_MACRO)     # a call in a loop of no trips: 0,
            lines.append(f"static struct {ctx.tags[g]} "    # which C forbids as a size
                         f"{pool}[{'1' if size == '0' else size}];")
            lines.append(f"static size_t {count};")
        out.append("\n".join(lines))
    return "\n\n".join(out)


def _rev_of(layout, ctx, g):
    revs = sorted(r for r, f in layout.rev_frame.items() if f == g)
    return " and ".join(ctx.fnames[r] for r in revs) or "the reverse sweep"


def _storage_bytes(layout, m, temps, d):
    """An upper estimate of the gradient's static storage in bytes (8 per long and
    pointer, the real's size per real): what ``emit_c(memory_budget=)`` holds to."""
    real = 8 if d.real == "double" else 4

    def size(t):
        if is_array(t):
            return size_of(t) * (real if elem_type(t) == "float" else 8)
        return real if t == "float" else 8

    def frame(key):
        return sum(8 if fl.type in ("residual", "tape") else size(fl.type)
                   for fl in layout.frames.get(key, ())) or 8
    m = m if m is not None else 0
    total = temps * real
    for (f, tape), info in layout.tapes.items():
        if layout.kinds[f] == "grad":
            elem = frame(info.frame) if info.elem == "residual" else size(info.elem)
            total += info.capacity.value(m) * elem
    for g, n in layout.pools.items():
        total += n.value(m) * frame(g)
    return total


def _storage(layout, ctx, m):
    """Human-readable static storage of the gradient, for the header."""
    d = ctx.dialect
    items = []
    m = m if m is not None else 0
    for (f, tape), info in sorted(layout.tapes.items()):
        if layout.kinds[f] == "grad":
            n = info.capacity.value(m)
            elem = f"struct {ctx.tags[info.frame]}" if info.elem == "residual" else \
                d.scalar(elem_type(info.elem)) + "s"
            if info.elem == "residual" and info.frame not in layout.records:
                elem = f"pointers to struct {ctx.tags[info.frame]}"   # frames: in the pools
            if is_array(info.elem):
                elem = f"{d.scalar(elem_type(info.elem))}[{size_of(info.elem)}] arrays"
            items.append(f"{n} {elem}")
    for g in sorted(ctx.pools):
        items.append(f"{layout.pools[g].value(m)} struct {ctx.tags[g]}")
    return items
