"""A period compared with one the logs do not reach back to the start of: the logs of a new
centre begin on 21 Oct 2026, so November is not compared with the eleven days of October
they hold (a month three times busier than the one before is no news), and the header says
why. Europe/Rome, a fixed clock."""

from __future__ import annotations

import json
from datetime import datetime
from html import escape
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from carewatch.config import Config, parse_config
from carewatch.kpi.windows import Period
from carewatch.records import CallUpdate
from carewatch.report import build_report, render
from carewatch.store import Store

TZ = ZoneInfo("Europe/Rome")
NOVEMBER = Period.month(2026, 11)
AFTER_NOVEMBER = datetime(2026, 12, 1, 8, tzinfo=TZ).timestamp()
NOTICE = "The logs begin on 21 Oct 2026, after the start of Oct 2026: it is not compared."


def call(cid: str, day: datetime, **fields: object) -> CallUpdate:
    start = day.replace(tzinfo=TZ).timestamp()
    return CallUpdate(
        cid,
        {
            "started_at": start,
            "answered_at": start + 10,
            "ended_at": start + 130,
            "queue": "support",
            "agent": "desk-1",
            **fields,
        },
    )


@pytest.fixture
def config() -> Config:
    return parse_config({"timezone": "Europe/Rome"})


def _store(tmp_path: Path, first_day: int) -> Store:
    """October from ``first_day`` on: 2 calls; November: 6 calls, one a day."""
    s = Store(str(tmp_path / f"cw{first_day}.db"))
    calls = [call("o1", datetime(2026, 10, first_day, 9)), call("o2", datetime(2026, 10, 30, 9))]
    calls += [call(f"n{d}", datetime(2026, 11, d, 9)) for d in range(1, 7)]
    s.ingest("log", list(enumerate(calls, start=1)))
    return s


def _flat(text: str) -> str:
    return " ".join(text.replace("*", "").split())


def test_a_month_the_logs_begin_in_is_not_compared(tmp_path: Path, config: Config) -> None:
    report = build_report(_store(tmp_path, 21), config, NOVEMBER, now=AFTER_NOVEMBER)
    text = render(report, "text")
    offered = next(line for line in text.splitlines() if "Calls offered" in line)
    assert offered.split()[2:] == ["6", "–", "–"]  # not "▲ 4" against October's two calls
    assert "rose to 6 from 2" not in _flat(text)
    for fmt in ("text", "markdown", "html"):
        assert NOTICE in _flat(render(report, fmt)), fmt
    # the machine formats keep October's figures as they were read
    data = json.loads(render(report, "json"))
    assert data["previous_period"]["kpis"]["offered"] == 2


def test_logs_from_the_first_day_of_the_month_compare_as_before(
    tmp_path: Path, config: Config
) -> None:
    report = build_report(_store(tmp_path, 1), config, NOVEMBER, now=AFTER_NOVEMBER)
    text = render(report, "text")
    offered = next(line for line in text.splitlines() if "Calls offered" in line)
    assert offered.split()[2:] == ["6", "▲", "4", "–"]
    assert "The logs begin" not in text


def test_what_a_cut_would_save_is_at_the_rate_of_the_days_logged(
    tmp_path: Path, config: Config
) -> None:
    """October's logs begin on the 21st: its 10 shipping calls of 120 s talk are 11 days'
    worth, not 31 days'."""
    s = Store(str(tmp_path / "cw.db"))
    calls = [call(f"o{d}", datetime(2026, 10, d, 9), category="shipping") for d in range(21, 31)]
    s.ingest("log", list(enumerate(calls, start=1)))
    config = parse_config({"timezone": "Europe/Rome", "targets": {"category_alert_min_calls": 2}})
    report = build_report(s, config, Period.month(2026, 10), now=AFTER_NOVEMBER)
    (row,) = report.savings
    assert row["talk_seconds"] == 1200
    assert row["hours_per_month"] == pytest.approx(1200 * 0.7 * (365.25 / 12) / 11 / 3600)


def test_a_month_the_logs_begin_in_says_its_figures_are_from_that_day(
    tmp_path: Path, config: Config
) -> None:
    """October's report, the logs beginning on the 21st: its figures are eleven days', and
    its header says so in every format a person reads; November's does not."""
    october = build_report(_store(tmp_path, 21), config, Period.month(2026, 10), now=AFTER_NOVEMBER)
    own = "The logs begin on 21 Oct 2026: the figures of Oct 2026 are from that day on."
    for fmt in ("text", "markdown", "html"):
        assert own in _flat(render(october, fmt)), fmt
    november = build_report(_store(tmp_path, 1), config, NOVEMBER, now=AFTER_NOVEMBER)
    assert "the figures of" not in _flat(render(november, "text"))


def test_the_trend_leaves_out_the_periods_over_before_the_logs_begin(
    tmp_path: Path, config: Config
) -> None:
    """November's trend of twelve months, the logs beginning on 21 October: October (a part)
    and November; not ten months of "0 calls offered" the centre never logged."""
    report = build_report(_store(tmp_path, 21), config, NOVEMBER, now=AFTER_NOVEMBER)
    assert [row.period for row in report.trend] == [Period.month(2026, 10), NOVEMBER]
    assert "the last 2 months" in render(report, "text")
    data = json.loads(render(report, "json"))
    assert [row["period"] for row in data["trend"]] == ["2026-10", "2026-11"]


def _install_day(tmp_path: Path, first: tuple[int, int], early: int) -> Store:
    """carewatch started on Wed 18 Nov 2026 at ``first`` (hour, minute): that day's calls from
    then on, 4 an hour to 18:00; Thu 19 Nov: ``early`` calls before 08:00, then 4 an hour from
    08:00 to 18:00 (the centre's day)."""
    s = Store(str(tmp_path / f"cw-{first[0]}-{early}.db"))
    hour, minute = first
    calls = [call("w0", datetime(2026, 11, 18, hour, minute))]
    calls += [
        call(f"w{h}-{m}", datetime(2026, 11, 18, h, m))
        for h in range(hour + 1, 18)
        for m in (0, 15, 30, 45)
    ]
    calls += [call(f"e{i}", datetime(2026, 11, 19, 7, i)) for i in range(early)]
    calls += [
        call(f"t{h}-{m}", datetime(2026, 11, 19, h, m))
        for h in range(8, 18)
        for m in (0, 15, 30, 45)
    ]
    s.ingest("log", list(enumerate(calls, start=1)))
    return s


THURSDAY = Period.day(datetime(2026, 11, 19).date())
FRIDAY_MORNING = datetime(2026, 11, 20, 8, tzinfo=TZ).timestamp()


def test_the_day_the_logs_begin_at_14_is_not_compared(tmp_path: Path, config: Config) -> None:
    """The morning after a site started carewatch at 14:00, the day before holds only its
    afternoon: 'Calls offered ▲ 40 against 16' would be no news."""
    report = build_report(_install_day(tmp_path, (14, 2), 0), config, THURSDAY, now=FRIDAY_MORNING)
    text = render(report, "text")
    offered = next(line for line in text.splitlines() if "Calls offered" in line)
    assert offered.split()[2:] == ["40", "–", "–"]
    notice = (
        "The logs begin at 14:02 on Wed 18 Nov, after that day's first hours: it is not compared."
    )
    for fmt in ("text", "markdown", "html"):
        assert (escape(notice) if fmt == "html" else notice) in _flat(render(report, fmt)), fmt


def test_logs_that_begin_as_the_centre_opens_compare_the_day(
    tmp_path: Path, config: Config
) -> None:
    """Started at 08:03, before the calls of the day: the day before is whole (a few calls
    before 08:00 the next day do not make it a part)."""
    report = build_report(_install_day(tmp_path, (8, 3), 3), config, THURSDAY, now=FRIDAY_MORNING)
    text = render(report, "text")
    offered = next(line for line in text.splitlines() if "Calls offered" in line)
    assert offered.split()[2:] == ["43", "▲", "6", "–"]  # 37 from 08:03
    assert "The logs begin" not in text


def _install_week(tmp_path: Path, first: tuple[int, int]) -> Store:
    """carewatch started on Mon 16 Nov 2026 at ``first`` (hour, minute): from then on, 4 calls
    an hour from 08:00 to 18:00 on weekdays, to Fri 27 Nov."""
    s = Store(str(tmp_path / f"week-{first[0]}.db"))
    start = datetime(2026, 11, 16, *first)
    calls = [
        call(f"c{d}-{h}-{m}", at)
        for d in (16, 17, 18, 19, 20, 23, 24, 25, 26, 27)
        for h in range(8, 18)
        for m in (0, 15, 30, 45)
        if (at := datetime(2026, 11, d, h, m)) >= start
    ]
    s.ingest("log", list(enumerate(calls, start=1)))
    return s


WEEK_48 = Period.week(2026, 48)
AFTER_WEEK_48 = datetime(2026, 11, 30, 8, tzinfo=TZ).timestamp()


def test_a_week_that_begins_with_the_day_the_logs_begin_at_14_is_not_compared(
    tmp_path: Path, config: Config
) -> None:
    """The week before holds four days and an afternoon: 'Calls offered ▲ 40 against 360' would
    be no news, as for a day."""
    report = build_report(_install_week(tmp_path, (14, 15)), config, WEEK_48, now=AFTER_WEEK_48)
    assert not report.previous.covered
    text = render(report, "text")
    offered = next(line for line in text.splitlines() if "Calls offered" in line)
    assert offered.split()[2:] == ["200", "–", "–"]
    notice = (
        "The logs begin at 14:15 on Mon 16 Nov, after that day's first hours: W47 2026 is not "
        "compared."
    )
    for fmt in ("text", "markdown", "html"):
        assert (escape(notice) if fmt == "html" else notice) in _flat(render(report, fmt)), fmt


def test_a_week_whose_logs_begin_as_the_centre_opens_on_its_monday_is_compared(
    tmp_path: Path, config: Config
) -> None:
    report = build_report(_install_week(tmp_path, (8, 0)), config, WEEK_48, now=AFTER_WEEK_48)
    assert report.previous.covered
    text = render(report, "text")
    offered = next(line for line in text.splitlines() if "Calls offered" in line)
    assert offered.split()[2:] == ["200", "=", "–"]  # the week before: 200 calls too
    assert "The logs begin" not in text
