"""Every text from outside pullback that is printed into generated code goes through here.

File names, function names, qualified names and docstrings come from the user (or
from whoever named the user's file); printed raw they could end a comment or a
string and run as code (a newline in a file name ending a ``#`` comment, a
``\"\"\"`` in a docstring, ``*/`` in a C comment).  One function per context:

- ``py_comment(text)``: the body of one ``# ...`` line: printable, no line break.
- ``py_string(text)``: a Python string literal (``repr``), so it cannot be closed early.
- ``py_identifier(text)``: the text itself if it is a Python identifier, else ValueError.
- ``py_literal(value)``: ``repr`` of a constant whose ``repr`` is a literal (numbers,
  strings, None, NumPy scalars, and tuples, lists, dicts of them), else ValueError:
  an arbitrary object's ``__repr__`` could print code.
- ``c_comment(text)``: the body of one ``/* ... */``: printable ASCII, no ``*/``,
  ``/*``, trigraph or backslash.
- ``c_string(text)``: a C99 string literal of printable ASCII with escapes.
- ``c_identifier(text)``: the text itself if it is a C identifier, else ValueError.

Invariant: the result of each function, put in its context, is one token (a
string literal, an identifier) or the inside of one comment, whatever the input.
"""
import keyword
import re

import numpy as np

from ..ir import Const
from ..ir.nodes import Extern

_C_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def py_comment(text):
    """``text`` as the rest of a ``#`` comment line: non-printable characters (line
    breaks included, and the Unicode line separators Python's tokenizer honours) are
    written as escapes."""
    text = str(text)
    return "".join(c if c.isprintable() else _escape(c) for c in text)


def py_string(text):
    """A Python literal of the string ``text``."""
    return repr(str(text))


def py_identifier(text):
    if not (isinstance(text, str) and text.isidentifier() and not keyword.iskeyword(text)):
        raise ValueError(f"{text!r} is not a Python identifier")
    return text


_LITERAL = (type(None), bool, int, float, complex, str, bytes, type(Ellipsis))


def py_literal(value):
    """``repr(value)`` where that is a literal that evaluates back to ``value``."""
    if not _is_literal(value):
        raise ValueError(f"cannot print a constant of type {type(value).__name__} into "
                         "generated code")
    return repr(value)


def _is_literal(v):
    if type(v) in _LITERAL:
        return True
    if type(v) in (tuple, list, frozenset, set):
        return all(_is_literal(x) for x in v)
    if type(v) is dict:
        return all(_is_literal(k) and _is_literal(x) for k, x in v.items())
    if type(v) is slice:
        return all(_is_literal(x) for x in (v.start, v.stop, v.step))
    return isinstance(v, np.generic) and type(v).__module__ == "numpy"


def c_comment(text):
    """``text`` as the inside of a ``/* ... */`` comment on one line."""
    out = "".join(c if " " <= c <= "~" and c != "\\" else _escape(c) for c in str(text))
    out = out.replace("*/", "* /").replace("/*", "/ *")
    return re.sub(r"\?(?=\?)", "?-", out)     # no trigraph: ??/ is a backslash in C99


def c_string(text):
    """A C99 string literal of ``text`` (UTF-8 bytes outside printable ASCII as octal)."""
    out = []
    for b in str(text).encode("utf-8", "surrogatepass"):
        c = chr(b)
        if c in '"\\?':                       # \? keeps ??x from being a trigraph
            out.append("\\" + c)
        elif " " <= c <= "~":
            out.append(c)
        else:
            out.append(f"\\{b:03o}")
    return '"' + "".join(out) + '"'


def c_identifier(text):
    if not (isinstance(text, str) and _C_IDENT.match(text)):
        raise ValueError(f"{text!r} is not a C identifier")
    return text


def _escape(c):
    r = repr(c)[1:-1]              # \n, \t, \x00, \u2028 as Python writes them
    if r != c and r.isascii():
        return r
    n = ord(c)
    if n < 0x100:
        return f"\\x{n:02x}"
    return f"\\u{n:04x}" if n < 0x10000 else f"\\U{n:08x}"


def literal_of(v):
    """A constant as source: a literal (``py_literal``), or the name of a global
    (``Extern``) the module binds under pullback's name."""
    if isinstance(v, Extern):
        return py_identifier(v.name)
    if type(v) is tuple:
        return "(" + ", ".join(map(literal_of, v)) + ("," if len(v) == 1 else "") + ")"
    return py_literal(v)


def index_text(atom, rendered):
    """An index as it reads inside brackets: ``i, 1:n, ...``."""
    if isinstance(atom, Const):
        v = atom.value
        parts = v if isinstance(v, tuple) else (v,)
        if not parts:           # x[()] of a 0-d array: "x[]" would not parse
            return "()"
        text = ", ".join(index_part(p) for p in parts)
        return text + ("," if isinstance(v, tuple) and len(v) == 1 else "")
    return rendered[0]


def index_part(p):
    if isinstance(p, slice):
        a, b, c = ("" if x is None else literal_of(x) for x in (p.start, p.stop, p.step))
        return f"{a}:{b}" + (f":{c}" if c else "")
    if p is Ellipsis:
        return "..."
    return literal_of(p)
