"""User text printed into generated code cannot run (issue 15, item 4).

The escape functions are checked on hostile text (line breaks, quotes, ``*/``,
backslashes, trigraphs, non-ASCII); then a file name carrying code after a newline
and a docstring carrying ``\"\"\"`` go through every backend, and the planted code
must not run while the gradient stays right (checked against finite differences).
"""
import ast
import builtins
import importlib.util
import math
import os
import subprocess
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from c_driver import CC, STRICT  # noqa: E402

import pullback  # noqa: E402
from pullback.backends.escape import (c_comment, c_identifier, c_string, py_comment,  # noqa
                                      py_identifier, py_string)

HOSTILE = ["plain", "new\nline", "cr\rreturn", 'quote " and \' and """', "end */ here",
           "open /* nested", "back\\slash\\", "tri??/graph??=", "non-ASCII é λ 𝜕",
           "sep\u2028line\u2029para\x0cform", "nul\x00byte", "*/\n#include <stdio.h>\n/*"]
MARK = "pb_pwned"


@pytest.mark.parametrize("text", HOSTILE)
def test_python_escapes_keep_the_text_inert(text):
    tree = ast.parse(f"x = 1  # {py_comment(text)}\n")
    assert len(tree.body) == 1 and "\n" not in py_comment(text)
    assert ast.literal_eval(py_string(text)) == text


def test_identifiers_are_checked():
    assert py_identifier("x_bar") == "x_bar" and c_identifier("x_bar") == "x_bar"
    for bad in ["a b", "1x", "for", "x;y", "a\nb", ""]:
        with pytest.raises(ValueError):
            py_identifier(bad)
    for bad in ["λ", "a-b", "x\n", ""]:
        with pytest.raises(ValueError):
            c_identifier(bad)


@pytest.mark.skipif(CC is None, reason="needs a C compiler (cc)")
def test_c_escapes_compile_and_keep_the_bytes(tmp_path):
    lines = ["#include <stdio.h>", "int main(void)", "{"]
    for k, text in enumerate(HOSTILE):
        body = c_comment(text)
        assert "*/" not in body and "/*" not in body and "??" not in body
        assert all(" " <= c <= "~" for c in body)
        lines.append(f"    /* {body} */")
        lines.append(f"    fwrite({c_string(text)}, 1, sizeof {c_string(text)} - 1, stdout);")
        lines.append('    fputs("\\n---\\n", stdout);')
    lines += ["    return 0;", "}", ""]
    src = tmp_path / "esc.c"
    src.write_text("\n".join(lines))
    exe = tmp_path / "esc"
    subprocess.run([CC, *STRICT, "-o", str(exe), str(src)], check=True, capture_output=True)
    out = subprocess.run([str(exe)], capture_output=True, check=True).stdout
    assert out.split(b"\n---\n")[:-1] == [t.encode("utf-8") for t in HOSTILE]


HOSTILE_FILE = f"evil\nimport builtins; builtins.{MARK} = 'file name'\n# x.py"
SOURCE = f'''
import math


def f(x, y):
    """Docstring closing early: \\"\\"\\"; import builtins; builtins.{MARK} = 'doc'; \\"\\"\\" \\\\"""
    return math.sin(x) * y + x * x
'''


def _hostile_module(tmp_path):
    path = tmp_path / HOSTILE_FILE
    path.write_text(SOURCE)
    spec = importlib.util.spec_from_file_location("pb_hostile", str(path))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert '"""' in module.f.__doc__ and "\n" in module.f.__code__.co_filename
    return module.f


def _expected(x, y):
    return math.cos(x) * y + 2 * x, math.sin(x)


@pytest.mark.parametrize("backend", ["python", "numba"])
def test_file_name_and_docstring_do_not_run(tmp_path, backend, monkeypatch):
    monkeypatch.setenv("PULLBACK_CACHE_DIR", str(tmp_path / "cache"))
    f = _hostile_module(tmp_path)
    if hasattr(builtins, MARK):
        delattr(builtins, MARK)
    g = pullback.grad(f, argnums=(0, 1), backend=backend)
    dx, dy = g(0.3, 1.7)
    assert not hasattr(builtins, MARK), getattr(builtins, MARK)
    ex, ey = _expected(0.3, 1.7)
    assert abs(dx - ex) < 1e-12 and abs(dy - ey) < 1e-12
    text = pullback.source(g)
    assert ast.parse(text) and "builtins" not in [ln.split()[0] for ln in text.splitlines()
                                                  if ln.strip()]


@pytest.mark.skipif(CC is None, reason="needs a C compiler (cc)")
def test_file_name_and_qualname_stay_inside_c_comments(tmp_path):
    f = _hostile_module(tmp_path)
    f.__qualname__ = "f */ int planted(void) { return 1; } /*"
    c = pullback.emit_c(f, 0.3, 1.7, argnums=(0, 1))
    compiled = c.compile()
    assert not hasattr(compiled.lib, "planted")      # the comment stayed a comment
    value, grads = compiled(0.3, 1.7)
    ex, ey = _expected(0.3, 1.7)
    assert abs(grads[0] - ex) < 1e-12 and abs(grads[1] - ey) < 1e-12


def test_constants_print_only_as_literals():
    import numpy as np
    from pullback.backends.escape import py_literal

    class Evil:
        def __repr__(self):
            return "__import__('os').system('echo pwned')"
    for v in [1, -2.5, "a\nb'\"", None, (1, slice(0, 3, None), ...), np.float64(0.5), b"x"]:
        assert eval(py_literal(v), {"np": np}) == v or v is ... or isinstance(v, tuple)
    for v in [Evil(), [Evil()], {"k": Evil()}, slice(Evil())]:
        with pytest.raises(ValueError):
            py_literal(v)
