"""Snapshots of the live screen (pytest-textual-snapshot): a fixed clock, calls from the
simulator's fixed seed (tests/tui_snapshot_app.py). ``pytest --snapshot-update`` rewrites
them after a deliberate change; look at tests/__snapshots__/ before committing."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.pilot import Pilot

from carewatch import i18n
from carewatch.tui.app import CarewatchApp
from carewatch.tui.screens.help import HelpScreen
from carewatch.tui.screens.wall import WallScreen
from tests.tui_snapshot_app import build


async def until_painted(pilot: Pilot) -> None:
    """Wait (bounded) for the first refresh to be on screen."""
    app: CarewatchApp = pilot.app  # type: ignore[assignment]
    deadline = time.monotonic() + 10
    while app.refresh_count < 1:
        assert time.monotonic() < deadline, "the screen never refreshed"
        await pilot.pause(0.02)
    await pilot.pause()


async def open_help(pilot: Pilot) -> None:
    """The help screen over the painted main screen."""
    await until_painted(pilot)
    await pilot.press("question_mark")
    assert isinstance(pilot.app.screen, HelpScreen)
    await pilot.pause()


async def open_wall(pilot: Pilot) -> None:
    """The wallboard (b) over the painted main screen."""
    await until_painted(pilot)
    await pilot.press("b")
    assert isinstance(pilot.app.screen, WallScreen)
    await pilot.pause()


@pytest.fixture(scope="module")
def filled_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One filled database for the module (the app only reads it here)."""
    path = tmp_path_factory.mktemp("snap") / "snapshot.db"
    build(str(path))
    return path


@pytest.mark.parametrize(
    "size",
    [(80, 24), (100, 30), (120, 36), (160, 48), (200, 60)],
    ids=lambda size: f"{size[0]}x{size[1]}",
)
def test_main_screen(snap_compare, filled_db: Path, size: tuple[int, int]) -> None:
    """Each size laid out on purpose (carewatch/tui/screens/layout.py)."""
    from tests.tui_snapshot_app import make_app

    assert snap_compare(make_app(str(filled_db)), terminal_size=size, run_before=until_painted)


def test_terminal_too_small(snap_compare, filled_db: Path) -> None:
    from tests.tui_snapshot_app import make_app

    assert snap_compare(make_app(str(filled_db)), terminal_size=(60, 20), run_before=until_painted)


@pytest.mark.parametrize("size", [(120, 36), (200, 60)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_wallboard(snap_compare, filled_db: Path, size: tuple[int, int]) -> None:
    from tests.tui_snapshot_app import make_app

    assert snap_compare(make_app(str(filled_db)), terminal_size=size, run_before=open_wall)


def test_queues_panel_focused_at_100x30(snap_compare, filled_db: Path) -> None:
    """Tab to the queues panel: its border lights up (every Tab stop shows its focus)."""
    from tests.tui_snapshot_app import make_app

    async def focus_queues(pilot: Pilot) -> None:
        await until_painted(pilot)
        await pilot.press("tab", "tab")
        assert pilot.app.focused is not None and pilot.app.focused.id == "queues"
        await pilot.pause()

    assert snap_compare(make_app(str(filled_db)), terminal_size=(100, 30), run_before=focus_queues)


def test_help_screen(snap_compare, filled_db: Path) -> None:
    from tests.tui_snapshot_app import make_app

    assert snap_compare(make_app(str(filled_db)), terminal_size=(120, 36), run_before=open_help)


# -- in Italian (the language is process-wide: back to English after each test) ---------------
@pytest.fixture
def italian() -> Iterator[None]:
    i18n.set_language("it")
    yield
    i18n.set_language("en")


@pytest.mark.parametrize("size", [(80, 24), (120, 36)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_main_screen_in_italian(
    snap_compare, filled_db: Path, italian: None, size: tuple[int, int]
) -> None:
    """The same screen in Italian: panels, columns, keys and the Now strip fit."""
    from tests.tui_snapshot_app import make_app

    assert snap_compare(make_app(str(filled_db)), terminal_size=size, run_before=until_painted)


def test_help_screen_in_italian(snap_compare, filled_db: Path, italian: None) -> None:
    from tests.tui_snapshot_app import make_app

    assert snap_compare(make_app(str(filled_db)), terminal_size=(120, 36), run_before=open_help)


def test_wallboard_in_italian(snap_compare, filled_db: Path, italian: None) -> None:
    from tests.tui_snapshot_app import make_app

    assert snap_compare(make_app(str(filled_db)), terminal_size=(120, 36), run_before=open_wall)
