"""Stable text form of the IR, for tests, debugging and golden files.

    def f(x):
      t1 = sin(x)
      for i in range(0, n, 1):
        ...
"""
from .nodes import Assign, Call, Comment, For, If, NewTape, Pop, Push, Return, While


def format_function(fn):
    lines = [f"def {fn.name}({', '.join(p.name for p in fn.params)}):"]
    _block(fn.body, 1, lines)
    return "\n".join(lines)


def format_module(mod):
    return "\n\n".join(format_function(f) for f in mod.functions)


def _block(body, depth, lines):
    pad = "  " * depth
    if not body:
        lines.append(pad + "pass")
    for s in body:
        if isinstance(s, Assign):
            lines.append(f"{pad}{s.target} = {s.op}({', '.join(map(str, s.args))})")
        elif isinstance(s, Call):
            kind = "call jvp " if s.jvp else "call "
            lines.append(f"{pad}{', '.join(map(str, s.targets))} = {kind}{s.func}"
                         f"({', '.join(map(str, s.args))})")
        elif isinstance(s, If):
            lines.append(f"{pad}if {s.cond}:")
            _block(s.body, depth + 1, lines)
            if s.orelse:
                lines.append(f"{pad}else:")
                _block(s.orelse, depth + 1, lines)
        elif isinstance(s, For):
            rev = "reversed " if s.reverse else ""
            ex = f" until {s.exit}" if s.exit is not None else ""
            lines.append(f"{pad}for {s.var} in {rev}range({s.start}, {s.stop}, {s.step}){ex}:")
            _block(s.body, depth + 1, lines)
        elif isinstance(s, While):
            lines.append(f"{pad}loop until {s.exit}:")
            _block(s.body, depth + 1, lines)
        elif isinstance(s, Return):
            lines.append(f"{pad}return {', '.join(map(str, s.values))}")
        elif isinstance(s, Push):
            lines.append(f"{pad}push {s.tape} {s.value}")
        elif isinstance(s, Pop):
            lines.append(f"{pad}{s.target} = pop {s.tape}")
        elif isinstance(s, NewTape):
            lines.append(f"{pad}{s.tape} = tape")
        elif isinstance(s, Comment):
            lines.append(f"{pad}# {s.text}")
        else:
            raise TypeError(s)
