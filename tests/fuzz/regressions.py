"""Every failure the fuzzer found, shrunk, kept as a permanent test case.

Each case is one file in ``tests/fuzz/cases/``: the program's source, headed by
comments that give its evaluation point and what went wrong before the fix:

    # failure: crash AttributeError: 'NoneType' object has no attribute 'name'
    # fixed: frontend/scan.py -- a loop's else clause can continue the outer loop
    # params: x:float y:float
    # args: (1.0, -1.2075)

``tools/fuzz.py`` writes new cases here (without a ``fixed`` line);
``tests/test_fuzz.py`` checks every case.
"""
import ast
import hashlib
import os

from .programs import Program

CASES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "cases")


def load_all(directory=CASES):
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
