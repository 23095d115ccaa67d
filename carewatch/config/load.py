"""Loading a config: a file, ``CAREWATCH_CONFIG`` or the built-in default, validated.

A bad file raises :class:`ConfigError` with one line naming the file, the key and what is
expected.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from carewatch.config.models import Config


class ConfigError(Exception):
    """A config file that cannot be used; ``str()`` is the one line a user sees."""


def _locate(loc: tuple[object, ...]) -> str:
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts[-1] = f"{parts[-1]}[{item}]" if parts else f"[{item}]"
        else:
            parts.append(str(item))
    return ".".join(parts) or "(top level)"


def parse_config(data: dict[str, Any], path: str | None = None) -> Config:
    """A parsed TOML document -> :class:`Config`, or :class:`ConfigError`."""
    where = path or "<config>"
    try:
        return Config.model_validate({**data, "path": path})
    except ValidationError as exc:
        err = exc.errors()[0]
        key = _locate(tuple(err["loc"]))
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            msg = "unknown key (see config/carewatch.toml for the keys)"
        raise ConfigError(f"{where}: {key}: {msg}") from None


def load_config(path: str | os.PathLike[str] | None = None) -> Config:
    """Load a config file; without a path, ``CAREWATCH_CONFIG``, else the built-in default.

    The built-in default is the project's ``config/carewatch.toml`` (shipped in the wheel).
    """
    if path is None:
        path = os.environ.get("CAREWATCH_CONFIG") or None
    if path is None:
        return default_config()
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{file}: no such config file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{file}: cannot read it ({exc})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{file}: not valid TOML ({exc})") from None
    return parse_config(data, str(file))


def default_config_text() -> str:
    """The text of the documented default config."""
    # in a wheel: carewatch/config/default_config.toml (pyproject.toml's force-include)
    shipped = Path(__file__).with_name("default_config.toml")
    if shipped.exists():
        return shipped.read_text(encoding="utf-8")
    # in the source tree: config/carewatch.toml beside the carewatch package
    source_tree = Path(__file__).resolve().parents[2] / "config" / "carewatch.toml"
    return source_tree.read_text(encoding="utf-8")


def default_config() -> Config:
    """The documented default (``config/carewatch.toml``)."""
    data = tomllib.loads(default_config_text())
    return parse_config(data, "config/carewatch.toml")
