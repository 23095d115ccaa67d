"""How a report names the days it lists: with their year where one year is not enough to tell
them, and the weekend marked (docs/reports.md, "Days").

A range across the new year (Monday 28 December 2026 to Sunday 3 January 2027, Europe/Rome)
labels its days "Mon 28 Dec 2026" wherever a short label stands (the text's Days table, too
narrow at 80 columns, writes the year on a line of its own before each year's first day); a
day report of New Year's Day names the compared days of 2026 with their year; a report of days
of one year, compared with days of that year, stays as it was. Saturdays and Sundays are marked
in every format (JSON ``weekend``, CSV ``key=weekend``, a shaded HTML row, "weekend" in the
Markdown label, a dashed line before each Monday in the text).

The text of the range is kept as a snapshot; rewrite it, when a change is meant, with
``CAREWATCH_UPDATE_SNAPSHOTS=1 pytest tests/test_report_day_labels.py`` and read the diff.
"""

from __future__ import annotations

import csv
import io
import json
import os
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from carewatch.config import Config, parse_config
from carewatch.kpi.windows import Period
from carewatch.records import CallUpdate
from carewatch.report import Report, build_report, render
from carewatch.store import Store
from tests.test_report_periods import answered, lost

TZ = ZoneInfo("Europe/Rome")
SNAPSHOT = Path(__file__).parent / "snapshots" / "report" / "range-new-year.txt"
ACROSS = Period("range", date(2026, 12, 28), date(2027, 1, 3))


def at(day: date, hh: int, mm: int = 0) -> float:
    return datetime(day.year, day.month, day.day, hh, mm, tzinfo=TZ).timestamp()


def _flat(text: str) -> str:
    return " ".join(text.split())


def _calls(days: list[date], per_day: int = 40) -> list[tuple[int, CallUpdate]]:
    """``per_day`` calls a day from 09:00, one in ten abandoned, a few on Saturday."""
    records = []
    for day in days:
        n = per_day if day.weekday() < 5 else 6
        for i in range(n):
            start = at(day, 9) + 600 * i
            cid = f"{day.isoformat()}-{i}"
            call = lost(cid, start, 30, queue="support") if i % 10 == 0 else None
            records.append(call or answered(cid, start, 12, 150))
    return list(enumerate(records, 1))


@pytest.fixture
def config() -> Config:
    return parse_config({"timezone": "Europe/Rome"})


@pytest.fixture
def store(tmp_path: Path) -> Store:
    # 30 Nov 2026 to 8 Jan 2027, but no call on Wednesday 30 Dec (a gap) nor on Sundays
    first = date(2026, 11, 30)
    days = [first + timedelta(days=n) for n in range(40)]
    days = [d for d in days if d != date(2026, 12, 30) and d.weekday() != 6]
    s = Store(str(tmp_path / "cw.db"))
    s.ingest("pbx", _calls(days))
    yield s
    s.close()


def _range(store: Store, config: Config, now: float | None = None) -> Report:
    return build_report(store, config, ACROSS, now=at(date(2027, 1, 4), 8) if now is None else now)


# -- the year ---------------------------------------------------------------------------------


def test_a_range_across_two_years_names_its_days_with_their_year(
    store: Store, config: Config
) -> None:
    report = _range(store, config)
    text = render(report, "text")
    assert "No call logged on Wed 30 Dec 2026." in _flat(text)  # What stands out
    lines = text.splitlines()
    days = lines[lines.index("DAYS" + " " * 70 + "7 days") :]
    assert days[3:5] == ["2026", days[4]] and days[4].startswith("Mon 28 Dec ")
    assert "2027" in days and days[days.index("2027") + 1].startswith("Fri 1 Jan ")
    assert all(len(line) <= 80 for line in lines)
    markdown = render(report, "markdown")
    assert "| Mon 28 Dec 2026 |" in markdown and "| Fri 1 Jan 2027 |" in markdown
    assert "No call logged on Wed 30 Dec 2026." in markdown
    html = render(report, "html")
    assert "<td>Mon 28 Dec 2026</td>" in html and "<td>Fri 1 Jan 2027</td>" in html
    # the compared ranges say their years already
    assert "the same days a year earlier (28 Dec 2025 – 3 Jan 2026)" in _flat(text)


def test_a_range_in_progress_says_up_to_when_with_the_year(store: Store, config: Config) -> None:
    report = _range(store, config, now=at(date(2027, 1, 2), 11))
    assert "Period not over: figures up to 2 Jan 2027 11:00" in _flat(render(report, "text"))
    assert "| Sat 2 Jan 2027, weekend \\* |" in render(report, "markdown")


def test_the_stopped_notice_names_its_days_with_their_year(tmp_path: Path, config: Config) -> None:
    with Store(str(tmp_path / "cw.db")) as store:
        store.ingest("pbx", _calls([date(2026, 12, 21) + timedelta(days=n) for n in range(9)]))
        report = _range(store, config)
    text = _flat(render(report, "text"))
    assert "No call logged since Tue 29 Dec 2026 " in text, text
    assert "open weekdays, 30 Dec 2026 – 1 Jan 2027)" in text


def test_new_years_day_names_the_days_of_the_year_before_with_their_year(
    store: Store, config: Config
) -> None:
    report = build_report(store, config, date(2027, 1, 1), now=at(date(2027, 1, 2), 8))
    assert all(len(line) <= 80 for line in render(report, "text").splitlines())
    text = _flat(render(report, "text"))
    # the column headings (the weekday left out, to fit 80 columns)
    assert "today vs 31 Dec 2026 vs 25 Dec 2026" in text
    assert (
        "the day before (Thu 31 Dec 2026) and the same weekday a week earlier (Fri 25 Dec 2026)"
        in text
    )
    # a week on: the day before is of the same year, the week before is not
    report = build_report(store, config, date(2027, 1, 7), now=at(date(2027, 1, 8), 8))
    text = _flat(render(report, "text"))
    assert "today vs Wed 6 Jan vs 31 Dec 2026" in text


def test_days_of_one_year_keep_their_short_labels(store: Store, config: Config) -> None:
    report = build_report(store, config, date(2026, 12, 23), now=at(date(2026, 12, 24), 8))
    text = _flat(render(report, "text"))
    assert "vs Tue 22 Dec " in text and "2026 " not in text.split("KEY FIGURES")[1][:80]
    week = build_report(store, config, Period.week(2026, 52), now=at(date(2027, 1, 4), 8))
    assert "| Mon 21 Dec |" in render(week, "markdown")


def test_the_range_across_two_years_is_exactly_the_snapshot(store: Store, config: Config) -> None:
    text = render(_range(store, config), "text")
    if os.environ.get("CAREWATCH_UPDATE_SNAPSHOTS"):
        SNAPSHOT.write_text(text, encoding="utf-8", newline="")
    assert text == SNAPSHOT.read_bytes().decode("utf-8")


# -- the weekend ------------------------------------------------------------------------------


def test_every_format_marks_saturday_and_sunday(store: Store, config: Config) -> None:
    report = build_report(store, config, Period.month(2026, 12), now=at(date(2027, 1, 4), 8))
    days = json.loads(render(report, "json"))["days"]
    assert [d["date"] for d in days if d["weekend"]] == [
        f"2026-12-{n:02d}" for n in (5, 6, 12, 13, 19, 20, 26, 27)
    ]
    assert all(d["weekend"] is (date.fromisoformat(d["date"]).weekday() >= 5) for d in days)
    rows = list(csv.reader(io.StringIO(render(report, "csv"))))
    marked = [r[1] for r in rows if r[0] == "day" and r[2] == "weekend"]
    assert marked == [d["date"] for d in days if d["weekend"]]
    assert all(r[4] == "1" for r in rows if r[0] == "day" and r[2] == "weekend")
    html = render(report, "html")
    assert html.count('<tr class="weekend">') == 8
    assert '<tr class="weekend"><td>Sat 26 Dec</td>' in html
    assert "Shaded: Saturday and Sunday." in html
    markdown = render(report, "markdown")
    assert "| Sat 26 Dec, weekend |" in markdown and "| Fri 25 Dec |" in markdown
    # text: a dashed line before each Monday but the first line: the weeks read as blocks
    lines = render(report, "text").splitlines()
    table = lines[lines.index("DAYS" + " " * 69 + "31 days") + 3 :]
    table = table[: next(i for i, line in enumerate(table) if line.startswith("SL = "))]
    rules = [i for i, line in enumerate(table) if set(line) == {"┄"}]
    assert [table[i + 1].split()[:3] for i in rules] == [
        ["Mon", str(n), "Dec"] for n in (7, 14, 21, 28)
    ]
    assert all(len(table[i]) <= 80 for i in rules)


def test_the_calls_listed_across_two_years_say_their_year(store: Store, config: Config) -> None:
    report = build_report(store, config, ACROSS, with_calls=True, now=at(date(2027, 1, 4), 8))
    lines = render(report, "text").splitlines()
    assert "Monday 28 December 2026" in lines and "Friday 1 January 2027" in lines
    assert "| 28 Dec 2026 09:00 |" in render(report, "markdown")
    assert "<td>1 Jan 2027 09:00</td>" in render(report, "html")
    # a week of one year keeps its short forms
    week = build_report(store, config, Period.week(2026, 52), with_calls=True, now=report.as_of)
    assert "Monday 21 December" in render(week, "text").splitlines()
    assert "| 21 Dec 09:00 |" in render(week, "markdown")


def test_the_trend_of_a_day_in_january_names_the_days_of_december_with_their_year(
    store: Store, config: Config
) -> None:
    report = build_report(store, config, date(2027, 1, 5), now=at(date(2027, 1, 6), 8))
    lines = render(report, "text").splitlines()
    trend = lines[lines.index(next(x for x in lines if x.startswith("TREND"))) :]
    names = [line[:14].strip() for line in trend[3:15]]
    assert names[0] == "25 Dec 2026" and names[6] == "31 Dec 2026" and names[7] == "Fri 1 Jan"
    assert all(len(line) <= 80 for line in lines)
    assert "| 31 Dec 2026 |" in render(report, "markdown")
    # a day of the same year as all its trend keeps the weekday
    assert "| Mon 21 Dec |" in render(
        build_report(store, config, date(2026, 12, 23), now=report.as_of), "markdown"
    )


def test_the_callers_to_call_back_across_two_years_say_the_year(
    tmp_path: Path, config: Config
) -> None:
    records = [
        answered("a", at(date(2026, 12, 28), 9), 10, 100),
        lost("b", at(date(2026, 12, 31), 10), 40, queue="support", caller="+39 02 5550199"),
    ]
    with Store(str(tmp_path / "cw.db")) as store:
        store.ingest("pbx", list(enumerate(records, 1)))
        report = _range(store, config)
    assert "31 Dec 2026 10:00 " in render(report, "text")
    assert "| 31 Dec 2026 10:00 |" in render(report, "markdown")
    assert "<td>31 Dec 2026 10:00</td>" in render(report, "html")


def test_the_logs_beginning_late_on_a_day_of_the_year_before_say_its_year(
    tmp_path: Path, config: Config
) -> None:
    # the logs begin at 14:00 on Fri 25 Dec 2026, the day New Year's Day is compared with
    first = [
        (n, c)
        for n, c in _calls([date(2026, 12, 25)])
        if c.fields["started_at"] >= at(date(2026, 12, 25), 14)
    ]
    later = _calls([date(2026, 12, 28) + timedelta(days=n) for n in range(5)])
    with Store(str(tmp_path / "cw.db")) as store:
        store.ingest("pbx", [(n, c) for n, (_i, c) in enumerate([*first, *later], 1)])
        report = build_report(store, config, date(2027, 1, 1), now=at(date(2027, 1, 2), 8))
    assert (
        "The logs begin at 14:00 on Fri 25 Dec 2026, after that day's first hours: it is not "
        "compared." in _flat(render(report, "text"))
    )


def test_the_days_before_the_logs_across_two_years_say_their_year(
    tmp_path: Path, config: Config
) -> None:
    # the logs begin on Tue 29 Dec 2026: Monday 28 is before them
    with Store(str(tmp_path / "cw.db")) as store:
        store.ingest("pbx", _calls([date(2026, 12, 29) + timedelta(days=n) for n in range(6)]))
        report = _range(store, config)
    lines = render(report, "text").splitlines()
    assert any(x.startswith("Mon 28 Dec 2026 ") and "before the logs begin" in x for x in lines)
    assert "| Mon 28 Dec 2026 | before the logs begin |" in render(report, "markdown")
