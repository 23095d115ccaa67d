"""The config files carewatch ships: the documented default and the examples. No pydantic
here, so ``carewatch --help`` (which lists the examples) loads none."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any


def shipped_path(name: str) -> Path:
    """A file under ``config/``: in a wheel beside this module (``pyproject.toml``'s
    force-include), in the source tree in ``config/`` beside the package."""
    in_wheel = Path(__file__).with_name("shipped") / name
    if in_wheel.exists():
        return in_wheel
    return Path(__file__).resolve().parents[2] / "config" / name


def default_config_text() -> str:
    """The text of the documented default config (``config/carewatch.toml``)."""
    return shipped_path("carewatch.toml").read_text(encoding="utf-8")


def default_config_data() -> dict[str, Any]:
    """The documented default config as a TOML document."""
    return tomllib.loads(default_config_text())


def example_names() -> list[str]:
    """The example configs shipped with carewatch (``config/examples/NAME.toml``)."""
    return sorted(p.stem for p in shipped_path("examples").glob("*.toml"))
