"""Snapshots of the live screen (pytest-textual-snapshot): a fixed clock, calls from the
simulator's fixed seed (tests/tui_snapshot_app.py). ``pytest --snapshot-update`` rewrites
them after a deliberate change; look at tests/__snapshots__/ before committing."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from textual.pilot import Pilot

from carewatch.tui.app import CarewatchApp
from carewatch.tui.screens.help import HelpScreen
from tests.tui_snapshot_app import build


async def until_painted(pilot: Pilot) -> None:
    """Wait (bounded) for the first refresh to be on screen."""
    app: CarewatchApp = pilot.app  # type: ignore[assignment]
    deadline = time.monotonic() + 10
    while app.refresh_count < 1:
        assert time.monotonic() < deadline, "the screen never refreshed"
        await pilot.pause(0.02)
    await pilot.pause()


@pytest.fixture(scope="module")
def filled_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One filled database for the module (the app only reads it here)."""
    path = tmp_path_factory.mktemp("snap") / "snapshot.db"
    build(str(path))
    return path


def test_main_screen_120x36(snap_compare, filled_db: Path) -> None:
    from tests.tui_snapshot_app import make_app

    assert snap_compare(make_app(str(filled_db)), terminal_size=(120, 36), run_before=until_painted)


def test_main_screen_80x24(snap_compare, filled_db: Path) -> None:
    from tests.tui_snapshot_app import make_app

    assert snap_compare(make_app(str(filled_db)), terminal_size=(80, 24), run_before=until_painted)


def test_help_screen(snap_compare, filled_db: Path) -> None:
    from tests.tui_snapshot_app import make_app

    async def open_help(pilot: Pilot) -> None:
        await until_painted(pilot)
        await pilot.press("question_mark")
        assert isinstance(pilot.app.screen, HelpScreen)
        await pilot.pause()

    assert snap_compare(make_app(str(filled_db)), terminal_size=(120, 36), run_before=open_help)
