"""Shared test settings: no inherited carewatch environment, no config of the machine or of
the developer, no colour settings."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _isolated_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Tests never read the developer's CAREWATCH_CONFIG / CAREWATCH_DB, the real
    /etc/carewatch or ~/.config/carewatch, nor NO_COLOR / FORCE_COLOR."""
    for name in ("CAREWATCH_CONFIG", "CAREWATCH_DB", "NO_COLOR", "FORCE_COLOR"):
        monkeypatch.delenv(name, raising=False)
    home = tmp_path_factory.mktemp("config-home")
    monkeypatch.setenv("CAREWATCH_SYSTEM_CONFIG_DIR", str(Path(home) / "etc-carewatch"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(Path(home) / "xdg-config"))
