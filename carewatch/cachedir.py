"""Where carewatch keeps what only saves time between runs (its cache folder).

A module of its own, importing nothing of carewatch, so a command that must start fast
(``carewatch tag``) finds the folder without loading the report's cache
(:mod:`carewatch.kpicache`)."""

from __future__ import annotations

import contextlib
import os
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


def write_kept(path: Path, text: str, keep: int) -> None:
    """Write ``text`` to ``path`` whole or not at all (a temporary file of the same folder,
    renamed), then remove all but the ``keep`` files (``*.json``) of that folder written last.
    A folder that cannot be written is passed over: the cache only saves time."""
    import tempfile

    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".part")
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
