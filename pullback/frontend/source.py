"""Fetch a function's AST with true file positions.

Invariant: every AST node returned has ``lineno``/``col_offset`` relative to
the real file, so diagnostics point at the user's code.
"""
import __future__
import ast
import copy
import dis
import functools
import inspect
import linecache
import os
import sys
import textwrap
import types

from ..errors import UnsupportedError
from ..ir import Loc
from .library import library_file


class Source:
    """The parsed definition of one Python function."""

    def __init__(self, node, filename, pyfunc=None):
        self.node = node            # ast.FunctionDef or ast.Lambda
        self.filename = filename
        self.pyfunc = pyfunc        # the live function object, when there is one

    def __eq__(self, other):        # one definition, however often its block is lowered
        return isinstance(other, Source) and other.node is self.node and \
            other.pyfunc is self.pyfunc

    def __hash__(self):
        return id(self.node)

    @property
    def name(self):
        return getattr(self.node, "name", "lambda")

    def loc(self, node):
        return Loc(self.filename, getattr(node, "lineno", 0), getattr(node, "col_offset", 0))


_CACHE = {}


def custom_itself(f):
    """The error for differentiating a custom-rule function itself (None for anything
    else): its rule applies where it is called, so the entry point must call it."""
    code = getattr(getattr(f, "fun", None), "__code__", None)
    if getattr(f, "pullback_rule", None) not in ("vjp", "jvp") or code is None:
        return None
    name = f.fun.__name__
    return UnsupportedError(f"cannot differentiate the custom_{f.pullback_rule} function {name} "
                            f"itself: differentiate a def or lambda that calls it "
                            f"(pullback.grad(lambda x: {name}(x)); its rule applies at calls)",
                            code.co_filename, code.co_firstlineno, 0, "custom rule entry")


def called_method(f):
    """``f.__call__`` bound to ``f`` where ``f`` is an instance whose class defines
    ``__call__`` in Python (a loss or model object: ``grad(Loss(t))``); None otherwise."""
    if isinstance(f, (types.FunctionType, types.MethodType, type)):
        return None
    cls = type(f)
    home = getattr(sys.modules.get(cls.__module__), "__file__", None)
    if home is None or library_file(home) or cls.__module__.split(".")[0] == "pullback":
        return None         # a library's callable (a custom rule's function): not the user's
    call = inspect.getattr_static(cls, "__call__", None)
    if isinstance(call, staticmethod) and isinstance(call.__func__, types.FunctionType):
        return call.__func__
    if isinstance(call, classmethod) and isinstance(call.__func__, types.FunctionType):
        return types.MethodType(call.__func__, type(f))
    if not isinstance(call, types.FunctionType):
        return None
    return types.MethodType(call, f)


def partial_entry(f):
    """``functools.partial(g, *args, **kw)`` (nested too) as a function in the subset that
    calls it with its remaining positional arguments (its signature, less the keyword-only
    parameters, which stay the partial's): the partial's bound values are read and guarded
    where that call reads them (``frontend/functional.py``), as globals are, so an array
    bound in it and changed later is seen; ``f`` itself otherwise."""
    if not isinstance(f, functools.partial):
        return f

    def call(*args):
        return f(*args)
    sig = inspect.signature(f)
    call.__signature__ = sig.replace(parameters=[
        p for p in sig.parameters.values() if p.kind in (p.POSITIONAL_ONLY,
                                                         p.POSITIONAL_OR_KEYWORD)])
    call.__name__ = call.__qualname__ = getattr(f.func, "__name__", "partial")
    return call


def source_of(fn):
    code = getattr(fn, "__code__", None)
    rule_error = custom_itself(fn) if code is None else None
    if rule_error is not None:
        raise rule_error
    if code is None:
        raise UnsupportedError(f"cannot differentiate {fn!r}: it has no Python source "
                               "(a builtin or C extension without a derivative rule)",
                               construct="no source")
    hit = _CACHE.get(id(code))      # by identity: equal code objects of two modules differ
    if hit is not None and hit[0] is code:
        return hit[1]
    filename = code.co_filename
    if code.co_name == "<lambda>":       # in a call or a literal: parse the whole file
        tree = _file_tree(fn)
        node = tree and _find(tree, fn, (0, 0), code.co_firstlineno)
        if node is not None:
            return _finish(fn, node)
    try:
        lines, start, parsed = _source_lines(fn)
    except (OSError, TypeError):
        raise UnsupportedError(f"cannot read the source of {fn.__qualname__!r} "
                               "(defined in a REPL or by exec?)", filename,
                               code.co_firstlineno, 0, "no source") from None
    text = textwrap.dedent("".join(lines))
    indent = len(lines[0]) - len(lines[0].lstrip())
    try:
        tree = parsed if parsed is not None else ast.parse(text)
        shift = (start - 1, indent)
    except SyntaxError:
        # a lambda inside a larger expression: parse the enclosing statement loosely
        try:
            tree = ast.parse("(" + text.strip().rstrip(",") + ")") if "lambda" in text else None
        except SyntaxError:
            tree = None
        if tree is None:
            raise UnsupportedError(f"cannot parse the source of {fn.__qualname__!r} "
                                   "(part of a larger expression?); define it with 'def'",
                                   filename, code.co_firstlineno, 0, "no source") from None
        shift = None
    node = _find(tree, fn, shift)
    if node is None:
        raise UnsupportedError(f"cannot locate the definition of {fn.__qualname__!r}",
                               filename, code.co_firstlineno, 0, "no source")
    _shift(tree, start - 1, indent)
    return _finish(fn, node)


def _finish(fn, node):
    """The checked ``Source`` of ``fn`` at ``node``, its private names as Python spells them."""
    code = fn.__code__
    node = _mangled(node, _class_of(fn.__qualname__))
    _check_runs(fn, node)
    src = Source(node, code.co_filename, fn)
    _CACHE[id(code)] = (code, src)
    return src


def _class_of(qualname):
    """The innermost class ``qualname`` is written in ('' if none): a part followed by
    another that is not ``<locals>`` names a class."""
    parts = qualname.split(".")
    classes = [p for p, q in zip(parts, parts[1:]) if "<locals>" not in (p, q)]
    return classes[-1].lstrip("_") if classes else ""


def _mangled(node, cls):
    """``node`` with ``__name`` written ``_Class__name`` (a copy), as Python compiles every
    private name in a class body: ``self.__s`` reads the attribute ``_K__s``."""
    def private(name):
        return name.startswith("__") and not name.endswith("__") and "." not in name
    fields = {ast.Name: "id", ast.Attribute: "attr", ast.arg: "arg", ast.keyword: "arg",
              ast.FunctionDef: "name", ast.ClassDef: "name", ast.alias: "asname",
              ast.ExceptHandler: "name"}

    def names(n):               # (the function itself keeps its name: its code's name)
        if n is node and isinstance(n, ast.FunctionDef):
            return []
        if isinstance(n, (ast.Global, ast.Nonlocal)):
            return n.names
        field = fields.get(type(n))
        return [getattr(n, field) or ""] if field else []
    if not cls or not any(private(x) for n in ast.walk(node) for x in names(n)):
        return node
    node = copy.deepcopy(node)
    for n in ast.walk(node):
        if isinstance(n, (ast.Global, ast.Nonlocal)):
            n.names = [f"_{cls}{x}" if private(x) else x for x in n.names]
            continue
        field = None if n is node and isinstance(n, ast.FunctionDef) else fields.get(type(n))
        name = field and getattr(n, field)
        if name and private(name):
            setattr(n, field, f"_{cls}{name}")
    return node


_FUTURE = 0
for _feature in __future__.all_feature_names:
    _FUTURE |= getattr(__future__, _feature).compiler_flag
_SKIP = frozenset(("NOP", "CACHE", "RESUME", "EXTENDED_ARG", "COPY_FREE_VARS", "MAKE_CELL",
                   "PUSH_NULL", "PRECALL"))
_SAME = {"LOAD_METHOD": "LOAD_ATTR"}
_JUMPS = frozenset(dis.hasjrel + dis.hasjabs)


def _check_runs(fn, node):
    """Raise unless ``node``, compiled, is the code ``fn`` runs (nested code included):
    a file edited after import must not be differentiated as if it ran."""
    code = fn.__code__
    if _assert_rewritten(code):     # pytest's rewriting of a test module's asserts: its
        return                      # code is not the source's compiled, by design
    again = _recompiled(node, code)
    # (a nested class's __qualname__ is a constant: the wrapper's names are in it)
    if again is None or _fingerprint(again, (again.co_qualname + ".", code.co_qualname + ".")) \
            == _fingerprint(code):
        return
    raise UnsupportedError(f"the source of {fn.__qualname__!r} in {code.co_filename} is not "
                           "the code Python runs (was the file edited after it was imported? "
                           "reload it)", code.co_filename, code.co_firstlineno, 0,
                           "stale source")


def _assert_rewritten(code):
    return "@pytest_ar" in code.co_names or any(
        _assert_rewritten(c) for c in code.co_consts if hasattr(c, "co_code"))


_RECOMPILED = "_pullback_recompiled"


def _recompiled(node, code):
    """``node`` compiled inside a function that binds ``code``'s free variables, so they
    stay free variables; None where it does not compile on its own."""
    body = [ast.Assign([ast.Name(v, ast.Store())], ast.Constant(None)) for v in code.co_freevars]
    if isinstance(node, ast.stmt):      # renamed: a recursive call stays a global's read,
        node = copy.copy(node)          # not one of the wrapper's cell
        node.name = _RECOMPILED
    body.append(node if isinstance(node, ast.stmt) else ast.Expr(node))
    outer = ast.FunctionDef("_pullback_outer", ast.arguments([], [], None, [], [], None, []),
                            body, [], None)
    module = ast.Module([outer], [])
    for n in (outer, *body[:-1], *[a.targets[0] for a in body[:-1]],
              *[a.value for a in body[:-1]], outer.args):
        n.lineno, n.col_offset = node.lineno, 0
        n.end_lineno, n.end_col_offset = node.lineno, 0
    if not isinstance(node, ast.stmt):
        body[-1].lineno, body[-1].col_offset = node.lineno, node.col_offset
        body[-1].end_lineno, body[-1].end_col_offset = node.end_lineno, node.end_col_offset
    try:
        top = compile(module, code.co_filename, "exec", flags=code.co_flags & _FUTURE,
                      dont_inherit=True)
    except (SyntaxError, ValueError, TypeError):
        return None
    inner = next(c for c in top.co_consts if hasattr(c, "co_code"))
    name = _RECOMPILED if isinstance(node, ast.stmt) else code.co_name
    found = [c for c in inner.co_consts if hasattr(c, "co_code") and c.co_name == name]
    return found[-1] if found else None


def _fingerprint(code, rename=None):
    """Instructions (padding left out, so a jump's target is the instruction it lands on,
    counted without padding), their arguments, names and constants, recursively."""
    # (how a method call is spelled, LOAD_METHOD or NULL + LOAD_ATTR, varies with positions;
    # argval, not argrepr: ``in`` and ``not in`` print alike)
    kept = [i for i in dis.get_instructions(code) if i.opname not in _SKIP]
    at = {i.offset: k for k, i in enumerate(kept)}
    offsets = sorted(at)

    def landing(offset):            # padding jumped to: the next kept instruction
        return at[next((o for o in offsets if o >= offset), offsets[-1])]

    def arg(i):
        if i.opcode in _JUMPS:
            return landing(i.argval)
        if hasattr(i.argval, "co_code"):
            return ""                           # compared as a constant, below
        if isinstance(i.argval, tuple) or i.argval is None or isinstance(i.argval, str):
            return repr(_renamed(i.argval, rename)) if i.opname.startswith("LOAD_CONST") else \
                i.argrepr.replace("NULL + ", "").replace("NULL|self + ", "")
        return repr(i.argval)
    ops = tuple((_SAME.get(i.opname, i.opname), arg(i)) for i in kept)
    consts = tuple(_fingerprint(c, rename) if hasattr(c, "co_code")
                   else (type(c).__name__, repr(_renamed(c, rename))) for c in code.co_consts)
    return (ops, consts, code.co_names, code.co_varnames, code.co_freevars, code.co_cellvars,
            code.co_argcount, code.co_kwonlyargcount)


def _renamed(c, rename):
    """A qualified-name constant of the recompiled code as the original has it; a string
    of several lines without its lines' indents (the source is dedented to be parsed,
    and a docstring with it)."""
    if type(c) is not str:
        return c
    if rename is not None and c.startswith(rename[0]):
        c = rename[1] + c[len(rename[0]):]
    return "\n".join(line.lstrip() for line in c.split("\n")) if "\n" in c else c


def _shift(tree, lines, cols):
    """Move every positioned node of ``tree`` by ``lines`` and ``cols`` (as a loop over
    ``ast.walk`` did, three times slower; each node once, in any order)."""
    AST, todo = ast.AST, [tree]
    while todo:
        n = todo.pop()
        if hasattr(n, "lineno"):
            n.lineno += lines
            n.col_offset += cols
            if getattr(n, "end_lineno", None) is not None:   # (else compile refuses the
                n.end_lineno += lines                         # range, and the check of
                n.end_col_offset += cols                      # _check_runs was skipped)
        for field in n._fields:
            v = getattr(n, field, None)
            if isinstance(v, AST):
                todo.append(v)
            elif type(v) is list:
                todo.extend(x for x in v if isinstance(x, AST))


def _source_lines(fn):
    """``inspect.getsourcelines(fn)`` and, when it had to be parsed, the parsed text.  Its ``getblock`` tokenizes the definition to find
    where it ends (5 ms for 100 lines); the code object's positions say so too, when
    the next non-blank line after the last position is code dedented out of the
    definition and the lines up to it parse.  Otherwise (code the compiler dropped
    at the end, such as a trailing ``pass``; comments after the body) ``getblock``
    decides."""
    # the function itself, never what a functools.wraps decorator wrapped: the wrapper's
    # code is what runs (its __name__ is the wrapped one's; its code's co_name is its own)
    # Given the code object, inspect searches every loaded module for the file's (3 ms with
    # JAX loaded, each time for a module gone from sys.modules); the function names its
    # own module.  Which module only matters where the file cannot be read (linecache then
    # asks the module's loader), so there the code object's search stays.
    readable = inspect.isfunction(fn) and os.path.isfile(fn.__code__.co_filename)
    lines, lnum = inspect.findsource(fn if readable else fn.__code__)
    end = _last_line(fn.__code__)
    if fn.__code__.co_name != "<lambda>" and end is not None and lnum < end <= len(lines):
        after = next((ln for ln in lines[end:] if ln.strip()), None)
        # (getblock keeps comments that follow the body: those it decides)
        if after is None or (_indent(after) <= _indent(lines[lnum]) and
                             not after.lstrip().startswith("#")):
            block = lines[lnum:end]
            try:
                return block, lnum + 1, ast.parse(textwrap.dedent("".join(block)))
            except SyntaxError:
                pass
    return inspect.getblock(lines[lnum:]), lnum + 1, None


def _indent(line):
    return len(line.expandtabs()) - len(line.expandtabs().lstrip())


def _last_line(code):
    """The last line any instruction of ``code`` (nested code included) spans."""
    if code is None or not hasattr(code, "co_positions"):
        return None
    last, todo = None, [code]
    while todo:
        c = todo.pop()
        for _, end, _, _ in c.co_positions():
            if end is not None and (last is None or end > last):
                last = end
        todo.extend(k for k in c.co_consts if hasattr(k, "co_positions"))
    return last


def _file_tree(fn):
    """The parsed module ``fn`` was defined in, or None."""
    lines = linecache.getlines(fn.__code__.co_filename, getattr(fn, "__globals__", None))
    try:
        return ast.parse("".join(lines)) if lines else None
    except (SyntaxError, ValueError):
        return None


def _find(tree, fn, shift=None, line=None):
    name = fn.__code__.co_name
    params = list(fn.__code__.co_varnames[:fn.__code__.co_argcount])
    lambdas = []
    for n in ast.walk(tree):
        if name != "<lambda>" and isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) \
                and n.name == name:
            return n
        if name == "<lambda>" and isinstance(n, ast.Lambda) \
                and [a.arg for a in n.args.args] == params and line in (None, n.lineno):
            lambdas.append(n)
    if len(lambdas) > 1 and shift is not None and hasattr(fn.__code__, "co_positions"):
        # several on one line: the one whose body holds every instruction of the code
        lambdas = [n for n in lambdas if _holds(n.body, fn.__code__, shift)] or lambdas
    if len(lambdas) > 1:     # (Python 3.10) or by the numbers they hold
        lambdas = [n for n in lambdas if _constants(n) == _code_constants(fn.__code__)]
        if len(lambdas) != 1:
            code = fn.__code__
            raise UnsupportedError("cannot tell which of several lambdas with the same "
                                   "parameters on this line is meant; define it with 'def'",
                                   code.co_filename, code.co_firstlineno, 0, "ambiguous lambda")
    return lambdas[0] if lambdas else None


def _holds(body, code, shift):
    lo = (body.lineno + shift[0], body.col_offset + shift[1])
    hi = (body.end_lineno + shift[0], body.end_col_offset + shift[1])
    spans = [(line, col, end, end_col) for line, end, col, end_col in code.co_positions()
             if None not in (line, end, col, end_col) and (col, end_col) != (0, 0)]
    return bool(spans) and all(lo <= (line, col) and (end, end_col) <= hi
                               for line, col, end, end_col in spans)


def _constants(lam):
    """Numbers written in a lambda's own body (not in lambdas nested in it)."""
    found, todo = set(), [lam.body]
    while todo:
        n = todo.pop()
        if isinstance(n, ast.Constant) and type(n.value) in (int, float):
            found.add((type(n.value), n.value))
        if not isinstance(n, ast.Lambda):
            todo.extend(ast.iter_child_nodes(n))
    return found


def _code_constants(code):
    return {(type(c), c) for c in code.co_consts if type(c) in (int, float)}
