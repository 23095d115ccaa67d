"""Where carewatch keeps what only saves time between runs (its cache folder).

A module of its own, importing nothing of carewatch, so a command that must start fast
(``carewatch tag``) finds the folder without loading the report's cache
(:mod:`carewatch.kpicache`)."""

from __future__ import annotations

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
