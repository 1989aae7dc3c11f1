"""A function from a file without running the file: the CLI's ``--no-import``.

Importing a file runs all its top-level code.  ``function_from_file(path, name)``
reads the file's text instead and builds a namespace from the top-level
statements that cannot run the file's own code:

- ``import M`` / ``from M import x`` where ``M`` is a library pullback has rules for
  (``TRUSTED``: math, numpy, scipy.special, pullback): importing them runs their code,
  never this file's;
- ``NAME = literal`` (anything ``ast.literal_eval`` accepts);
- ``def`` without decorators whose defaults are literals, compiled alone from
  the file (so tracebacks and pullback's messages show the file's lines).

Everything else (other imports, calls, classes, decorated functions, ``if
__name__ == "__main__"``) is skipped; a name the function needs from it is then
reported by pullback at the line that reads it.  A name a skipped statement may bind
(``C = C * 5``, ``D += 2``, a binding inside ``if``) is unknown from there on, not the
value of an earlier literal.

Invariant: no statement of the file runs, except the definitions themselves
(a ``def`` runs only its literal defaults).
"""
import ast

TRUSTED = ("math", "cmath", "numpy", "scipy.special", "pullback")


def function_from_file(path, name):
    """The function ``name`` defined at the top level of ``path``, built without running
    the file; ``SystemExit`` with a message when it is not there."""
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except OSError as e:
        raise SystemExit(f"pullback: cannot read {path}: {e.strerror}") from None
    try:
        tree = ast.parse(text, path)
    except SyntaxError as e:
        raise SystemExit(syntax_message(e)) from None
    namespace = {"__name__": "_pullback_target", "__file__": path}
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)) and _trusted(node):
            _run(node, path, namespace)
        elif isinstance(node, ast.Assign) and _literal(node.value) and \
                all(isinstance(t, ast.Name) for t in node.targets):
            _run(node, path, namespace)
        elif isinstance(node, ast.FunctionDef) and not node.decorator_list and \
                all(_literal(d) for d in node.args.defaults + node.args.kw_defaults
                    if d is not None):
            _run(node, path, namespace)
        else:       # skipped: what it would bind is unknown, not an earlier literal's value
            for bound in _bound(node):
                namespace.pop(bound, None)
    f = namespace.get(name)
    if not callable(f):
        raise SystemExit(f"pullback: {path} has no top-level function {name!r} that "
                         "--no-import can read (a def without decorators and with "
                         "literal defaults)")
    return f


def syntax_message(e):
    """``pullback: FILE:LINE:COL: message`` for a SyntaxError in the user's file."""
    return f"pullback: {e.filename}:{e.lineno}:{(e.offset or 1) - 1}: {e.msg}" + \
        (f"\n  {e.text.rstrip()}" if e.text else "")


def _trusted(node):
    if isinstance(node, ast.ImportFrom):
        return node.level == 0 and _known(node.module)
    return all(_known(a.name) for a in node.names)


def _known(module):
    return any(module == m or module.startswith(m + ".") for m in TRUSTED)


def _literal(node):
    try:
        ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False
    return True


def _bound(node):
    """The names a top-level statement may bind, at any depth of its blocks (a name
    rebound by ``C = C * 5``, ``D += 2`` or inside ``if``/``for``/``try``)."""
    names = set()
    for n in ast.walk(node):
        if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load):
            names.add(n.id)
        elif isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(n.name)
        elif isinstance(n, ast.alias):
            names.add((n.asname or n.name).split(".")[0])
        elif isinstance(n, ast.ExceptHandler) and n.name:
            names.add(n.name)
        elif isinstance(n, (ast.MatchAs, ast.MatchStar)) and n.name:
            names.add(n.name)
    return names


def _run(node, path, namespace):
    exec(compile(ast.Module(body=[node], type_ignores=[]), path, "exec"), namespace)
