"""A period just over whose calls are not all over: the report says so, not "Figures for the
whole day" (docs/reports.md, "Calls still in progress").

A call that began in the period and is still waiting in a queue or being talked at the report
time is "in progress" (:func:`carewatch.kpi.now.in_progress`, what the wallboard shows); one
open for longer than :data:`~carewatch.kpi.now.STALE_CALL_SECONDS` lost its end line and is
stale, not in progress. Europe/Rome, Tuesday 14 May 2024, reported just after midnight.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from carewatch import i18n
from carewatch.config import Config, parse_config
from carewatch.kpi.windows import Period
from carewatch.kpicache import KpiCache
from carewatch.records import CallUpdate
from carewatch.report import build_report, render
from carewatch.store import Store
from tests.test_report_periods import answered

TZ = ZoneInfo("Europe/Rome")
DAY = date(2024, 5, 14)
WHOLE_DAY = "Figures for the whole day"
TWO_OPEN = "Day over; 2 calls that began in it are still in progress: their figures are not final"


def at(d: int, hh: int, mm: int = 0, ss: int = 0) -> float:
    return datetime(2024, 5, d, hh, mm, ss, tzinfo=TZ).timestamp()


def _flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def config() -> Config:
    return parse_config({"timezone": "Europe/Rome"})


@pytest.fixture
def store(tmp_path: Path) -> Store:
    records = [
        answered("done", at(14, 10), 10, 120),
        # ended after midnight, before the report: over
        answered("late", at(14, 23, 50), 10, 600),
        # being talked at 23:58, no end logged yet: in progress
        CallUpdate(
            "talking",
            {"started_at": at(14, 23, 58), "answered_at": at(14, 23, 58, 10), "queue": "support"},
        ),
        # waiting in the queue since 23:59: in progress
        CallUpdate("waiting", {"started_at": at(14, 23, 59), "queue": "support"}),
        # waiting since 19:00 with no end: its end line was lost (stale), not in progress
        CallUpdate("stale", {"started_at": at(14, 19), "queue": "support"}),
        # tomorrow's call is not the day's
        CallUpdate("tomorrow", {"started_at": at(15, 0, 1), "queue": "support"}),
    ]
    s = Store(str(tmp_path / "cw.db"))
    s.ingest("pbx", list(enumerate(records, 1)))
    yield s
    s.close()


def test_just_after_midnight_the_day_says_its_open_calls(store: Store, config: Config) -> None:
    report = build_report(store, config, DAY, now=at(15, 0, 5))
    assert report.complete and report.in_progress_calls == 2
    text = _flat(render(report, "text"))
    assert TWO_OPEN in text and WHOLE_DAY not in text
    assert TWO_OPEN in _flat(render(report, "markdown"))
    assert TWO_OPEN in _flat(render(report, "html"))
    data = json.loads(render(report, "json"))
    assert data["complete"] is True and data["in_progress_calls"] == 2
    rows = list(csv.reader(io.StringIO(render(report, "csv"))))
    found = [r[:5] for r in rows if r[2] == "in_progress_calls"]
    assert found == [["report", "", "in_progress_calls", "Calls still in progress", "2"]]


def test_once_the_open_calls_are_stale_the_day_is_whole(store: Store, config: Config) -> None:
    # 23:58 + 4 h: every call of the day still open lost its end line
    report = build_report(store, config, DAY, now=at(15, 4, 30))
    assert report.in_progress_calls == 0
    assert WHOLE_DAY in _flat(render(report, "text"))
    assert json.loads(render(report, "json"))["in_progress_calls"] == 0


def test_a_call_that_ends_after_the_report_time_was_in_progress_then(
    store: Store, config: Config
) -> None:
    # at 23:55 "late" (23:50, 10 min 10 s) is being talked; the others have not begun
    report = build_report(store, config, DAY, now=at(14, 23, 55))
    assert not report.complete and report.in_progress_calls == 1
    assert "Day not over" in _flat(render(report, "text"))


def test_the_count_holds_when_the_day_is_read_from_the_cache(
    store: Store, config: Config, tmp_path: Path
) -> None:
    cache = KpiCache(store, config, tmp_path / "cache")
    first = build_report(store, config, DAY, now=at(15, 0, 5), cache=cache)
    again = build_report(store, config, DAY, now=at(15, 0, 6), cache=cache)
    assert first.in_progress_calls == again.in_progress_calls == 2
    assert TWO_OPEN in _flat(render(again, "text"))


def test_a_week_just_over_says_it_of_its_one_open_call(tmp_path: Path, config: Config) -> None:
    # Week 20 of 2024 ends on Sunday 19 May; one call of it is being talked at 23:59
    records = [
        answered("mon", at(13, 10), 10, 120),
        CallUpdate(
            "sunday",
            {"started_at": at(19, 23, 59), "answered_at": at(19, 23, 59, 5), "queue": "support"},
        ),
    ]
    with Store(str(tmp_path / "cw.db")) as store:
        store.ingest("pbx", list(enumerate(records, 1)))
        report = build_report(store, config, Period.week(2024, 20), now=at(20, 0, 10))
    one = "Week over; 1 call that began in it is still in progress: its figures are not final"
    assert one in _flat(render(report, "text"))
    assert json.loads(render(report, "json"))["in_progress_calls"] == 1
    i18n.set_language("it")
    try:
        italian = _flat(render(report, "text"))
    finally:
        i18n.set_language("en")
    assert (
        "Settimana conclusa; 1 chiamata iniziata in questa settimana è ancora in corso" in italian
    )
