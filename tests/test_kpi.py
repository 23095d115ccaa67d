"""The KPI definitions (SPEC "Definitions of the KPIs"), each against a hand-computed case."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from carewatch.config import Config, parse_config
from carewatch.figures import window_kpis
from carewatch.kpi.definitions import KPIS, scalar_keys
from carewatch.kpi.engine import compute_kpis
from carewatch.kpi.now import STALE_CALL_SECONDS, now_state
from carewatch.kpi.windows import Window, day_window, last_hour_window, shift_window
from carewatch.present import kpi_value
from carewatch.records import AgentEvent, CallRow, CallUpdate, IssueRow
from carewatch.store import Store

ROME = ZoneInfo("Europe/Rome")
DAY = date(2025, 6, 10)  # a Tuesday, no daylight-saving switch


def at(hour: int, minute: int = 0, second: int = 0, day: date = DAY) -> float:
    """Epoch of a local wall-clock time in Rome."""
    return datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=ROME).timestamp()


NOW = at(18)  # the fixed clock of every test


def make_config(**extra: object) -> Config:
    data: dict = {
        "timezone": "Europe/Rome",
        "agent_cost_per_hour": 36.0,
        "categories": [
            {"name": "pre-sale", "key": "1"},
            {"name": "shipping", "key": "2"},
            {"name": "complaint", "key": "5", "complaint": True},
        ],
        "outcomes": [
            {"name": "sale", "key": "s", "conversion": True},
            {"name": "appointment", "key": "a", "conversion": True},
            {"name": "information", "key": "o"},
        ],
    }
    data.update(extra)
    return parse_config(data)


CFG = make_config()
WIN = day_window(DAY, ROME)

_ids = iter(range(1, 1_000_000))


def call(started: float, **fields: object) -> CallRow:
    """A call row as the store returns it; an answered call by default."""
    row = {name: None for name in CallRow._fields}
    n = next(_ids)
    row.update(
        id=n,
        source="test",
        call_id=f"c{n}",
        started_at=started,
        direction="in",
        transferred=False,
        updated_at=started,
    )
    row.update(fields)
    return CallRow(**row)


def answered(started: float, wait: float = 10, talk: float | None = 100, **fields: object):
    ended = None if talk is None else started + wait + talk
    return call(
        started,
        disposition="answered",
        answered_at=started + wait,
        ended_at=ended,
        wait_seconds=wait,
        talk_seconds=talk,
        **fields,
    )


def kpis(calls, config: Config = CFG, window: Window = WIN, **kw):
    kw.setdefault("now", NOW)
    return compute_kpis(calls, config, window=window, **kw)


# -- counts ------------------------------------------------------------------------------------


def test_offered_counts_inbound_only_and_outbound_shows_separately():
    k = kpis([answered(at(9)), answered(at(10)), answered(at(11), direction="out")])
    assert k["offered"] == 2
    assert k["outbound"] == 1
    assert k["answered"] == 2


def test_dispositions_waiting_counts_in_none_and_talking_counts_answered():
    calls = [
        answered(at(9)),
        answered(at(9, 5), talk=None),  # being talked now
        call(at(9, 10), disposition="abandoned", wait_seconds=30),
        call(at(9, 20), disposition="missed", wait_seconds=300),
        call(at(9, 30)),  # still waiting in the queue
        call(at(9, 40), answered_at=at(9, 41)),  # answered, disposition not logged
    ]
    calls.append(call(at(9, 50), ended_at=at(9, 52)))  # ended with no outcome logged
    k = kpis(calls)
    assert (k["offered"], k["answered"], k["abandoned"], k["missed"]) == (7, 3, 1, 1)
    assert k["waiting"] == 1


def test_abandon_rate():
    calls = [answered(at(9)), answered(at(10)), answered(at(11))]
    calls.append(call(at(12), disposition="abandoned"))
    assert kpis(calls)["abandon_rate"] == pytest.approx(1 / 4)


def test_avg_talk_counts_answered_ended_calls_only():
    calls = [
        answered(at(9), talk=60),
        answered(at(10), talk=180),
        answered(at(11), talk=None),  # answered, not ended
        call(at(12), disposition="abandoned"),
    ]
    k = kpis(calls)
    assert k["avg_talk_seconds"] == pytest.approx(120)
    assert k["answered"] == 3


def test_talk_target_from_config_default_120():
    assert kpis([])["talk_target_seconds"] == 120
    assert kpis([], make_config(targets={"talk_seconds": 90}))["talk_target_seconds"] == 90


def test_over_target_share_is_strictly_over_among_ended_answered():
    calls = [
        answered(at(9), talk=119),
        answered(at(10), talk=120),  # on target, not over
        answered(at(11), talk=121),
        answered(at(12), talk=500),
        answered(at(13), talk=None),  # not ended: not in the share
    ]
    assert kpis(calls)["over_target_share"] == pytest.approx(2 / 4)


def test_avg_wait_of_answered_calls_only():
    calls = [
        answered(at(9), wait=5),
        answered(at(10), wait=25),
        call(at(11), disposition="abandoned", wait_seconds=400),
    ]
    assert kpis(calls)["avg_wait_seconds"] == pytest.approx(15)


def test_service_level():
    calls = [
        answered(at(9), wait=5),
        answered(at(9, 1), wait=20),  # exactly the threshold: in time
        answered(at(9, 2), wait=21),
        call(at(9, 3), disposition="answered", talk_seconds=50),  # wait unknown: not in time
        call(at(9, 4), disposition="abandoned", wait_seconds=3),
        call(at(9, 5), disposition="missed"),
        call(at(9, 6)),  # waiting: not in the denominator
    ]
    assert kpis(calls)["service_level"] == pytest.approx(2 / 6)
    assert kpis(calls)["service_level_seconds"] == 20
    cfg = make_config(targets={"service_level_seconds": 30})
    assert kpis(calls, cfg)["service_level"] == pytest.approx(3 / 6)
    assert kpis(calls, cfg)["service_level_seconds"] == 30


# -- categories --------------------------------------------------------------------------------


def test_category_mix_configured_first_even_without_calls_and_untagged():
    calls = [
        answered(at(9), category="shipping"),
        answered(at(9, 1), category="shipping"),
        answered(at(9, 2), category="shipping"),
        answered(at(9, 3), category="billing"),  # not configured
        answered(at(9, 4)),  # untagged
        answered(at(9, 5)),  # untagged
        call(at(9, 6), disposition="abandoned"),  # nobody to tag it: not untagged
        answered(at(9, 7), direction="out", category="shipping"),  # a call-back counts too
        answered(at(9, 8), direction="out"),  # untagged call-back: not in "untagged" (inbound)
    ]
    k = kpis(calls)
    assert list(k["category_mix"]) == ["pre-sale", "shipping", "complaint", "billing"]
    assert k["category_mix"]["shipping"] == {"count": 4, "share": pytest.approx(0.8)}
    assert k["category_mix"]["billing"] == {"count": 1, "share": pytest.approx(0.2)}
    assert k["category_mix"]["pre-sale"] == {"count": 0, "share": 0.0}
    assert k["tagged"] == 5
    assert k["untagged"] == 2


def test_category_mix_with_nothing_tagged_has_no_shares():
    k = kpis([answered(at(9))])
    assert k["category_mix"]["shipping"] == {"count": 0, "share": None}
    assert k["tagged"] == 0
    assert k["untagged"] == 1
    assert k["category_alerts"] == []


def test_category_alerts_need_share_over_threshold_and_enough_tagged_calls():
    def day(n_shipping: int, n_other: int) -> list[CallRow]:
        rows = [answered(at(9) + i, category="shipping") for i in range(n_shipping)]
        rows += [answered(at(10) + i, category="pre-sale") for i in range(n_other)]
        return rows

    def alerts(calls: list[CallRow], config: Config = CFG) -> list[tuple]:
        return [
            (a["category"], a["share"], a["count"], a["threshold"])
            for a in kpis(calls, config)["category_alerts"]
        ]

    assert alerts(day(9, 10)) == []  # 19 tagged: too few to tell
    assert alerts(day(12, 8)) == [("shipping", 0.6, 12, 0.4)]
    assert alerts(day(10, 10)) == [("pre-sale", 0.5, 10, 0.4), ("shipping", 0.5, 10, 0.4)]
    assert alerts(day(8, 12)) == [("pre-sale", 0.6, 12, 0.4)]  # shipping 40% is not over
    cfg = make_config(
        categories=[
            {"name": "pre-sale"},
            {"name": "shipping", "alert_share": 0.30},
        ]
    )
    assert alerts(day(8, 12), cfg) == [("pre-sale", 0.6, 12, 0.4), ("shipping", 0.4, 8, 0.3)]
    cfg = make_config(targets={"category_alert_min_calls": 5})
    assert alerts(day(3, 2)) == []
    assert alerts(day(3, 2), cfg) == [("shipping", 0.6, 3, 0.4)]


# -- quality -----------------------------------------------------------------------------------


def test_fcr_rate_over_calls_with_resolved_recorded():
    calls = [
        answered(at(9), resolved=True),
        answered(at(10), resolved=True),
        answered(at(11), resolved=False),
        answered(at(12)),  # not recorded
        call(at(13), disposition="abandoned", resolved=False),  # recorded: counts
        answered(at(14), direction="out", resolved=True),  # every direction
    ]
    assert kpis(calls)["fcr_rate"] == pytest.approx(3 / 5)
    assert kpis([answered(at(9))])["fcr_rate"] is None


def test_conversion_rate_over_answered_calls():
    calls = [
        answered(at(9), outcome="sale"),
        answered(at(10), outcome="appointment"),
        answered(at(11), outcome="information"),
        answered(at(12)),
        call(at(13), disposition="abandoned", outcome="sale"),  # not answered: not counted
        answered(at(14), direction="out", outcome="sale"),  # outbound: not counted
    ]
    k = kpis(calls)
    assert k["conversion_rate"] == pytest.approx(2 / 4)
    assert k["conversions"] == 2
    only_sale = make_config(outcomes=[{"name": "sale", "conversion": True}])
    assert kpis(calls, only_sale)["conversion_rate"] == pytest.approx(1 / 4)
    no_outcomes = make_config(outcomes=[])  # SPEC default: sale and appointment
    assert kpis(calls, no_outcomes)["conversion_rate"] == pytest.approx(2 / 4)


def test_csat():
    calls = [answered(at(9) + i, csat=r) for i, r in enumerate([5, 4, 3, 1])]
    calls.append(answered(at(10), csat=9))  # out of the 1–5 scale: ignored
    calls.append(answered(at(11), csat=5, direction="out"))  # every direction
    k = kpis(calls)
    assert k["csat_score"] == pytest.approx(3 / 5)
    assert k["csat_avg"] == pytest.approx(18 / 5)
    assert k["csat_responses"] == 5


def test_nps_rounds_half_away_from_zero():
    # 8 answers: 3 promoters, 2 passives, 3 detractors -> 0
    scores = [10, 9, 9, 8, 7, 6, 0, 3]
    k = kpis([answered(at(9) + i, nps=s) for i, s in enumerate(scores)])
    assert (k["nps"], k["nps_responses"]) == (0, 8)
    # 2 promoters, 1 detractor of 8: 12.5 -> 13
    scores = [10, 9, 8, 8, 7, 7, 7, 6]
    assert kpis([answered(at(9) + i, nps=s) for i, s in enumerate(scores)])["nps"] == 13
    # 1 promoter, 2 detractors of 8: -12.5 -> -13
    scores = [10, 6, 5, 8, 7, 7, 7, 8]
    assert kpis([answered(at(9) + i, nps=s) for i, s in enumerate(scores)])["nps"] == -13
    assert kpis([answered(at(9))])["nps"] is None


def test_repeat_caller_share_counts_known_callers_only():
    calls = [
        answered(at(9), caller="+39 06 1111"),
        answered(at(10), caller="+39 06 1111"),
        answered(at(11), caller="+39 06 2222"),
        call(at(12), disposition="abandoned", caller="+39 06 3333"),
        call(at(12, 5), disposition="abandoned", caller="+39 06 3333"),
        answered(at(13), caller="+39 06 4444"),
        answered(at(14)),  # no caller
        answered(at(14, 1)),
        answered(at(15), caller="anonymous"),
        answered(at(15, 1), caller="Anonymous"),
        answered(at(15, 2), caller="0"),
        answered(at(15, 3), caller="  "),
        answered(at(16), caller="+39 06 4444", direction="out"),  # a call-back is not a repeat
    ]
    assert kpis(calls)["repeat_caller_share"] == pytest.approx(2 / 4)
    assert kpis([answered(at(9))])["repeat_caller_share"] is None


# -- issues, cost ------------------------------------------------------------------------------


def issue(n: int, opened: float, resolved: float | None = None, title: str = "t") -> IssueRow:
    return IssueRow(n, None, title, None, "op", opened, resolved, "op" if resolved else None)


def test_issues_open_now_opened_and_resolved_in_window():
    issues = [
        issue(1, at(9, day=DAY - timedelta(days=2))),  # open for days
        issue(2, at(10), at(12)),  # opened and resolved today: 2 h
        issue(3, at(8, day=DAY - timedelta(days=1)), at(9)),  # resolved today after 25 h
        issue(4, at(17)),  # open
        issue(5, at(9, day=DAY - timedelta(days=1)), at(20, day=DAY - timedelta(days=1))),
    ]
    k = kpis([], issues=issues, now=NOW)
    assert k["open_issues"] == 2
    assert k["oldest_open_issue_seconds"] == pytest.approx(NOW - at(9, day=DAY - timedelta(2)))
    assert k["issues_opened"] == 2
    assert k["issues_resolved"] == 2
    assert k["avg_resolution_seconds"] == pytest.approx((2 * 3600 + 25 * 3600) / 2)


def test_issues_of_a_past_day_are_taken_at_its_end():
    yesterday = day_window(DAY - timedelta(days=1), ROME)
    issues = [issue(1, at(9, day=DAY - timedelta(days=1)), at(10))]  # resolved today
    k = kpis([], window=yesterday, issues=issues, now=NOW)
    assert k["open_issues"] == 1
    assert k["oldest_open_issue_seconds"] == pytest.approx(15 * 3600)
    assert (k["issues_opened"], k["issues_resolved"]) == (1, 0)
    assert k["avg_resolution_seconds"] is None


def test_talk_cost_in_total_and_per_category():
    calls = [
        answered(at(9), talk=600, category="shipping"),
        answered(at(10), talk=1200, category="shipping"),
        answered(at(11), talk=300, category="complaint"),
        answered(at(12), talk=100),  # untagged: in the total only
        answered(at(13), talk=None, category="shipping"),  # not ended: no talk yet
    ]
    calls.append(answered(at(14), talk=400, category="shipping", direction="out"))  # inbound only
    calls.append(call(at(15), disposition="abandoned", talk_seconds=999))  # inconsistent: no talk
    k = kpis(calls)  # 36 per hour = 0.01 per second
    assert k["talk_seconds_total"] == pytest.approx(2200)
    assert k["talk_seconds_by_category"] == {
        "pre-sale": 0.0,
        "shipping": pytest.approx(1800),
        "complaint": pytest.approx(300),
    }
    assert k["talk_cost"] == {
        "total": pytest.approx(22.0),
        "by_category": {
            "pre-sale": 0.0,
            "shipping": pytest.approx(18.0),
            "complaint": pytest.approx(3.0),
            "untagged": pytest.approx(1.0),
        },
    }
    assert k["avg_talk_seconds"] == pytest.approx(2200 / 4)


# -- by hour, by agent -------------------------------------------------------------------------


def test_by_hour_buckets_by_local_hour():
    calls = [
        answered(at(0, 0)),
        answered(at(9, 0)),
        answered(at(9, 59, 59)),
        call(at(9, 30), disposition="abandoned"),
        call(at(9, 31), disposition="missed"),
        answered(at(23, 59, 59)),
    ]
    hours = kpis(calls)["by_hour"]
    assert [h["hour"] for h in hours] == list(range(24))
    assert hours[0] == {"hour": 0, "offered": 1, "answered": 1, "abandoned": 0}
    assert hours[9] == {"hour": 9, "offered": 4, "answered": 2, "abandoned": 1}
    assert hours[23]["offered"] == 1
    assert sum(h["offered"] for h in hours) == 6


def test_by_agent():
    calls = [
        answered(at(9), wait=10, talk=100, agent="op-a", category="shipping", outcome="sale"),
        answered(at(10), wait=30, talk=200, agent="op-a"),
        answered(at(11), wait=5, talk=None, agent="op-a"),  # being talked
        answered(at(12), wait=20, talk=60, agent="op-b", category="pre-sale"),
        call(at(13), disposition="missed", agent="op-c"),
    ]
    k = kpis(calls, missed_rings={"op-a": 2, "op-d": 1})
    assert list(k["by_agent"]) == ["op-a", "op-b", "op-c", "op-d"]
    a = k["by_agent"]["op-a"]
    assert a["answered"] == 3
    assert a["avg_talk_seconds"] == pytest.approx(150)
    assert a["total_talk_seconds"] == pytest.approx(300)
    assert a["avg_wait_seconds"] == pytest.approx(15)
    assert a["tagged_share"] == pytest.approx(1 / 3)
    assert a["conversions"] == 1
    assert a["missed_rings"] == 2
    assert k["by_agent"]["op-b"]["tagged_share"] == 1.0
    assert k["by_agent"]["op-c"] == {
        "answered": 0,
        "avg_talk_seconds": None,
        "total_talk_seconds": 0.0,
        "avg_wait_seconds": None,
        "tagged_share": None,
        "conversions": 0,
        "missed_rings": 0,
        "unreachable_rings": 0,
        # no agent events given: time logged in is not known, so neither is occupancy
        "logged_in_seconds": None,
        "paused_seconds": None,
        "paused_by_reason": {},
        "occupancy": None,
    }
    assert k["by_agent"]["op-d"]["missed_rings"] == 1


def test_unreachable_rings_are_counted_apart_from_missed_rings():
    calls = [answered(at(9), wait=10, talk=100, agent="op-a")]
    k = kpis(calls, missed_rings={"op-a": 2}, unreachable_rings={"op-a": 3, "op-e": 1})
    assert list(k["by_agent"]) == ["op-a", "op-e"]
    assert (k["by_agent"]["op-a"]["missed_rings"], k["by_agent"]["op-a"]["unreachable_rings"]) == (
        2,
        3,
    )
    assert k["by_agent"]["op-e"]["unreachable_rings"] == 1
    assert k["by_agent"]["op-e"]["missed_rings"] == 0


def test_by_agent_time_and_occupancy_from_the_agent_time_given():
    calls = [
        answered(at(9), wait=10, talk=600, agent="op-a"),
        answered(at(10), wait=10, talk=1200, agent="op-a"),
    ]
    times = {
        "op-a": {
            "logged_in_seconds": 7200.0,
            "paused_seconds": 900.0,
            "paused_by_reason": {"lunch": 900.0},
        },
        # logged in, no call: listed with its time
        "op-z": {"logged_in_seconds": 3600.0, "paused_seconds": 0.0, "paused_by_reason": {}},
    }
    k = kpis(calls, agent_time=times)
    a = k["by_agent"]["op-a"]
    # occupancy = talk / logged in = (600 + 1200) / 7200 = 0.25
    assert a["occupancy"] == pytest.approx(0.25)
    assert (a["logged_in_seconds"], a["paused_seconds"]) == (7200.0, 900.0)
    assert a["paused_by_reason"] == {"lunch": 900.0}
    z = k["by_agent"]["op-z"]
    assert (z["answered"], z["occupancy"]) == (0, 0.0)


def test_by_queue_is_the_totals_over_each_queue():
    calls = [
        # support: 4 offered, 2 answered (waits 10 and 30; 10 within 20 s), 1 abandoned, 1 missed
        answered(at(9), wait=10, talk=100, queue="support"),
        answered(at(9, 10), wait=30, talk=200, queue="support"),
        call(at(9, 20), disposition="abandoned", wait_seconds=50, queue="support"),
        call(at(9, 30), disposition="missed", queue="support"),
        # sales: 2 offered, 1 answered (wait 5, still talking), 1 waiting
        answered(at(10), wait=5, talk=None, queue="sales"),
        call(at(10, 5), queue="sales"),
        # no queue: in the totals only; outbound: not offered anywhere
        answered(at(11), wait=5, talk=50),
        answered(at(12), wait=0, talk=80, queue="support", direction="out"),
    ]
    k = kpis(calls)
    assert list(k["by_queue"]) == ["sales", "support"]
    assert k["by_queue"]["support"] == {
        "offered": 4,
        "answered": 2,
        "abandoned": 1,
        "missed": 1,
        "abandon_rate": pytest.approx(1 / 4),
        "avg_wait_seconds": pytest.approx(20.0),  # (10 + 30) / 2
        "service_level": pytest.approx(1 / 4),  # 1 in time / (2 + 1 + 1)
        "avg_talk_seconds": pytest.approx(150.0),  # (100 + 200) / 2
    }
    assert k["by_queue"]["sales"] == {
        "offered": 2,
        "answered": 1,
        "abandoned": 0,
        "missed": 0,
        "abandon_rate": 0.0,
        "avg_wait_seconds": 5.0,
        "service_level": 1.0,  # 1 in time / 1 answered
        "avg_talk_seconds": None,  # the only answered call has not ended
    }
    assert k["offered"] == 7  # 4 + 2 + the call without a queue


def test_conversion_rate_is_a_dash_when_no_outcome_was_ever_recorded():
    untagged = [answered(at(9)), answered(at(10))]
    assert kpis(untagged)["conversion_rate"] is None
    # one outcome recorded, not a conversion: a real 0%
    one = [answered(at(9), outcome="information"), answered(at(10))]
    assert kpis(one)["conversion_rate"] == 0.0


def test_complaint_rate_over_tagged_calls():
    calls = [
        answered(at(9), category="complaint"),
        answered(at(10), category="shipping"),
        answered(at(11), category="shipping"),
        answered(at(12), category="complaint"),
        answered(at(13)),  # untagged: not in the denominator
    ]
    assert kpis(calls)["complaint_rate"] == pytest.approx(2 / 4)
    no_complaints = make_config(categories=[{"name": "shipping"}, {"name": "complaint"}])
    assert kpis(calls, no_complaints)["complaint_rate"] is None  # nothing marked a complaint
    assert kpis([answered(at(9))])["complaint_rate"] is None  # nothing tagged


# -- edge days ---------------------------------------------------------------------------------

# docs/kpis.md, in its order, then the additions the report and the screen read.
SNAPSHOT_KEYS = [
    "offered",
    "outbound",
    "answered",
    "abandoned",
    "missed",
    "waiting",
    "abandon_rate",
    "answer_rate",
    "avg_talk_seconds",
    "talk_target_seconds",
    "over_target_share",
    "avg_wait_seconds",
    "service_level",
    "service_level_seconds",
    "category_mix",
    "untagged",
    "category_alerts",
    "fcr_rate",
    "conversion_rate",
    "csat_score",
    "csat_avg",
    "csat_responses",
    "nps",
    "nps_responses",
    "repeat_caller_share",
    "open_issues",
    "oldest_open_issue_seconds",
    "issues_opened",
    "issues_resolved",
    "avg_resolution_seconds",
    "talk_cost",
    "by_hour",
    "by_agent",
    "by_queue",
    "complaint_rate",
    "tagged",
    "conversions",
    "talk_seconds_total",
    "talk_seconds_by_category",
]
RATES = [d.key for d in KPIS if d.kind == "rate"]


def test_empty_day_every_rate_is_none_and_counts_are_zero():
    k = kpis([])
    assert list(k) == SNAPSHOT_KEYS
    for key in RATES:
        assert k[key] is None, key
    for key in ("avg_talk_seconds", "avg_wait_seconds", "csat_avg", "nps"):
        assert k[key] is None, key
    for key in ("oldest_open_issue_seconds", "avg_resolution_seconds"):
        assert k[key] is None, key
    for key in (d.key for d in KPIS if d.kind == "count"):
        assert k[key] == 0, key
    assert k["category_alerts"] == []
    assert k["by_agent"] == {}
    assert k["by_queue"] == {}
    assert sum(h["offered"] for h in k["by_hour"]) == 0
    for key in scalar_keys():
        assert kpi_value(key, k[key]) != ""


def test_all_calls_abandoned():
    calls = [call(at(9) + 60 * i, disposition="abandoned", wait_seconds=40) for i in range(5)]
    k = kpis(calls)
    assert (k["offered"], k["answered"], k["abandoned"]) == (5, 0, 5)
    assert k["abandon_rate"] == 1.0
    assert k["service_level"] == 0.0
    for key in ("avg_talk_seconds", "avg_wait_seconds", "over_target_share", "conversion_rate"):
        assert k[key] is None, key
    assert k["untagged"] == 0


def test_answer_rate_is_answered_over_offered_inbound_calls():
    calls = [
        answered(at(9)),
        answered(at(10)),
        answered(at(11)),  # three answered ...
        call(at(12), disposition="abandoned", wait_seconds=30),  # ... of four offered
        call(at(13), direction="out", disposition="answered"),  # outbound: not offered
    ]
    assert kpis(calls)["answer_rate"] == 3 / 4
    assert kpis([])["answer_rate"] is None


def test_only_calls_started_in_the_window_count():
    calls = [
        answered(WIN.start - 1),
        answered(WIN.start),
        answered(WIN.end - 0.001),
        answered(WIN.end),
    ]
    assert kpis(calls)["offered"] == 2


@pytest.fixture
def store(tmp_path):
    with Store(str(tmp_path / "cw.db")) as s:
        yield s


def ingest(store: Store, rows: list[dict], source: str = "test") -> None:
    records = [(i, CallUpdate(r.pop("call_id"), r)) for i, r in enumerate(rows, 1)]
    result = store.ingest(source, records)
    assert not result.skipped


def test_call_from_2359_to_after_midnight_belongs_to_its_start_day(store):
    ingest(
        store,
        [
            {
                "call_id": "late",
                "started_at": at(23, 59),
                "answered_at": at(23, 59, 30),
                "ended_at": at(0, 4, 30, day=DAY + timedelta(days=1)),
            },
        ],
    )
    today = window_kpis(store, CFG, WIN, now=NOW)
    tomorrow = window_kpis(store, CFG, day_window(DAY + timedelta(days=1), ROME), now=NOW)
    assert (today["offered"], today["answered"]) == (1, 1)
    assert today["avg_talk_seconds"] == pytest.approx(300)
    assert today["avg_wait_seconds"] == pytest.approx(30)
    assert today["by_hour"][23]["offered"] == 1
    assert tomorrow["offered"] == 0


def _one_call_per_utc_hour(window: Window) -> list[CallRow]:
    n = round((window.end - window.start) / 3600)
    return [answered(window.start + 3600 * i + 60) for i in range(n)]


def test_spring_forward_day_is_23_hours():
    w = day_window(date(2025, 3, 30), ROME)
    assert w.end - w.start == 23 * 3600
    k = kpis(_one_call_per_utc_hour(w), window=w)
    hours = [h["offered"] for h in k["by_hour"]]
    assert k["offered"] == 23
    assert sum(hours) == 23
    assert hours[2] == 0  # 02:00–03:00 does not exist that night
    assert all(n == 1 for h, n in enumerate(hours) if h != 2)


def test_fall_back_day_is_25_hours():
    w = day_window(date(2025, 10, 26), ROME)
    assert w.end - w.start == 25 * 3600
    k = kpis(_one_call_per_utc_hour(w), window=w)
    hours = [h["offered"] for h in k["by_hour"]]
    assert k["offered"] == 25
    assert sum(hours) == 25
    assert hours[2] == 2  # 02:00–03:00 happens twice
    assert all(n == 1 for h, n in enumerate(hours) if h != 2)


# -- through the store -------------------------------------------------------------------------


def test_window_kpis_with_queue_and_agent_filters(store):
    ingest(
        store,
        [
            {
                "call_id": "1",
                "started_at": at(9),
                "answered_at": at(9, 0, 10),
                "ended_at": at(9, 2, 10),
                "queue": "sales",
                "agent": "op-a",
                "category": "pre-sale",
            },
            {
                "call_id": "2",
                "started_at": at(9, 30),
                "answered_at": at(9, 30, 30),
                "ended_at": at(9, 31, 30),
                "queue": "support",
                "agent": "op-a",
            },
            {
                "call_id": "3",
                "started_at": at(10),
                "answered_at": at(10, 0, 5),
                "ended_at": at(10, 5, 5),
                "queue": "support",
                "agent": "op-b",
            },
            {
                "call_id": "4",
                "started_at": at(11),
                "disposition": "abandoned",
                "wait_seconds": 50,
                "queue": "support",
            },
            {"call_id": "5", "started_at": at(12), "queue": "support"},  # still waiting
        ],
    )
    rings = [
        AgentEvent(at(9, 10), "op-a", "RINGNOANSWER", queue="sales", ring_ms=15000),
        AgentEvent(at(9, 40), "op-a", "RINGNOANSWER", queue="support", ring_ms=15000),
        AgentEvent(at(9, 50), "op-b", "RINGNOANSWER", queue="support", ring_ms=15000),
        AgentEvent(at(9, 55), "op-b", "RINGNOANSWER", queue="support", ring_ms=15000),
    ]
    store.ingest("test", list(enumerate(rings, 100)))
    store.open_issue("courier lost a parcel", "op-a", now=at(10))

    k = window_kpis(store, CFG, WIN, now=NOW)
    assert (k["offered"], k["answered"], k["abandoned"], k["missed"]) == (5, 3, 1, 0)
    assert k["avg_talk_seconds"] == pytest.approx((120 + 60 + 300) / 3)
    assert k["avg_wait_seconds"] == pytest.approx((10 + 30 + 5) / 3)
    assert k["by_agent"]["op-a"]["missed_rings"] == 2
    assert k["by_agent"]["op-b"]["missed_rings"] == 2
    assert k["open_issues"] == 1
    assert k["oldest_open_issue_seconds"] == pytest.approx(8 * 3600)

    support = window_kpis(store, CFG, WIN, queue="support", now=NOW)
    assert (support["offered"], support["answered"], support["abandoned"]) == (4, 2, 1)
    assert support["by_agent"]["op-a"]["missed_rings"] == 1
    assert support["by_agent"]["op-b"]["missed_rings"] == 2
    assert support["open_issues"] == 1  # issues are not narrowed by queue

    op_a = window_kpis(store, CFG, WIN, agent="op-a", now=NOW)
    assert (op_a["offered"], op_a["answered"]) == (2, 2)
    assert list(op_a["by_agent"]) == ["op-a"]
    assert op_a["by_agent"]["op-a"]["missed_rings"] == 2
    assert op_a["category_mix"]["pre-sale"] == {"count": 1, "share": 1.0}

    both = window_kpis(store, CFG, WIN, queue="sales", agent="op-b", now=NOW)
    assert both["offered"] == 0
    assert both["by_agent"] == {}


# -- windows -----------------------------------------------------------------------------------


def test_day_and_last_hour_windows():
    w = day_window(DAY, ROME)
    assert (w.start, w.end, w.label) == (at(0), at(0, day=DAY + timedelta(days=1)), "2025-06-10")
    h = last_hour_window(NOW)
    assert (h.start, h.end) == (NOW - 3600, NOW)


def test_shift_window():
    cfg = make_config(
        shifts=[
            {"name": "morning", "start": "08:00", "end": "14:00"},
            {"name": "afternoon", "start": "14:00", "end": "20:00"},
            {"name": "night", "start": "22:00", "end": "06:00"},
        ]
    )
    w = shift_window(cfg, at(8))
    assert (w.start, w.end) == (at(8), at(14))
    assert w.label.startswith("morning")
    w = shift_window(cfg, at(14))
    assert (w.start, w.end) == (at(14), at(20))
    w = shift_window(cfg, at(23))
    assert (w.start, w.end) == (at(22), at(6, day=DAY + timedelta(days=1)))
    w = shift_window(cfg, at(3))  # the night shift that began yesterday
    assert (w.start, w.end) == (at(22, day=DAY - timedelta(days=1)), at(6))
    w = shift_window(cfg, at(21))  # between shifts: today
    assert (w.start, w.end, w.label) == (WIN.start, WIN.end, "2025-06-10")
    assert shift_window(make_config(), NOW) == WIN


# -- now state ---------------------------------------------------------------------------------


def ev(when: float, agent: str, event: str, reason: str | None = None, queue: str | None = None):
    return {"at": when, "agent": agent, "event": event, "reason": reason, "queue": queue}


def test_now_state_waiting_and_talking_calls():
    now = at(12)
    calls = [
        call(now - 90, queue="support"),  # waiting 90 s
        call(now - 30, queue="support"),  # waiting 30 s
        call(now - STALE_CALL_SECONDS - 1),  # lost its end line: ignored
        call(now + 5),  # in the future: ignored
        call(now - 200, disposition="abandoned"),
        call(now - 100, direction="out"),  # outbound, not answered yet: not in a queue
        answered(now - 300, wait=20, talk=None, agent="op-a"),  # talking
        answered(now - STALE_CALL_SECONDS - 10, wait=5, talk=None, agent="op-z"),  # stale
        answered(now - 600, wait=10, talk=100, agent="op-b"),  # ended
    ]
    state = now_state(calls, [], now)
    assert state.waiting == 2
    assert state.longest_wait_seconds == pytest.approx(90)
    assert [c.started_at for c in state.waiting_calls] == [now - 90, now - 30]
    assert state.talking == 1
    assert state.agents["op-a"].state == "talking"
    assert state.agents["op-a"].since == pytest.approx(now - 280)
    assert state.agents["op-b"].state == "idle"
    assert state.agents["op-b"].since == pytest.approx(now - 600 + 110)
    assert (state.agents["op-z"].state, state.agents["op-z"].since) == ("idle", None)
    empty = now_state([], [], now)
    assert (empty.waiting, empty.talking, empty.longest_wait_seconds) == (0, 0, None)


def test_now_state_operator_states_from_events():
    now = at(12)
    events = [
        ev(at(8), "op-a", "AGENTLOGIN"),
        ev(at(8), "op-b", "ADDMEMBER", queue="support"),
        ev(at(8), "op-c", "ADDMEMBER", queue="support"),
        ev(at(8), "op-d", "ADDMEMBER", queue="support"),
        ev(at(8), "op-d", "ADDMEMBER", queue="sales"),
        ev(at(10), "op-a", "PAUSE", reason="lunch"),
        ev(at(10, 30), "op-b", "PAUSE", reason="training"),
        ev(at(11), "op-b", "UNPAUSE"),
        ev(at(11, 30), "op-c", "REMOVEMEMBER", queue="support"),
        ev(at(11, 30), "op-d", "REMOVEMEMBER", queue="support"),  # still in sales
        ev(at(11, 40), "op-d", "RINGNOANSWER", queue="sales"),
        ev(at(11, 50), "op-e", "PAUSE", reason="break"),
        ev(at(11, 55), "op-e", "AGENTLOGOFF"),
        ev(at(12, 30), "op-a", "UNPAUSE"),  # after now: not yet
    ]
    calls = [answered(at(11, 50), wait=5, talk=None, agent="op-b")]
    state = now_state(calls, list(reversed(events)), now)
    got = {name: (a.state, a.reason, a.since) for name, a in state.agents.items()}
    assert got == {
        "op-a": ("paused", "lunch", at(10)),
        "op-b": ("talking", None, at(11, 50, 5)),
        "op-c": ("logged_off", None, at(11, 30)),
        "op-d": ("idle", None, at(11, 30)),
        "op-e": ("logged_off", None, at(11, 55)),
    }
    assert state.agents["op-b"].call_id == calls[0].call_id
    assert list(state.agents) == sorted(state.agents)


# -- formatting helpers ------------------------------------------------------------------------


def test_labels_kinds_and_directions_cover_the_scalar_kpis():
    k = kpis([answered(at(9))])
    scalars = [key for key, v in k.items() if not isinstance(v, dict | list) or key == "talk_cost"]
    assert [d.key for d in KPIS] == list(k)  # one definition per key, in snapshot order
    assert scalar_keys() == scalars
    assert all(d.label for d in KPIS)
    json.dumps(k)  # plain data
    assert {d.kind for d in KPIS if d.key in scalars} <= {
        "count",
        "rate",
        "seconds",
        "score",
        "money",
    }


@pytest.mark.parametrize(
    ("key", "value", "text"),
    [
        ("abandon_rate", None, "–"),
        ("abandon_rate", 0.125, "12.5%"),
        ("service_level", 1.0, "100.0%"),
        ("avg_talk_seconds", 125, "2 min 05 s"),
        ("oldest_open_issue_seconds", 3 * 3600 + 600, "3 h 10 min"),
        ("offered", 12345, "12,345"),
        ("nps", -7, "-7"),
        ("csat_avg", 4.256, "4.26"),
        ("talk_cost", 1234.4, "1,234"),
        ("nps", None, "–"),
    ],
)
def test_kpi_value(key, value, text):
    assert kpi_value(key, value) == text


def test_kpi_value_money_with_currency():
    assert kpi_value("talk_cost", 95.2, currency="€") == "€ 95"
    assert kpi_value("talk_cost", {"total": 1500.6, "by_category": {}}, currency="€") == "€ 1,501"
