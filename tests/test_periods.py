"""Periods of local days (a day, an ISO week, a month, a range), what they are compared with,
and where a period still in progress cuts the periods it is compared with.

Europe/Rome switches to summer time on 31 March 2024 (02:00 -> 03:00, a 23-hour day) and back
on 27 October 2024 (a 25-hour day). Every expected value is worked out by hand below.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from carewatch.kpi.windows import Period, cut_at, parse_period

ROME = ZoneInfo("Europe/Rome")
HOUR = 3600


def local(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> float:
    return datetime(y, m, d, hh, mm, tzinfo=ROME).timestamp()


def hours(period: Period) -> float:
    w = period.window(ROME)
    return (w.end - w.start) / HOUR


def test_lengths_across_the_summer_time_switches() -> None:
    assert hours(Period.day(date(2024, 3, 31))) == 23  # the clock jumps 02:00 -> 03:00
    assert hours(Period.day(date(2024, 10, 27))) == 25  # 02:00-03:00 happens twice
    assert hours(Period.month(2024, 3)) == 31 * 24 - 1  # 743
    assert hours(Period.month(2024, 10)) == 31 * 24 + 1  # 745
    assert hours(Period.week(2024, 13)) == 7 * 24 - 1  # Mon 25 - Sun 31 March
    # the window starts at local midnight of the first day and ends at midnight after the last
    w = Period.month(2024, 3).window(ROME)
    assert (w.start, w.end) == (local(2024, 3, 1), local(2024, 4, 1))


def test_weeks_are_iso_weeks_and_months_calendar_months() -> None:
    week = Period.week(2024, 20)
    assert (week.first, week.last, week.days) == (date(2024, 5, 13), date(2024, 5, 19), 7)
    assert week.label == "2024-W20"
    feb = Period.month(2024, 2)
    assert (feb.first, feb.last, feb.days) == (date(2024, 2, 1), date(2024, 2, 29), 29)  # leap
    assert feb.label == "2024-02"


def test_the_previous_period_of_the_same_length() -> None:
    assert Period.day(date(2024, 3, 1)).previous() == Period.day(date(2024, 2, 29))
    assert Period.week(2024, 1).previous() == Period.week(2023, 52)  # 25-31 Dec 2023
    assert Period.month(2024, 1).previous() == Period.month(2023, 12)
    assert Period.month(2024, 3).previous() == Period("month", date(2024, 2, 1), date(2024, 2, 29))
    ten_days = Period("range", date(2024, 5, 1), date(2024, 5, 10))
    assert ten_days.previous() == Period("range", date(2024, 4, 21), date(2024, 4, 30))


def test_the_same_period_earlier() -> None:
    # a day: the same weekday a week before
    assert Period.day(date(2024, 5, 14)).earlier() == Period.day(date(2024, 5, 7))
    # a week: the same ISO week a year before; 2020 has a week 53, 2019 does not
    assert Period.week(2024, 20).earlier() == Period.week(2023, 20)
    assert Period.week(2020, 53).earlier() == Period.week(2019, 52)
    # a month: the same month a year before (February of a common year has 28 days)
    assert Period.month(2024, 2).earlier() == Period("month", date(2023, 2, 1), date(2023, 2, 28))
    # a range: the same dates a year before, 29 February -> 28
    leap = Period("range", date(2024, 2, 29), date(2024, 3, 5))
    assert leap.earlier() == Period("range", date(2023, 2, 28), date(2023, 3, 5))


def test_the_trend_is_twelve_periods_ending_with_this_one() -> None:
    months = Period.month(2024, 3).trend()
    assert len(months) == 12
    assert (months[0].label, months[-1].label) == ("2023-04", "2024-03")
    weeks = Period.week(2024, 2).trend()
    assert [w.label for w in weeks[:2]] == ["2023-W43", "2023-W44"]  # 2023 has 52 weeks


def test_a_day_in_progress_is_compared_clock_to_clock_across_the_switch() -> None:
    switch_day = Period.day(date(2024, 3, 31))
    now = local(2024, 3, 31, 11)  # 10 hours after midnight: the 02:00-03:00 hour never was
    assert now - switch_day.window(ROME).start == 10 * HOUR
    # the day before is taken up to 11:00 on its clock (11 hours after its midnight)
    assert cut_at(switch_day, switch_day.previous(), ROME, now) == local(2024, 3, 30, 11)
    assert cut_at(switch_day, switch_day.earlier(), ROME, now) == local(2024, 3, 24, 11)


def test_a_time_the_day_compared_skipped_is_cut_where_its_clock_jumped() -> None:
    # Monday 1 April 2024 at 02:30 is compared with Sunday 31 March up to 02:30 on its clock;
    # that Sunday had no 02:30 (02:00 -> 03:00): it is cut at the jump, 03:00 CEST, not at
    # 03:30 CEST (02:30 read with the winter offset), which would take half an hour more
    monday = Period.day(date(2024, 4, 1))
    now = local(2024, 4, 1, 2, 30)
    jump = datetime(2024, 3, 31, 1, 0, tzinfo=ZoneInfo("UTC")).timestamp()
    assert cut_at(monday, monday.previous(), ROME, now) == jump
    assert cut_at(monday, monday.earlier(), ROME, now) == local(2024, 3, 25, 2, 30)
    # a week: Sunday 7 April 02:30 against Sunday 31 March
    week = Period.week(2024, 14)
    assert cut_at(week, week.previous(), ROME, local(2024, 4, 7, 2, 30)) == jump
    # a time the day compared has twice is taken on the report's own pass: the first
    # 02:30 of Sunday 27 October for Monday 28 at 02:30
    after = Period.day(date(2024, 10, 28))
    first_pass = datetime(2024, 10, 27, 0, 30, tzinfo=ZoneInfo("UTC")).timestamp()
    assert cut_at(after, after.previous(), ROME, local(2024, 10, 28, 2, 30)) == first_pass


def test_a_month_in_progress_is_compared_with_the_same_first_days() -> None:
    may = Period.month(2024, 5)
    now = local(2024, 5, 15, 11)
    assert cut_at(may, may.previous(), ROME, now) == local(2024, 4, 15, 11)
    assert cut_at(may, may.earlier(), ROME, now) == local(2023, 5, 15, 11)
    # on 31 March, February 2024 (29 days) is taken whole: 1 Feb + 30 days is past its end
    march = Period.month(2024, 3)
    assert cut_at(march, march.previous(), ROME, local(2024, 3, 31, 10)) == local(2024, 3, 1)
    # 30 March 10:00 -> 1 Feb + 29 days = 1 March: still past February's end
    assert cut_at(march, march.previous(), ROME, local(2024, 3, 30, 10)) == local(2024, 3, 1)
    # 29 March 10:00 -> 29 February 10:00
    assert cut_at(march, march.previous(), ROME, local(2024, 3, 29, 10)) == local(2024, 2, 29, 10)


def test_a_period_over_is_compared_whole_and_one_not_begun_with_nothing() -> None:
    may = Period.month(2024, 5)
    assert cut_at(may, may.previous(), ROME, local(2024, 6, 2)) == local(2024, 5, 1)  # April whole
    assert cut_at(may, may.previous(), ROME, local(2024, 4, 20)) == local(2024, 4, 1)  # its start


TODAY = date(2024, 5, 15)  # a Wednesday


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({}, Period.day(TODAY)),
        ({"day": "today"}, Period.day(TODAY)),
        ({"day": "yesterday"}, Period.day(date(2024, 5, 14))),
        ({"day": "2024-02-29"}, Period.day(date(2024, 2, 29))),
        ({"week": ""}, Period.week(2024, 20)),
        ({"week": "2024-W01"}, Period("week", date(2024, 1, 1), date(2024, 1, 7))),
        ({"month": ""}, Period.month(2024, 5)),
        ({"month": "2023-12"}, Period.month(2023, 12)),
        (
            {"start": "2024-05-01", "end": "2024-05-03"},
            Period("range", date(2024, 5, 1), date(2024, 5, 3)),
        ),
        ({"start": "2024-05-10"}, Period("range", date(2024, 5, 10), TODAY)),
    ],
)
def test_parse_period(kwargs: dict[str, str], expected: Period) -> None:
    assert parse_period(TODAY, **kwargs) == expected


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"day": "14/05/2024"}, "--date: expected today, yesterday or YYYY-MM-DD"),
        ({"week": "2024-W54"}, "--week: expected YYYY-Www"),
        ({"week": "20"}, "--week: expected YYYY-Www"),
        ({"month": "2024-13"}, "--month: expected YYYY-MM"),
        (
            {"start": "2024-05-03", "end": "2024-05-01"},
            "--to 2024-05-01 is before --from 2024-05-03",
        ),
        ({"end": "2024-05-01"}, "--to needs --from"),
        # no --to: it is today, so the message is about --from, not a --to nobody gave
        ({"start": "2024-06-01"}, "^--from 2024-06-01 is after today"),
        ({"day": "today", "month": ""}, "give one of"),
    ],
)
def test_parse_period_errors_name_the_option(kwargs: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        parse_period(TODAY, **kwargs)
