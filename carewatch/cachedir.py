"""Where carewatch keeps what only saves time between runs (its cache folder).

A module of its own, importing nothing of carewatch, so a command that must start fast
(``carewatch tag``) finds the folder without loading the report's cache
(:mod:`carewatch.kpicache`)."""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

#: The folder of the cache (default: ``$XDG_CACHE_HOME/carewatch``, else ``~/.cache/carewatch``).
CACHE_ENV = "CAREWATCH_CACHE"


def cache_folder() -> Path | None:
    """``$CAREWATCH_CACHE``, else ``$XDG_CACHE_HOME/carewatch``, else ``~/.cache/carewatch``;
    ``None`` without any (no home directory): nothing is kept."""
    own = os.environ.get(CACHE_ENV)
    if own:
        return Path(own)
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg:
        return Path(xdg) / "carewatch"
    home = os.path.expanduser("~")
    return Path(home, ".cache", "carewatch") if os.path.isabs(home) else None


#: The permissions of a folder carewatch makes for its cache: its user's only (the report
#: cache holds figures of the calls, agents' names and call ids).
FOLDER_MODE = 0o700
#: The permissions of a file of the cache: its user's only, or also its group's in a shared
#: folder (:func:`shared`).
FILE_MODE, SHARED_FILE_MODE = 0o600, 0o640


def shared(folder: Path) -> bool:
    """Whether ``folder`` is shared with a group on purpose: its set-group-ID bit is set
    (``install -d -m 2770 -g GROUP``), so what is made in it belongs to that group."""
    try:
        return bool(folder.stat().st_mode & stat.S_ISGID)
    except OSError:
        return False


def make_folder(folder: Path) -> None:
    """Make ``folder`` and those above it that are missing, each :data:`FOLDER_MODE` (a
    folder that is there already keeps its permissions: a site may share one on purpose).
    In a shared folder (:func:`shared`) a new one is shared the same way: set-group-ID, with
    the group permissions of the folder it is made in, nothing for others. Raises
    ``OSError``."""
    missing = []
    at = folder
    while not at.is_dir():
        missing.append(at)
        if at.parent == at:
            break
        at = at.parent
    for each in reversed(missing):
        mode = FOLDER_MODE
        if shared(each.parent):
            mode |= stat.S_ISGID | (each.parent.stat().st_mode & 0o070)
        with contextlib.suppress(FileExistsError):  # made meanwhile by another run
            each.mkdir(mode=mode & 0o777)
            os.chmod(each, mode)  # whatever the umask


def write_kept(path: Path, text: str, keep: int) -> None:
    """Write ``text`` to ``path`` whole or not at all (a temporary file of the same folder,
    renamed), then remove all but the ``keep`` files (``*.json``) of that folder written last.
    The file is its user's only (0600), in folders made :data:`FOLDER_MODE`; in a shared
    folder (:func:`shared`) its group reads it too (0640). A folder that cannot be written is
    passed over: the cache only saves time."""
    import tempfile

    tmp = None
    try:
        make_folder(path.parent)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".part")
        os.fchmod(fd, SHARED_FILE_MODE if shared(path.parent) else FILE_MODE)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(tmp, path)
        tmp = None
        dated = []
        for file in path.parent.glob("*.json"):
            with contextlib.suppress(OSError):  # removed meanwhile by another run
                dated.append((file.stat().st_mtime_ns, file))
        for _mtime, old in sorted(dated)[:-keep]:
            with contextlib.suppress(OSError):
                old.unlink()
    except OSError:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
