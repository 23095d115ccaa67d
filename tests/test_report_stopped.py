"""A report says when the calls logged stop well before the end of what it covers (the logs
may not have been read since: carewatch/kpi/stopped.py), and does not when the centre was
simply closed or the last call is a minute old.

The calls are generated here (Europe/Rome, November 2026: Fri 20 Nov, Tue 17 and Tue 24
Nov): a centre open Monday to Friday, 09:00–18:00, a call every few minutes. What a report
must say is worked out here from the generated calls, with nothing of carewatch.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from carewatch import i18n
from carewatch.config import Config, parse_config
from carewatch.kpi.windows import Period
from carewatch.records import CallUpdate
from carewatch.report import Report, build_report, render
from carewatch.store import Store
from tests.test_report_periods import answered, lost

TZ = ZoneInfo("Europe/Rome")
NOVEMBER = Period.month(2026, 11)
HINT = "the logs may not have been read since (carewatch ingest --follow)."


def at(day: date, hh: int, mm: int = 0) -> float:
    return datetime(day.year, day.month, day.day, hh, mm, tzinfo=TZ).timestamp()


def _day(day: date, until: tuple[int, int] = (17, 58), every: int = 4) -> list[float]:
    """The starts of a day's calls: one every ``every`` minutes from 09:00, the last at
    ``until``."""
    starts, t, end = [], at(day, 9), at(day, *until)
    while t < end:
        starts.append(t)
        t += 60 * every
    return [*starts, end]


def _weekdays(first: date, last: date) -> list[date]:
    return [
        first + timedelta(days=n)
        for n in range((last - first).days + 1)
        if (first + timedelta(days=n)).weekday() < 5
    ]


def _store(tmp_path: Path, starts: list[float], name: str = "cw.db") -> Store:
    store = Store(str(tmp_path / name))
    records: list[CallUpdate] = [
        lost(f"c{n}", t, 30, queue="support") if n % 10 == 0 else answered(f"c{n}", t, 12, 150)
        for n, t in enumerate(starts)
    ]
    store.ingest("pbx", list(enumerate(records, 1)))
    return store


@pytest.fixture
def config() -> Config:
    return parse_config({"timezone": "Europe/Rome"})


def _flat(text: str) -> str:
    """A report's text with its lines joined (the text format wraps at 80 columns)."""
    return " ".join(text.split())


def _notices(report: Report) -> list[str]:
    """Whether each of text, Markdown and HTML says the logs stopped: its sentence, if any."""
    found = []
    for fmt in ("text", "markdown", "html"):
        flat = _flat(render(report, fmt))
        found += flat.split("No call logged since ")[1:]
    return ["No call logged since " + s.split(HINT)[0] + HINT for s in found if HINT in s]


def test_a_month_whose_logs_stopped_on_the_20th_says_so_once_in_every_format(
    tmp_path: Path, config: Config
) -> None:
    days = _weekdays(date(2026, 11, 2), date(2026, 11, 20))
    starts = [t for day in days[:-1] for t in _day(day)] + _day(days[-1], until=(14, 2))
    store = _store(tmp_path, starts)
    after = datetime(2026, 12, 1, 9, tzinfo=TZ).timestamp()  # the month is over
    report = build_report(store, config, NOVEMBER, now=after)

    silent = _weekdays(date(2026, 11, 21), date(2026, 11, 30))
    assert len(silent) == 6  # 23–27 and Mon 30 Nov
    want = f"No call logged since Fri 20 Nov 14:02 ({len(silent)} open weekdays, 23–30 Nov): {HINT}"
    assert _notices(report) == [want] * 3
    # said once: What stands out does not name those days again as days with no call
    assert not [n for n in report.insights if n.startswith("No call logged")]

    data = json.loads(render(report, "json"))
    assert data["logs_stopped"] == {
        "last_call": datetime.fromtimestamp(starts[-1], TZ).isoformat(),
        "open_days": [d.isoformat() for d in silent],
        "after_hour": None,
        "compared_calls": None,
        "compared_day": None,
    }
    assert [f for f in data["standout_days"] if f["why"] == "no_calls"] == []
    rows = list(csv.DictReader(io.StringIO(render(report, "csv"))))
    stopped = [(r["name"], r["key"], r["value"]) for r in rows if r["record"] == "stopped"]
    assert stopped == [("", "last_call", data["logs_stopped"]["last_call"])] + [
        (d.isoformat(), "open_day", "") for d in silent
    ]

    # with --calls the same notice: the calls listed end with the one it names
    listed = build_report(store, config, NOVEMBER, now=after, with_calls=True)
    assert _notices(listed) == [want] * 3
    assert listed.calls is not None and max(c.started_at for c in listed.calls) == starts[-1]

    # while the month is in progress, on Wed 25 Nov at 10:00: the whole open days so far
    during = build_report(store, config, NOVEMBER, now=at(date(2026, 11, 25), 10))
    assert (
        _notices(during)
        == [f"No call logged since Fri 20 Nov 14:02 (2 open weekdays, 23–24 Nov): {HINT}"] * 3
    )


def test_a_month_that_ends_with_a_weekend_and_one_with_a_gap_say_nothing_of_stopped_logs(
    tmp_path: Path, config: Config
) -> None:
    october = Period.month(2026, 10)  # Sat 31 Oct ends it
    days = _weekdays(date(2026, 10, 1), date(2026, 10, 31))
    assert days[-1] == date(2026, 10, 30)
    store = _store(tmp_path, [t for day in days for t in _day(day)])
    for now in (at(date(2026, 11, 2), 8), at(date(2026, 10, 31), 20)):
        report = build_report(store, config, october, now=now)
        assert report.stopped is None and _notices(report) == []
        assert json.loads(render(report, "json"))["logs_stopped"] is None
        assert not [r for r in render(report, "csv").splitlines() if r.startswith("stopped,")]

    # a day with no call between days with calls is What stands out's, not a stop
    gap = [d for d in days if d != date(2026, 10, 28)]
    report = build_report(
        _store(tmp_path, [t for day in gap for t in _day(day)], "gap.db"),
        config,
        october,
        now=at(date(2026, 11, 2), 8),
    )
    assert _notices(report) == []
    assert "No call logged on Wed 28 Oct." in report.insights


def _tuesdays(tmp_path: Path, today_until: tuple[int, int]) -> tuple[Store, list[float]]:
    """Tue 17 Nov open 09:00–17:58; Tue 24 Nov's calls up to ``today_until``."""
    last_week = _day(date(2026, 11, 17))
    return _store(tmp_path, last_week + _day(date(2026, 11, 24), until=today_until)), last_week


def test_a_day_whose_ingester_died_at_11_02_says_so_at_18_00(
    tmp_path: Path, config: Config
) -> None:
    store, last_week = _tuesdays(tmp_path, (11, 2))
    today = date(2026, 11, 24)
    report = build_report(store, config, today, now=at(today, 18))
    # the calls the same Tuesday a week before had from 12:00 up to 18:00, counted here
    then = sum(1 for t in last_week if at(date(2026, 11, 17), 12) <= t < at(date(2026, 11, 17), 18))
    assert then > 20
    want = (
        f"No call logged since 11:02, while the same weekday a week before (Tue 17 Nov) had "
        f"{then} calls between 12:00 and 18:00: {HINT}"
    )
    assert _notices(report) == [want] * 3
    data = json.loads(render(report, "json"))
    assert data["logs_stopped"] == {
        "last_call": datetime.fromtimestamp(at(today, 11, 2), TZ).isoformat(),
        "open_days": [],
        "after_hour": 12,
        "compared_calls": then,
        "compared_day": "2026-11-17",
    }
    rows = list(csv.DictReader(io.StringIO(render(report, "csv"))))
    assert [(r["name"], r["key"], r["value"]) for r in rows if r["record"] == "stopped"] == [
        ("", "last_call", data["logs_stopped"]["last_call"]),
        ("12", "compared_calls", str(then)),
    ]

    # the day over (the next morning): the rest of the day the week before
    whole = build_report(store, config, today, now=at(date(2026, 11, 25), 8))
    rest = sum(1 for t in last_week if t >= at(date(2026, 11, 17), 12))
    assert (
        _notices(whole)
        == [
            f"No call logged since 11:02, while the same weekday a week before (Tue 17 Nov) had "
            f"{rest} calls after 12:00: {HINT}"
        ]
        * 3
    )


def test_a_centre_closed_at_18_00_is_not_told_at_22_00_that_its_logs_stopped(
    tmp_path: Path, config: Config
) -> None:
    store, _ = _tuesdays(tmp_path, (17, 58))
    today = date(2026, 11, 24)
    for now in (at(today, 22), at(date(2026, 11, 25), 8)):
        report = build_report(store, config, today, now=now)
        assert report.stopped is None and _notices(report) == []
        assert json.loads(render(report, "json"))["logs_stopped"] is None


def test_a_period_in_progress_whose_last_call_is_a_minute_ago_says_nothing(
    tmp_path: Path, config: Config
) -> None:
    # Tue 17 Nov whole; Mon 23 to Wed 25 Nov, the last call at 14:59; the report at 15:00
    today = date(2026, 11, 25)
    days = [date(2026, 11, 17), date(2026, 11, 18), date(2026, 11, 23), date(2026, 11, 24)]
    starts = [t for day in days for t in _day(day)] + _day(today, until=(14, 59))
    store = _store(tmp_path, starts)
    now = at(today, 15)
    for period in (Period.week(2026, 48), NOVEMBER, Period.day(today)):
        report = build_report(store, config, period, now=now)
        assert report.stopped is None and _notices(report) == [], period
    # the same day an hour and more later, with its compared Wednesday busy all afternoon
    assert build_report(store, config, today, now=at(today, 16, 30)).stopped is not None


@pytest.mark.parametrize("fmt", ("text", "markdown", "html"))
def test_the_formats_say_a_day_stopped_in_italian(tmp_path: Path, config: Config, fmt: str) -> None:
    store, _ = _tuesdays(tmp_path, (11, 2))
    today = date(2026, 11, 24)
    report = build_report(store, config, today, now=at(today, 18))
    i18n.set_language("it")
    try:
        out = render(report, fmt)
    finally:
        i18n.set_language("en")
    assert "Nessuna chiamata registrata dalle 11:02, mentre lo stesso giorno" in _flat(out)


def test_a_queue_whose_calls_stop_while_the_others_go_on_is_not_told_the_logs_stopped(
    tmp_path: Path, config: Config
) -> None:
    days = _weekdays(date(2026, 11, 2), date(2026, 11, 30))
    support = [t for day in days if day <= date(2026, 11, 20) for t in _day(day)]
    sales = [t + 120 for day in days for t in _day(day, every=20)]
    store = _store(tmp_path, support)
    records = [answered(f"s{n}", t, 5, 60, queue="sales") for n, t in enumerate(sales)]
    store.ingest("pbx", list(enumerate(records, len(support) + 1)))
    after = datetime(2026, 12, 1, 9, tzinfo=TZ).timestamp()
    for queue in ("support", None):
        report = build_report(store, config, NOVEMBER, now=after, queue=queue)
        assert report.kpis["offered"] and report.stopped is None and _notices(report) == []
    # the same queue once the others stop too (the database's last call on Fri 20 Nov)
    alone = _store(tmp_path, support, "alone.db")
    report = build_report(alone, config, NOVEMBER, now=after, queue="support")
    assert report.stopped is not None and len(report.stopped.open_days) == 6


def test_a_week_and_a_month_in_progress_say_the_logs_stopped_today(
    tmp_path: Path, config: Config
) -> None:
    """On Tue 24 Nov at 18:00 the calls stop at 11:02: the week and the month say what the
    day's report says (no whole open day after the last call yet)."""
    days = _weekdays(date(2026, 11, 2), date(2026, 11, 23))
    today = date(2026, 11, 24)
    last_week = _day(date(2026, 11, 17))
    store = _store(tmp_path, [t for day in days for t in _day(day)] + _day(today, until=(11, 2)))
    then = sum(1 for t in last_week if at(date(2026, 11, 17), 12) <= t < at(date(2026, 11, 17), 18))
    want = (
        f"No call logged since 11:02 today, while the same weekday a week before (Tue 17 "
        f"Nov) had {then} calls between 12:00 and 18:00: {HINT}"
    )
    for period in (Period.week(2026, 48), NOVEMBER):
        report = build_report(store, config, period, now=at(today, 18))
        assert _notices(report) == [want] * 3, period
        stopped = json.loads(render(report, "json"))["logs_stopped"]
        assert (stopped["after_hour"], stopped["compared_calls"]) == (12, then)
        assert (stopped["compared_day"], stopped["open_days"]) == ("2026-11-17", [])
    # at 11:30 nothing yet; at 22:00, a centre that closed at 18:00 is not told
    assert build_report(store, config, NOVEMBER, now=at(today, 11, 30)).stopped is None
    closed = _store(tmp_path, [t for day in [*days, today] for t in _day(day)], "closed.db")
    assert build_report(closed, config, NOVEMBER, now=at(today, 22)).stopped is None


def test_a_site_with_less_than_a_week_of_logs_is_judged_against_the_day_before(
    tmp_path: Path, config: Config
) -> None:
    """The logs begin on Mon 23 Nov: no Tuesday a week before to judge Tue 24 Nov by, so the
    day before is the basis (and a Monday, whose day before is a Sunday without calls, gets
    no notice rather than a wrong one)."""
    monday, today = date(2026, 11, 23), date(2026, 11, 24)
    store = _store(tmp_path, _day(monday) + _day(today, until=(11, 2)))
    then = sum(1 for t in _day(monday) if at(monday, 12) <= t < at(monday, 18))
    for period in (Period.day(today), Period.week(2026, 48)):
        report = build_report(store, config, period, now=at(today, 18))
        time = "11:02" if period.kind == "day" else "11:02 today"
        want = (
            f"No call logged since {time}, while the day before (Mon 23 Nov) had {then} calls "
            f"between 12:00 and 18:00: {HINT}"
        )
        assert _notices(report) == [want] * 3, period
        assert json.loads(render(report, "json"))["logs_stopped"]["compared_day"] == "2026-11-23"
    whole = build_report(store, config, today, now=at(date(2026, 11, 25), 8))
    rest = sum(1 for t in _day(monday) if t >= at(monday, 12))
    assert (
        _notices(whole)
        == [
            f"No call logged since 11:02, while the day before (Mon 23 Nov) had {rest} calls after "
            f"12:00: {HINT}"
        ]
        * 3
    )
    first_day = _store(tmp_path, _day(monday, until=(11, 2)), "monday.db")
    assert build_report(first_day, config, monday, now=at(monday, 18)).stopped is None


def test_a_closed_day_is_no_basis_and_a_closed_today_expects_no_call(tmp_path: Path) -> None:
    """Tue 17 Nov a holiday (closed_days): today's stop in the week is judged against the day
    before; with today a holiday (an emergency line open until 11:02), nothing is missing."""
    days = _weekdays(date(2026, 11, 2), date(2026, 11, 23))
    today = date(2026, 11, 24)
    store = _store(tmp_path, [t for day in days for t in _day(day)] + _day(today, until=(11, 2)))
    monday = date(2026, 11, 23)
    then = sum(1 for t in _day(monday) if at(monday, 12) <= t < at(monday, 18))
    holiday = parse_config({"timezone": "Europe/Rome", "closed_days": ["2026-11-17"]})
    for period in (Period.week(2026, 48), Period.day(today)):
        report = build_report(store, holiday, period, now=at(today, 18))
        assert report.stopped is not None and report.stopped.compared_day == monday, period
        assert f"while the day before (Mon 23 Nov) had {then} calls" in _notices(report)[0]
    closed_today = parse_config({"timezone": "Europe/Rome", "closed_days": ["2026-11-24"]})
    for period in (Period.week(2026, 48), NOVEMBER, Period.day(today)):
        assert build_report(store, closed_today, period, now=at(today, 18)).stopped is None
