"""Tracebacks that point at the user's code, not at pullback's.

An error escaping a public entry point (``user_facing``) gets, once:

- a note per frame of generated code: the generated line and the user's line
  it was printed for (file:line and its text), from the map the Python backend
  registers for each loaded module (``python_load.ORIGINS``);
- for a ``TransformError``, a note with the text of the user's line it names;
- its traceback without pullback's own frames, unless ``PULLBACK_DEBUG=1``:
  the user's frames and the generated code's stay.

Invariants: the exception itself (type, message, arguments) is never changed,
only its notes and traceback; an exception crossing several entry points is
explained once.  Python 3.10 has no ``add_note``: there the notes are skipped.
"""
import functools
import linecache
import os

from .backends.python_load import ORIGINS as _ORIGINS
from .errors import TransformError

PACKAGE = os.path.dirname(os.path.abspath(__file__))


def debugging():
    return os.environ.get("PULLBACK_DEBUG", "") not in ("", "0")


def user_facing(fn):
    """``fn`` with errors explained and pullback's frames hidden (see the module doc)."""
    @functools.wraps(fn)
    def entry(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except Exception as e:
            explain(e)
            if not debugging():
                e.with_traceback(_without_internal_frames(e.__traceback__))
            raise       # a bare raise adds no frame: this one stays hidden too
    return entry


def explain(e):
    """Add the notes that point at the user's code to ``e`` (once)."""
    if getattr(e, "_pullback_explained", False) or not hasattr(e, "add_note"):
        return
    e._pullback_explained = True
    if isinstance(e, TransformError) and e.line:
        text = linecache.getline(e.filename, e.line).strip()
        if text:
            e.add_note(f"  {e.filename}:{e.line}:  {text}")
    for filename, line in _generated_frames(e.__traceback__):
        loc = _ORIGINS[filename].get(line)
        generated = linecache.getline(filename, line).strip()
        note = f"in generated code {filename}, line {line}:  {generated}"
        if loc is not None:
            text = linecache.getline(loc.file, loc.line).strip()
            note += f"\n  from your code {loc.file}:{loc.line}:  {text}"
        e.add_note(note)
    if not debugging():
        e.add_note("(pullback's own frames are hidden; PULLBACK_DEBUG=1 shows them)")


def _generated_frames(tb):
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename in _ORIGINS:
            yield filename, tb.tb_lineno
        tb = tb.tb_next


def _internal(tb):
    folder = os.path.dirname(os.path.abspath(tb.tb_frame.f_code.co_filename))
    return folder == PACKAGE or folder.startswith(PACKAGE + os.sep)


def _without_internal_frames(tb):
    """``tb`` relinked without the frames of pullback's own modules."""
    kept = []
    while tb is not None:
        if not _internal(tb):
            kept.append(tb)
        tb = tb.tb_next
    for a, b in zip(kept, kept[1:]):
        a.tb_next = b
    if kept:
        kept[-1].tb_next = None
    return kept[0] if kept else None


__all__ = ["debugging", "explain", "user_facing"]
