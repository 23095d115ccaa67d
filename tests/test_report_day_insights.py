"""The days "What stands out" names in a longer report (carewatch/kpi/day_insights.py).

A month of November 2026 (Europe/Rome) is generated here with a seeded random generator: a
centre open Monday to Friday, closed at the weekend, each call abandoned or answered after a
wait drawn at random. The figures a sentence must carry are counted here from the generated
calls, with nothing of carewatch.
"""

from __future__ import annotations

import csv
import io
import json
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from carewatch import i18n
from carewatch.config import Config, parse_config
from carewatch.kpi.windows import Period
from carewatch.records import CallUpdate
from carewatch.report import FORMATS, build_report, render
from carewatch.store import Store
from tests.test_report_periods import answered, lost

TZ = ZoneInfo("Europe/Rome")
NOVEMBER = Period.month(2026, 11)
AFTER = datetime(2026, 12, 2, 9, tzinfo=TZ).timestamp()  # the month is over
BAD = date(2026, 11, 24)  # a Tuesday
SL_SECONDS = 20


@dataclass
class Call:
    day: date
    abandoned: bool
    wait: float


def _day_calls(day: date, rng: random.Random, n: int, lose: float, waits: tuple[int, int]) -> list:
    return [Call(day, rng.random() < lose, rng.uniform(*waits)) for _ in range(n)]


def _month(
    seed: int = 7,
    *,
    bad: dict[date, tuple[int, float, tuple[int, int]]] | None = None,
    closed: frozenset[date] | set[date] = frozenset(),
    first: date = date(2026, 11, 1),
    last: date = date(2026, 11, 30),
) -> list[Call]:
    """Weekdays of 60–100 calls, 4% abandoned, answered after 2–24 s; weekends closed;
    ``bad`` days with their own (calls, share abandoned, waits); ``closed`` days with none."""
    rng = random.Random(seed)
    out: list[Call] = []
    day = first
    while day <= last:
        if day in (bad or {}):
            n, lose, waits = (bad or {})[day]
            out += _day_calls(day, rng, n, lose, waits)
        elif day.weekday() < 5 and day not in closed:
            out += _day_calls(day, rng, rng.randint(60, 100), 0.04, (2, 24))
        day += timedelta(days=1)
    return out


def _store(tmp_path: Path, calls: list[Call]) -> Store:
    tmp_path.mkdir(exist_ok=True)
    store = Store(str(tmp_path / "cw.db"))
    records: list[CallUpdate] = []
    per_day: dict[date, int] = {}
    for n, c in enumerate(calls):
        k = per_day[c.day] = per_day.get(c.day, 0) + 1
        start = datetime(c.day.year, c.day.month, c.day.day, 8, tzinfo=TZ).timestamp() + 60 * k
        cid = f"c{n}"
        records.append(
            lost(cid, start, c.wait, queue="support")
            if c.abandoned
            else answered(cid, start, c.wait, 120)
        )
    store.ingest("pbx", list(enumerate(records, 1)))
    return store


@pytest.fixture
def config() -> Config:
    return parse_config({"timezone": "Europe/Rome"})


def _pct(share: float) -> str:
    return f"{share * 100:.1f}%"


def _day_sentences(notes: list[str]) -> list[str]:
    """The sentences on a day: those starting with a weekday, or saying no call was logged."""
    weekdays = ("Mon ", "Tue ", "Wed ", "Thu ", "Fri ", "Sat ", "Sun ")
    return [n for n in notes if n.startswith(weekdays) or n.startswith("No call logged")]


def test_a_month_of_ordinary_days_names_no_day_and_one_bad_day_is_named_with_its_figures(
    tmp_path: Path, config: Config
) -> None:
    ordinary = build_report(_store(tmp_path, _month()), config, NOVEMBER, now=AFTER)
    assert len([d for d in ordinary.days if d.figures and d.figures["offered"]]) == 21
    assert _day_sentences(ordinary.insights) == []

    calls = _month(bad={BAD: (90, 0.25, (10, 60))})
    report = build_report(_store(tmp_path / "bad", calls), config, NOVEMBER, now=AFTER)
    # the figures, counted here
    day = [c for c in calls if c.day == BAD]
    lost_day = sum(c.abandoned for c in day)
    in_time = sum(1 for c in day if not c.abandoned and c.wait <= SL_SECONDS)
    month_lost = sum(c.abandoned for c in calls)
    month_in_time = sum(1 for c in calls if not c.abandoned and c.wait <= SL_SECONDS)
    want = (
        f"Tue 24 Nov: abandon rate {_pct(lost_day / len(day))} ({lost_day} of {len(day)} "
        f"calls), against {_pct(month_lost / len(calls))} for the month; service level "
        f"{_pct(in_time / len(day))}, against {_pct(month_in_time / len(calls))}."
    )
    assert _day_sentences(report.insights) == [want]
    assert BAD.strftime("%a %d %b").replace(" 0", " ") == "Tue 24 Nov"

    # the JSON, the same in every language, names the day and its figures in machine form
    assert json.loads(render(report, "json"))["standout_days"] == [
        {
            "date": "2026-11-24",
            "why": "abandon_rate",
            "value": pytest.approx(lost_day / len(day)),
            "period_value": pytest.approx(month_lost / len(calls)),
        },
        {
            "date": "2026-11-24",
            "why": "service_level",
            "value": pytest.approx(in_time / len(day)),
            "period_value": pytest.approx(month_in_time / len(calls)),
        },
    ]
    for fmt in FORMATS:
        out = render(report, fmt)
        if fmt == "csv":
            rows = [r[:4] for r in csv.reader(io.StringIO(out)) if r[0] == "standout"]
            assert rows == [
                ["standout", "2026-11-24", "abandon_rate", "Abandon rate"],
                ["standout", "2026-11-24", "service_level", "Service level"],
            ]
        elif fmt == "text":
            assert all(len(line) <= 80 for line in out.splitlines())
            assert "• Tue 24 Nov: abandon rate" in out
            assert " ".join(out.split()).count(" ".join(want.split())) == 1
        elif fmt in ("markdown", "html"):
            assert want in out, fmt
    # the sentences are written when the report is read: read it in Italian
    i18n.set_language("it")
    try:
        italian = build_report(_store(tmp_path / "bad", calls), config, NOVEMBER, now=AFTER)
        assert render(italian, "json") == render(report, "json")
        text = render(italian, "text")
    finally:
        i18n.set_language("en")
    assert all(len(line) <= 80 for line in text.splitlines())
    flat = " ".join(text.split())
    assert "• mar 24 nov: tasso di abbandono" in flat and "per il mese" in flat


def test_a_day_with_too_few_calls_is_not_named_however_bad(tmp_path: Path, config: Config) -> None:
    # 12 calls, 6 lost, all slow: half the day's calls lost, but too few to tell a day by
    few = _month(bad={BAD: (12, 0.5, (30, 60))})
    report = build_report(_store(tmp_path, few), config, NOVEMBER, now=AFTER)
    figures = next(d.figures for d in report.days if d.day == BAD)
    assert figures is not None and figures["offered"] == 12 and figures["abandon_rate"] >= 0.25
    assert _day_sentences(report.insights) == []
    # the same shares over a day of ordinary volume are named
    many = _month(bad={BAD: (80, 0.5, (30, 60))})
    report = build_report(_store(tmp_path / "many", many), config, NOVEMBER, now=AFTER)
    assert [n.split(":")[0] for n in _day_sentences(report.insights)] == ["Tue 24 Nov"]


def test_a_weekday_with_no_call_is_a_gap_and_the_closed_weekends_are_not(
    tmp_path: Path, config: Config
) -> None:
    calls = _month(closed={date(2026, 11, 18)})
    report = build_report(_store(tmp_path, calls), config, NOVEMBER, now=AFTER)
    assert _day_sentences(report.insights) == ["No call logged on Wed 18 Nov."]
    assert "• No call logged on Wed 18 Nov." in render(report, "text")
    found = json.loads(render(report, "json"))["standout_days"]
    assert found == [{"date": "2026-11-18", "why": "no_calls", "value": None, "period_value": None}]


def test_a_weekend_the_centre_opens_on_most_weeks_is_a_gap_when_it_has_no_call(
    tmp_path: Path, config: Config
) -> None:
    saturdays = {date(2026, 11, d): (30, 0.04, (2, 24)) for d in (7, 14, 28)}
    calls = _month(bad=saturdays)  # Saturday the 21st is not there
    report = build_report(_store(tmp_path, calls), config, NOVEMBER, now=AFTER)
    assert _day_sentences(report.insights) == ["No call logged on Sat 21 Nov."]


def test_days_before_the_logs_begin_and_today_are_not_judged(
    tmp_path: Path, config: Config
) -> None:
    # the logs begin on Wednesday the 4th; Monday the 2nd and Tuesday the 3rd are before them
    # today is Tuesday the 24th at 10:00: 40 calls so far, half of them lost, is not judged as
    # a whole day; no call on the Monday before, the 23rd, is a gap (between days with calls,
    # today's included); the days still to come are not listed
    today = {BAD: (40, 0.5, (30, 60))}
    calls = _month(first=date(2026, 11, 4), last=BAD, bad=today, closed={date(2026, 11, 23)})
    now = datetime(2026, 11, 24, 10, tzinfo=TZ).timestamp()
    report = build_report(_store(tmp_path, calls), config, NOVEMBER, now=now)
    assert [d.day for d in report.days if d.figures is None][-1] == date(2026, 11, 3)
    assert report.days[-1].partial and report.days[-1].day == BAD
    assert _day_sentences(report.insights) == ["No call logged on Mon 23 Nov."]


def test_a_week_names_a_weekday_with_no_call_and_not_its_weekend(
    tmp_path: Path, config: Config
) -> None:
    week = Period.week(2026, 47)  # Monday 16 to Sunday 22 November
    calls = _month(closed={date(2026, 11, 19)})
    # a Sunday call so that the Saturday lies between days with calls
    calls.append(Call(date(2026, 11, 22), False, 5))
    report = build_report(_store(tmp_path, calls), config, week, now=AFTER)
    assert _day_sentences(report.insights) == ["No call logged on Thu 19 Nov."]


def test_many_days_with_no_call_are_counted_not_listed(tmp_path: Path, config: Config) -> None:
    closed = {date(2026, 11, d) for d in (10, 11, 12, 13, 16, 17)}
    calls = _month(closed=closed)
    report = build_report(_store(tmp_path, calls), config, NOVEMBER, now=AFTER)
    assert _day_sentences(report.insights) == [
        "No call logged on 6 days, from Tue 10 Nov to Tue 17 Nov."
    ]
