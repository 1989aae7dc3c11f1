"""Directories that only the current user can write: where pullback keeps what it runs.

A file in a cache directory is code (the generated Numba module) or a pickle
(Numba's index and object files): whoever can write it, or rename the directory
that holds it, chooses what runs.  So before use:

- ``private_dir(path)`` creates ``path`` with mode 0700 or checks the one there: a
  real directory (not a symbolic link), owned by this user, writable by nobody else.
  One that only this user can write but others can read (an older pullback made it
  0755) is narrowed to 0700; any other is refused with ``CacheDirError``.
- Every directory above it (symbolic links resolved) is owned by this user or root
  and writable by no one else, unless its sticky bit stops others renaming what is
  not theirs (``/tmp``); group-writable is allowed where the group is this user's own.

Invariant: a path ``private_dir`` returned names a directory whose contents no
other user (root aside) could have created, changed or swapped.
"""
import os
import stat


class CacheDirError(PermissionError):
    """A cache directory another user could write: pullback will not run code from it."""


def private_dir(path):
    """``path`` (absolute), created 0700 if missing, after the checks above."""
    path = os.path.abspath(path)
    try:
        os.makedirs(path, mode=0o700, exist_ok=True)
    except FileExistsError:
        pass                                 # a file or a dangling link: lstat says which
    except OSError as e:
        raise CacheDirError(f"cannot create the cache directory {path}: {e.strerror}; "
                            "set PULLBACK_CACHE_DIR to a directory of your own") from None
    st = os.lstat(path)
    if stat.S_ISLNK(st.st_mode):
        _refuse(path, "is a symbolic link")
    if not stat.S_ISDIR(st.st_mode):
        _refuse(path, "is not a directory")
    if st.st_uid != os.geteuid():
        _refuse(path, f"is owned by user id {st.st_uid}, not by you ({os.geteuid()})")
    if st.st_mode & 0o022:
        _refuse(path, f"is writable by {_who(st.st_mode)} (mode {st.st_mode & 0o777:o})")
    if st.st_mode & 0o077:
        os.chmod(path, 0o700)                # readable by others only: nothing was planted
    _check_ancestors(os.path.dirname(path))
    return path


def _check_ancestors(path):
    uid, gid = os.geteuid(), os.getegid()
    d = os.path.realpath(path)
    while True:
        st = os.stat(d)
        sticky = st.st_mode & stat.S_ISVTX
        if st.st_uid not in (0, uid):
            _refuse(d, f"(above the cache) is owned by user id {st.st_uid}, who could "
                       "replace the cache inside it")
        if not sticky and (st.st_mode & 0o002 or (st.st_mode & 0o020 and st.st_gid != gid)):
            _refuse(d, f"(above the cache) is writable by {_who(st.st_mode)} (mode "
                       f"{st.st_mode & 0o7777:o}) without the sticky bit")
        parent = os.path.dirname(d)
        if parent == d:
            return
        d = parent


def _who(mode):
    return " and ".join(w for w, bit in (("its group", 0o020), ("other users", 0o002))
                        if mode & bit) or "others"


def _refuse(path, why):
    raise CacheDirError(f"pullback cache directory {path} {why}: code or pickles planted "
                        "there would run. Use a directory only you can write (mkdir -m 700 "
                        "DIR; export PULLBACK_CACHE_DIR=DIR)")
