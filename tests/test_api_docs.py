"""The published face: docs/api.md lists every public name and is what
tools/api_docs.py writes from the docstrings now; the public functions carry type
hints; the package ships py.typed and the metadata an index needs."""
import inspect
import os
import subprocess
import sys

import pytest

import pullback

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# stop_gradient's source is copied into generated modules, which import nothing typing needs
UNHINTED = {"stop_gradient"}


def test_api_page_lists_every_public_name():
    with open(os.path.join(ROOT, "docs", "api.md"), encoding="utf-8") as fh:
        text = fh.read()
    missing = [n for n in pullback.__all__ if f"## `{n}`" not in text]
    assert not missing, f"docs/api.md lacks {missing}: run python tools/api_docs.py"


def test_api_page_is_up_to_date():
    r = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "api_docs.py"), "--check"],
                       capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr


def test_public_functions_have_type_hints():
    bare = []
    for name in pullback.__all__:
        obj = getattr(pullback, name)
        if not inspect.isfunction(obj) or name in UNHINTED:
            continue
        sig = inspect.signature(obj)
        bare += [f"{name}({p.name})" for p in sig.parameters.values() if p.annotation is p.empty]
        if sig.return_annotation is sig.empty:
            bare.append(f"{name} -> ?")
    assert not bare, bare


def test_package_metadata():
    tomllib = pytest.importorskip("tomllib")      # Python 3.11+
    with open(os.path.join(ROOT, "pyproject.toml"), "rb") as fh:
        project = tomllib.load(fh)["project"]
    assert project["license"] == "MIT" and "LICENSE" in project["license-files"]
    assert project["authors"] and project["classifiers"]
    assert "Typing :: Typed" in project["classifiers"]
    assert os.path.exists(os.path.join(ROOT, "LICENSE"))
    assert os.path.exists(os.path.join(os.path.dirname(pullback.__file__), "py.typed"))
    with open(os.path.join(ROOT, "CHANGELOG.md"), encoding="utf-8") as fh:
        assert pullback.__version__ in fh.read()
    assert project["version"] == pullback.__version__
