"""Invariants of the KPI snapshot on random days of calls (hypothesis)."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carewatch.config import parse_config
from carewatch.kpi.definitions import KPIS
from carewatch.kpi.engine import compute_kpis
from carewatch.kpi.windows import day_window
from carewatch.records import CallRow

ROME = ZoneInfo("Europe/Rome")
CFG = parse_config(
    {
        "timezone": "Europe/Rome",
        "categories": [{"name": "shipping"}, {"name": "order"}, {"name": "complaint"}],
        "outcomes": [{"name": "sale", "conversion": True}, {"name": "none"}],
        "targets": {"category_alert_min_calls": 3},
    }
)
# An ordinary day and the two daylight-saving switch days.
DAYS = [date(2025, 6, 10), date(2025, 3, 30), date(2025, 10, 26)]
RATES = [d.key for d in KPIS if d.kind == "rate"]
SETTINGS = settings(max_examples=100, deadline=None, derandomize=True, database=None)


_CALL_FIELDS = st.tuples(
    st.floats(-3600, 26 * 3600, allow_nan=False),  # offset from the day's start
    st.sampled_from([None, "answered", "abandoned", "missed"]),
    st.none() | st.floats(0, 900, allow_nan=False),  # wait
    st.none() | st.floats(0, 3600, allow_nan=False),  # talk
    st.booleans(),  # answer time known
    st.sampled_from([None, "op-a", "op-b"]),
    st.sampled_from([None, "", "anonymous", "111", "222", "333"]),
    st.sampled_from(["in", "in", "in", "out"]),
    st.sampled_from([None, "shipping", "order", "billing"]),
    st.sampled_from([None, "sale", "none"]),
    st.sampled_from([None, True, False]),
    st.none() | st.integers(0, 6),  # csat, some out of scale
    st.none() | st.integers(-1, 11),  # nps, some out of scale
)


@st.composite
def calls_of_a_day(draw: st.DrawFn) -> tuple[date, list[CallRow]]:
    """A day (ordinary or a daylight-saving switch) and calls around it, some just outside."""
    day = draw(st.sampled_from(DAYS))
    start = day_window(day, ROME).start
    rows = []
    for i, f in enumerate(draw(st.lists(_CALL_FIELDS, max_size=40))):
        offset, disposition, wait, talk, has_answer, agent, caller, direction = f[:8]
        category, outcome, resolved, csat, nps = f[8:]
        started = start + offset
        rows.append(
            CallRow(
                id=i + 1,
                source="p",
                call_id=str(i),
                started_at=started,
                answered_at=started + (wait or 0) if has_answer else None,
                ended_at=None,
                wait_seconds=wait,
                talk_seconds=talk,
                queue=None,
                agent=agent,
                caller=caller,
                direction=direction,
                disposition=disposition,
                transferred=False,
                category=category,
                outcome=outcome,
                resolved=resolved,
                csat=csat,
                nps=nps,
                note=None,
                updated_at=started,
            )
        )
    return day, rows


def snapshot(day: date, rows: list[CallRow]) -> dict:
    w = day_window(day, ROME)
    return compute_kpis(rows, CFG, window=w, now=w.end)


@SETTINGS
@given(calls_of_a_day())
def test_dispositions_never_exceed_offered(data):
    k = snapshot(*data)
    assert k["answered"] + k["abandoned"] + k["missed"] <= k["offered"]
    assert k["answered"] + k["abandoned"] + k["missed"] + k["waiting"] <= k["offered"]


@SETTINGS
@given(calls_of_a_day())
def test_hourly_offered_sums_to_offered(data):
    day, rows = data
    k = snapshot(day, rows)
    w = day_window(day, ROME)
    inbound = [r for r in rows if w.start <= r.started_at < w.end and r.direction != "out"]
    assert k["offered"] == len(inbound)
    assert sum(h["offered"] for h in k["by_hour"]) == k["offered"]
    assert sum(h["answered"] for h in k["by_hour"]) == k["answered"]
    assert sum(h["abandoned"] for h in k["by_hour"]) == k["abandoned"]


@SETTINGS
@given(calls_of_a_day())
def test_category_shares_sum_to_one_when_something_is_tagged(data):
    k = snapshot(*data)
    mix = k["category_mix"]
    assert sum(c["count"] for c in mix.values()) == k["tagged"]
    if k["tagged"]:
        assert sum(c["share"] for c in mix.values()) == pytest.approx(1.0)
    else:
        assert all(c["share"] is None for c in mix.values())
    for alert in k["category_alerts"]:
        assert alert["share"] == mix[alert["category"]]["share"] > alert["threshold"]


@SETTINGS
@given(calls_of_a_day())
def test_rates_are_fractions_or_none(data):
    k = snapshot(*data)
    for key in RATES:
        assert k[key] is None or 0.0 <= k[key] <= 1.0, key
    for agent in k["by_agent"].values():
        assert agent["tagged_share"] is None or 0.0 <= agent["tagged_share"] <= 1.0
    if k["nps"] is not None:
        assert -100 <= k["nps"] <= 100
    if k["csat_avg"] is not None:
        assert 1.0 <= k["csat_avg"] <= 5.0


@SETTINGS
@given(calls_of_a_day())
def test_talk_cost_adds_up(data):
    k = snapshot(*data)
    cost = k["talk_cost"]
    assert cost["total"] == pytest.approx(k["talk_seconds_total"] * CFG.agent_cost_per_hour / 3600)
    assert sum(cost["by_category"].values()) == pytest.approx(cost["total"])
    assert set(cost["by_category"]) == {*k["category_mix"], "untagged"}
    assert sum(k["talk_seconds_by_category"].values()) <= k["talk_seconds_total"] + 1e-6
    assert sum(a["answered"] for a in k["by_agent"].values()) <= k["answered"]
