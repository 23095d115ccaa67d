"""The cache of finished periods' KPI snapshots (carewatch/kpicache.py): a report read with it
is the report read without it, after any change to what the snapshots depend on.

The store and the calls are those of tests/test_report.py (three days, a ring, two issues);
the clock is fixed the morning after the report day. A report is compared in text and JSON
with one built without the cache on the same store at the same moment.
"""

from __future__ import annotations

import gc
import json
import sqlite3
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

import carewatch.figures as figures
from carewatch.cli import main
from carewatch.config import Config, parse_config
from carewatch.kpi.windows import Window
from carewatch.kpicache import KpiCache, cache_folder
from carewatch.records import AgentEvent
from carewatch.report import build_report, render
from carewatch.store import Store
from carewatch.timeutil import LocalHours, local_hour
from tests.test_report import BEFORE, DAY, LAST_WEEK, NOW, answered, at, fill

CONFIG = {
    "timezone": "Europe/Rome",
    "categories": [{"name": "shipping", "key": "1"}, {"name": "order", "key": "2"}],
}


@pytest.fixture
def config() -> Config:
    return parse_config(CONFIG)


@pytest.fixture
def store(database: str) -> Iterator[Store]:
    s = Store(database)
    fill(s)
    yield s
    s.close()


@pytest.fixture
def computed(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The start of each window whose snapshot the engine computed."""
    seen: list[float] = []
    engine = figures.compute_kpis

    def counting(calls: Any, config: Config, **kw: Any) -> dict[str, Any]:
        seen.append(kw["window"].start)
        return engine(calls, config, **kw)

    monkeypatch.setattr(figures, "compute_kpis", counting)
    return seen


def both(store: Store, config: Config, folder: Path, now: float = NOW, **kw: Any) -> list[str]:
    """The report of DAY in text and JSON, with the cache in ``folder``; checked equal to the
    report without it."""
    cache = KpiCache(store, config, folder)
    cached = build_report(store, config, DAY, now=now, cache=cache, **kw)
    fresh = build_report(store, config, DAY, now=now, **kw)
    out = [render(cached, fmt) for fmt in ("text", "json")]
    assert out == [render(fresh, fmt) for fmt in ("text", "json")]
    return out


def day_start(day: date) -> float:
    return at(day, 0)


def test_a_second_report_reads_the_finished_days_from_the_cache(
    store: Store, config: Config, tmp_path: Path, computed: list[float]
) -> None:
    first = both(store, config, tmp_path)
    # the figures of the day, the day before and a week before, the day's requests and
    # call-backs, and the trend's nine other days (it takes those three from their figures)
    assert len(list(tmp_path.rglob("*.json"))) == 14
    computed.clear()
    cache = KpiCache(store, config, tmp_path)
    again = build_report(store, config, DAY, now=NOW, cache=cache)
    assert computed == []
    assert [render(again, "text"), render(again, "json")] == first


def test_periods_cut_at_now_are_not_kept(store: Store, config: Config, tmp_path: Path) -> None:
    """At noon the report day is in progress and the days it is compared with are read up to
    noon: no snapshot would ever be asked again, none is kept; only the trend's eleven whole
    days before the report day are."""
    both(store, config, tmp_path, now=at(DAY, 12))
    assert len(list(tmp_path.rglob("*.json"))) == 11


def _offered_before(report_json: str) -> int:
    return int(json.loads(report_json)["previous_day"]["kpis"]["offered"])


def _mix_before(report_json: str) -> dict[str, Any]:
    return dict(json.loads(report_json)["previous_day"]["kpis"]["category_mix"])


def test_a_tag_on_a_cached_day_is_seen(store: Store, config: Config, tmp_path: Path) -> None:
    _, js = both(store, config, tmp_path)
    assert _mix_before(js)["order"]["count"] == 0
    pk = store.find_calls("b1")[0].id
    store.tag(pk, "category", "order", "desk-1", now=NOW)
    _, after = both(store, config, tmp_path)
    assert _mix_before(after)["order"]["count"] == 1


def test_calls_added_to_a_cached_day_are_seen(store: Store, config: Config, tmp_path: Path) -> None:
    _, js = both(store, config, tmp_path)
    assert _offered_before(js) == 4
    store.ingest("late", [(1, answered("late-1", at(BEFORE, 15), 5, 60, "desk-2"))])
    _, after = both(store, config, tmp_path)
    assert _offered_before(after) == 5


def test_another_programs_writes_are_seen(config: Config, tmp_path: Path) -> None:
    """A CRM's UPDATE of a call, and a call moved out of the day (SQLite, written with sqlite3):
    the change numbers of the store's triggers and the day's count of calls."""
    database = str(tmp_path / "cw.db")
    store = Store(database)
    fill(store)
    _, js = both(store, config, tmp_path)
    conn = sqlite3.connect(database)
    with conn:
        conn.execute("UPDATE cw_call SET category = 'shipping' WHERE call_id = 'b0'")
    _, after = both(store, config, tmp_path)
    assert _mix_before(after)["shipping"]["count"] == _mix_before(js)["shipping"]["count"] + 1
    with conn:
        conn.execute(
            "UPDATE cw_call SET started_at = ? WHERE call_id = 'b1'", (at(BEFORE, 0) - 60,)
        )
    conn.close()
    _, moved = both(store, config, tmp_path)
    assert _offered_before(moved) == 3
    store.close()


def test_rings_issues_and_config_are_part_of_the_key(
    store: Store, config: Config, tmp_path: Path
) -> None:
    _, js = both(store, config, tmp_path)
    assert json.loads(js)["same_day_last_week"]["kpis"]["by_agent"]["desk-1"]["missed_rings"] == 0
    store.ingest("pbx", [(1, AgentEvent(at(LAST_WEEK, 9, 30), "desk-1", "RINGNOANSWER"))])
    _, rung = both(store, config, tmp_path)
    assert json.loads(rung)["same_day_last_week"]["kpis"]["by_agent"]["desk-1"]["missed_rings"] == 1
    store.open_issue("Lost parcel", "desk-1", now=at(BEFORE, 11))
    _, issued = both(store, config, tmp_path)
    assert json.loads(issued)["previous_day"]["kpis"]["issues_opened"] == 1
    other = parse_config({**CONFIG, "targets": {"talk_seconds": 101}})
    cached = build_report(store, other, DAY, now=NOW, cache=KpiCache(store, other, tmp_path))
    assert cached.previous.kpis["over_target_share"] == 0.0  # 100 s of talk: under 101
    assert cached.previous.kpis == build_report(store, other, DAY, now=NOW).previous.kpis


def test_the_same_database_and_config_named_another_way_find_what_was_kept(
    config: Config, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, computed: list[float]
) -> None:
    """The ingester (``--config FILE``, the config's database by its absolute path) and a
    manager's report (the same config read as the system's, ``--db cw.db`` from the folder)
    find the same kept figures: where the config was read from and how the database is
    named are not part of the key; its content and the database's real path are."""
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "cache"
    with Store(str(tmp_path / "cw.db")) as ingester:
        fill(ingester)
        kept_by = config.model_copy(
            update={"path": "/etc/carewatch/carewatch.toml", "database": str(tmp_path / "cw.db")}
        )
        first = both(ingester, kept_by, folder)
    computed.clear()
    with Store("./cw.db") as manager:
        reads_with = config.model_copy(update={"database": "cw.db"})
        again = build_report(
            manager, reads_with, DAY, now=NOW, cache=KpiCache(manager, reads_with, folder)
        )
    assert computed == []
    assert [render(again, "text"), render(again, "json")] == first
    # a config whose figures differ is another key
    other = config.model_copy(update={"agent_cost_per_hour": 99.0})
    with Store("cw.db") as manager:
        build_report(manager, other, DAY, now=NOW, cache=KpiCache(manager, other, folder))
    assert computed != []


def test_a_database_made_again_at_the_same_place_is_another(config: Config, tmp_path: Path) -> None:
    path = tmp_path / "cw.db"
    folder = tmp_path / "cache"
    with Store(str(path)) as first:
        fill(first)
        d6 = first.find_calls("d6")[0].id
        for value in ("shipping", "order", "shipping"):  # change numbers move on
            first.tag(d6, "category", value, "desk-1", now=NOW)
        _, js = both(first, config, folder)
    path.unlink()
    with Store(str(path)) as second:
        fill(second)
        second.tag(second.find_calls("b2")[0].id, "category", "order", "desk-1", now=NOW)
        _, again = both(second, config, folder)
    assert _mix_before(again)["order"]["count"] == _mix_before(js)["order"]["count"] + 1


def test_the_report_command_keeps_the_finished_days(
    store: Store,
    tmp_path: Path,
    database: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``carewatch report`` uses the cache of $CAREWATCH_CACHE, and shows a tag made since."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("CAREWATCH_CACHE", str(folder))
    config_file = tmp_path / "carewatch.toml"
    config_file.write_text('timezone = "Europe/Rome"\n', encoding="utf-8")
    argv = ["--config", str(config_file), "--db", database, "report", "--date", str(BEFORE)]
    argv += ["--format", "json"]
    assert main(argv) == 0
    first = json.loads(capsys.readouterr().out)
    assert list(folder.rglob("*.json"))
    store.tag(store.find_calls("b3")[0].id, "category", "shipping", "desk-1", now=NOW)
    assert main(argv) == 0
    second = json.loads(capsys.readouterr().out)
    assert first["kpis"]["tagged"] + 1 == second["kpis"]["tagged"]


def test_a_kept_report_stamps_each_window_once_in_one_read_a_lookup(
    store: Store, config: Config, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The day's figures, requests and call-backs are checked against one stamp of the day (on
    PostgreSQL each stamp counts the day's calls, which reads every call's row), the trend's
    days all in one read of the store, and the change numbers so too."""
    both(store, config, tmp_path)
    stamped: list[list[tuple[float, float]]] = []
    checked: list[int] = []
    stamps, changed = store.window_stamps, store.calls_changed

    def stamping(windows: Any) -> Any:
        stamped.append([(start, end) for start, end, _ in windows])
        return stamps(windows)

    def checking(checks: Any) -> Any:
        checked.append(len(checks))
        return changed(checks)

    monkeypatch.setattr(store, "window_stamps", stamping)
    monkeypatch.setattr(store, "calls_changed", checking)
    kept = build_report(store, config, DAY, now=NOW, cache=KpiCache(store, config, tmp_path))
    monkeypatch.undo()
    windows = [w for read in stamped for w in read]
    # the day (three parts), the day before and a week before, the trend's other nine days:
    # three reads of stamps and three of change numbers
    assert (day_start(DAY), at(DAY + timedelta(days=1), 0)) in windows
    assert len(windows) == len(set(windows)) == 12
    assert [len(read) for read in stamped] == [1, 2, 9]
    assert len(checked) == 3
    assert render(kept, "json") == render(build_report(store, config, DAY, now=NOW), "json")


def test_the_parts_of_a_window_are_each_checked_against_their_own_change_number(
    store: Store, config: Config, tmp_path: Path
) -> None:
    """A part kept before a tag on its day is computed again; one kept after it is not, when
    both are looked up with one stamp; a window not over is not kept."""
    window = Window(day_start(BEFORE), day_start(DAY), "")
    cache = KpiCache(store, config, tmp_path)
    ((slot, value),) = cache.find_all([(window, ("before",))], NOW)
    assert value is None
    cache.keep(slot, {"v": 1})
    store.tag(store.find_calls("b1")[0].id, "category", "order", "desk-1", now=NOW)
    ((slot, _),) = cache.find_all([(window, ("after",))], NOW)
    cache.keep(slot, {"v": 2})
    today = Window(day_start(DAY), NOW + 3600, "")
    before, after, not_over = cache.find_all(
        [(window, ("before",)), (window, ("after",)), (today, ("after",))], NOW
    )
    assert before[1] is None and before[0] is not None  # to be computed and kept again
    assert after == (None, {"v": 2})
    assert not_over == (None, None)
    assert cache.find(window, NOW, ("after",)) == (None, {"v": 2})


def test_the_report_leaves_the_garbage_collector_as_it_was(store: Store, config: Config) -> None:
    """build_report pauses the cyclic collector while it reads, then puts it back."""
    assert gc.isenabled()
    build_report(store, config, DAY, now=NOW)
    assert gc.isenabled()
    gc.disable()
    try:
        build_report(store, config, DAY, now=NOW)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_where_the_cache_is(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAREWATCH_CACHE", "/srv/cw-cache")
    assert cache_folder() == Path("/srv/cw-cache")
    monkeypatch.delenv("CAREWATCH_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", "/var/cache/alice")
    assert cache_folder() == Path("/var/cache/alice/carewatch")
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", "/home/alice")
    assert cache_folder() == Path("/home/alice/.cache/carewatch")


@pytest.mark.parametrize("zone", ["Europe/Rome", "Australia/Lord_Howe", "America/St_Johns"])
def test_local_hours_agree_with_local_hour_across_offset_changes(zone: str) -> None:
    """The kept hour span gives the hour of a date conversion, in start order and out of it,
    around the switches of summer time (Lord Howe's moves by 30 minutes)."""
    from zoneinfo import ZoneInfo

    tz = ZoneInfo(zone)
    hours = LocalHours(tz)
    instants: list[float] = []
    for day in (date(2024, 3, 31), date(2024, 4, 7), date(2024, 10, 6), date(2024, 11, 3)):
        start = datetime(day.year, day.month, day.day, tzinfo=tz).timestamp() - 3 * 3600
        instants += [start + k * 97.3 for k in range(30 * 3600 // 97)]
        instants += [
            start + k * 1800 + d for k in range(60) for d in (-0.0015, -0.0005, 0.0, 0.0004)
        ]
    for epoch in instants + instants[::-7]:
        assert hours(epoch) == local_hour(epoch, tz), epoch
