"""Reports of a period: a month (whole, and in progress with a fixed clock), a day in progress,
an empty period, ``--queue``, queues, operators' sessions, callers to call back, what callers
wanted and what a cut would save. Europe/Rome; every expected value is worked out by hand
from the calls below."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from carewatch.config import Config, parse_config
from carewatch.figures import window_kpis
from carewatch.kpi.definitions import TREND_KEYS
from carewatch.kpi.engine import conversion_outcomes
from carewatch.kpi.trend import trend_figures
from carewatch.kpi.windows import Period
from carewatch.records import AgentEvent, CallUpdate
from carewatch.report import FORMATS, Report, build_report, render
from carewatch.report.values import key_figures
from carewatch.store import Store

TZ = ZoneInfo("Europe/Rome")
MAY = Period.month(2024, 5)


def at(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> float:
    return datetime(y, m, d, hh, mm, tzinfo=TZ).timestamp()


def answered(cid: str, start: float, wait: float, talk: float, **fields: object) -> CallUpdate:
    return CallUpdate(
        cid,
        {
            "started_at": start,
            "answered_at": start + wait,
            "ended_at": start + wait + talk,
            "queue": "support",
            "agent": "desk-1",
            **fields,
        },
    )


def lost(cid: str, start: float, wait: float, **fields: object) -> CallUpdate:
    return CallUpdate(
        cid, {"started_at": start, "disposition": "abandoned", "wait_seconds": wait, **fields}
    )


X, Y = "+39 333 0000001", "+39 333 0000002"


@pytest.fixture
def config() -> Config:
    return parse_config(
        {
            "timezone": "Europe/Rome",
            "agent_cost_per_hour": 36.0,  # 0.01 a second
            "targets": {"category_alert_min_calls": 2, "category_alert_share": 0.40},
            "categories": [
                {"name": "shipping", "subcategories": ["tracking", "late"]},
                {"name": "complaint", "complaint": True},
            ],
            "outcomes": [{"name": "sale", "conversion": True}],
        }
    )


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store(str(tmp_path / "cw.db"))
    calls = [
        # May 2023: one call
        answered("y1", at(2023, 5, 3, 9), 10, 100),
        # April 2024: four calls, one abandoned
        answered("a1", at(2024, 4, 10, 10), 10, 100),
        answered("a2", at(2024, 4, 15, 10), 10, 100),
        lost("a3", at(2024, 4, 15, 12), 30, queue="support"),
        answered("a4", at(2024, 4, 20, 9), 10, 100, queue="sales"),
        # May 2024
        answered("m1", at(2024, 5, 2, 9), 10, 100, category="shipping", note="where is it"),
        answered(
            "m2",
            at(2024, 5, 15, 10),
            30,
            200,
            queue="sales",
            category="complaint",
            outcome="sale",
            note="parcel damaged",
        ),
        lost("m3", at(2024, 5, 15, 10, 30), 40, queue="support", caller=X),
        lost("m4", at(2024, 5, 16, 9), 20, queue="support", caller=Y),
        answered("m5", at(2024, 5, 16, 9, 30), 5, 60, caller=Y, category="shipping"),
        answered("m6", at(2024, 5, 20, 9), 10, 100, category="shipping"),
        # a day in progress: 14 May (two calls) against 15 May
        answered("d1", at(2024, 5, 14, 9), 10, 100),
        answered("d2", at(2024, 5, 14, 15), 10, 100),
    ]
    events = [
        AgentEvent(at(2024, 5, 2, 8), "desk-1", "AGENTLOGIN", queue="NONE"),
        AgentEvent(at(2024, 5, 2, 12), "desk-1", "PAUSE", queue="NONE", reason="lunch"),
        AgentEvent(at(2024, 5, 2, 12, 30), "desk-1", "UNPAUSE", queue="NONE"),
        AgentEvent(at(2024, 5, 2, 16), "desk-1", "AGENTLOGOFF", queue="NONE"),
    ]
    s.ingest("log", list(enumerate([*calls, *events], start=1)))
    yield s
    s.close()


def as_json(report: Report) -> dict:
    return json.loads(render(report, "json"))


WHOLE_MAY = at(2024, 6, 1, 8)  # the morning after the month
MID_MAY = at(2024, 5, 15, 11)  # the month in progress


def test_a_whole_month_against_the_month_before_and_a_year_before(store, config) -> None:
    data = as_json(build_report(store, config, MAY, now=WHOLE_MAY))
    assert list(data)[:6] == [
        "from",
        "to",
        "timezone",
        "kpis",
        "previous_period",
        "same_period_earlier",
    ]
    assert (data["from"], data["to"], data["complete"]) == ("2024-05-01", "2024-05-31", True)
    prev, earlier = data["previous_period"], data["same_period_earlier"]
    assert (prev["from"], prev["to"]) == ("2024-04-01", "2024-04-30")
    assert (earlier["from"], earlier["to"]) == ("2023-05-01", "2023-05-31")
    # May: m1..m6 and d1, d2 = 8 calls; April: a1..a4; May 2023: y1
    assert data["kpis"]["offered"] == 8
    assert (prev["kpis"]["offered"], earlier["kpis"]["offered"]) == (4, 1)
    assert prev["kpis"]["abandon_rate"] == pytest.approx(1 / 4)


def test_a_month_in_progress_is_compared_up_to_the_same_point(store, config) -> None:
    report = build_report(store, config, MAY, now=MID_MAY)
    data = as_json(report)
    # up to 15 May 11:00: m1, m2, m3 and d1, d2 (14 May)
    assert data["kpis"]["offered"] == 5
    # April up to 15 Apr 11:00: a1 and a2 (a3 at 12:00 and a4 on the 20th are later)
    assert data["previous_period"]["kpis"]["offered"] == 2
    assert data["same_period_earlier"]["kpis"]["offered"] == 1  # y1, 3 May 2023
    assert data["complete"] is False
    assert data["as_of"] == "2024-05-15T11:00:00+02:00"
    assert data["compared_up_to"] == {
        "previous": "2024-04-15T11:00:00+02:00",
        "earlier": "2023-05-15T11:00:00+02:00",
    }
    text = render(report, "text")
    assert (
        "Month not over: figures up to 15 May 11:00, compared with the other months up to the "
        "same point (15 Apr 2024 11:00 and 15 May 2023 11:00)"
    ) in " ".join(text.split())
    # the trend's last month is marked as not over
    assert data["trend"][-1]["partial"] is True
    assert any(line.startswith("May 2024 *") for line in text.splitlines())


def test_a_month_compared_whole_is_named_not_cut_at_the_next_month(tmp_path, config) -> None:
    # on 31 March 2024 at 11:00, February (29 days) is too short to reach 1 Feb + 30 days
    # 11 hours: it is taken whole, and the header says so rather than "up to 1 Mar 2024 00:00"
    s = Store(str(tmp_path / "feb.db"))
    s.ingest("log", [(1, answered("f1", at(2024, 2, 29, 10), 10, 100))])
    report = build_report(s, config, Period.month(2024, 3), now=at(2024, 3, 31, 11))
    s.close()
    assert as_json(report)["previous_period"]["kpis"]["offered"] == 1
    for fmt in ("text", "markdown", "html"):
        flat = " ".join(render(report, fmt).split())
        assert (
            "compared with the other months up to the same point (all of February 2024 and "
            "31 Mar 2023 11:00)"
        ) in flat, fmt
        assert "1 Mar 2024 00:00" not in flat, fmt


def test_a_day_in_progress_is_not_compared_with_a_whole_day(store, config) -> None:
    report = build_report(store, config, date(2024, 5, 15), now=MID_MAY)
    data = as_json(report)
    assert list(data["previous_day"]) == ["kpis"]  # the one-day keys as before
    # 15 May up to 11:00: m2 (10:00) and m3 (10:30); 14 May up to 11:00: d1 only
    assert data["kpis"]["offered"] == 2
    assert data["previous_day"]["kpis"]["offered"] == 1
    assert data["previous_day"]["kpis"]["answered"] == 1
    md = render(report, "markdown")
    (answered_row,) = [line for line in md.splitlines() if line.startswith("| Answered |")]
    # one answered call by 11:00 on both days: no change, so no "worse"
    assert answered_row.split("|")[3].strip() == "="
    assert "Day not over: figures up to 11:00; the days compared are taken up to 11:00 too" in md


def test_the_day_compared_is_seen_as_it_stood_at_the_same_point(tmp_path, config) -> None:
    # at 11:00 on Wednesday 15 May the calls still waiting or being talked have no outcome or
    # talk time yet; Tuesday up to 11:00 is seen the same way, not with what happened after
    s = Store(str(tmp_path / "cut.db"))
    s.ingest(
        "log",
        [
            (1, answered("t1", at(2024, 5, 14, 10), 10, 100)),  # over by 11:00
            (2, answered("t2", at(2024, 5, 14, 10, 55), 60, 600)),  # talked until 11:06
            (3, answered("t3", at(2024, 5, 14, 10, 59), 120, 100)),  # answered at 11:01
            (4, lost("t4", at(2024, 5, 14, 10, 58), 300)),  # hung up at 11:03
            (5, answered("t5", at(2024, 5, 14, 23, 58), 10, 400)),  # into Wednesday
            (6, answered("w1", at(2024, 5, 15, 10), 10, 100)),
        ],
    )
    day = date(2024, 5, 15)
    data = as_json(build_report(s, config, day, now=at(2024, 5, 15, 11)))
    before = data["previous_day"]["kpis"]
    # t1..t4 started by 11:00: t1 and t2 answered (t2 being talked), t3 and t4 still waiting
    assert (before["offered"], before["answered"], before["abandoned"]) == (4, 2, 0)
    assert before["waiting"] == 2
    assert before["avg_talk_seconds"] == 100  # t1 alone: t2 had not ended
    assert before["avg_wait_seconds"] == 35  # (10 + 60) / 2
    # once Wednesday is over, Tuesday is compared whole, with every call as it ended
    whole = as_json(build_report(s, config, day, now=at(2024, 5, 16, 8)))["previous_day"]["kpis"]
    s.close()
    assert (whole["offered"], whole["answered"], whole["abandoned"], whole["waiting"]) == (
        5,
        4,
        1,
        0,
    )
    assert whole["avg_talk_seconds"] == (100 + 600 + 100 + 400) / 4


def test_a_period_without_calls_says_so_and_where_the_calls_are(store, config) -> None:
    june = build_report(store, config, Period.month(2024, 6), now=at(2024, 7, 1))
    notice = (
        "No calls between 1 Jun 2024 and 30 Jun 2024; the database holds calls from "
        "3 May 2023 to 20 May 2024."
    )
    for fmt in ("text", "markdown", "html"):
        assert notice in " ".join(render(june, fmt).split()), fmt
    assert as_json(june)["data_span"] == {
        "from": "2023-05-03T09:00:00+02:00",
        "to": "2024-05-20T09:00:00+02:00",
    }
    assert as_json(build_report(store, config, MAY, now=WHOLE_MAY))["data_span"] is None


def test_by_queue_in_every_format(store, config) -> None:
    report = build_report(store, config, MAY, now=WHOLE_MAY)
    queues = as_json(report)["kpis"]["by_queue"]
    # sales: m2 (answered, wait 30, talk 200); support: m1, m3 (lost), m4 (lost), m5, m6, d1, d2
    assert queues["sales"] == {
        "offered": 1,
        "answered": 1,
        "abandoned": 0,
        "missed": 0,
        "abandon_rate": 0.0,
        "avg_wait_seconds": 30.0,
        "service_level": 0.0,  # 30 s > 20 s
        "avg_talk_seconds": 200.0,
    }
    support = queues["support"]
    assert (support["offered"], support["answered"], support["abandoned"]) == (7, 5, 2)
    assert support["abandon_rate"] == pytest.approx(2 / 7)
    # waits of the answered: 10, 5, 10, 10, 10 -> 45 / 5 = 9 s, all within 20 s: 5 of 7
    assert support["avg_wait_seconds"] == pytest.approx(9.0)
    assert support["service_level"] == pytest.approx(5 / 7)
    text = render(report, "text")
    (line,) = [x for x in text.splitlines() if x.startswith("sales ")]
    assert line.split() == [
        "sales",
        "1",
        "1",
        "0",
        "0",
        "0.0%",
        "30",
        "s",
        "0.0%",
        "3",
        "min",
        "20",
        "s",
    ]
    assert "| sales | 1 | 1 | 0 | 0 | 0.0% | 30 s | 0.0% | 3 min 20 s |" in render(
        report, "markdown"
    )
    assert "<h2>Queues</h2>" in render(report, "html")
    rows = [r for r in render(report, "csv").splitlines() if r.startswith("queue,sales,")]
    # this May, April (a4: 100 s), May 2023 (no sales call)
    assert "queue,sales,avg_talk_seconds,Average talk time,200,100," in rows


def test_queue_filters_the_whole_report(store, config) -> None:
    report = build_report(store, config, MAY, now=WHOLE_MAY, queue="sales")
    data = as_json(report)
    assert data["filters"] == {"queue": "sales", "agent": None}
    assert data["kpis"]["offered"] == 1  # m2
    assert data["previous_period"]["kpis"]["offered"] == 1  # a4
    assert list(data["kpis"]["by_queue"]) == ["sales"]
    assert data["callbacks"] == []  # X lost a support call, not a sales one
    assert [row["offered"] for row in data["trend"][-2:]] == [1, 1]
    assert "MONTHLY SUMMARY OF QUEUE SALES" in render(report, "text")


def test_agent_filters_the_whole_report(store, config) -> None:
    data = as_json(build_report(store, config, MAY, now=WHOLE_MAY, agent="desk-1"))
    assert data["filters"] == {"queue": None, "agent": "desk-1"}
    # desk-1 answered m1, m2, m5, m6, d1, d2; the lost calls had no operator
    assert (data["kpis"]["offered"], data["kpis"]["abandoned"]) == (6, 0)
    assert list(data["kpis"]["by_agent"]) == ["desk-1"]
    assert data["previous_period"]["kpis"]["offered"] == 3  # a1, a2, a4
    assert data["callbacks"] == []


def test_a_name_typed_in_another_case_is_the_one_the_calls_spell(
    store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--agent DESK-1` and `--queue Sales` are desk-1 and sales (the heading is upper case,
    and so are names typed in a hurry); a name two spellings share is left as typed."""
    from carewatch.cli import main

    db = store.url.removeprefix("sqlite:///")
    conf = tmp_path / "c.toml"
    conf.write_text('timezone = "Europe/Rome"\n')
    base = ["report", "--db", db, "--config", str(conf), "--month", "2024-05", "--format", "json"]
    for extra, expected in (
        (["--agent", "DESK-1"], {"queue": None, "agent": "desk-1"}),
        (["--queue", "Sales"], {"queue": "sales", "agent": None}),
    ):
        assert main([*base, *extra]) == 0
        data = json.loads(capsys.readouterr().out)
        assert data["filters"] == expected and data["kpis"]["offered"] > 0
    store.ingest("test", [(1, answered("z1", at(2024, 5, 20, 9), 10, 100, agent="DESK-1"))])
    assert store.spelled_as("agent", "Desk-1") == "Desk-1"  # desk-1 or DESK-1: not guessed
    assert store.spelled_as("agent", "desk-1") == "desk-1"


def test_the_trend_has_the_figures_of_the_engine(store, config) -> None:
    report = build_report(store, config, MAY, now=WHOLE_MAY)
    data = as_json(report)
    assert [row["period"] for row in data["trend"]][:2] == ["2023-06", "2023-07"]
    april, may = data["trend"][-2], data["trend"][-1]
    assert (april["offered"], april["answered"], april["abandon_rate"]) == (4, 3, 0.25)
    assert (may["offered"], may["partial"]) == (8, False)
    # while May is in progress, April's row is the whole of April (added up by the database)
    april_then = as_json(build_report(store, config, MAY, now=MID_MAY))["trend"][-2]
    assert {k: april_then[k] for k in TREND_KEYS} == {k: april[k] for k in TREND_KEYS}
    # the database's sums give what the KPI engine gives for the same calls
    for period in (MAY.previous(), MAY, MAY.earlier()):
        window = period.window(TZ)
        engine = window_kpis(store, config, window, now=WHOLE_MAY)
        (sums,) = store.trend_totals(
            [(window.start, window.end)],
            service_level_seconds=20.0,
            conversion_outcomes=conversion_outcomes(config),
        )
        database = trend_figures(sums)
        for key in TREND_KEYS:
            if engine[key] is None:
                assert database[key] is None, key
            else:
                assert database[key] == pytest.approx(engine[key]), key


def test_operators_time_from_their_sessions(store, config) -> None:
    report = build_report(store, config, MAY, now=WHOLE_MAY)
    desk = as_json(report)["kpis"]["by_agent"]["desk-1"]
    assert desk["logged_in_seconds"] == 8 * 3600  # 08:00-16:00 on 2 May
    assert desk["paused_by_reason"] == {"lunch": 1800.0}
    # talk of desk-1's answered calls in May: m1 100 + m2 200 + m5 60 + m6 100 + d1 100
    # + d2 100 = 660 s, over 8 h logged in
    assert desk["occupancy"] == pytest.approx(660 / 28800)
    text = render(report, "text")
    block = text[text.index("OPERATORS' TIME") :]
    (line,) = [x for x in block.splitlines() if x.startswith("desk-1 ")]
    assert "8 h 00 min" in line and "30 min 00 s" in line and "2%" in line
    assert "pauses: lunch 30 min 00 s" in block


def test_callers_to_call_back_in_the_report(store, config) -> None:
    report = build_report(store, config, MAY, now=WHOLE_MAY)
    (callback,) = as_json(report)["callbacks"]  # Y got through at 09:30 on the 16th
    assert callback == {
        "time": "2024-05-15T10:30:00+02:00",
        "caller": "+** *** ***0001",  # masked: the config keeps 4 digits
        "call_id": "m3",
        "queue": "support",
        "result": "abandoned",
        "last_wait_seconds": 40.0,
        "calls": 1,
    }
    assert "+** *** ***0001" in render(report, "text")


def test_what_callers_wanted_the_complaint_rate_and_what_a_cut_would_save(store, config) -> None:
    for pk, sub in _subs(store).items():
        store.tag(pk, "subcategory", sub, "desk-1", now=at(2024, 5, 20))
    report = build_report(store, config, MAY, now=WHOLE_MAY)
    data = as_json(report)
    shipping, complaint = data["requests"]
    assert (shipping["category"], shipping["count"], shipping["complaint"]) == (
        "shipping",
        3,
        False,
    )
    assert shipping["subcategories"] == {"tracking": 2, "late": 1}
    assert [n["note"] for n in shipping["notes"]] == ["where is it"]
    assert (complaint["count"], complaint["complaint"]) == (1, True)
    # 1 complaint of 4 tagged calls
    assert data["kpis"]["complaint_rate"] == pytest.approx(0.25)
    # shipping: 3 of 4 tagged (75% > 40%), talk 100 + 60 + 100 = 260 s over 31 days;
    # a 70% cut: 260 * 0.7 / 31 * 30.4375 = 178.70... s a month, at 36/h = 0.01/s
    (saving,) = data["savings"]
    assert saving["hours_per_month"] == pytest.approx(260 * 0.7 / 31 * 30.4375 / 3600)
    assert saving["money_per_month"] == pytest.approx(260 * 0.7 / 31 * 30.4375 * 0.01)
    text = " ".join(render(report, "text").split())
    assert "Complaint rate: 25.0% of tagged calls (complaint categories: complaint)." in text
    assert "by request type: tracking 2, late 1" in text
    assert "Cutting it by 70% would free 2 min 59 s of operator time a month, € 2" in text


def _subs(store: Store) -> dict[int, str]:
    ids = {c.call_id: c.id for c in store.calls_between(at(2024, 5, 1), at(2024, 6, 1))}
    return {ids["m1"]: "tracking", ids["m5"]: "tracking", ids["m6"]: "late"}


def test_a_month_across_the_summer_time_switch(tmp_path: Path, config: Config) -> None:
    s = Store(str(tmp_path / "dst.db"))
    s.ingest(
        "log",
        [
            (1, answered("e1", at(2024, 3, 31, 3, 30), 10, 100)),  # 03:30, just after the jump
            (2, answered("e2", at(2024, 3, 31, 23, 30), 10, 100)),  # the last half hour of March
            (3, answered("e3", at(2024, 4, 1, 0, 30), 10, 100)),  # April
        ],
    )
    march = as_json(build_report(s, config, Period.month(2024, 3), now=at(2024, 4, 2)))
    day = as_json(build_report(s, config, date(2024, 3, 31), now=at(2024, 4, 2)))
    s.close()
    assert march["kpis"]["offered"] == 2
    assert day["kpis"]["by_hour"][3]["offered"] == 1
    assert day["kpis"]["by_hour"][23]["offered"] == 1
    assert day["kpis"]["offered"] == 2


def test_the_day_after_the_clocks_jump_is_compared_clock_to_clock(
    tmp_path: Path, config: Config
) -> None:
    # Sunday 31 March 2024 has no 02:00-03:00; at 02:30 on Monday it is taken up to its
    # 03:00 (the jump): the calls at 01:30 and 01:59 count, those at 03:00 and 03:10 do not
    s = Store(str(tmp_path / "dst.db"))
    starts = [(1, 30), (1, 59), (3, 0), (3, 10), (10, 0)]
    s.ingest(
        "log",
        [
            *(
                (i, answered(f"s{i}", at(2024, 3, 31, h, m), 10, 100))
                for i, (h, m) in enumerate(starts)
            ),
            (9, answered("m1", at(2024, 4, 1, 1, 0), 10, 100)),
        ],
    )
    data = as_json(build_report(s, config, date(2024, 4, 1), now=at(2024, 4, 1, 2, 30)))
    s.close()
    assert data["kpis"]["offered"] == 1
    assert data["previous_day"]["kpis"]["offered"] == 2
    assert data["compared_up_to"]["previous"] == "2024-03-31T03:00:00+02:00"


def test_every_format_renders_a_week_and_a_range(store, config) -> None:
    week = build_report(store, config, Period.week(2024, 20), now=WHOLE_MAY, with_calls=True)
    days = build_report(
        store, config, Period("range", date(2024, 5, 14), date(2024, 5, 16)), now=WHOLE_MAY
    )
    for fmt in FORMATS:
        assert render(week, fmt) and render(days, fmt)
    assert "Week 20 of 2024 (13–19 May 2024)" in render(week, "text")
    assert "vs W19 2024" in render(week, "text") and "vs W20 2023" in render(week, "text")
    data = as_json(days)
    assert (data["from"], data["to"]) == ("2024-05-14", "2024-05-16")
    assert data["previous_period"]["from"] == "2024-05-11"
    assert data["same_period_earlier"]["from"] == "2023-05-14"
    # 14 May: d1, d2; 15 May: m2, m3; 16 May: m4, m5
    assert data["kpis"]["offered"] == 6


def test_a_day_without_calls_is_named_once(store, config) -> None:
    # a day is one date, not "between 14 May 2024 and 14 May 2024 03:00"
    sunday = date(2024, 6, 2)
    over = build_report(store, config, sunday, now=at(2024, 6, 3, 8))
    early = build_report(store, config, sunday, now=at(2024, 6, 2, 3))
    held = "the database holds calls from 3 May 2023 to 20 May 2024."
    for fmt in ("text", "markdown", "html"):
        assert f"No calls on 2 Jun 2024; {held}" in " ".join(render(over, fmt).split()), fmt
        in_progress = " ".join(render(early, fmt).split())
        assert f"No calls on 2 Jun 2024 up to 03:00 (now); {held}" in in_progress, fmt


def test_a_day_without_calls_is_named_once_in_italian(store, config) -> None:
    from carewatch import i18n

    i18n.set_language("it")  # the suite's fixture sets English back after the test
    early = build_report(store, config, date(2024, 6, 2), now=at(2024, 6, 2, 3))
    text = " ".join(render(early, "text").split())
    assert "Nessuna chiamata il 2 giu 2024 fino alle 03:00 (adesso);" in text, text[:600]


def test_an_operators_report_leaves_out_what_reached_no_operator(store, config) -> None:
    """desk-1's calls are the calls desk-1 took: "Abandoned 0" and "Answer rate 100%" would
    say nothing about desk-1, so the text, markdown and HTML leave those rows out and say why;
    the whole centre's report keeps them, and the JSON keeps its keys."""
    mine = build_report(store, config, MAY, now=WHOLE_MAY, agent="desk-1")
    everyone = build_report(store, config, MAY, now=WHOLE_MAY)
    why = "abandoned and missed calls reach no operator and are left out"
    for fmt in ("text", "markdown", "html"):
        text = " ".join(render(mine, fmt).split())
        assert why in text and "Answer rate" not in text, fmt
        assert "Answered" in text and "Service level" in text, fmt
        whole = " ".join(render(everyone, fmt).split())
        assert "Answer rate" in whole and why not in whole, fmt
    shown = {figure.key for _, figures in key_figures(mine) for figure in figures}
    assert "offered" in shown and not shown & {"abandoned", "missed", "abandon_rate", "answer_rate"}
    assert as_json(mine)["kpis"]["answer_rate"] == 1.0
