"""Every failure the fuzzer found, shrunk, kept as a permanent test case.

Each case is one file in ``tests/fuzz/cases/``: the program's source, headed by
comments that give its evaluation point and what went wrong before the fix:

    # failure: crash AttributeError: 'NoneType' object has no attribute 'name'
    # fixed: frontend/scan.py -- a loop's else clause can continue the outer loop
    # params: x:float y:float
    # args: (1.0, -1.2075)

``tools/fuzz.py`` writes new cases here (without a ``fixed`` line);
``tests/test_fuzz.py`` checks every case.  A case with a ``known`` line is a
bug not fixed yet: the test expects it to still fail (and says when it passes).

A case a metamorphic rewrite found (tests/fuzz/metamorphic.py) also names the
rewrite, the backend, the mode and what went wrong; the test checks it with
``metamorphic.check_variant`` (the program is the original, not the rewrite):

    # variant: global
    # backend: python
    # mode: grad
    # kind: wrong

Array programs (``arrays``) live in ``tests/fuzz/array_cases/``; their kinds
are ``array:3``, ``array:2x3``, ``pair:3``, ``dict:3``, ``float``, ``int`` and
their arguments are written as nested lists (``arrays.plain``):

    # params: x:array:3 n:int
    # args: ([0.5, -1.2, 0.25], 2)
"""
import ast
import hashlib
import os
from dataclasses import replace

from .programs import Program

CASES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "cases")
ARRAY_CASES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "array_cases")


def load_arrays(directory=ARRAY_CASES):
    """[(case name, ArrayProgram, header dict)] for every array case file."""
    from .arrays import ArrayProgram, make_arg
    out = []
    for name, program, head in load_all(directory, parse_args=False):
        params = [tuple(p.split(":", 1)) for p in head["params"].split()]
        args = tuple(make_arg(kind, v) for (_, kind), v in
                     zip(params, ast.literal_eval(head["args"])))
        out.append((name, ArrayProgram(program.source, params, args), head))
    return out


def save_array(program, outcome, directory=ARRAY_CASES):
    from .arrays import plain
    return save(replace(program, args=plain(program.args)), outcome, directory)


def load_all(directory=CASES, parse_args=True):
    """[(case name, Program, header dict)] for every case file, sorted by name."""
    out = []
    for name in sorted(os.listdir(directory)) if os.path.isdir(directory) else ():
        if name.endswith(".py"):
            with open(os.path.join(directory, name)) as fh:
                text = fh.read()
            head = {}
            for line in text.splitlines():
                if line.startswith("# ") and ": " in line:
                    key, value = line[2:].split(": ", 1)
                    head.setdefault(key, value)
            if not parse_args:
                out.append((name[:-3], Program(text, [], ()), head))
                continue
            params = [tuple(p.split(":")) for p in head["params"].split()]
            out.append((name[:-3], Program(text, params, ast.literal_eval(head["args"])), head))
    return out


def save(program, outcome, directory=CASES):
    """Write a shrunk failing program as a new case; returns its path."""
    os.makedirs(directory, exist_ok=True)
    digest = hashlib.sha1((program.source + repr(program.args)).encode()).hexdigest()[:10]
    path = os.path.join(directory, f"{outcome.kind}_{digest}.py")
    detail = " ".join(outcome.detail.split())[:300]
    header = (f"# failure: {outcome.kind} {detail}\n"
              f"# params: {' '.join(f'{n}:{k}' for n, k in program.params)}\n"
              f"# args: {program.args!r}\n")
    with open(path, "w") as fh:
        fh.write(header + program.source)
    return path


def save_variant(program, outcome, finding):
    """Save a metamorphic finding's shrunk program, headed by its variant, backend and mode."""
    array = hasattr(program, "simpler_args")
    path = (save_array if array else save)(program, outcome)
    with open(path) as fh:
        text = fh.read()
    head = "".join(f"# {k}: {v}\n" for k, v in (
        ("variant", finding.variant.replace("-moved", "")), ("backend", finding.backend),
        ("mode", finding.mode), ("kind", finding.kind)))
    with open(path, "w") as fh:
        fh.write(head + text)
    return path


def checker_for(head, checker):
    """The check a case file asks for: ``checker``, or a metamorphic variant's."""
    if "variant" not in head:
        return checker
    import functools

    from .metamorphic import check_variant
    return functools.partial(check_variant, variant=head["variant"], backend=head["backend"],
                             mode=head["mode"], kind=head["kind"])


def signature(kind, detail):
    """A failure without positions, to recognise a known bug's crash or rejection again."""
    from .shrink import _message
    return f"{kind} {' '.join(_message(detail).split())}"[:200]


def known_signatures():
    """The signatures of the cases marked ``known`` (errors only: a wrong number is never
    recognised, each one is a new failure)."""
    out = set()
    for name, _, head in load_all(CASES, parse_args=False) + load_all(ARRAY_CASES, False):
        kind, _, detail = head.get("failure", "").partition(" ")
        if "known" in head and kind in ("crash", "unsupported", "vjp", "jvp") and \
                "Error" in detail:
            out.add(signature(kind, detail))
    return out
