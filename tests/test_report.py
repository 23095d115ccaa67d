"""The end-of-day summary: the JSON contract, the printable text, Markdown, HTML and CSV.

A store on ``tmp_path`` with hand-made calls on three days: the report day (Tuesday
2024-05-14, Europe/Rome), the day before and the same weekday a week before. Every expected
number below is computed by hand from those calls. The clock is fixed (``now=``).
"""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
from datetime import date, datetime
from html.parser import HTMLParser
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from carewatch.config import Config, parse_config
from carewatch.kpi.definitions import KPIS, TREND_KEYS
from carewatch.present import clean_text
from carewatch.records import AgentEvent, CallUpdate
from carewatch.report import (
    CALL_FIELDS,
    FORMATS,
    Report,
    build_report,
    cell_width,
    change,
    md_escape,
    render,
)
from carewatch.store import Store

TZ = ZoneInfo("Europe/Rome")
DAY = date(2024, 5, 14)  # a Tuesday
BEFORE = date(2024, 5, 13)
LAST_WEEK = date(2024, 5, 7)
NOW = datetime(2024, 5, 15, 8, 0, tzinfo=TZ).timestamp()  # the morning after
ROOT = Path(__file__).resolve().parent.parent

HOSTILE_NOTE = "<script>alert(1)</script> | [bold]red[/bold] \x1b[2J\x1b[31mcleared *x* _y_"

#: The keys after the contract's, in every report (carewatch/report/json_format.py).
ANALYSIS_KEYS = (
    "period",
    "as_of",
    "complete",
    "in_progress_calls",
    "compared_up_to",
    "filters",
    "logs_stopped",
    "trend",
    "requests",
    "savings",
    "callbacks",
    "data_span",
)

#: Every key of a snapshot, by kind, from the one table of KPI definitions.
CONTRACT_KEYS = tuple(d.key for d in KPIS)
COUNT_KEYS = tuple(d.key for d in KPIS if d.kind == "count")
RATE_KEYS = tuple(d.key for d in KPIS if d.kind == "rate")
SECONDS_KEYS = tuple(d.key for d in KPIS if d.kind == "seconds")


def at(day: date, hh: int, mm: int = 0) -> float:
    return datetime(day.year, day.month, day.day, hh, mm, tzinfo=TZ).timestamp()


def answered(
    call_id: str, start: float, wait: float, talk: float, agent: str, **fields: object
) -> CallUpdate:
    return CallUpdate(
        call_id,
        {
            "started_at": start,
            "answered_at": start + wait,
            "ended_at": start + wait + talk,
            "agent": agent,
            "queue": "support",
            **fields,
        },
    )


@pytest.fixture
def config() -> Config:
    return parse_config(
        {
            "timezone": "Europe/Rome",
            "agent_cost_per_hour": 36.0,  # 0.01 per second: costs are easy to check
            "currency": "€",
            "targets": {"category_alert_min_calls": 4, "category_alert_share": 0.40},
            "categories": [
                {"name": "shipping", "key": "1", "colour": "blue"},
                {"name": "order", "key": "2", "colour": "green"},
                {"name": "complaint", "key": "3", "colour": "red", "complaint": True},
            ],
            "outcomes": [
                {"name": "sale", "key": "s", "conversion": True},
                {"name": "information", "key": "o"},
            ],
        }
    )


def fill(store: Store) -> None:
    """The three days of hand-made calls, a missed ring and two issues."""
    day = [
        answered(
            "d1",
            at(DAY, 9, 5),
            10,
            100,
            "desk-1",
            category="shipping",
            outcome="sale",
            resolved=True,
            csat=5,
            nps=10,
            caller="+390000001",
            note="tracking link sent",
        ),
        answered(
            "d2",
            at(DAY, 9, 20),
            30,
            200,
            "desk-2",
            category="shipping",
            outcome="information",
            resolved=False,
            csat=2,
            nps=3,
            caller="+390000001",
            note=HOSTILE_NOTE,
        ),
        answered(
            "d3",
            at(DAY, 9, 40),
            15,
            60,
            "desk-1",
            category="shipping",
            outcome="information",
            resolved=True,
            caller="+390000002",
        ),
        answered(
            "d4",
            at(DAY, 10, 10),
            5,
            140,
            "desk-2",
            category="order",
            outcome="sale",
            resolved=True,
            csat=4,
            note="a long note " + "about the order and its delivery " * 6 + "END-OF-NOTE",
        ),
        CallUpdate(
            "d5", {"started_at": at(DAY, 10, 30), "disposition": "abandoned", "wait_seconds": 40}
        ),
        answered("d6", at(DAY, 10, 45), 12, 90, "desk-1"),
        answered("d7", at(DAY, 11, 0), 0, 50, "desk-2", direction="out"),
    ]
    before = [answered(f"b{i}", at(BEFORE, 9, i), 10, 100, "desk-1") for i in range(4)]
    last_week = [answered(f"w{i}", at(LAST_WEEK, 9, i), 10, 118, "desk-1") for i in range(7)]
    records = [(n, r) for n, r in enumerate(day + before + last_week, start=1)]
    records.append((99, AgentEvent(at(DAY, 9, 30), "desk-2", "RINGNOANSWER", ring_ms=15000)))
    store.ingest("test", records)
    store.open_issue(
        "Courier skips zone 4", "desk-1", category="shipping", now=at(date(2024, 5, 12), 9)
    )
    fixed = store.open_issue("Checkout error", "desk-2", now=at(DAY, 10))
    store.resolve_issue(fixed, "desk-2", now=at(DAY, 12))


@pytest.fixture
def store(database: str) -> Store:
    s = Store(database)
    fill(s)
    yield s
    s.close()


@pytest.fixture
def report(store: Store, config: Config) -> Report:
    return build_report(store, config, DAY, with_calls=True, now=NOW)


def visible(line: str) -> str:
    return re.sub(r"\x1b\[[0-9;]*m", "", line)


# -- json ----------------------------------------------------------------------------------------


def test_json_has_exactly_the_contract_keys(report: Report) -> None:
    data = json.loads(render(report, "json"))
    # the one-day keys as they always were, then the analysis keys, then the calls
    assert list(data) == [
        "date",
        "timezone",
        "kpis",
        "previous_day",
        "same_day_last_week",
        *ANALYSIS_KEYS,
        "calls",
    ]
    assert data["date"] == "2024-05-14" and data["timezone"] == "Europe/Rome"
    assert list(data["previous_day"]) == ["kpis"] and list(data["same_day_last_week"]) == ["kpis"]
    docs = (ROOT / "docs" / "kpis.md").read_text(encoding="utf-8")
    for snapshot in (
        data["kpis"],
        data["previous_day"]["kpis"],
        data["same_day_last_week"]["kpis"],
    ):
        for key in CONTRACT_KEYS:
            assert re.search(rf"\b{key}\b", docs), f"{key} is no longer in docs/kpis.md"
            assert key in snapshot, key
        for key in COUNT_KEYS:
            assert type(snapshot[key]) is int, key
        for key in RATE_KEYS:
            value = snapshot[key]
            assert value is None or (isinstance(value, float) and 0 <= value <= 1), key
        for key in SECONDS_KEYS:
            value = snapshot[key]
            assert value is None or (
                isinstance(value, (int, float)) and not isinstance(value, bool)
            )
        assert isinstance(snapshot["talk_cost"]["total"], float)
        assert len(snapshot["by_hour"]) == 24
        for entry in snapshot["category_mix"].values():
            assert set(entry) == {"count", "share"} and type(entry["count"]) is int


def test_json_values_match_the_hand_count(report: Report) -> None:
    k = json.loads(render(report, "json"))["kpis"]
    assert (k["offered"], k["answered"], k["abandoned"], k["missed"]) == (6, 5, 1, 0)
    assert (k["outbound"], k["waiting"], k["untagged"]) == (1, 0, 1)
    assert k["abandon_rate"] == pytest.approx(1 / 6)
    assert k["avg_talk_seconds"] == pytest.approx(118.0)  # (100+200+60+140+90)/5
    assert k["over_target_share"] == pytest.approx(0.4)  # 200 and 140 > 120
    assert k["avg_wait_seconds"] == pytest.approx(14.4)
    assert k["service_level"] == pytest.approx(4 / 6)
    assert k["category_mix"]["shipping"] == {"count": 3, "share": 0.75}
    assert k["category_mix"]["complaint"] == {"count": 0, "share": 0.0}
    assert k["category_alerts"] == [
        {"category": "shipping", "share": 0.75, "count": 3, "threshold": 0.4}
    ]
    assert k["fcr_rate"] == pytest.approx(0.75)
    assert k["conversion_rate"] == pytest.approx(0.4)
    assert k["csat_score"] == pytest.approx(2 / 3) and k["csat_responses"] == 3
    assert (k["nps"], k["nps_responses"]) == (0, 2)
    assert k["repeat_caller_share"] == pytest.approx(0.5)
    assert k["talk_cost"]["total"] == pytest.approx(5.9)
    assert k["talk_cost"]["by_category"]["shipping"] == pytest.approx(3.6)
    assert k["talk_cost"]["by_category"]["untagged"] == pytest.approx(0.9)
    assert (k["open_issues"], k["issues_opened"], k["issues_resolved"]) == (1, 1, 1)
    assert k["avg_resolution_seconds"] == pytest.approx(7200)
    end_of_day = datetime(2024, 5, 15, tzinfo=TZ).timestamp()
    assert k["oldest_open_issue_seconds"] == pytest.approx(end_of_day - at(date(2024, 5, 12), 9))
    assert k["by_hour"][9] == {"hour": 9, "offered": 3, "answered": 3, "abandoned": 0}
    assert k["by_agent"]["desk-2"]["missed_rings"] == 1
    assert k["by_agent"]["desk-1"]["answered"] == 3
    prev = json.loads(render(report, "json"))["previous_day"]["kpis"]
    week = json.loads(render(report, "json"))["same_day_last_week"]["kpis"]
    assert (prev["offered"], week["offered"]) == (4, 7)
    assert prev["abandon_rate"] == 0.0 and prev["open_issues"] == 1


def test_the_trend_shows_the_days_compared_with_as_the_comparison_does(report: Report) -> None:
    data = json.loads(render(report, "json"))
    trend = {row["period"]: row for row in data["trend"]}
    for key, day in (("previous_day", BEFORE), ("same_day_last_week", LAST_WEEK)):
        compared = data[key]["kpis"]
        assert {k: trend[day.isoformat()][k] for k in TREND_KEYS} == {
            k: compared[k] for k in TREND_KEYS
        }, key
    assert trend[LAST_WEEK.isoformat()]["offered"] == 7


def test_json_calls_list_every_call_with_stable_keys(report: Report) -> None:
    calls = json.loads(render(report, "json"))["calls"]
    assert [c["call_id"] for c in calls] == ["d1", "d2", "d3", "d4", "d5", "d6", "d7"]
    assert all(list(c) == list(CALL_FIELDS) for c in calls)
    first = calls[0]
    assert first["time"] == "2024-05-14T09:05:00+02:00"
    assert (first["agent"], first["wait_seconds"], first["talk_seconds"]) == ("desk-1", 10, 100)
    assert (first["category"], first["outcome"], first["resolved"]) == ("shipping", "sale", True)
    assert calls[1]["note"] == HOSTILE_NOTE  # JSON keeps the data; json escapes the controls
    assert "\x1b" not in render(report, "json")


def test_json_keeps_what_a_terminal_acts_on_escaped(tmp_path: Path, config: Config) -> None:
    """A note another program wrote raw into the database, with a C1 CSI, DEL and a bidi
    override: the JSON gives the same text back to a program, and printed on a terminal
    none of those characters reaches it."""
    raw = "refund\x9b31m due\x7f \u202eevil\u2028next"
    database = str(tmp_path / "cw.db")
    with Store(database) as store:
        fill(store)
        with sqlite3.connect(database) as conn:
            conn.execute("UPDATE cw_call SET note = ? WHERE call_id = 'd3'", (raw,))
        text = render(build_report(store, config, DAY, with_calls=True, now=NOW), "json")
    assert not re.search("[\x7f-\x9f\u202e\u2028]", text)
    assert "\\u009b31m" in text and "\\u202eevil" in text
    calls = {c["call_id"]: c for c in json.loads(text)["calls"]}
    assert calls["d3"]["note"] == raw


def test_json_without_calls_has_no_calls_key_and_is_deterministic(
    store: Store, config: Config
) -> None:
    one = render(build_report(store, config, DAY, now=NOW), "json")
    two = render(build_report(store, config, DAY, now=NOW), "json")
    assert one == two
    assert "calls" not in json.loads(one)


# -- text ----------------------------------------------------------------------------------------


def test_text_fits_80_columns_without_escape_codes(report: Report) -> None:
    text = render(report, "text")
    assert "\x1b" not in text
    for line in text.splitlines():
        assert cell_width(line) <= 80, line


def test_text_title_and_changes_against_both_days(report: Report) -> None:
    text = render(report, "text")
    assert "Tuesday 14 May 2024 · Europe/Rome" in text
    assert "vs Mon 13 May" in text and "vs Tue 7 May" in text
    rows = {
        line.split("  ")[1].strip(): line for line in text.splitlines() if line.startswith("  ")
    }
    # offered 6 vs 4 the day before, vs 7 a week before
    assert re.search(r"Calls offered\s+6\s+▲ 2\s+▼ 1$", rows["Calls offered"])
    # average talk 118 s vs 100 s and vs 118 s
    assert re.search(r"1 min 58 s\s+▲ 18 s\s+=$", rows["Average talk time"])
    # abandon rate 16.7% vs 0% on both days: percentage points
    assert re.search(r"16\.7%\s+▲ 16\.7 pp\s+▲ 16\.7 pp$", rows["Abandon rate"])
    # a week before nothing was open: no oldest issue then
    assert re.search(r"Oldest open issue\s+2 d 15 h\s+▲ 1 d\s+–$", rows["Oldest open issue"])


def test_text_has_chart_categories_operators_issues_insights_and_calls(report: Report) -> None:
    text = render(report, "text")
    lines = text.splitlines()
    assert "CALLS PER HOUR" in text
    chart = [line for line in lines if "┤" in line or "│" in line]
    assert len(chart) >= 8 and any("█" in line for line in chart)
    assert any(re.search(r"\b9 +10 +11\b", line) for line in lines)  # hour axis
    (shipping,) = [line for line in lines if line.startswith("shipping ")]
    assert "75.0%" in shipping and shipping.rstrip().endswith("ALERT")
    assert " 3 " in shipping and "6 min 00 s" in shipping and "€ 4" in shipping
    (order,) = [line for line in lines if line.startswith("order ")]
    assert "ALERT" not in order
    operators = lines[lines.index(next(x for x in lines if x.startswith("OPERATORS "))) :]
    desk1 = next(line for line in operators if line.startswith("desk-1 "))
    assert desk1.split()[1] == "3"  # answered
    desk2 = next(line for line in operators if line.startswith("desk-2 "))
    assert desk2.split()[-1] == "1"  # one missed ring
    assert "OPEN ISSUES" in text
    (issue,) = [line for line in lines if line.startswith("1 ") and "Courier skips" in line]
    assert "2 d 15 h" in issue and "12 May 09:00" in issue
    assert "WHAT STANDS OUT" in text and "• shipping: 75% of tagged calls" in text
    assert "CALLS" in lines[lines.index(next(x for x in lines if x.startswith("CALLS  ")))]
    (call1,) = [line for line in lines if line.startswith("09:05 ")]
    assert "desk-1" in call1 and "shipping" in call1 and "sale" in call1
    assert call1.rstrip().endswith("tracking link sent")
    # a long note is wrapped on indented lines, not cut
    note_lines = [
        line for line in lines if line.startswith("      ↳ ") or line.startswith("        ")
    ]
    assert any("END-OF-NOTE" in line for line in note_lines)
    assert any(line.startswith("10:30 ") and "(abandoned)" in line for line in lines)


def test_text_from_logs_cannot_drive_the_terminal(report: Report) -> None:
    text = render(report, "text")
    assert "\x1b" not in text and "[2J" not in text and "[31m" not in text
    assert "<script>alert(1)</script> | [bold]red[/bold]" in text  # shown as plain text


def test_colour_only_when_asked_and_lines_still_fit(report: Report) -> None:
    coloured = render(report, "text", color=True)
    assert "\x1b[" in coloured
    for line in coloured.splitlines():
        assert cell_width(visible(line)) <= 80, line
    assert "\x1b[2J" not in coloured  # the note's codes are still gone
    assert visible(coloured) == render(report, "text")


def test_wide_and_long_names_keep_the_width(store: Store, config: Config) -> None:
    store.ingest(
        "test",
        [(1, answered("x1", at(DAY, 15), 3, 30, "運営チームの担当者" * 3, category="配送" * 10))],
    )
    text = render(build_report(store, config, DAY, with_calls=True, now=NOW), "text")
    for line in text.splitlines():
        assert cell_width(line) <= 80, line


def test_empty_day_renders_every_format_with_dashes(store: Store, config: Config) -> None:
    empty = build_report(store, config, date(2024, 6, 1), with_calls=True, now=NOW)
    text = render(empty, "text")
    assert "No inbound calls this day." in text
    assert re.search(r"Abandon rate\s+–\s+–\s+–", text)
    for line in text.splitlines():
        assert cell_width(line) <= 80
    for fmt in FORMATS:
        assert render(empty, fmt)
    k = json.loads(render(empty, "json"))["kpis"]
    assert k["offered"] == 0 and k["abandon_rate"] is None and k["avg_talk_seconds"] is None
    assert "| – |" in render(empty, "markdown")


def test_day_not_over_says_so(store: Store, config: Config) -> None:
    midday = at(DAY, 12, 30)
    text = render(build_report(store, config, DAY, now=midday), "text")
    assert "Day not over: figures up to 12:30" in text
    assert "Figures for the whole day" in render(build_report(store, config, DAY, now=NOW), "text")


# -- markdown, html ------------------------------------------------------------------------------


def test_markdown_escapes_text_from_logs(report: Report) -> None:
    md = render(report, "markdown")
    assert "# End-of-day summary — Tuesday 14 May 2024" in md
    assert "<script>" not in md and "&lt;script&gt;" in md
    assert "\x1b" not in md and "[2J" not in md
    (row,) = [line for line in md.splitlines() if line.startswith("| 09:05:00 ")]
    assert "tracking link sent" in row
    assert row.count("|") == 9  # 8 columns: the note adds no cell
    (hostile,) = [line for line in md.splitlines() if line.startswith("| 09:20:00 ")]
    assert hostile.count("|") - hostile.count("\\|") == 9
    assert "\\[bold\\]" in hostile and "\\*x\\*" in hostile and "\\_y\\_" in hostile
    assert "| shipping | 75.0% | 3 |" in md and "**ALERT**" in md


def test_md_escape_makes_markup_inert() -> None:
    assert md_escape("a|b") == "a\\|b"
    assert md_escape("# title") == "\\# title"
    assert md_escape("- item") == "\\- item"
    assert md_escape("1. first") == "1\\. first"
    assert md_escape("42.8% of calls") == "42.8% of calls"
    assert md_escape("[x](javascript:alert(1))") == "\\[x\\](javascript:alert(1))"
    assert md_escape("line\nbreak") == "line break"


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_html_is_self_contained_printable_and_escaped(report: Report) -> None:
    page = render(report, "html")
    parsed = _Collect()
    parsed.feed(page)
    assert "script" not in parsed.tags
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)</script> | [bold]red[/bold]" in "".join(parsed.text)
    assert "\x1b" not in page
    assert "@media print" in page and "@page" in page and "break-before: page" in page
    assert parsed.tags.count("svg") >= 2  # hourly volume and category bars
    assert not re.search(r"(src|href)=", page)  # no external asset
    assert "ALERT" in page and "Courier skips zone 4" in page and "2 d 15 h" in page


# -- csv ------------------------------------------------------------------------------------------


def test_csv_parses_back_with_the_right_values(report: Report) -> None:
    rows = list(csv.DictReader(io.StringIO(render(report, "csv"))))
    kpi = {r["key"]: r for r in rows if r["record"] == "kpi"}
    assert (kpi["offered"]["value"], kpi["offered"]["previous_day"]) == ("6", "4")
    assert kpi["offered"]["same_day_last_week"] == "7"
    assert kpi["offered"]["label"] == "Calls offered"
    assert float(kpi["abandon_rate"]["value"]) == pytest.approx(1 / 6, abs=1e-6)
    assert kpi["abandon_rate"]["previous_day"] == "0"
    assert float(kpi["talk_cost"]["value"]) == pytest.approx(5.9)
    assert kpi["avg_resolution_seconds"]["previous_day"] == ""  # null
    assert set(kpi) >= {"talk_target_seconds", "service_level_seconds", "nps", "waiting"}
    cats = {(r["name"], r["key"]): r["value"] for r in rows if r["record"] == "category"}
    assert cats[("shipping", "count")] == "3" and cats[("shipping", "share")] == "0.75"
    assert cats[("shipping", "alert")] == "1" and cats[("order", "alert")] == "0"
    assert cats[("untagged", "count")] == "1"
    (untagged_talk,) = [
        r
        for r in rows
        if (r["record"], r["name"], r["key"]) == ("category", "untagged", "talk_seconds")
    ]
    assert (untagged_talk["value"], untagged_talk["previous_day"]) == ("90", "400")
    hours = {(r["name"], r["key"]): r["value"] for r in rows if r["record"] == "hour"}
    assert hours[("09", "offered")] == "3" and hours[("10", "abandoned")] == "1"
    agents = {(r["name"], r["key"]): r for r in rows if r["record"] == "agent"}
    assert agents[("desk-1", "answered")]["value"] == "3"
    assert agents[("desk-1", "answered")]["previous_day"] == "4"
    assert agents[("desk-2", "missed_rings")]["value"] == "1"
    (issue,) = [r for r in rows if r["record"] == "issue"]
    assert issue["label"] == "Courier skips zone 4"
    calls = [r for r in rows if r["record"] == "call"]
    assert [c["call_id"] for c in calls] == ["d1", "d2", "d3", "d4", "d5", "d6", "d7"]
    assert calls[0]["note"] == "tracking link sent" and calls[0]["resolved"] == "1"
    assert calls[1]["note"].startswith("<script>") and "\x1b" not in calls[1]["note"]
    assert calls[4]["disposition"] == "abandoned" and calls[4]["agent"] == ""


def test_csv_defuses_formulas_from_logs(store: Store, config: Config) -> None:
    store.ingest("test", [(1, answered("f1", at(DAY, 16), 3, 30, "=cmd|' /C calc'!A0"))])
    rows = list(
        csv.DictReader(
            io.StringIO(render(build_report(store, config, DAY, with_calls=True, now=NOW), "csv"))
        )
    )
    (call,) = [r for r in rows if r["record"] == "call" and r["call_id"] == "f1"]
    assert call["agent"] == "'=cmd|' /C calc'!A0"
    assert any(r["record"] == "agent" and r["name"].startswith("'=") for r in rows)


# -- helpers ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "now", "before", "expected"),
    [
        ("offered", 412, 400, ("▲ 12", 1)),
        ("offered", 397, 400, ("▼ 3", -1)),
        ("abandon_rate", 0.05, 0.081, ("▼ 3.1 pp", -1)),
        ("avg_talk_seconds", 134.0, 120.0, ("▲ 14 s", 1)),
        ("avg_talk_seconds", 120.2, 120.0, ("=", 0)),
        ("service_level", None, 0.8, ("–", None)),
        ("service_level", 0.8, None, ("–", None)),
        ("nps", 12, 20, ("▼ 8", -1)),
        ("csat_avg", 4.25, 4.0, ("▲ 0.25", 1)),
        ("talk_cost", 120.4, 100.0, ("▲ € 20", 1)),
    ],
)
def test_change_texts(key: str, now: object, before: object, expected: tuple) -> None:
    assert change(key, now, before, "€") == expected


def test_clean_text_removes_escapes_and_controls() -> None:
    assert clean_text("a\x1b[31mred\x1b[0m b") == "ared b"
    assert clean_text("x\x1b]0;title\x07y") == "xy"
    assert clean_text("tab\there\nnew\x00line\u202e") == "tab here newline"
    assert clean_text("plain [bold] <b>") == "plain [bold] <b>"
    assert clean_text(None) == ""


def test_unknown_format_is_an_error(report: Report) -> None:
    with pytest.raises(ValueError, match="unknown report format"):
        render(report, "pdf")


def test_a_compared_day_without_calls_is_no_basis_for_a_change(
    tmp_path: Path, config: Config
) -> None:
    first_day = Store(str(tmp_path / "first.db"))
    first_day.ingest("log", [(1, answered("a1", at(DAY, 10), 10, 90, "desk-1"))])
    report = build_report(first_day, config, DAY, now=NOW)
    first_day.close()
    text = render(report, "text")
    (offered,) = [line for line in text.splitlines() if line.strip().startswith("Calls offered")]
    assert offered.split()[-3:] == ["1", "–", "–"]
    assert not any("last week" in note for note in report.insights)
    # the JSON keeps the truthful zeros of the compared days
    data = json.loads(render(report, "json"))
    assert data["previous_day"]["kpis"]["offered"] == 0


def test_the_report_is_the_same_on_sqlite_and_postgresql(
    tmp_path: Path, pg_url: str, config: Config
) -> None:
    rendered = []
    for db in (str(tmp_path / "cw.db"), pg_url):
        with Store(db) as store:
            fill(store)
            report = build_report(store, config, DAY, with_calls=True, now=NOW)
        rendered.append([render(report, fmt) for fmt in ("json", "csv", "text")])
    assert rendered[0] == rendered[1]
