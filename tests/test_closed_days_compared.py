"""A week, a month or a range compared with a period that holds a different number of closed
days (the config's ``closed_days``): the figures that add up over days are compared per open
day, rates and times per call as they are, and the header says so; a compared period closed
on every day is not compared (docs/reports.md, "Closed days"). The arithmetic itself:
:mod:`carewatch.kpi.open_days`.

The calls are those of tests/test_closed_days.py: a centre open Monday to Friday (or every
day), 09:00–18:00, a call every four minutes, one in ten lost.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from carewatch import i18n
from carewatch.kpi.open_days import OpenDays, open_days, per_open_day, scaled
from carewatch.kpi.windows import Period
from carewatch.report import Report, build_report, render
from carewatch.report.values import change, key_figures, scalar_value
from carewatch.store import Store
from tests.test_closed_days import (
    TZ,
    _changes_against_previous,
    _config,
    _day,
    _flat,
    _human,
    _store,
    _weekdays,
    at,
)

W52, W51 = Period.week(2026, 52), Period.week(2026, 51)
FRI_25 = date(2026, 12, 25)
CHRISTMAS = ["2026-12-25"]
#: What the header says of W52 2026 against W51 2026, for a centre open Monday to Friday.
SENTENCE = (
    "W52 2026 had 4 open days (Fri 25 Dec closed) against 5 in W51 2026: the counts and totals "
    "are compared per open day."
)
NEW_YEAR = at(date(2027, 1, 4), 9)
RATES = ("abandon_rate", "answer_rate", "service_level", "avg_wait_seconds", "avg_talk_seconds")


# -- the arithmetic --------------------------------------------------------------------------


def test_counts_over_different_open_days_are_compared_per_open_day() -> None:
    # 600 calls over 6 open days against 700 over 7: as many per open day, a change of 0%
    factor = per_open_day(OpenDays(7, (FRI_25,), 6), OpenDays(7, (), 7))
    assert factor == pytest.approx(6 / 7)
    basis = scaled({"offered": 700, "answered": 630, "abandon_rate": 0.1}, factor)
    assert basis == {"offered": 600, "answered": 540, "abandon_rate": 0.1}
    assert change("offered", 600, basis["offered"]) == ("=", 0)
    # the other way round: the period compared with holds the closed day
    assert per_open_day(OpenDays(7, (), 7), OpenDays(7, (FRI_25,), 6)) == pytest.approx(7 / 6)


def test_only_the_sums_are_scaled() -> None:
    kpis = {
        "offered": 500,
        "outbound": 7,
        "waiting": 3,  # a state at the time read, not a sum over days
        "open_issues": 2,
        "talk_seconds_total": 1000.0,
        "talk_cost": {"total": 50.0, "by_category": {"billing": 10.0}},
        "abandon_rate": 0.2,
        "avg_talk_seconds": 150.0,
        "csat_avg": 4.2,
    }
    basis = scaled(kpis, 0.8)
    assert basis == {
        **kpis,
        "offered": 400,
        "outbound": 6,  # a count stays a whole number
        "talk_seconds_total": 800.0,
        "talk_cost": {"total": 40.0, "by_category": {"billing": 8.0}},
    }
    assert scaled(kpis, None) == kpis
    assert kpis["offered"] == 500  # the snapshot itself is left as it was


@pytest.mark.parametrize(
    ("own", "other"),
    [
        (OpenDays(31, (), 31), OpenDays(30, (), 30)),  # no closed day: a month as before
        (OpenDays(7, (FRI_25,), 6), OpenDays(7, (date(2026, 12, 18),), 6)),  # as many open
        (OpenDays(2, (FRI_25, FRI_25), 0), OpenDays(2, (), 2)),  # the report's: none open
        (OpenDays(7, (), 7), OpenDays(1, (FRI_25,), 0)),  # wholly closed: not compared
    ],
)
def test_periods_are_compared_as_they_are(own: OpenDays, other: OpenDays) -> None:
    assert per_open_day(own, other) is None


def test_open_days_count_the_part_compared_on_the_weekdays_the_centre_opens() -> None:
    closed = {FRI_25, date(2026, 12, 26)}
    week = open_days(W52, W52.window(TZ).end, TZ, closed)
    assert week == OpenDays(7, (FRI_25, date(2026, 12, 26)), 5)
    weekdays = [True] * 5 + [False] * 2  # Monday to Friday
    assert open_days(W52, W52.window(TZ).end, TZ, closed, weekdays).open == 4
    # cut on Wednesday at noon: Monday to Wednesday (Wednesday begun), no closed day yet
    cut = open_days(W52, at(date(2026, 12, 23), 12), TZ, closed, weekdays)
    assert cut == OpenDays(3, (), 3)
    # a period not begun has no day compared yet
    assert open_days(W52, W52.window(TZ).start, TZ, closed) == OpenDays(0, (), 0)


# -- a week with a closed day against one without --------------------------------------------


@pytest.fixture
def christmas_week(tmp_path: Path) -> Store:
    """Monday to Friday, W51 and W52 2026, but Christmas (Fri 25 Dec): 540 calls in W52 over
    four days against 675 in W51 over five."""
    days = _weekdays(date(2026, 12, 14), date(2026, 12, 27), but=(FRI_25,))
    return _store(tmp_path, [t for d in days for t in _day(d)])


def _changes(report: Report, key: str) -> tuple[str, str]:
    """The changes of ``key`` against the period before and the same period earlier."""
    found = {f.key: f for _g, figures in key_figures(report) for f in figures}[key]
    return found.changes[0][0], found.changes[1][0]


def test_a_week_with_a_closed_day_compares_its_counts_per_open_day(christmas_week: Store) -> None:
    now = at(date(2027, 1, 4), 9)
    plain = build_report(christmas_week, _config(), W52, now=now)
    assert (plain.kpis["offered"], plain.previous.kpis["offered"]) == (540, 675)
    assert _changes(plain, "offered")[0] == "▼ 135"  # without the calendar: a drop
    assert "Calls offered fell to 540 from 675 in the previous week." in plain.insights

    report = build_report(christmas_week, _config(CHRISTMAS), W52, now=now)
    for key in ("offered", "answered", "abandoned"):
        assert _changes(report, key)[0] == "=", key
    assert not [note for note in report.insights if "Calls offered" in note]
    # rates, averages and times per call are compared as they are
    for key in RATES:
        raw = change(key, scalar_value(report.kpis, key), scalar_value(plain.previous.kpis, key))
        assert _changes(report, key)[0] == raw[0] == _changes(plain, key)[0], key
    for fmt, text in _human(report).items():
        assert SENTENCE in text, fmt
        assert "closed day: it is not compared" not in text, fmt
    assert SENTENCE not in _human(plain)["text"]

    data = json.loads(render(report, "json"))
    assert data["previous_period"] == {
        "from": "2026-12-14",
        "to": "2026-12-20",
        "kpis": data["previous_period"]["kpis"],
        "closed_days": [],
        "open_days": 5,
    }
    assert data["previous_period"]["kpis"]["offered"] == 675  # as read, not scaled
    assert data["same_period_earlier"]["closed_days"] == []
    assert [d["date"] for d in data["days"] if d["closed"]] == ["2026-12-25"]

    rows = list(csv.DictReader(io.StringIO(render(report, "csv"))))
    found = {r["key"]: r for r in rows if r["record"] == "report"}
    assert [found["open_days"][c] for c in ("value", "previous_period")] == ["4", "5"]
    assert found["closed_days"]["value"] == "2026-12-25"
    assert found["closed_days"]["previous_period"] == ""


def test_the_week_compared_with_holds_the_closed_day(tmp_path: Path) -> None:
    # every weekday of W51 and W52 had calls; Fri 18 Dec is listed as closed (an emergency
    # line took a whole day of calls): they count in W51's figures, and for the comparison
    # per open day the day is closed
    days = _weekdays(date(2026, 12, 14), date(2026, 12, 27))
    store = _store(tmp_path, [t for d in days for t in _day(d)])
    report = build_report(store, _config(["2026-12-18"]), W52, now=at(date(2027, 1, 4), 9))
    assert report.kpis["offered"] == report.previous.kpis["offered"] == 675
    assert _changes(report, "offered")[0] == "▼ 169"  # 675 against 675 × 5 / 4
    # What stands out names that figure as what it is: W51's 675 put on five open days
    assert (
        "Calls offered fell to 675 from 844 in the previous week, for as many open days."
        in report.insights
    )
    for fmt, text in _human(report).items():
        assert (
            "W52 2026 had 5 open days against 4 in W51 2026 (Fri 18 Dec closed): the counts "
            "and totals are compared per open day."
        ) in text, fmt
    data = json.loads(render(report, "json"))
    assert data["previous_period"]["closed_days"] == ["2026-12-18"]
    assert data["previous_period"]["open_days"] == 4
    assert data["previous_period"]["kpis"]["offered"] == 675


def test_a_range_names_its_days(christmas_week: Store) -> None:
    now = at(date(2027, 1, 4), 9)
    days = Period("range", date(2026, 12, 21), date(2026, 12, 27))
    report = build_report(christmas_week, _config(CHRISTMAS), days, now=now)
    assert report.previous.period == Period("range", date(2026, 12, 14), date(2026, 12, 20))
    for fmt, text in _human(report).items():
        assert (
            "21–27 Dec 2026 had 4 open days (Fri 25 Dec closed) against 5 in 14–20 Dec 2026: "
            "the counts and totals are compared per open day."
        ) in text, fmt
    assert _changes(report, "offered")[0] == "="


def test_a_compared_period_closed_every_day_is_not_compared(tmp_path: Path) -> None:
    # Sat 26 – Sun 27 Dec against Thu 24 – Fri 25, both closed; the emergency line of the 24th
    # had 16 calls: no basis all the same
    days = [date(2026, 12, 21) + timedelta(days=n) for n in range(7)]
    starts = [t for d in days if d not in (date(2026, 12, 24), FRI_25) for t in _day(d)]
    store = _store(tmp_path, starts + _day(date(2026, 12, 24), until=(10, 0)))
    period = Period("range", date(2026, 12, 26), date(2026, 12, 27))
    report = build_report(store, _config(["2026-12-24", "2026-12-25"]), period, now=NEW_YEAR)
    assert report.previous.closed and report.previous.open_days == 0
    for fmt, text in _human(report).items():
        assert "24–25 Dec 2026 was closed every day: it is not compared." in text, fmt
        assert "open days" not in text, fmt
    assert set(_changes_against_previous(report).values()) == {("–", None)}
    data = json.loads(render(report, "json"))
    assert data["previous_period"]["closed_days"] == ["2026-12-24", "2026-12-25"]
    assert data["previous_period"]["open_days"] == 0
    assert data["previous_period"]["kpis"]["offered"] == 16  # as read


# -- a month in progress ---------------------------------------------------------------------


def test_a_month_in_progress_counts_the_days_up_to_the_cut(tmp_path: Path) -> None:
    # every day of November and December (a centre open every day) but Tue 8 Dec, a holiday;
    # the month is read on Fri 11 Dec at noon, November up to Wed 11 Nov at noon; Christmas,
    # later in the month, does not count
    first, last = date(2026, 11, 1), date(2026, 12, 11)
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    store = _store(tmp_path, [t for d in days if d != date(2026, 12, 8) for t in _day(d)])
    now = at(date(2026, 12, 11), 12)
    config = _config(["2026-12-08", "2026-12-25", "2026-11-20"])
    report = build_report(store, config, Period.month(2026, 12), now=now)
    assert (report.open_days, report.closed_days) == (10, (date(2026, 12, 8),))
    assert (report.previous.open_days, report.previous.closed_days) == (11, ())
    assert report.previous.per_open_day == pytest.approx(10 / 11)
    for fmt, text in _human(report).items():
        assert (
            "Dec 2026 had 10 open days (Tue 8 Dec closed) against 11 in Nov 2026: the counts "
            "and totals are compared per open day."
        ) in text, fmt
    offered, before = report.kpis["offered"], report.previous.kpis["offered"]
    assert _changes(report, "offered")[0] == change("offered", offered, round(before * 10 / 11))[0]
    data = json.loads(render(report, "json"))
    assert (data["previous_period"]["open_days"], data["previous_period"]["closed_days"]) == (
        11,
        [],
    )


# -- a compared day both closed and before the logs ------------------------------------------


def test_a_compared_day_closed_and_not_covered_is_said_closed_once(tmp_path: Path) -> None:
    # the logs begin on Tue 8 Dec (a holiday) at 10:00, an emergency line; Wed 9 Dec from 09:00
    tue, wed = date(2026, 12, 8), date(2026, 12, 9)
    store = _store(tmp_path, _day(tue, until=(11, 0))[15:] + _day(wed))
    now = at(date(2026, 12, 10), 8)
    plain = build_report(store, _config(), wed, now=now)
    assert "The logs begin at 10:00 on Tue 8 Dec" in _human(plain)["text"]

    report = build_report(store, _config(["2026-12-08"]), wed, now=now)
    for fmt, text in _human(report).items():
        assert "Tue 8 Dec was a closed day: it is not compared." in text, fmt
        assert "The logs begin" not in text, fmt


def test_the_sentence_in_italian(christmas_week: Store) -> None:
    i18n.set_language("it")
    try:
        report = build_report(christmas_week, _config(CHRISTMAS), W52, now=NEW_YEAR)
        text = _flat(render(report, "text"))
    finally:
        i18n.set_language("en")
    assert "ha avuto 4 giorni di apertura (giorno di chiusura: ven 25 dic) contro 5 di" in text, (
        text[:600]
    )
    assert "conteggi e totali sono confrontati per giorno di apertura." in text


def test_a_range_across_two_years_names_its_closed_days_with_their_year(tmp_path: Path) -> None:
    holidays = (FRI_25, date(2027, 1, 1))
    days = _weekdays(date(2026, 12, 7), date(2027, 1, 3), but=holidays)
    store = _store(tmp_path, [t for d in days for t in _day(d)])
    period = Period("range", date(2026, 12, 21), date(2027, 1, 3))
    config = _config(["2026-12-25", "2027-01-01"])
    report = build_report(store, config, period, now=at(date(2027, 1, 5), 9))
    assert (report.open_days, report.previous.open_days) == (8, 10)
    for fmt, text in _human(report).items():
        assert (
            "21 Dec 2026 – 3 Jan 2027 had 8 open days (Fri 25 Dec 2026 and Fri 1 Jan 2027 "
            "closed) against 10 in 7–20 Dec 2026: the counts and totals are compared per open "
            "day."
        ) in text, fmt
