"""Stable text form of the IR, for tests, debugging and golden files.

    def f(x):
      t1 = sin(x)
      for i in range(0, n, 1):
        ...

With ``types=True`` every variable written (parameters, targets, loop variables) shows
its type, ``t1: float = sin(x)``; reads show names only, so the text stays readable.
"""
from .nodes import Assign, Call, Comment, For, If, NewTape, Pop, Push, Return, While


def format_function(fn, types=False):
    decl = _typed if types else str
    lines = [f"def {fn.name}({', '.join(decl(p) for p in fn.params)}):"]
    _block(fn.body, 1, lines, decl)
    return "\n".join(lines)


def format_module(mod, types=False):
    return "\n\n".join(format_function(f, types) for f in mod.functions)


def _typed(v):
    return f"{v.name}: {'?' if v.type is None else v.type}"


def _block(body, depth, lines, decl=str):
    pad = "  " * depth
    if not body:
        lines.append(pad + "pass")
    for s in body:
        if isinstance(s, Assign):
            lines.append(f"{pad}{decl(s.target)} = {s.op}({', '.join(map(str, s.args))})")
        elif isinstance(s, Call):
            kind = "call jvp " if s.jvp else "call grad " if s.grad else "call "
            lines.append(f"{pad}{', '.join(map(decl, s.targets))} = {kind}{s.func}"
                         f"({', '.join(map(str, s.args))})")
        elif isinstance(s, If):
            lines.append(f"{pad}if {s.cond}:")
            _block(s.body, depth + 1, lines, decl)
            if s.orelse:
                lines.append(f"{pad}else:")
                _block(s.orelse, depth + 1, lines, decl)
        elif isinstance(s, For):
            rev = "reversed " if s.reverse else ""
            ex = f" until {s.exit}" if s.exit is not None else ""
            lines.append(f"{pad}for {decl(s.var)} in {rev}range({s.start}, {s.stop}, {s.step}){ex}:")
            _block(s.body, depth + 1, lines, decl)
        elif isinstance(s, While):
            lines.append(f"{pad}loop until {s.exit}:")
            _block(s.body, depth + 1, lines, decl)
        elif isinstance(s, Return):
            lines.append(f"{pad}return {', '.join(map(str, s.values))}")
        elif isinstance(s, Push):
            lines.append(f"{pad}push {s.tape} {s.value}")
        elif isinstance(s, Pop):
            lines.append(f"{pad}{decl(s.target)} = pop {s.tape}")
        elif isinstance(s, NewTape):
            lines.append(f"{pad}{decl(s.tape)} = tape")
        elif isinstance(s, Comment):
            lines.append(f"{pad}# {s.text}")
        else:
            raise TypeError(s)
