"""The days of a longer report (carewatch/kpi/days.py, the "Days" section of every format).

The figures of each day of a simulated October (Europe/Rome, the clocks go back on Sunday the
25th) are checked against a count made here from the simulator's CSV with the csv module and
zoneinfo alone; the rest of the file places calls by hand around midnight and the change of
the clocks, and checks what a day with no call, a day still to come, a day before the logs
begin, a one-day report, an operator's report and the report cache do.
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from carewatch import i18n
from carewatch.cli import main
from carewatch.config import Config, load_config, parse_config
from carewatch.ingest import ingest_paths
from carewatch.kpi.days import day_figures
from carewatch.kpi.windows import Period
from carewatch.kpicache import KpiCache
from carewatch.records import CallUpdate
from carewatch.report import FORMATS, build_report, render
from carewatch.report.words import last_periods
from carewatch.store import Store
from tests.test_example_ingest import DATA, EXAMPLES, seconds
from tests.test_report_periods import answered

TZ = ZoneInfo("Europe/Rome")
OCTOBER = Period.month(2026, 10)
SERVICE_LEVEL_SECONDS = 20


def at(day: date, hh: int, mm: int = 0) -> float:
    return datetime(day.year, day.month, day.day, hh, mm, tzinfo=TZ).timestamp()


def _days(report_json: str) -> dict[str, dict[str, Any]]:
    return {d["date"]: d for d in json.loads(report_json)["days"]}


# -- the figures, against a count of the simulator's CSV -------------------------------------


def _count_by_hand(log: Path) -> dict[str, dict[str, Any]]:
    """Each local day's figures from the CSV's columns, with nothing of carewatch: a row with a
    start is a call (the others tag a call), ``direction`` ``out`` is outbound, ``disposition``
    says answered, abandoned or missed."""
    sums: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    with log.open(newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if not row["started_at"] or row["direction"] == "out":
                continue
            day = datetime.fromisoformat(row["started_at"]).astimezone(TZ).date().isoformat()
            s = sums[day]
            s["offered"] += 1
            s[row["disposition"]] += 1
            if row["disposition"] == "answered":
                if row["wait_seconds"]:
                    wait = float(row["wait_seconds"])
                    s["waits"] += 1
                    s["wait_total"] += wait
                    s["in_time"] += wait <= SERVICE_LEVEL_SECONDS
                if row["talk_seconds"]:
                    s["talks"] += 1
                    s["talk_total"] += float(row["talk_seconds"])
    out = {}
    for day, s in sums.items():
        handled = s["answered"] + s["abandoned"] + s["missed"]
        out[day] = {
            "offered": int(s["offered"]),
            "answered": int(s["answered"]),
            "abandoned": int(s["abandoned"]),
            "missed": int(s["missed"]),
            "abandon_rate": s["abandoned"] / s["offered"],
            "avg_wait_seconds": s["wait_total"] / s["waits"] if s["waits"] else None,
            "service_level": s["in_time"] / handled if handled else None,
            "avg_talk_seconds": s["talk_total"] / s["talks"] if s["talks"] else None,
        }
    return out


def test_each_day_of_a_simulated_month_is_what_the_log_holds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "centre.toml"
    config.write_text('timezone = "Europe/Rome"\n', encoding="utf-8")
    log, db = tmp_path / "calls.csv", str(tmp_path / "cw.db")
    common = ["--config", str(config), "--db", db]
    # one day before the month, so the report's first day is not where the logs begin
    simulate = ["simulate", "--out", str(log), "--format", "csv", "--days", "32", "--seed", "3"]
    assert main([*simulate, "--start", "2026-09-30", *common]) == 0
    assert main(["ingest", str(log), *common]) == 0
    capsys.readouterr()
    assert main(["report", "--month", "2026-10", "--format", "json", *common]) == 0
    report = json.loads(capsys.readouterr().out)

    expected = _count_by_hand(log)
    days = report["days"]
    assert [d["date"] for d in days] == [
        (date(2026, 10, 1) + timedelta(days=n)).isoformat() for n in range(31)
    ]
    for d in days:
        assert not d["partial"] and not d["before_logs"]
        want = expected.get(d["date"])
        assert want is not None, d["date"]  # the simulator has calls every day
        assert d["kpis"] == pytest.approx(want, rel=1e-9), d["date"]
    # the days add up to the month
    for key in ("offered", "answered", "abandoned", "missed"):
        assert sum(d["kpis"][key] for d in days) == report["kpis"][key]


def test_each_day_of_a_month_of_a_real_export_is_what_its_rows_say(tmp_path: Path) -> None:
    """March 2021 of the telecom export (tests/data; its config reads Date + Time as Zurich
    time, Answered N as abandoned, the wait and AvgTalkDuration of answered calls): the days
    from its rows' own Date column."""
    path = DATA / "telecom-call-centre-2021-q1.csv"
    config = load_config(EXAMPLES / "telecom-call-centre.toml")
    sums: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    with path.open(encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f):
            if not row["Date"].startswith("2021-03"):
                continue
            s = sums[row["Date"]]
            s["offered"] += 1
            if row["Answered (Y/N)"] == "Y":
                wait = float(row["Speed of answer in seconds"])
                s["answered"] += 1
                s["wait_total"] += wait
                s["in_time"] += wait <= 20
                s["talk_total"] += seconds(row["AvgTalkDuration"])
    with Store(str(tmp_path / "cw.db")) as store:
        ingest_paths(store, config, [str(path)])
        report = build_report(store, config, Period.month(2021, 3), now=at(date(2021, 4, 2), 9))
    days = _days(render(report, "json"))
    assert len(days) == 31 and set(sums) <= set(days)
    for day, d in days.items():
        s = sums.get(day, defaultdict(float))
        n, answered_calls = s["offered"], s["answered"]
        want = {
            "offered": int(n),
            "answered": int(answered_calls),
            "abandoned": int(n - answered_calls),
            "missed": 0,
            "abandon_rate": (n - answered_calls) / n if n else None,
            "avg_wait_seconds": s["wait_total"] / answered_calls if answered_calls else None,
            "service_level": s["in_time"] / n if n else None,
            "avg_talk_seconds": s["talk_total"] / answered_calls if answered_calls else None,
        }
        assert d["kpis"] == pytest.approx(want, rel=1e-9), day


# -- calls placed by hand --------------------------------------------------------------------


@pytest.fixture
def config() -> Config:
    return parse_config({"timezone": "Europe/Rome"})


def _lost(cid: str, start: float, wait: float = 30) -> Any:
    return CallUpdate(
        cid,
        {"started_at": start, "disposition": "abandoned", "wait_seconds": wait, "queue": "support"},
    )


SUNDAY = date(2026, 10, 25)  # 25 hours: 02:00–03:00 is lived twice


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store(str(tmp_path / "cw.db"))
    calls = [
        answered("first", at(date(2026, 10, 5), 9), 10, 60),  # where the logs begin
        answered("sat-late", at(SUNDAY - timedelta(days=1), 23, 59), 10, 60),
        # Sunday 00:30, and 23:30: past midnight in UTC on the 25-hour day
        answered("sun-early", at(SUNDAY, 0, 30), 30, 60),
        _lost("sun-late", at(SUNDAY, 23, 30)),
        answered("mon-early", at(SUNDAY + timedelta(days=1), 0, 10), 10, 120),
        answered("out", at(SUNDAY, 12), 10, 60, direction="out"),
    ]
    s.ingest("pbx", list(enumerate(calls, 1)))
    return s


def test_a_call_is_on_the_local_day_it_began_across_the_change_of_the_clocks(
    store: Store, config: Config
) -> None:
    report = build_report(store, config, OCTOBER, now=at(date(2026, 11, 2), 9))
    days = {r.day: r.figures for r in report.days}
    saturday, monday = SUNDAY - timedelta(days=1), SUNDAY + timedelta(days=1)
    assert days[saturday] is not None and days[saturday]["offered"] == 1
    sunday = days[SUNDAY]
    assert sunday is not None
    assert (sunday["offered"], sunday["answered"], sunday["abandoned"]) == (2, 1, 1)
    assert sunday["abandon_rate"] == 0.5 and sunday["service_level"] == 0.0  # 30 s > 20 s
    assert days[monday] is not None and days[monday]["avg_talk_seconds"] == 120
    # a day with no call is 0 calls, not left out; those before the logs begin say so
    assert days[date(2026, 10, 20)] == {
        "offered": 0,
        "answered": 0,
        "abandoned": 0,
        "missed": 0,
        "abandon_rate": None,
        "avg_wait_seconds": None,
        "service_level": None,
        "avg_talk_seconds": None,
    }
    assert [d for d, f in days.items() if f is None] == [date(2026, 10, n) for n in range(1, 5)]
    assert len(days) == 31


def test_every_format_shows_the_days_and_marks_those_before_the_logs(
    store: Store, config: Config
) -> None:
    report = build_report(store, config, OCTOBER, now=at(date(2026, 11, 2), 9))
    text = render(report, "text")
    lines = text.splitlines()
    assert all(len(line) <= 80 for line in lines)
    days = lines[lines.index("DAYS" + " " * 69 + "31 days") :]
    # the days before the logs begin are one line of their span, not one line each
    assert days[3].startswith("1–4 Oct ") and days[3].endswith("before the logs begin")
    assert sum("before the logs begin" in line for line in days) == 1
    # a dashed line parts the weeks: the first Monday comes after one
    assert set(days[4]) == {"┄"} and days[5].startswith("Mon 5 Oct")
    assert any(line.startswith("Sun 25 Oct") and " 50.0%" in line for line in days)
    assert any(line.split()[:4] == ["Tue", "20", "Oct", "0"] for line in days)
    markdown = render(report, "markdown")
    assert "| 1–4 Oct | before the logs begin |" in markdown and "Thu 1 Oct" not in markdown
    assert '<td>1–4 Oct</td><td colspan="8">before the logs begin</td>' in render(report, "html")
    assert "<td>Sun 25 Oct</td>" in render(report, "html")
    rows = list(csv.reader(render(report, "csv").splitlines()))
    assert ["day", "2026-10-25", "abandoned", "Abandoned", "1", "", ""] in rows
    assert ["day", "2026-10-01", "offered", "Offered before the logs begin", "", "", ""] in rows
    first = _days(render(report, "json"))["2026-10-01"]
    assert first == {
        "date": "2026-10-01",
        "partial": False,
        "before_logs": True,
        "closed": False,
        "weekend": False,
        "kpis": None,
    }
    i18n.set_language("it")
    try:
        italian = render(report, "text")
    finally:
        i18n.set_language("en")
    assert "dom 25 ott" in italian and "prima dell'inizio dei registri" in italian


def test_a_month_in_progress_lists_the_days_begun_and_marks_today(
    store: Store, config: Config
) -> None:
    now = at(SUNDAY, 10)
    report = build_report(store, config, OCTOBER, now=now)
    assert [r.day for r in report.days][-1] == SUNDAY  # the 26th to the 31st are to come
    assert [r.partial for r in report.days][-2:] == [False, True]
    today = _days(render(report, "json"))[SUNDAY.isoformat()]
    assert today["partial"] and today["kpis"]["offered"] == 1  # 23:30 is still to come
    assert "Sun 25 Oct *" in render(report, "text")


def test_a_one_day_report_has_no_days(store: Store, config: Config) -> None:
    report = build_report(store, config, SUNDAY, now=at(date(2026, 11, 2), 9))
    assert report.days == []
    assert "days" not in json.loads(render(report, "json"))
    assert "DAYS" not in render(report, "text")
    assert not any(r[0] == "day" for r in csv.reader(render(report, "csv").splitlines()))


def test_a_finished_month_keeps_its_days_and_reads_none_of_its_calls_again(
    store: Store, config: Config, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = at(date(2026, 11, 2), 9)
    folder = tmp_path / "cache"
    first = build_report(store, config, OCTOBER, now=now, cache=KpiCache(store, config, folder))
    reads: list[tuple[float, float]] = []
    calls_between = store.calls_between

    def reading(start: float, end: float, **kw: Any) -> Any:
        reads.append((start, end))
        return calls_between(start, end, **kw)

    monkeypatch.setattr(store, "calls_between", reading)
    again = build_report(store, config, OCTOBER, now=now, cache=KpiCache(store, config, folder))
    start, end = OCTOBER.window(config.tz).start, OCTOBER.window(config.tz).end
    assert (start, end) not in reads
    assert again.days == first.days
    # a call written later into the month is seen: the kept days are not used
    store.ingest("pbx", [(9, _lost("late", at(date(2026, 10, 20), 11)))])
    later = build_report(store, config, OCTOBER, now=now, cache=KpiCache(store, config, folder))
    assert (start, end) in reads
    assert next(r for r in later.days if r.day == date(2026, 10, 20)).figures == {
        **(next(r for r in first.days if r.day == date(2026, 10, 20)).figures or {}),
        "offered": 1,
        "abandoned": 1,
        "abandon_rate": 1.0,
        "service_level": 0.0,
    }


def test_an_operators_report_leaves_the_abandon_columns_out_of_queues_and_days(
    store: Store, config: Config
) -> None:
    report = build_report(store, config, OCTOBER, now=at(date(2026, 11, 2), 9), agent="desk-1")
    text = render(report, "text")
    queues = text[text.index("QUEUES") : text.index("DAYS")]
    assert "offered" in queues and "aband" not in queues and "missed" not in queues
    days = text[text.index("DAYS") : text.index("CALLS PER HOUR")]
    assert "aband" not in days
    markdown, html = render(report, "markdown"), render(report, "html")
    assert "| Queue | Offered | Answered | Avg wait | Service level | Avg talk |" in markdown
    assert "Abandon rate</th>" not in html and "Missed</th>" not in html
    # the machine formats keep every key
    queue = json.loads(render(report, "json"))["kpis"]["by_queue"]["support"]
    assert queue["abandoned"] == 0 and queue["abandon_rate"] == 0.0
    assert any(
        r[:3] == ["queue", "support", "missed"]
        for r in csv.reader(render(report, "csv").splitlines())
    )
    # the whole centre's report has them
    assert "aband.%" in render(
        build_report(store, config, OCTOBER, now=at(date(2026, 11, 2), 9)), "text"
    )


def test_a_trend_of_one_period_reads_the_last_period() -> None:
    assert last_periods("week", 1) == "the last week"
    assert last_periods("month", 1) == "the last month"
    assert last_periods("month", 2) == "the last 2 months"
    i18n.set_language("it")
    try:
        assert last_periods("week", 1) == "l'ultima settimana"
        assert last_periods("day", 1) == "l'ultimo giorno"
    finally:
        i18n.set_language("en")


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_renders_a_week_with_days(store: Store, config: Config, fmt: str) -> None:
    week = Period.week(2026, 43)  # 19–25 October, the clocks go back on its Sunday
    out = render(build_report(store, config, week, now=at(date(2026, 11, 2), 9)), fmt)
    shown = {"csv": "day,2026-10-25,offered,", "json": '"date": "2026-10-25"'}
    assert shown.get(fmt, "Sun 25 Oct") in out


def test_the_day_the_clocks_go_forward_has_its_23_hours(store: Store) -> None:
    """28 March 2027, Europe/Rome: 02:00 is 03:00. Its calls from 00:00 to 23:59 are its own,
    midnight after it is the next day's (checked on the pure pass, carewatch/kpi/days.py)."""
    sunday, monday = date(2027, 3, 28), date(2027, 3, 29)
    starts = [
        at(sunday, 0, 0),
        at(sunday, 3, 30),
        at(sunday, 23, 59),
        at(monday, 0, 0),
        at(monday, 0, 1),
    ]
    store.ingest("pbx", [(20 + n, answered(f"m{n}", t, 10, 60)) for n, t in enumerate(starts)])
    window = Period("range", sunday, monday).window(TZ)
    calls = store.calls_between(window.start, window.end)
    figures = day_figures(calls, [sunday, monday], TZ, SERVICE_LEVEL_SECONDS)
    assert [f["offered"] for f in figures] == [3, 2]
    assert window.end - window.start == (23 + 24) * 3600
