"""The KPI engine: calls + config -> one KPI snapshot (SPEC "Definitions of the KPIs").

Pure: no screen, no printing, no database, no clock read except where a caller leaves ``now``
out. The caller reads the window's calls, issues and missed rings
(:func:`carewatch.figures.window_kpis`) and this module computes. The snapshot's keys, their
kinds and labels are in :mod:`carewatch.kpi.definitions` and docs/kpis.md: every key always
present; counts are ``int``, seconds and money ``float``, rates fractions 0–1; a rate or mean
with an empty denominator is ``None`` ("–"), never 0 and never an error; JSON-serialisable as
it is.

Decisions (where the SPEC is silent)
------------------------------------
* **Directions** (docs/kpis.md). A call is outbound when ``direction`` is ``"out"``, else
  inbound. Volume, dispositions, speed, conversion, repeat callers, ``by_hour`` and
  ``by_agent`` are over inbound calls, so answered + abandoned + missed + waiting ≤ offered;
  ``untagged`` too (the answered calls nobody tagged), and every talk figure
  (``avg_talk_seconds``, ``talk_cost``, ``talk_seconds_*``, ``by_agent``), so the talk time
  and its cost add up the same everywhere. What operators record on any call — category mix,
  ``fcr_rate``, CSAT, NPS — is over every call (docs/kpis.md): a category's count may
  include call-backs whose talk is not in its cost.
* **Window.** A call counts when ``window.start <= started_at < window.end``; calls outside are
  dropped even if the caller passed them. A call that starts at 23:59 and ends after midnight
  belongs to its start day.
* **Disposition** (:mod:`carewatch.callstate`). The stored ``disposition`` when it is
  answered/abandoned/missed; otherwise answered when an answer time or a talk time is known,
  else still waiting (counted in offered only). "Ended" means ``talk_seconds`` is known (the
  store derives it from ended − answered).
* **Service level.** An answered call without a known wait does not count as answered in time.
* **Untagged** counts answered calls only: an abandoned call has nobody to tag it, so the number
  is the to-do list of the operators. ``category_mix`` shares are over every tagged call.
  ``fcr_rate`` takes ``resolved`` wherever it is recorded, also on an unanswered call (an export
  that marks those "not resolved" means it).
* **Known callers** for ``repeat_caller_share``: empty, all-zero, ``anonymous``, ``unknown``,
  ``private``, ``restricted``, ``unavailable`` and ``withheld`` caller ids are not callers.
* **Conversions.** Outcomes marked ``conversion`` in the config; with no outcomes configured,
  ``sale`` and ``appointment`` (the SPEC default). ``conversion_rate`` is ``None`` ("–") when
  no answered call of the window has an outcome recorded: never recorded is not 0%.
* **Complaints.** ``complaint_rate``: tagged calls in a category marked ``complaint`` /
  tagged calls; ``None`` when no category is marked a complaint.
* **Queues** (``by_queue``, :mod:`carewatch.kpi.queues`): the totals' definitions over one
  queue's inbound calls; calls logged without a queue are in the totals only.
* **Operators' time** (``by_agent``: ``logged_in_seconds``, ``paused_seconds``,
  ``paused_by_reason``, ``occupancy`` = talk / logged in) comes from the agent events
  (:mod:`carewatch.kpi.sessions`); ``None`` when no login was seen.
* **Operators** (``by_agent``) are keyed by the login ``[operators]`` maps an agent id to
  (compared case-insensitively), else by the agent id: the calls, rings and time of a
  login's ids are that one operator's (:class:`~carewatch.config.screen.AgentNames`, read
  by the tally as it counts each call).
* **Ratings** outside 1–5 (CSAT) or 0–10 (NPS) are ignored. ``nps`` rounds half away from zero.
* **Issues** are not filtered by queue or operator. ``open_issues`` and its age are taken at the
  snapshot time ``min(now, window.end)``: "open now" for today, "open at the end of the day"
  for a past day (so a day compares with the previous one).
* **Money** is not rounded in the snapshot (``talk_cost["total"]`` equals
  ``talk_seconds_total`` × the hourly cost / 3600); :func:`carewatch.present.kpi_value`
  shows whole units.
* **Cost.** :func:`compute_kpis` is one pass over the window's calls plus the issues given, so
  its cost depends only on the window, never on the length of the history
  (:func:`carewatch.figures.window_kpis` reads the window with an index range scan on
  ``started_at``). The pass adds each call to a :class:`~carewatch.kpi.tally.KpiTally`, and
  :func:`snapshot_of` turns the sums into the snapshot; the live screen keeps a tally of today and
  adds and takes away the calls that change, so both read every figure the same way.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from carewatch.config import Config
from carewatch.kpi.queues import queue_figures
from carewatch.kpi.tally import (
    DEFAULT_CONVERSION_OUTCOMES,
    AgentTally,
    KpiTally,
    conversion_outcomes,
    known_caller,
)
from carewatch.kpi.windows import Window
from carewatch.records import UNTAGGED, CallRow, IssueRow

__all__ = [
    "DEFAULT_CONVERSION_OUTCOMES",
    "compute_kpis",
    "conversion_outcomes",
    "known_caller",
    "snapshot_of",
]


def _mean(total: float, n: int) -> float | None:
    return total / n if n else None


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _round_half_away(x: float) -> int:
    return int(math.copysign(math.floor(abs(x) + 0.5), x))


def _per_operator(counts: Mapping[str, int] | None, names: Mapping[str, str]) -> dict[str, int]:
    """Rings per agent id as rings per operator (the ids of one login are one)."""
    out: dict[str, int] = {}
    for agent, n in (counts or {}).items():
        name = names[agent]
        out[name] = out.get(name, 0) + n
    return out


def _complaint_rate(counts: Mapping[str, int], tagged: int, config: Config) -> float | None:
    """Tagged calls in a category marked ``complaint`` / tagged calls; ``None`` when nothing
    is tagged or no category is marked a complaint (never recorded, not 0%)."""
    complaints = {c.name for c in config.categories if c.complaint}
    if not complaints:
        return None
    return _ratio(sum(counts.get(n, 0) for n in complaints), tagged)


def compute_kpis(
    calls: Sequence[CallRow],
    config: Config,
    *,
    window: Window,
    issues: Sequence[IssueRow] = (),
    missed_rings: Mapping[str, int] | None = None,
    unreachable_rings: Mapping[str, int] | None = None,
    agent_time: Mapping[str, Mapping[str, Any]] | None = None,
    now: float | None = None,
) -> dict[str, Any]:
    """The KPI snapshot of ``window`` (docs/kpis.md; every key in the module docstring).

    ``calls``: the calls that started in the window (others are dropped); ``issues``: at
    least those open at the snapshot time or opened or resolved in the window;
    ``missed_rings``: RINGNOANSWER count per operator in the window (rings not taken);
    ``unreachable_rings``: rings that never rang (the phone busy or unreachable: a
    RINGNOANSWER of 0 or 1000 ms) per operator; both keyed by agent id, counted for the
    operator ``[operators]`` maps it to; ``agent_time``: each operator's logged-in and paused
    time in the window (:func:`carewatch.kpi.sessions.agent_time` with the config's
    :class:`~carewatch.config.screen.AgentNames`; without it those figures are ``None``);
    ``now``: the snapshot time for open issues (default: the clock), clamped to the
    window's end.

    One pass over the window's calls and the given issues: the cost depends only on the
    window, never on the length of the history.
    """
    tally = KpiTally(config)
    add = tally.add
    start, end = window.start, window.end
    for call in calls:
        if start <= call.started_at < end:
            add(call)
    return snapshot_of(
        tally,
        config,
        window=window,
        issues=issues,
        missed_rings=missed_rings,
        unreachable_rings=unreachable_rings,
        agent_time=agent_time,
        now=now,
    )


def snapshot_of(
    tally: KpiTally,
    config: Config,
    *,
    window: Window,
    issues: Iterable[IssueRow] = (),
    missed_rings: Mapping[str, int] | None = None,
    unreachable_rings: Mapping[str, int] | None = None,
    agent_time: Mapping[str, Mapping[str, Any]] | None = None,
    now: float | None = None,
) -> dict[str, Any]:
    """The KPI snapshot of the calls counted in ``tally`` (the arguments as
    :func:`compute_kpis`'s). Its cost follows the categories, operators, queues and issues,
    never the calls."""
    targets = config.targets
    target = tally.target
    sl_seconds = tally.sl_seconds
    cost_per_second = config.agent_cost_per_hour / 3600.0
    category_counts = tally.category_counts
    category_talk = tally.category_talk
    tagged = tally.tagged
    issues = list(issues)

    # categories: configured ones first (even with no call), then the others by count
    names = [c.name for c in config.categories]
    configured = set(names)
    names += sorted(
        (n for n in category_counts if n not in configured),
        key=lambda n: (-category_counts[n], n),
    )
    category_mix = {
        n: {"count": category_counts[n], "share": _ratio(category_counts[n], tagged)} for n in names
    }
    alerts: list[dict[str, Any]] = []
    if tagged and tagged >= targets.category_alert_min_calls:
        for n in sorted(names, key=lambda n: -category_counts[n]):
            share, threshold = category_counts[n] / tagged, config.alert_share(n)
            if share > threshold:
                alerts.append(
                    {
                        "category": n,
                        "share": share,
                        "count": category_counts[n],
                        "threshold": threshold,
                    }
                )

    # issues at the snapshot time
    as_of = min(time.time() if now is None else now, window.end)
    open_ages = [
        as_of - i.opened_at
        for i in issues
        if i.opened_at <= as_of and (i.resolved_at is None or i.resolved_at > as_of)
    ]
    resolutions = [
        max(0.0, i.resolved_at - i.opened_at)
        for i in issues
        if i.resolved_at is not None and window.start <= i.resolved_at < window.end
    ]
    issues_opened = sum(1 for i in issues if window.start <= i.opened_at < window.end)

    # operators: everyone with an inbound call, a missed or unreachable ring or time logged
    # in in the window
    rings = _per_operator(missed_rings, tally.names)
    unreachable = _per_operator(unreachable_rings, tally.names)
    times = dict(agent_time or {})
    agents = tally.agents
    by_agent: dict[str, dict[str, Any]] = {}
    ringed = {a for a, n in rings.items() if n} | {a for a, n in unreachable.items() if n}
    for name in sorted(set(agents) | ringed | set(times)):
        t = agents.get(name) or AgentTally()
        seen = times.get(name) or {}
        logged_in = seen.get("logged_in_seconds")
        talked = float(t.talk_total) if t.talks else 0.0
        by_agent[name] = {
            "answered": t.answered,
            "avg_talk_seconds": _mean(t.talk_total, t.talks),
            "total_talk_seconds": float(t.talk_total) if t.talks else 0.0,
            "avg_wait_seconds": _mean(t.wait_total, t.waits),
            "tagged_share": _ratio(t.tagged, t.answered),
            "conversions": t.conversions,
            "missed_rings": int(rings.get(name, 0)),
            "unreachable_rings": int(unreachable.get(name, 0)),
            "logged_in_seconds": logged_in,
            "paused_seconds": seen.get("paused_seconds"),
            "paused_by_reason": dict(seen.get("paused_by_reason") or {}),
            "occupancy": talked / logged_in if logged_in else None,
        }

    offered, answered, abandoned = tally.offered, tally.answered, tally.abandoned
    talk_total = tally.talk_total
    cost_by_category = {n: category_talk.get(n, 0.0) * cost_per_second for n in names}
    cost_by_category[UNTAGGED] = tally.untagged_talk * cost_per_second
    return {
        "offered": offered,
        "outbound": tally.outbound,
        "answered": answered,
        "abandoned": abandoned,
        "missed": tally.missed,
        "waiting": tally.waiting,
        "abandon_rate": _ratio(abandoned, offered),
        "answer_rate": _ratio(answered, offered),
        "avg_talk_seconds": _mean(talk_total, tally.talks),
        "talk_target_seconds": target,
        "over_target_share": _ratio(tally.over_target, tally.talks),
        "avg_wait_seconds": _mean(tally.wait_total, tally.waits),
        "service_level": _ratio(tally.in_time, answered + abandoned + tally.missed),
        "service_level_seconds": sl_seconds,
        "category_mix": category_mix,
        "untagged": tally.untagged,
        "category_alerts": alerts,
        "fcr_rate": _ratio(tally.resolved_yes, tally.resolved_known),
        "conversion_rate": (_ratio(tally.conversions, answered) if tally.outcomes_known else None),
        "csat_score": _ratio(tally.csat_good, tally.csat),
        "csat_avg": _mean(tally.csat_total, tally.csat),
        "csat_responses": tally.csat,
        "nps": (
            _round_half_away(100 * (tally.promoters - tally.detractors) / tally.nps)
            if tally.nps
            else None
        ),
        "nps_responses": tally.nps,
        "repeat_caller_share": _ratio(tally.repeat_callers, len(tally.caller_calls)),
        "open_issues": len(open_ages),
        "oldest_open_issue_seconds": max(open_ages) if open_ages else None,
        "issues_opened": issues_opened,
        "issues_resolved": len(resolutions),
        "avg_resolution_seconds": _mean(sum(resolutions), len(resolutions)),
        "talk_cost": {"total": talk_total * cost_per_second, "by_category": cost_by_category},
        "by_hour": [
            {"hour": h, "offered": b[0], "answered": b[1], "abandoned": b[2]}
            for h, b in enumerate(tally.hours)
        ],
        "by_agent": by_agent,
        "by_queue": queue_figures(tally.queues),
        "complaint_rate": _complaint_rate(category_counts, tagged, config),
        # additions to docs/kpis.md, used by the report and the screen
        "tagged": tagged,
        "conversions": tally.conversions,
        "talk_seconds_total": talk_total,
        "talk_seconds_by_category": {n: float(category_talk.get(n, 0.0)) for n in names},
    }
