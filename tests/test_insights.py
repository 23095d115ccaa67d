"""What stands out in a day, as a manager would write it (kpi.insights)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from carewatch.config import parse_config
from carewatch.kpi.engine import compute_kpis
from carewatch.kpi.insights import biggest_move, insights
from carewatch.kpi.windows import day_window
from carewatch.records import IssueRow

ROME = ZoneInfo("Europe/Rome")
DAY = date(2025, 6, 10)
WIN = day_window(DAY, ROME)
NOW = datetime(2025, 6, 10, 18, 0, tzinfo=ROME).timestamp()
CFG = parse_config(
    {
        "timezone": "Europe/Rome",
        "currency": "€",
        "agent_cost_per_hour": 30.0,
        "categories": [{"name": "shipping"}, {"name": "order"}, {"name": "complaint"}],
    }
)


def snapshot(**values: object) -> dict:
    """An empty day's snapshot with some values set by hand."""
    k = compute_kpis([], CFG, window=WIN, now=NOW)
    k.update(values)
    return k


def test_a_quiet_empty_day_says_nothing():
    assert insights(snapshot(), config=CFG, now=NOW) == []


def test_category_over_its_alert_share_with_talk_time_and_money():
    k = snapshot(
        offered=50,
        answered=50,
        tagged=50,
        category_mix={
            "shipping": {"count": 30, "share": 0.6},
            "order": {"count": 20, "share": 0.4},
            "complaint": {"count": 0, "share": 0.0},
        },
        category_alerts=[{"category": "shipping", "share": 0.6, "count": 30, "threshold": 0.4}],
        talk_seconds_by_category={"shipping": 11400.0, "order": 3000.0, "complaint": 0.0},
        talk_cost={
            "total": 120.0,
            "by_category": {"shipping": 95.0, "order": 25.0, "complaint": 0.0, "untagged": 0.0},
        },
    )
    assert insights(k, config=CFG, now=NOW) == [
        "shipping: 60% of tagged calls, 3 h 10 min of talk, € 95."
    ]


def test_most_important_first():
    k = snapshot(
        offered=40,
        answered=30,
        abandoned=10,
        abandon_rate=0.25,
        service_level=0.5,
        over_target_share=0.375,
        avg_talk_seconds=150.0,
        tagged=30,
        category_mix={
            "shipping": {"count": 15, "share": 0.5},
            "order": {"count": 15, "share": 0.5},
            "complaint": {"count": 0, "share": 0.0},
        },
        category_alerts=[
            {"category": "shipping", "share": 0.5, "count": 15, "threshold": 0.4},
            {"category": "order", "share": 0.5, "count": 15, "threshold": 0.4},
        ],
        talk_seconds_by_category={"shipping": 2400.0, "order": 1800.0, "complaint": 0.0},
        talk_cost={
            "total": 35.0,
            "by_category": {"shipping": 20.0, "order": 15.0, "complaint": 0.0, "untagged": 0.0},
        },
    )
    last_week = dict(k, abandon_rate=0.05)
    issues = [
        IssueRow(
            7,
            None,
            "courier\x1b[31m lost parcels",
            "shipping",
            "op",
            NOW - 2 * 86400 - 3900,
            None,
            None,
        ),
        IssueRow(8, None, "invoice typo", None, "op", NOW - 600, None, None),
    ]
    assert insights(k, config=CFG, last_week=last_week, open_issues=issues, now=NOW) == [
        "shipping: 50% of tagged calls, 40 min 00 s of talk, € 20.",
        "order: 50% of tagged calls, 30 min 00 s of talk, € 15.",
        "Abandon rate 25.0% is over the 5% maximum (10 of 40 calls).",
        "Service level 50.0% is under the 80% goal (answered within 20 s).",
        "37.5% of answered calls went over the 2 min 00 s talk target (average talk 2 min 30 s).",
        "Abandon rate rose to 25.0% from 5.0% on the same weekday last week (worse).",
        # one way to say each thing: escape sequences removed whole, ages in days as in the report
        'Oldest of 2 open issues: "courier lost parcels", open 2 d 1 h.',
    ]


def test_the_kpi_that_moved_most_against_last_week():
    today = snapshot(
        offered=100,
        abandon_rate=0.05,  # +2 points: 0.4 of a 5-point scale
        avg_wait_seconds=60.0,  # +50% of 40 s: 2.5 scales
        service_level=None,  # null on one side: ignored
        nps=20,
    )
    last_week = snapshot(
        offered=95,
        abandon_rate=0.03,
        avg_wait_seconds=40.0,
        service_level=0.2,
        nps=-80,  # null today would be skipped; here 100 points = 10 scales
        csat_avg=None,
    )
    assert biggest_move(today, last_week) == ("nps", 10.0)
    lines = insights(today, config=CFG, last_week=last_week, now=NOW)
    assert lines == ["NPS rose to 20 from -80 on the same weekday last week (better)."]
    last_week["nps"] = None
    assert biggest_move(today, last_week)[0] == "avg_wait_seconds"
    assert insights(today, config=CFG, last_week=last_week, now=NOW) == [
        "Average wait (first response) rose to 1 min 00 s from 40 s "
        "on the same weekday last week (worse)."
    ]


def test_small_moves_are_not_news_and_previous_day_is_the_fallback():
    today = snapshot(offered=100, conversion_rate=0.21)
    before = snapshot(offered=104, conversion_rate=0.20)
    assert insights(today, config=CFG, last_week=before, now=NOW) == []
    before = snapshot(offered=60, conversion_rate=0.20)
    assert insights(today, config=CFG, previous_day=before, now=NOW) == [
        "Calls offered rose to 100 from 60 on the previous day."
    ]
    # with both, the same weekday last week is the comparison
    assert insights(today, config=CFG, previous_day=before, last_week=today, now=NOW) == []


def test_share_over_the_talk_target():
    k = snapshot(answered=20, over_target_share=0.1, avg_talk_seconds=95.0)
    assert insights(k, config=CFG, now=NOW) == [
        "10% of answered calls went over the 2 min 00 s talk target (average talk 1 min 35 s)."
    ]


def test_oldest_open_issue_with_age_and_title():
    issues = [
        IssueRow(1, None, "resolved one", None, "op", NOW - 9000, NOW - 100, "op"),
        IssueRow(2, None, "app crashes at checkout", None, "op", NOW - 3 * 3600 - 600, None, None),
    ]
    assert insights(snapshot(), config=CFG, open_issues=issues, now=NOW) == [
        'Oldest open issue: "app crashes at checkout", open 3 h 10 min.'
    ]


def test_targets_within_limits_say_nothing():
    k = snapshot(offered=100, abandoned=3, abandon_rate=0.03, service_level=0.9)
    assert insights(k, config=CFG, now=NOW) == []


def test_a_rate_of_a_handful_of_calls_is_no_news():
    """08:01, one call so far and it was lost: the key figures say 100%, what stands out says
    nothing of it (nor of the service level, nor of a move against last week's 08:01)."""
    first_minute = snapshot(
        offered=1, abandoned=1, abandon_rate=1.0, answer_rate=0.0, service_level=0.0
    )
    last_week = snapshot(
        offered=2, answered=2, abandon_rate=0.0, answer_rate=1.0, service_level=1.0
    )
    assert insights(first_minute, config=CFG, last_week=last_week, now=NOW) == []
    # the same rates drawn from 20 calls on both sides are news
    twenty = dict(first_minute, offered=20, abandoned=20)
    assert insights(twenty, config=CFG, last_week=dict(last_week, offered=20), now=NOW) == [
        "Abandon rate 100.0% is over the 5% maximum (20 of 20 calls).",
        "Service level 0.0% is under the 80% goal (answered within 20 s).",
        "Abandon rate rose to 100.0% from 0.0% on the same weekday last week (worse).",
    ]
    # a move needs its calls on both sides: last week's 2 calls are no basis
    assert insights(twenty, config=CFG, last_week=last_week, now=NOW) == [
        "Abandon rate 100.0% is over the 5% maximum (20 of 20 calls).",
        "Service level 0.0% is under the 80% goal (answered within 20 s).",
    ]


def test_the_share_over_the_talk_target_needs_its_answered_calls():
    three = snapshot(answered=3, over_target_share=1.0, avg_talk_seconds=300.0)
    assert insights(three, config=CFG, now=NOW) == []


def test_a_small_centre_sets_how_many_calls_make_news():
    small = parse_config({"timezone": "Europe/Rome", "targets": {"news_min_calls": 5}})
    five = snapshot(offered=5, abandoned=2, abandon_rate=0.4, service_level=0.9)
    assert insights(five, config=small, now=NOW) == [
        "Abandon rate 40.0% is over the 5% maximum (2 of 5 calls)."
    ]
    assert insights(five, config=CFG, now=NOW) == []
