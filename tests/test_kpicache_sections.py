"""The report's other sections kept for a finished day (carewatch/report/sections.py): what
callers wanted, the callers to call back and the trend's days. A second report of a day reads
none of its calls, and a report read with the cache is the report read without it after each
kind of change to what those sections depend on.

The store and the calls are those of tests/test_report.py; the clock is fixed the morning after
the report day (tests/test_kpicache.py's ``both`` compares the text and JSON reports).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from carewatch.config import Config, parse_config
from carewatch.kpi.windows import Period
from carewatch.kpicache import KpiCache
from carewatch.records import CallUpdate
from carewatch.report import build_report, render
from carewatch.store import Store
from tests.test_kpicache import CONFIG, both
from tests.test_report import DAY, NOW, answered, at, fill

NEXT = DAY + timedelta(days=1)
TREND_DAY = DAY - timedelta(days=3)  # in the trend only: neither compared day
CALLER = "+39 02 5550 1234"


@pytest.fixture
def config() -> Config:
    return parse_config(CONFIG)


@pytest.fixture
def store(database: str) -> Iterator[Store]:
    s = Store(database)
    fill(s)
    s.ingest(
        "pbx",
        [
            (1, CallUpdate("lost-1", _lost(at(DAY, 16)))),
            (2, answered("t1", at(TREND_DAY, 9), 10, 80, "desk-1", category="order")),
        ],
    )
    yield s
    s.close()


def _lost(start: float) -> dict[str, Any]:
    return {"started_at": start, "disposition": "abandoned", "wait_seconds": 25, "caller": CALLER}


@pytest.fixture
def reads(store: Store, monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, Any]]:
    """The calls the store reads (by range; "callers": only what call-backs read) and the windows
    the database adds up."""
    seen: list[tuple[str, Any]] = []
    calls_between, trend_totals = store.calls_between, store.trend_totals
    caller_calls_between = store.caller_calls_between

    def reading(start: float, end: float, **kw: Any) -> Any:
        seen.append(("calls", (start, end)))
        return calls_between(start, end, **kw)

    def reading_callers(start: float, end: float) -> Any:
        seen.append(("callers", (start, end)))
        return caller_calls_between(start, end)

    def adding(windows: Any, **kw: Any) -> Any:
        seen.extend(("trend", w) for w in windows)
        return trend_totals(windows, **kw)

    monkeypatch.setattr(store, "calls_between", reading)
    monkeypatch.setattr(store, "trend_totals", adding)
    monkeypatch.setattr(store, "caller_calls_between", reading_callers)
    return seen


def _callers(report_json: str) -> list[str]:
    return [c["call_id"] for c in json.loads(report_json)["callbacks"]]


def _requests(report_json: str) -> dict[str, Any]:
    return {r["category"]: r for r in json.loads(report_json)["requests"]}


def _offered_on(report_json: str, day: str) -> int:
    return next(int(r["offered"]) for r in json.loads(report_json)["trend"] if r["from"] == day)


def test_with_the_cache_the_report_reads_no_call_and_adds_up_nothing(
    store: Store, config: Config, tmp_path: Path, reads: list[tuple[str, Any]]
) -> None:
    first = both(store, config, tmp_path)
    assert _callers(first[1]) == ["lost-1"]
    assert ("trend", (at(TREND_DAY, 0), at(TREND_DAY + timedelta(days=1), 0))) in reads
    reads.clear()
    build_report(store, config, DAY, now=NOW, cache=KpiCache(store, config, tmp_path))
    since = ("callers", (at(NEXT, 0), NOW))  # the calls after the day, for the call-backs
    assert reads == [since]
    reads.clear()
    cache = KpiCache(store, config, tmp_path)
    build_report(store, config, DAY, now=NOW, cache=cache, with_calls=True)
    assert sorted(reads) == sorted([("calls", (at(DAY, 0), at(NEXT, 0))), since])  # --calls


def test_a_call_back_after_the_day_is_seen(store: Store, config: Config, tmp_path: Path) -> None:
    _, js = both(store, config, tmp_path)
    assert _callers(js) == ["lost-1"]
    called = {"started_at": at(NEXT, 7), "direction": "out", "caller": "0039 02 5550 1234"}
    store.ingest("crm", [(1, CallUpdate("out-1", called))])
    _, after = both(store, config, tmp_path)
    assert _callers(after) == []


def test_a_later_report_judges_the_call_backs_on_the_calls_since(
    store: Store, config: Config, tmp_path: Path, reads: list[tuple[str, Any]]
) -> None:
    """The call back at 9:00 the next day is not seen by the report of 8:00, is by the report of
    10:00, and the report of 11:00 (nothing called since) reads none of the day's calls."""
    answered_back = {"started_at": at(NEXT, 9), "answered_at": at(NEXT, 9) + 5, "caller": CALLER}
    store.ingest("pbx", [(3, CallUpdate("back-1", answered_back))])
    _, early = both(store, config, tmp_path)
    assert _callers(early) == ["lost-1"]
    _, later = both(store, config, tmp_path, now=at(NEXT, 10))
    assert _callers(later) == []
    reads.clear()
    build_report(store, config, DAY, now=at(NEXT, 11), cache=KpiCache(store, config, tmp_path))
    assert not [r for r in reads if r[0] == "calls" and r[1][0] < at(NEXT, 0)]
    _, eleven = both(store, config, tmp_path, now=at(NEXT, 11))
    assert _callers(eleven) == []


def test_tags_on_the_day_are_seen_in_what_callers_wanted(
    store: Store, config: Config, tmp_path: Path
) -> None:
    _, js = both(store, config, tmp_path)
    assert _requests(js)["shipping"]["subcategories"] == {}
    d3 = store.find_calls("d3")[0].id
    store.tag(d3, "subcategory", "late", "desk-1", now=NOW)
    store.tag(d3, "note", "wants it by Friday", "desk-1", now=NOW)
    _, after = both(store, config, tmp_path)
    shipping = _requests(after)["shipping"]
    assert shipping["subcategories"] == {"late": 1}
    assert "wants it by Friday" in [n["note"] for n in shipping["notes"]]


def test_another_programs_writes_on_the_day_are_seen(config: Config, tmp_path: Path) -> None:
    """A CRM's UPDATE of a note, a call moved out of the day, a lost call answered later: written
    with sqlite3, seen by the change numbers and the day's count of calls."""
    database = str(tmp_path / "cw.db")
    with Store(database) as store:
        fill(store)
        store.ingest("pbx", [(1, CallUpdate("lost-1", _lost(at(DAY, 16))))])
        folder = tmp_path / "cache"
        _, js = both(store, config, folder)
        conn = sqlite3.connect(database)
        with conn:
            conn.execute("UPDATE cw_call SET note = 'written by the CRM' WHERE call_id = 'd6'")
            conn.execute("UPDATE cw_call SET category = 'shipping' WHERE call_id = 'd6'")
        _, noted = both(store, config, folder)
        notes = [n["note"] for n in _requests(noted)["shipping"]["notes"]]
        assert "written by the CRM" in notes
        assert _requests(noted)["shipping"]["count"] == _requests(js)["shipping"]["count"] + 1
        with conn:
            conn.execute("UPDATE cw_call SET started_at = started_at - 86400 WHERE call_id = 'd1'")
        _, moved = both(store, config, folder)
        assert "tracking link sent" not in [
            n["note"] for n in _requests(moved)["shipping"]["notes"]
        ]
        with conn:
            conn.execute(
                "UPDATE cw_call SET disposition = 'answered', answered_at = started_at + 9 "
                "WHERE call_id = 'lost-1'"
            )
        conn.close()
        _, reached = both(store, config, folder)
        assert _callers(js) == ["lost-1"] and _callers(reached) == []


def test_a_new_issue_and_another_config_are_seen(
    store: Store, config: Config, tmp_path: Path
) -> None:
    _, js = both(store, config, tmp_path)
    assert _requests(js)["order"]["complaint"] is False
    store.open_issue("Parcel lost", "desk-1", category="shipping", now=at(DAY, 15))
    _, issued = both(store, config, tmp_path)
    assert (
        json.loads(issued)["kpis"]["issues_opened"] == json.loads(js)["kpis"]["issues_opened"] + 1
    )
    other = parse_config(
        {
            **CONFIG,
            "categories": [CONFIG["categories"][0], {**CONFIG["categories"][1], "complaint": True}],
        }
    )
    _, js_other = both(store, other, tmp_path)
    assert _requests(js_other)["order"]["complaint"] is True


def test_the_trends_days_see_late_calls_tags_and_moves(
    store: Store, config: Config, tmp_path: Path
) -> None:
    day = TREND_DAY.isoformat()
    _, js = both(store, config, tmp_path)
    assert _offered_on(js, day) == 1
    store.ingest("late", [(1, answered("t2", at(TREND_DAY, 11), 5, 60, "desk-2"))])
    _, late = both(store, config, tmp_path)
    assert _offered_on(late, day) == 2
    t1 = store.find_calls("t1")[0].id
    store.tag(t1, "resolved", True, "desk-1", now=NOW)
    _, tagged = both(store, config, tmp_path)
    rows = {r["from"]: r for r in json.loads(tagged)["trend"]}
    assert rows[day]["fcr_rate"] == 1.0
    store.ingest("late", [(2, answered("t2", at(TREND_DAY, 11) - 5 * 86400, 5, 60, "desk-2"))])
    _, moved = both(store, config, tmp_path)
    assert _offered_on(moved, day) == 1


def test_a_call_deleted_from_the_day_does_not_hide_a_later_call_back(
    config: Config, tmp_path: Path
) -> None:
    """The report of 8:00 keeps the call-backs judged on the day's calls. Another program then
    deletes a call of the day, and the call back at 9:00 keeps the calls up to 10:00 as many as
    those up to 8:00 were: the report of 10:00 sees the call back all the same."""
    database = str(tmp_path / "cw.db")
    with Store(database) as store:
        fill(store)
        back = {"started_at": at(NEXT, 9), "answered_at": at(NEXT, 9) + 5, "caller": CALLER}
        store.ingest(
            "pbx",
            [(1, CallUpdate("lost-1", _lost(at(DAY, 16)))), (2, CallUpdate("back-1", back))],
        )
        folder = tmp_path / "cache"
        _, early = both(store, config, folder)
        assert _callers(early) == ["lost-1"]
        conn = sqlite3.connect(database)
        with conn:
            conn.execute("DELETE FROM cw_call WHERE call_id = 'd7'")
        conn.close()
        _, later = both(store, config, folder, now=at(NEXT, 10))
        assert _callers(later) == []


@pytest.mark.parametrize("narrow", [{"queue": "support"}, {"agent": "desk-1"}, {}])
def test_narrowed_reports_and_the_calls_list_are_kept_apart(
    store: Store, config: Config, tmp_path: Path, narrow: dict[str, str]
) -> None:
    _, js = both(store, config, tmp_path, **narrow)
    both(store, config, tmp_path, with_calls=True, **narrow)
    d6 = store.find_calls("d6")[0].id
    store.tag(d6, "category", "shipping", "desk-1", now=NOW)
    _, after = both(store, config, tmp_path, **narrow)
    _, listed = both(store, config, tmp_path, with_calls=True, **narrow)
    shipping = _requests(after)["shipping"]["count"]
    assert shipping == _requests(js)["shipping"]["count"] + 1
    assert "d6" in [c["call_id"] for c in json.loads(listed)["calls"]]


@pytest.mark.parametrize("kind", ["week", "month"])
def test_a_week_and_a_month_read_with_the_cache_are_as_without(
    store: Store, config: Config, tmp_path: Path, kind: str
) -> None:
    iso = DAY.isocalendar()
    period = (
        Period.week(iso.year, iso.week) if kind == "week" else Period.month(DAY.year, DAY.month)
    )
    after = period.window(config.tz).end + 3600
    outputs = []
    for _ in range(2):  # kept by the first, read from the cache by the second
        cache = KpiCache(store, config, tmp_path)
        cached = build_report(store, config, period, now=after, cache=cache)
        fresh = build_report(store, config, period, now=after)
        outputs.append([render(cached, f) for f in ("text", "json")])
        assert outputs[-1] == [render(fresh, f) for f in ("text", "json")]
    store.tag(store.find_calls("t1")[0].id, "category", "shipping", "desk-1", now=after)
    cached = build_report(store, config, period, now=after, cache=KpiCache(store, config, tmp_path))
    fresh = build_report(store, config, period, now=after)
    assert render(cached, "json") == render(fresh, "json") != outputs[0][1]
    assert list(tmp_path.rglob("*.json"))


def test_the_calls_since_are_read_with_what_call_backs_read(store: Store) -> None:
    """The narrow read of the calls after a day gives what the whole read gives of the fields
    the call-backs read (an answer time out of physical sense read as unknown), for the calls
    with a caller."""
    late = {"started_at": at(NEXT, 9), "caller": CALLER, "answered_at": float("inf")}
    store.ingest("pbx", [(3, CallUpdate("late-1", late))])
    fields = ("id", "started_at", "answered_at", "talk_seconds", "caller", "direction")
    fields += ("disposition",)
    start, end = at(DAY, 0), at(NEXT, 12)
    whole = [c for c in store.calls_between(start, end) if c.caller is not None]
    narrow = store.caller_calls_between(start, end)
    assert [[getattr(c, f) for f in fields] for c in narrow] == [
        [getattr(c, f) for f in fields] for c in whole
    ]
    assert len(narrow) == 5 and narrow[-1].answered_at is None  # d1-d3, lost-1, late-1
