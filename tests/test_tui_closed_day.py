"""The live screen next to a closed day: when the same weekday last week is one of the config's
``closed_days``, the calls-per-hour chart draws no line for it and says it was closed, and the
offered tile shows no change against it (Textual pilot, the snapshot tests' store and clock)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from carewatch.config import Config
from carewatch.tui.app import create_app
from carewatch.tui.snapshot import Snapshot
from tests.test_tui import NOW, painted, ready
from tests.tui_snapshot_app import build, snapshot_config

#: The same weekday a week before the fixed clock (Wed 13 Mar 2024, 11:20).
LAST_WEDNESDAY = date(2024, 3, 6)
SIZE = (160, 48)  # the chart is on the screen


@pytest.fixture(scope="module")
def filled_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("closed") / "filled.db"
    build(str(path))
    return path


async def _screen(db: Path, config: Config) -> tuple[list[str], str, list[str], Snapshot]:
    """The chart's painted lines and its legend (the subtitle), the tiles' lines and the
    snapshot, after the first refresh."""
    app = create_app(config, str(db), clock=lambda: NOW, live=False)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.pause()
        chart = app.screen.query_one("#chart")
        assert chart.display
        tiles = painted(app.screen.query_one("#tiles"))
        assert app.snapshot is not None
        return painted(chart), str(chart.border_subtitle), tiles, app.snapshot


async def test_a_closed_day_last_week_draws_no_line_and_no_delta(filled_db: Path) -> None:
    plain = snapshot_config()
    chart, legend, tiles, snap = await _screen(filled_db, plain)
    assert snap.offered_last_week
    assert legend == "█ today · • last Wed"
    assert sum(line.count("•") for line in chart) > 5  # the line of last Wednesday
    assert any("last wk" in line for line in tiles)

    closed = plain.model_copy(update={"closed_days": (LAST_WEDNESDAY,)})
    chart, legend, tiles, snap = await _screen(filled_db, closed)
    assert snap.hourly_last_week is None
    assert snap.offered_last_week is None
    assert snap.last_week_label == "last Wed: closed"
    assert legend == "█ today · last Wed: closed"  # no marker: there is no line
    assert not any("•" in line for line in chart)
    assert not any("last wk" in line for line in tiles)  # no change against it
    assert snap.kpis["offered"] > 0  # today is shown as ever
