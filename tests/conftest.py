"""Shared test settings: a fixed time zone and no inherited carewatch environment."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never read the developer's CAREWATCH_CONFIG / CAREWATCH_DB."""
    monkeypatch.delenv("CAREWATCH_CONFIG", raising=False)
    monkeypatch.delenv("CAREWATCH_DB", raising=False)
