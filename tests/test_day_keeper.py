"""The day's report kept before anyone asks (carewatch/report/keep.py): the site's ingester, or
the live screen where it follows the logs, builds the report of the day before a quarter of an
hour after midnight, so the manager's first report of it reads none of its calls; a day that
cannot be kept is told and tried again later.

The store and the calls are those of tests/test_report.py (a Tuesday in Europe/Rome)."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from carewatch.cli import main
from carewatch.config import Config, load_config
from carewatch.kpicache import KpiCache
from carewatch.report import build_report, render
from carewatch.report import keep as keep_module
from carewatch.report.keep import KEEP_AFTER, RETRY_SECONDS, DayKeeper
from carewatch.store import Store
from tests.test_kpicache import config as config  # fixtures: the cache tests' config and store
from tests.test_kpicache import store as store
from tests.test_kpicache_sections import reads as reads  # a fixture
from tests.test_report import DAY, NOW, at, fill

NEXT = DAY + timedelta(days=1)
MIDNIGHT = at(NEXT, 0)


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_the_day_before_is_due_a_quarter_of_an_hour_after_midnight_and_once(
    config: Config,
) -> None:
    keeper = DayKeeper("unused.db", config)
    keeper.kept = DAY - timedelta(days=1)
    assert keeper.due(MIDNIGHT - 60) is None  # the day is not over
    assert keeper.due(MIDNIGHT + KEEP_AFTER - 60) is None  # calls of 23:59 may still be talked
    assert keeper.due(MIDNIGHT + KEEP_AFTER) == DAY
    assert keeper.due(NOW) == DAY  # an ingester started in the morning keeps it then
    keeper.kept = DAY
    assert keeper.due(NOW) is None
    assert keeper.due(at(NEXT + timedelta(days=1), 0, 20)) == NEXT


def test_a_kept_day_makes_the_mornings_first_report_read_none_of_its_calls(
    store: Store, config: Config, reads: list[tuple[str, Any]]
) -> None:
    told: list[str] = []
    keeper = DayKeeper(store.url, config, clock=Clock(NOW), tell=told.append)
    assert keeper.step() == DAY
    assert len(told) == 1 and told[0].startswith("report of Tuesday 14 May 2024 kept for")
    assert keeper.step() is None and len(told) == 1  # once
    reads.clear()
    morning = build_report(store, config, DAY, now=NOW, cache=KpiCache(store, config))
    assert reads == [("callers", (at(NEXT, 0), NOW))]  # only the calls since, for call-backs
    fresh = build_report(store, config, DAY, now=NOW)
    for fmt in ("text", "json"):
        assert render(morning, fmt) == render(fresh, fmt)


def test_a_day_that_cannot_be_kept_is_told_and_tried_again_later(
    config: Config, tmp_path: Path
) -> None:
    folder = tmp_path / "gone.db"
    folder.mkdir()  # no database there: the keep fails
    told: list[str] = []
    clock = Clock(NOW)
    keeper = DayKeeper(str(folder), config, clock=clock, tell=told.append)
    assert keeper.step() is None
    assert len(told) == 1
    assert told[0].startswith("could not keep the report of Tuesday 14 May 2024: ")
    assert told[0].endswith("; trying again in 10 minutes")
    assert keeper.due(NOW + 60) is None
    clock.now = NOW + RETRY_SECONDS
    assert keeper.due(clock.now) == DAY
    assert keeper.kept is None


def test_ingest_follow_keeps_the_day_before(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The site's ingester runs the keeper beside its follower, and stops both."""
    db = tmp_path / "cw.db"
    with Store(str(db)) as s:
        fill(s)
    log = tmp_path / "queue_log"
    log.write_text("")
    conf = tmp_path / "carewatch.toml"
    conf.write_text('timezone = "Europe/Rome"\n')
    stop_events: list[threading.Event] = []
    kept = threading.Event()
    monkeypatch.setattr(keep_module, "CHECK_SECONDS", 0.01)
    monkeypatch.setattr(keep_module, "wall_clock", lambda: NOW)
    monkeypatch.setattr("carewatch.cli.ingest.install_stop_signals", stop_events.append)
    step = DayKeeper.step

    def stepped(self: DayKeeper) -> Any:
        day = step(self)
        if day is not None:
            kept.set()
            stop_events[0].set()
        return day

    monkeypatch.setattr(DayKeeper, "step", stepped)
    timer = threading.Timer(30.0, lambda: stop_events and stop_events[0].set())
    timer.start()
    try:
        code = main(["ingest", str(log), "--follow", "--db", str(db), "--config", str(conf)])
    finally:
        timer.cancel()
    assert code == 0 and kept.is_set()
    err = capsys.readouterr().err
    assert "report of Tuesday 14 May 2024 kept for the morning" in err
    # the manager's report, with the same config, reads none of the day's calls
    same = load_config(str(conf), db=str(db))
    assert calls_the_morning_report_reads(db, same, monkeypatch) == []


def calls_the_morning_report_reads(
    db: Path, config: Config, monkeypatch: pytest.MonkeyPatch
) -> list[tuple[float, float]]:
    """The windows of calls the report of :data:`DAY` reads at :data:`NOW` with the cache."""
    read: list[tuple[float, float]] = []
    with Store(str(db)) as s:
        calls_between = s.calls_between

        def reading(start: float, end: float, **kw: Any) -> Any:
            read.append((start, end))
            return calls_between(start, end, **kw)

        monkeypatch.setattr(s, "calls_between", reading)
        build_report(s, config, DAY, now=NOW, cache=KpiCache(s, config))
    return read


def a_site_whose_screen_follows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[Path, Path, Config]:
    """The database of tests/test_report.py, an empty queue_log the screen follows, the
    config, and a keeper that looks at once."""
    db = tmp_path / "cw.db"
    with Store(str(db)) as s:
        fill(s)
    log = tmp_path / "queue_log"
    log.write_text("")
    config = load_config(None, db=str(db)).model_copy(update={"timezone": "Europe/Rome"})
    monkeypatch.setattr(keep_module, "CHECK_SECONDS", 0.01)
    return db, log, config


def test_a_keeper_stopped_during_a_keep_ends_its_child_and_says_nothing(
    config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C on the ingester (or quitting the screen) during the night's keep ends the child
    that sums, and the keeper says nothing about a day it was not allowed to finish."""
    monkeypatch.setattr(keep_module, "CHILD", (sys.executable, "-c", "import time; time.sleep(60)"))
    monkeypatch.setattr(keep_module, "CHECK_SECONDS", 0.01)
    told: list[str] = []
    keeper = DayKeeper("unused.db", config, clock=Clock(NOW), tell=told.append)
    started: list[subprocess.Popen[bytes]] = []
    popen = subprocess.Popen

    def recorded(*args: Any, **kwargs: Any) -> subprocess.Popen[bytes]:
        child = popen(*args, **kwargs)
        started.append(child)
        stop.set()  # stopped while the child sums
        return child

    monkeypatch.setattr(keep_module.subprocess, "Popen", recorded)
    stop = threading.Event()
    keeping = threading.Thread(target=keeper.run, args=(stop,))
    keeping.start()
    keeping.join(timeout=30)
    assert not keeping.is_alive()
    assert len(started) == 1 and started[0].returncode is not None  # ended and reaped
    assert started[0].returncode != 0  # killed, not finished
    assert told == [] and keeper.kept is None


async def test_a_screen_that_follows_the_logs_keeps_the_day_before(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A site where the live screen follows the logs (no ingester) gets the morning report
    kept too, without a word on the screen; a screen that only shows the database keeps
    nothing."""
    from carewatch.tui.app import CarewatchApp

    db, log, config = a_site_whose_screen_follows(tmp_path, monkeypatch)

    async def keeping(sources: list[tuple[str, str | None]]) -> tuple[int, Any, list[str]]:
        """The screen's keepers started, the day its keeper kept, and its notices."""
        app = CarewatchApp(config, Store(str(db)), sources=sources, clock=lambda: NOW)
        async with app.run_test(size=(120, 36)) as pilot:
            keepers = sum(1 for w in app.workers if w.group == "keep")
            deadline = asyncio.get_running_loop().time() + 60.0
            while keepers and asyncio.get_running_loop().time() < deadline:
                await pilot.pause(0.05)
                if app.day_keeper is not None and app.day_keeper.kept is not None:
                    break
            kept = None if app.day_keeper is None else app.day_keeper.kept
            return keepers, kept, [str(n.message) for n in app._notifications]

    keepers, kept, said = await keeping([(str(log), "queue_log")])
    assert (keepers, kept) == (1, DAY)
    assert not any("report" in text for text in said)  # nothing for the supervisor to do
    assert calls_the_morning_report_reads(db, config, monkeypatch) == []
    # a screen that follows nothing keeps nothing (its keeper would be the ingester's double)
    assert (await keeping([]))[:2] == (0, None)


async def test_a_screen_warns_when_the_day_cannot_be_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from carewatch.tui.app import CarewatchApp

    db, log, config = a_site_whose_screen_follows(tmp_path, monkeypatch)
    monkeypatch.setattr(
        keep_module, "CHILD", (sys.executable, "-c", "import sys; sys.exit('disk full')")
    )
    app = CarewatchApp(config, Store(str(db)), sources=[(str(log), "queue_log")], clock=lambda: NOW)
    async with app.run_test(size=(120, 36)) as pilot:
        deadline = asyncio.get_running_loop().time() + 60.0
        warned: list[Any] = []
        while not warned and asyncio.get_running_loop().time() < deadline:
            await pilot.pause(0.05)
            warned = [n for n in app._notifications if "could not keep" in str(n.message)]
    (notice,) = warned
    assert notice.severity == "warning"
    assert str(notice.message) == (
        "could not keep the report of Tuesday 14 May 2024: disk full; trying again in 10 minutes"
    )
