"""The CLI runs a file's top-level code only when it imports it (issue 15, item 6).

``--no-import`` reads the file: its derivative is the same as the imported one's
(and right, against finite differences), and no top-level statement runs.
"""
import math
import os
import textwrap

import pytest

from pullback.cli import main

PROGRAM = textwrap.dedent('''
    import math
    import numpy as np
    import os
    open(os.environ["PB_MARK"], "w").write("ran")
    K = 3
    SCALE = 0.5


    def helper(x, k):
        return math.sin(x) * k


    def f(x, y, n):
        s = 0.0
        for i in range(n):
            s = s + helper(x * SCALE, K) * y + np.tanh(y)
        return s


    def g(x):
        return os.path.getsize(x)


    if __name__ == "__main__":
        raise SystemExit("main ran")
''')


def _grad(path, extra, capsys):
    main([f"{path}:f", "--args", "n: int", *extra])
    return capsys.readouterr().out


def test_no_import_runs_nothing_and_differentiates_the_same(tmp_path, monkeypatch, capsys):
    path = tmp_path / "prog.py"
    path.write_text(PROGRAM)
    mark = tmp_path / "mark"
    monkeypatch.setenv("PB_MARK", str(mark))
    read = _grad(path, ["--no-import"], capsys)
    assert not mark.exists()
    imported = _grad(path, [], capsys)
    assert mark.exists()                 # importing runs the top level, as --help says
    assert read == imported
    ns = {}
    exec(compile(read, "<generated>", "exec"), ns)
    x, y, n = 0.4, 1.1, 4
    _, dx, dy = ns["f_grad"](x, y, n)
    h = 1e-6
    fd = [(_f(x + h, y, n) - _f(x - h, y, n)) / (2 * h),
          (_f(x, y + h, n) - _f(x, y - h, n)) / (2 * h)]
    assert abs(dx - fd[0]) < 1e-7 and abs(dy - fd[1]) < 1e-7


def _f(x, y, n):
    return sum(math.sin(x * 0.5) * 3 * y + math.tanh(y) for _ in range(n))


def test_no_import_names_what_it_left_out(tmp_path, monkeypatch):
    path = tmp_path / "prog.py"
    path.write_text(PROGRAM)
    monkeypatch.setenv("PB_MARK", str(tmp_path / "mark"))
    with pytest.raises(SystemExit) as e:
        main([f"{path}:g", "--no-import"])
    assert "prog.py" in str(e.value) and not (tmp_path / "mark").exists()
    with pytest.raises(SystemExit, match="no top-level function 'nothing'"):
        main([f"{path}:nothing", "--no-import"])


@pytest.mark.parametrize("flags", [[], ["--no-import"]])
def test_a_syntax_error_is_one_located_line(tmp_path, flags):
    path = tmp_path / "syn.py"
    path.write_text("def f(x):\n    return x +* 2\n")
    with pytest.raises(SystemExit) as e:
        main([f"{path}:f", "--wrt", "x"] + flags)
    assert str(e.value).startswith(f"pullback: {path}:2:") and "invalid syntax" in str(e.value)


def test_printed_text_says_which_globals_it_reads(tmp_path, capsys):
    path = tmp_path / "glob.py"
    path.write_text("import numpy as np\nW = np.ones(3)\n\n\ndef f(x):\n"
                    "    return np.sum(W * x)\n")
    assert main([f"{path}:f", "--args", "x: float64[3]"]) == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert first.startswith("# Not runnable on its own: it reads W")


@pytest.mark.parametrize("rebind", ["C = C * 5.0", "C += 2.0", "if True:\n    C = 9.0",
                                    "for C in (4.0,):\n    pass"])
def test_a_literal_rebound_by_a_skipped_statement_is_unknown(tmp_path, rebind):
    # was: the first literal's value, silently (2.0 where Python has 10.0)
    path = tmp_path / "rebound.py"
    path.write_text(f"C = 2.0\n{rebind}\n\n\ndef f(x):\n    return C * x * x\n")
    with pytest.raises(SystemExit, match=r"rebound.py:\d+:\d+: name 'C' is not defined"):
        main([f"{path}:f", "--no-import"])
    path.write_text(f"C = 2.0\n{rebind}\nC = 3.0\n\n\ndef f(x):\n    return C * x * x\n")
    assert main([f"{path}:f", "--no-import"]) == 0       # a literal after it is known again
