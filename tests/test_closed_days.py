"""The days the centre is closed (the config's ``closed_days``): a public holiday on a weekday
is not a gap in "What stands out", not an open weekday in the "logs stopped" notice, not a
basis for a day report's comparison, and is marked in the Days section; the calls logged on it
still count (docs/reports.md, "Closed days").

The calls are generated here (Europe/Rome, December 2026: Tue 8 Dec and Fri 25 Dec are
holidays): a centre open Monday to Friday, 09:00–18:00, a call every few minutes.
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from carewatch import i18n
from carewatch.cli import main
from carewatch.config import Config, load_config, parse_config
from carewatch.kpi.windows import Period
from carewatch.kpicache import KpiCache
from carewatch.records import CallUpdate
from carewatch.report import Report, build_report, render
from carewatch.report.values import key_figures
from carewatch.store import Store
from tests.test_report_periods import answered, lost

TZ = ZoneInfo("Europe/Rome")
DECEMBER = Period.month(2026, 12)
HOLIDAYS = ["2026-12-08", "2026-12-25", "2026-12-26"]
TUE_8, WED_9, FRI_25 = date(2026, 12, 8), date(2026, 12, 9), date(2026, 12, 25)
STOPPED_HINT = "the logs may not have been read since"


def at(day: date, hh: int, mm: int = 0) -> float:
    return datetime(day.year, day.month, day.day, hh, mm, tzinfo=TZ).timestamp()


def _day(day: date, until: tuple[int, int] = (17, 58), every: int = 4) -> list[float]:
    """The starts of a day's calls: one every ``every`` minutes from 09:00 up to ``until``."""
    starts, t, end = [], at(day, 9), at(day, *until)
    while t <= end:
        starts.append(t)
        t += 60 * every
    return starts


def _weekdays(first: date, last: date, *, but: tuple[date, ...] = ()) -> list[date]:
    days = (first + timedelta(days=n) for n in range((last - first).days + 1))
    return [d for d in days if d.weekday() < 5 and d not in but]


def _store(tmp_path: Path, starts: list[float]) -> Store:
    store = Store(str(tmp_path / "cw.db"))
    records: list[CallUpdate] = [
        lost(f"c{n}", t, 30, queue="support") if n % 10 == 0 else answered(f"c{n}", t, 12, 150)
        for n, t in enumerate(starts)
    ]
    store.ingest("pbx", list(enumerate(records, 1)))
    return store


def _config(closed: list[str] | None = None) -> Config:
    data: dict[str, Any] = {"timezone": "Europe/Rome"}
    if closed is not None:
        data["closed_days"] = closed
    return parse_config(data)


def _flat(text: str) -> str:
    return " ".join(text.split())


#: Between a day's name and the words in place of its figures, in text, Markdown and HTML.
_IN_PLACE = r'(?:</td>)?[ |]*(?:<td colspan="\d+">)?'


def _human(report: Report) -> dict[str, str]:
    """The text, Markdown and HTML of a report, flat (Markdown's escaped "_" as it reads)."""
    return {
        fmt: _flat(render(report, fmt)).replace("\\_", "_") for fmt in ("text", "markdown", "html")
    }


def _changes_against_previous(report: Report) -> dict[str, tuple[str, str | None]]:
    """Each key figure's change against the period before (the first change column)."""
    return {f.key: f.changes[0] for _group, figures in key_figures(report) for f in figures}


# -- a month with holidays on weekdays -------------------------------------------------------


@pytest.fixture
def december(tmp_path: Path) -> Store:
    """Every weekday of December 2026 with calls but the two holidays on a weekday; the
    holiday on Saturday 26 Dec had 5 calls (an emergency line)."""
    days = _weekdays(date(2026, 11, 30), date(2026, 12, 31), but=(TUE_8, FRI_25))
    emergency = [at(date(2026, 12, 26), 10, m) for m in range(0, 50, 10)]
    return _store(tmp_path, [t for d in days for t in _day(d)] + emergency)


def test_a_holiday_on_a_weekday_is_no_gap_and_the_days_mark_it(december: Store) -> None:
    now = at(date(2027, 1, 4), 9)
    # without the calendar the two holidays are the gaps of the month
    plain = build_report(december, _config(), DECEMBER, now=now)
    assert [(f.day, f.why) for f in plain.standout_days] == [
        (TUE_8, "no_calls"),
        (FRI_25, "no_calls"),
    ]
    assert "No call logged on Tue 8 Dec, Fri 25 Dec." in _human(plain)["text"]

    report = build_report(december, _config(HOLIDAYS), DECEMBER, now=now)
    assert report.standout_days == []
    for fmt, text in _human(report).items():
        assert "No call logged on" not in text, fmt
        # a closed day with no call reads "closed" in place of its figures; one with calls
        # keeps them, its name marked
        for day in ("Tue 8 Dec", "Fri 25 Dec"):
            assert re.search(day + _IN_PLACE + "closed", text), (fmt, day)
        assert "Sat 26 Dec, closed" in text, fmt
        assert not re.search("Sat 26 Dec" + _IN_PLACE + "closed", text), fmt
        assert not re.search("Mon 7 Dec" + _IN_PLACE + "closed", text), fmt
        assert "Closed: a day the config lists in closed_days" in text, fmt

    data = json.loads(render(report, "json"))
    closed = {d["date"] for d in data["days"] if d["closed"]}
    assert closed == set(HOLIDAYS)
    assert all(d["closed"] is False for d in data["days"] if d["date"] not in closed)
    assert data["standout_days"] == []
    # the calls of a closed day count: in its day and in the month
    by_day = {d["date"]: d["kpis"] for d in data["days"]}
    assert by_day["2026-12-26"]["offered"] == 5
    assert data["kpis"]["offered"] == sum(k["offered"] for k in by_day.values())
    assert data["kpis"]["offered"] == plain.kpis["offered"]

    rows = list(csv.DictReader(io.StringIO(render(report, "csv"))))
    marked = {r["name"] for r in rows if r["record"] == "day" and r["key"] == "closed"}
    assert marked == set(HOLIDAYS)
    assert all(r["value"] == "1" for r in rows if r["record"] == "day" and r["key"] == "closed")
    assert not [r for r in rows if r["record"] == "standout"]


def test_the_logs_stopped_notice_does_not_count_a_closed_day(tmp_path: Path) -> None:
    # the last call on Wed 23 Dec; the month in progress on Mon 28 Dec at noon
    days = _weekdays(date(2026, 11, 30), date(2026, 12, 23), but=(TUE_8,))
    store = _store(tmp_path, [t for d in days for t in _day(d)])
    now = at(date(2026, 12, 28), 12)

    plain = build_report(store, _config(), DECEMBER, now=now)
    assert plain.stopped is not None
    assert plain.stopped.open_days == (date(2026, 12, 24), FRI_25)

    report = build_report(store, _config(HOLIDAYS), DECEMBER, now=now)
    assert report.stopped is not None and report.stopped.open_days == (date(2026, 12, 24),)
    for fmt, text in _human(report).items():
        assert "(1 open weekday, 24 Dec)" in text, fmt
    assert json.loads(render(report, "json"))["logs_stopped"]["open_days"] == ["2026-12-24"]

    # closed on the 24th too: no open weekday is left after the last call, nothing is said
    both = build_report(store, _config([*HOLIDAYS, "2026-12-24"]), DECEMBER, now=now)
    assert both.stopped is None
    assert all(STOPPED_HINT not in text for text in _human(both).values())
    assert json.loads(render(both, "json"))["logs_stopped"] is None


# -- a day report next to a holiday ----------------------------------------------------------


@pytest.fixture
def around_holiday(tmp_path: Path) -> Store:
    """The logs begin on Mon 7 Dec (the same weekday a week before Wed 9 Dec is before them);
    Tue 8 Dec, a holiday, had 25 calls up to 11:00 (an emergency line), Wed 9 Dec 136."""
    emergency = _day(TUE_8, until=(10, 36), every=4)
    assert len(emergency) == 25
    return _store(tmp_path, _day(date(2026, 12, 7)) + emergency + _day(WED_9))


def test_a_day_after_a_holiday_is_not_compared_with_it(around_holiday: Store) -> None:
    now = at(date(2026, 12, 10), 8)
    plain = build_report(around_holiday, _config(), WED_9, now=now)
    assert "on the previous day" in _human(plain)["text"]

    report = build_report(around_holiday, _config(HOLIDAYS), WED_9, now=now)
    for fmt, text in _human(report).items():
        assert "Tue 8 Dec was a closed day: it is not compared." in text, fmt
        assert "on the previous day" not in text, fmt
    # every change against the day before is "–"; the holiday's own calls are still there
    assert set(_changes_against_previous(report).values()) == {("–", None)}
    data = json.loads(render(report, "json"))
    assert data["previous_day"]["kpis"]["offered"] == 25
    assert list(data["previous_day"]) == ["kpis"]


def test_a_report_of_a_holiday_says_so_and_shows_its_figures(around_holiday: Store) -> None:
    now = at(WED_9, 8)
    plain = build_report(around_holiday, _config(), TUE_8, now=now)
    report = build_report(around_holiday, _config(HOLIDAYS), TUE_8, now=now)
    assert report.kpis["offered"] == plain.kpis["offered"] == 25
    for fmt, text in _human(report).items():
        assert "Tuesday 8 December 2026 is a closed day (closed_days)." in text, fmt
    assert "is a closed day" not in _human(plain)["text"]


def test_a_holiday_s_short_day_is_not_a_stop_of_the_logs(tmp_path: Path) -> None:
    # Tue 1 Dec a whole day; Tue 8 Dec, a holiday, an emergency line up to 10:36
    store = _store(tmp_path, _day(date(2026, 12, 1)) + _day(TUE_8, until=(10, 36)))
    now = at(WED_9, 8)
    plain = build_report(store, _config(), TUE_8, now=now)
    assert plain.stopped is not None  # a week before had calls all afternoon
    report = build_report(store, _config(HOLIDAYS), TUE_8, now=now)
    assert report.stopped is None
    assert all(STOPPED_HINT not in text for text in _human(report).values())


def test_both_compared_days_closed_are_named_in_one_line(tmp_path: Path) -> None:
    # Sat 2 Jan 2027: the day before (1 Jan) and a week before (26 Dec) are holidays
    days = [date(2026, 12, 26), date(2027, 1, 1), date(2027, 1, 2)]
    store = _store(tmp_path, [t for d in days for t in _day(d)])
    report = build_report(
        store, _config([*HOLIDAYS, "2027-01-01"]), date(2027, 1, 2), now=at(date(2027, 1, 3), 8)
    )
    text = _human(report)["text"]
    # the day of the year before says its year
    assert "Fri 1 Jan and Sat 26 Dec 2026 were closed days: they are not compared." in text
    for _group, figures in key_figures(report):
        for figure in figures:
            assert figure.changes == (("–", None), ("–", None)), figure.key


def test_the_closed_lines_in_italian(around_holiday: Store) -> None:
    now = at(date(2026, 12, 10), 8)
    i18n.set_language("it")
    try:
        day = build_report(around_holiday, _config(HOLIDAYS), WED_9, now=now)
        holiday = build_report(around_holiday, _config(HOLIDAYS), TUE_8, now=now)
        month = build_report(around_holiday, _config(HOLIDAYS), DECEMBER, now=now)
        texts = [_flat(render(r, "text")) for r in (day, holiday, month)]
    finally:
        i18n.set_language("en")
    assert "mar 8 dic era un giorno di chiusura: nessun confronto con quel giorno." in texts[0]
    assert "martedì 8 dicembre 2026 è un giorno di chiusura (closed_days)." in texts[1]
    assert "mar 8 dic, chiuso" in texts[2]


# -- the config ------------------------------------------------------------------------------


def test_closed_days_take_iso_dates_and_toml_dates(tmp_path: Path) -> None:
    path = tmp_path / "centre.toml"
    path.write_text('closed_days = ["2026-12-25", 2027-01-01, "2026-12-25"]\n', encoding="utf-8")
    assert load_config(path).closed_days == (date(2026, 12, 25), date(2027, 1, 1))
    assert parse_config({}).closed_days == ()


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ('["2026-02-30"]', "not '2026-02-30'"),
        ('["25/12/2026"]', "not '25/12/2026'"),
        ("[2026-12-25T10:00:00]", "not 2026-12-25T10:00:00"),
        ('"2026-12-25"', "a list of dates"),
    ],
)
def test_a_bad_closed_day_is_one_line_naming_the_file_and_the_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], value: str, says: str
) -> None:
    path = tmp_path / "centre.toml"
    path.write_text(f"closed_days = {value}\n", encoding="utf-8")
    db = tmp_path / "cw.db"
    Store(str(db)).close()
    with pytest.raises(SystemExit) as info:
        main(["report", "--config", str(path), "--db", str(db)])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith(f"carewatch: {path}: closed_days: ") and says in err


def test_a_holiday_added_to_the_list_keeps_the_figures_kept(
    december: Store, tmp_path: Path
) -> None:
    # the kept figures of a finished month are found again after closed_days is edited: the
    # list changes what the report expects, not a figure, so no month is summed again for it
    folder = tmp_path / "cache"
    now = at(date(2027, 1, 4), 9)
    build_report(
        december, _config(), DECEMBER, now=now, cache=KpiCache(december, _config(), folder)
    )
    kept = KpiCache(december, _config(HOLIDAYS), folder)

    def read_again(*args: object, **kwargs: object) -> list[object]:
        raise AssertionError("the month's calls were read again")

    december.calls_between = read_again  # type: ignore[method-assign,assignment]
    report = build_report(december, _config(HOLIDAYS), DECEMBER, now=now, cache=kept)
    assert [d.day for d in report.days if d.closed] == [TUE_8, FRI_25, date(2026, 12, 26)]
    assert report.standout_days == []
