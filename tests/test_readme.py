"""The README's examples run, so they cannot drift from what pullback does.

Every ```python block of README.md runs on its own (a fresh namespace, the
repository as working directory), in order. A block may be preceded by a marker
comment on the line before its fence:

    <!-- readme-test: skip REASON -->          not run (say why)
    <!-- readme-test: output-of COMMAND -->    the block is what COMMAND prints
                                               (``python`` is this interpreter)

A README section you add must run as written, or carry one of these markers.
"""
import os
import re
import runpy
import shlex
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MARKER = re.compile(r"<!--\s*readme-test:\s*(\S+)\s*(.*?)\s*-->")


def readme_blocks(path=os.path.join(ROOT, "README.md")):
    """``(line, marker, argument, code)`` for each ```python block of the README."""
    with open(path, encoding="utf-8") as fh:
        lines = fh.read().splitlines()
    blocks, i = [], 0
    while i < len(lines):
        if lines[i].strip() != "```python":
            i += 1
            continue
        before = next((ln for ln in reversed(lines[:i]) if ln.strip()), "")
        m = MARKER.fullmatch(before.strip())
        end = lines.index("```", i + 1)
        blocks.append((i + 1, m.group(1) if m else "run", m.group(2) if m else "",
                       "\n".join(lines[i + 1:end]) + "\n"))
        i = end + 1
    return blocks


BLOCKS = readme_blocks()


@pytest.mark.parametrize("line, marker, argument, code", BLOCKS,
                         ids=[f"README.md:{b[0]}" for b in BLOCKS])
def test_readme_block(line, marker, argument, code, monkeypatch, tmp_path):
    if marker == "skip":
        assert argument, f"README.md:{line}: a skipped block says why"
        pytest.skip(f"README.md:{line}: {argument}")
    monkeypatch.chdir(ROOT)
    if marker == "output-of":
        words = shlex.split(argument)
        words[0] = sys.executable if words[0] == "python" else words[0]
        r = subprocess.run(words, capture_output=True, text=True, cwd=ROOT)
        assert r.returncode == 0, r.stderr
        printed = r.stdout.replace(ROOT + os.sep, "")     # paths as a fresh clone shows them
        assert code == printed, f"README.md:{line} no longer matches `{argument}`"
        return
    assert marker == "run", f"README.md:{line}: unknown marker {marker!r}"
    script = tmp_path / f"readme_line_{line}.py"      # a real file: pullback reads source
    script.write_text(code, encoding="utf-8")
    runpy.run_path(str(script), run_name="__readme__")


def test_every_python_block_is_found():
    assert len(BLOCKS) >= 3
