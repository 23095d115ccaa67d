"""What the live screen remembers between runs: the theme picked from the command palette.

A small TOML file of carewatch's own (not the user's config, which a later layer of config
files may merge from several places and which a program should not rewrite):
``$CAREWATCH_STATE``, else ``$XDG_STATE_HOME/carewatch/state.toml``, else
``~/.local/state/carewatch/state.toml``. It holds the picked theme and the config's
``[ui] theme`` at the time of the pick: when the config's theme changes later, the config wins
again (an edited config is the newer wish).
"""

from __future__ import annotations

import json
import os
import tomllib
from pathlib import Path

from carewatch.i18n import _
from carewatch.outfile import write_whole


def default_state_path() -> Path:
    """Where the state file lives (see the module doc)."""
    given = os.environ.get("CAREWATCH_STATE")
    if given:
        return Path(given)
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "carewatch" / "state.toml"


def _read(path: Path) -> dict[str, object]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return {}  # no file, or a broken one: start from the config


def theme_to_use(path: Path | None, config_theme: str) -> str:
    """The theme picked in the palette, unless the config's theme changed since the pick."""
    if path is None:
        return config_theme
    data = _read(path)
    picked, under = data.get("theme"), data.get("config_theme")
    if isinstance(picked, str) and picked and under == config_theme:
        return picked
    return config_theme


def remember_theme(path: Path | None, theme: str, config_theme: str) -> str | None:
    """Write the picked theme to the state file; returns an error sentence, or ``None``."""
    if path is None:
        return None
    data = _read(path)
    data.update(theme=theme, config_theme=config_theme)
    lines = ["# carewatch's state: what the live screen remembers (safe to delete)"]
    lines += [f"{key} = {json.dumps(str(value))}" for key, value in sorted(data.items())]
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_whole(path, "\n".join(lines) + "\n")
    except OSError as exc:
        return _("cannot remember the theme in {path}: {error}").format(
            path=path, error=exc.strerror or exc
        )
    return None
