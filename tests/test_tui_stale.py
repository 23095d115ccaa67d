"""The live screen when the database cannot be read: the figures stay, and the screen says
from when they are and since when nothing could be read, until a read succeeds again."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from textual.widgets import Static

from carewatch.store import StoreError
from carewatch.tui.panels.alerts import AlertsLine
from tests.test_tui import ME, NOW, SIZE, answered_call, make, ready, seed, wait_for


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "cw.db"
    seed(path, [answered_call("c-1", NOW - 600, ME)])
    return path


def _line(app: object) -> str:
    return str(app.screen.query_one(AlertsLine).render())  # type: ignore[attr-defined]


async def test_a_database_that_cannot_be_read_is_said_until_it_can(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make(db)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        taken = datetime.fromtimestamp(NOW, app.config.tz).strftime("%H:%M:%S")
        assert "cannot read the database" not in _line(app)

        def down(*_args: object, **_kwargs: object) -> bool:
            raise StoreError("database cw.db: connection refused")

        monkeypatch.setattr(app.live_day, "sync", down)
        app.request_refresh()
        await wait_for(pilot, lambda: app.read_failed is not None, "the failed read")
        await wait_for(
            pilot, lambda: "cannot read the database" in _line(app), "the alert on the panels"
        )
        line = _line(app)
        assert f"since {taken}; the figures are from {taken}" in line
        assert "connection refused" in line
        assert line.startswith("⚠ cannot read the database")  # first: before anything else

        # the wallboard says it too, in place of its keys
        await pilot.press("b")
        await wait_for(pilot, lambda: app.wall is not None, "the wallboard")
        keys = app.screen.query_one("#wall-keys", Static)
        await wait_for(
            pilot, lambda: "cannot read the database" in str(keys.render()), "the wall's alert"
        )
        await pilot.press("b")
        await wait_for(pilot, lambda: app.wall is None, "back to the panels")

        # the database is back: the next refresh clears it
        monkeypatch.undo()
        app.request_refresh()
        await wait_for(pilot, lambda: app.read_failed is None, "a read that succeeds")
        await wait_for(
            pilot, lambda: "cannot read the database" not in _line(app), "the alert gone"
        )
