"""The KPI engine: calls + config -> one KPI snapshot (SPEC "Definitions of the KPIs").

A pure module: no screen, no printing, no clock read except where a caller leaves ``now``
out. The report and the live screen both format what :func:`compute_kpis` returns, with
:data:`KPI_LABELS`, :data:`KPI_KIND`, :func:`format_value` and :data:`HIGHER_IS_BETTER`, so
a number reads the same on paper and on the screen.

Snapshot contract: docs/kpis.md (the dict :func:`compute_kpis` returns)
-----------------------------------------------------------------------
Every key always present, in this order. Counts are ``int``; seconds and money ``float``;
rates fractions 0–1; a rate or mean with an empty denominator is ``None`` ("–"), never 0
and never an error. JSON-serialisable as it is.

============================== ==========================================================
``offered``                    inbound calls started in the window
``outbound``                   outbound calls started in the window (volume shown apart)
``answered``                   inbound calls answered (a call being talked counts)
``abandoned``, ``missed``      inbound calls by disposition
``waiting``                    inbound calls with no disposition and not ended (in the
                               queue now; on a past day, calls whose end was never logged)
``abandon_rate``               abandoned / offered
``avg_talk_seconds``           mean ``talk_seconds`` of inbound answered calls that ended
``talk_target_seconds``        ``targets.talk_seconds`` (default 120)
``over_target_share``          of those ended calls, the share with talk > target
``avg_wait_seconds``           mean ``wait_seconds`` of inbound answered calls
``service_level``              answered with wait ≤ ``service_level_seconds`` /
                               (answered + abandoned + missed)
``service_level_seconds``      ``targets.service_level_seconds`` (default 20)
``category_mix``               ``{category: {"count": int, "share": float | None}}``: share
                               of the tagged calls. Configured categories first, in config
                               order, each present even with no call (share 0.0, or
                               ``None`` when nothing is tagged); then categories found only
                               in the calls, most calls first
``untagged``                   inbound answered calls without a category (still to tag)
``category_alerts``            ``[{"category", "share", "count", "threshold"}]``: share >
                               threshold (``Config.alert_share``) once the tagged calls are
                               ≥ ``targets.category_alert_min_calls``; highest share first
``fcr_rate``                   calls marked resolved / calls with ``resolved`` recorded
``conversion_rate``            inbound answered calls with a conversion outcome / answered
``csat_score``                 share of ratings ≥ 4 on the 1–5 scale; ``csat_avg`` the
                               mean; ``csat_responses`` the count
``nps``                        round(100 × (promoters 9–10 − detractors 0–6) / responses),
                               an ``int``; ``nps_responses`` the count
``repeat_caller_share``        distinct known inbound callers with ≥ 2 calls / distinct
                               known inbound callers
``open_issues``                issues open at the snapshot time ``min(now, window end)``;
                               ``oldest_open_issue_seconds`` the oldest one's age then
``issues_opened``, ``issues_resolved``  in the window; ``avg_resolution_seconds`` mean
                               open→resolved time of the issues resolved in the window
``talk_cost``                  ``{"total": money, "by_category": {category: money,
                               "untagged": money}}``: talk seconds of the inbound answered,
                               ended calls × ``agent_cost_per_hour`` / 3600 (categories as
                               in ``category_mix``)
``by_hour``                    24 × ``{"hour", "offered", "answered", "abandoned"}``, local
                               hour of ``started_at`` in ``config.tz`` (a 25-hour day adds
                               its repeated hour into one bucket; a 23-hour day has one
                               empty bucket)
``by_agent``                   ``{agent: {"answered", "avg_talk_seconds",
                               "total_talk_seconds", "avg_wait_seconds", "tagged_share",
                               "conversions", "missed_rings"}}`` over inbound calls, by name
============================== ==========================================================

Additions to docs/kpis.md (after ``by_agent``; the report and the screen read them):
``tagged`` (calls with a category, the denominator of the shares), ``conversions`` (the
numerator of ``conversion_rate``), ``talk_seconds_total`` and ``talk_seconds_by_category``
(the talk time behind ``talk_cost``; the categories of ``category_mix``, no ``untagged``).

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
* **Disposition.** The stored ``disposition`` when it is answered/abandoned/missed; otherwise
  answered when an answer time or a talk time is known, else still waiting (counted in offered
  only). "Ended" means ``talk_seconds`` is known (the store derives it from ended − answered).
* **Service level.** An answered call without a known wait does not count as answered in time.
* **Untagged** counts answered calls only: an abandoned call has nobody to tag it, so the number
  is the to-do list of the operators. ``category_mix`` shares are over every tagged call.
  ``fcr_rate`` takes ``resolved`` wherever it is recorded, also on an unanswered call (an export
  that marks those "not resolved" means it).
* **Known callers** for ``repeat_caller_share``: empty, all-zero, ``anonymous``, ``unknown``,
  ``private``, ``restricted``, ``unavailable`` and ``withheld`` caller ids are not callers.
* **Conversions.** Outcomes marked ``conversion`` in the config; with no outcomes configured,
  ``sale`` and ``appointment`` (the SPEC default).
* **Ratings** outside 1–5 (CSAT) or 0–10 (NPS) are ignored. ``nps`` rounds half away from zero.
* **Issues** are not filtered by queue or operator. ``open_issues`` and its age are taken at the
  snapshot time ``min(now, window.end)``: "open now" for today, "open at the end of the day"
  for a past day (so a day compares with the previous one).
* **Money** is not rounded in the snapshot (``talk_cost["total"]`` equals
  ``talk_seconds_total`` × the hourly cost / 3600); :func:`format_value` shows whole units.
* **Cost.** :func:`compute_kpis` is one pass over the window's calls plus the issues given, so
  its cost depends only on the window, never on the length of the history
  (:func:`kpis_for_window` reads the window with an index range scan on ``started_at``).
* **Now state.** :func:`now_state` ignores a call that has been "waiting" or "being talked"
  for more than :data:`STALE_CALL_SECONDS` (4 h): its end line was lost, and it must not
  hold the longest-wait figure or an operator's state for ever.
"""

from __future__ import annotations

import math
import time
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from datetime import time as dtime
from typing import TYPE_CHECKING, Any

from carewatch.config import Config, Shift
from carewatch.records import CallRow, IssueRow
from carewatch.timeutil import day_bounds, format_duration, local_hour

if TYPE_CHECKING:
    from carewatch.store import Store

#: A call "waiting" or "being talked" for longer than this lost its end line: ignored now.
STALE_CALL_SECONDS = 4 * 3600.0

#: Outcomes that count as a conversion when the config lists no outcomes (SPEC default).
DEFAULT_CONVERSION_OUTCOMES = frozenset({"sale", "appointment"})

_DISPOSITIONS = frozenset({"answered", "abandoned", "missed"})
_UNKNOWN_CALLERS = frozenset(
    {"anonymous", "unknown", "private", "restricted", "unavailable", "withheld"}
)

#: Human label of every scalar KPI key (``talk_cost`` stands for its total), in snapshot order.
KPI_LABELS: dict[str, str] = {
    "offered": "Calls offered",
    "outbound": "Outbound calls",
    "answered": "Answered",
    "abandoned": "Abandoned",
    "missed": "Missed",
    "waiting": "Still waiting (no outcome)",
    "abandon_rate": "Abandon rate",
    "avg_talk_seconds": "Average talk time",
    "talk_target_seconds": "Talk time target",
    "over_target_share": "Calls over talk target",
    "avg_wait_seconds": "Average wait (first response)",
    "service_level": "Service level",
    "service_level_seconds": "Service level threshold",
    "untagged": "Untagged calls",
    "fcr_rate": "First-contact resolution",
    "conversion_rate": "Conversion rate",
    "csat_score": "CSAT (rated 4–5)",
    "csat_avg": "CSAT average",
    "csat_responses": "CSAT responses",
    "nps": "NPS",
    "nps_responses": "NPS responses",
    "repeat_caller_share": "Repeat callers",
    "open_issues": "Open issues",
    "oldest_open_issue_seconds": "Oldest open issue",
    "issues_opened": "Issues opened",
    "issues_resolved": "Issues resolved",
    "avg_resolution_seconds": "Average resolution time",
    "talk_cost": "Cost of talk time",
    "tagged": "Tagged calls",
    "conversions": "Conversions",
    "talk_seconds_total": "Talk time",
}

#: How each key of :data:`KPI_LABELS` is shown: "count", "rate", "seconds", "score", or
#: "money" (``talk_cost``, in the config's currency).
KPI_KIND: dict[str, str] = {
    "offered": "count",
    "outbound": "count",
    "answered": "count",
    "abandoned": "count",
    "missed": "count",
    "waiting": "count",
    "abandon_rate": "rate",
    "avg_talk_seconds": "seconds",
    "talk_target_seconds": "seconds",
    "over_target_share": "rate",
    "avg_wait_seconds": "seconds",
    "service_level": "rate",
    "service_level_seconds": "seconds",
    "untagged": "count",
    "fcr_rate": "rate",
    "conversion_rate": "rate",
    "csat_score": "rate",
    "csat_avg": "score",
    "csat_responses": "count",
    "nps": "score",
    "nps_responses": "count",
    "repeat_caller_share": "rate",
    "open_issues": "count",
    "oldest_open_issue_seconds": "seconds",
    "issues_opened": "count",
    "issues_resolved": "count",
    "avg_resolution_seconds": "seconds",
    "talk_cost": "money",
    "tagged": "count",
    "conversions": "count",
    "talk_seconds_total": "seconds",
}

#: Whether a rise of the KPI is good news. Keys left out are neutral (volume, targets, counts
#: of responses): a change of them is neither better nor worse.
HIGHER_IS_BETTER: dict[str, bool] = {
    "answered": True,
    "abandoned": False,
    "missed": False,
    "abandon_rate": False,
    "avg_talk_seconds": False,
    "over_target_share": False,
    "avg_wait_seconds": False,
    "service_level": True,
    "untagged": False,
    "fcr_rate": True,
    "conversion_rate": True,
    "conversions": True,
    "csat_score": True,
    "csat_avg": True,
    "nps": True,
    "repeat_caller_share": False,
    "open_issues": False,
    "oldest_open_issue_seconds": False,
    "issues_opened": False,
    "issues_resolved": True,
    "avg_resolution_seconds": False,
}

_SCORE_DECIMALS = {"csat_avg": 2, "nps": 0}


def format_value(key: str, value: Any, *, currency: str | None = None) -> str:
    """A KPI value as text: "–" for ``None``, "12.5%" for rates, "2 min 05 s" for seconds,
    "1,234" for counts, "4.25" (CSAT average) or "35" (NPS) for scores, and whole currency
    units for money ("€ 1,234" with ``currency="€"``, else "1,234"). ``talk_cost`` may be
    given as the snapshot's ``{"total", "by_category"}``: its total is shown."""
    if isinstance(value, Mapping) and "total" in value:
        value = value["total"]
    if value is None:
        return "–"
    kind = KPI_KIND.get(key)
    if kind == "rate":
        return f"{value * 100:.1f}%"
    if kind == "seconds":
        return format_duration(value)
    if kind == "count":
        return f"{int(value):,}"
    if kind == "score":
        decimals = _SCORE_DECIMALS.get(key, 1)
        return f"{value:,.{decimals}f}"
    if kind == "money":
        amount = f"{value:,.0f}"
        return f"{currency} {amount}" if currency else amount
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.2f}"
    return str(value)


# -- windows -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Window:
    """A span of time [start, end) in UTC epoch seconds, with a label for people."""

    start: float
    end: float
    label: str


def day_window(day: date, tz: tzinfo) -> Window:
    """The local calendar ``day`` in ``tz`` (23 or 25 hours on daylight-saving switch days)."""
    start, end = day_bounds(day, tz)
    return Window(start, end, day.isoformat())


def last_hour_window(now: float) -> Window:
    """The hour up to ``now``: [now − 3600, now)."""
    return Window(now - 3600.0, now, "last hour")


def _clock_minutes(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def _local_instant(day: date, minutes: int, tz: tzinfo) -> float:
    days, rest = divmod(minutes, 24 * 60)
    clock = dtime(rest // 60, rest % 60)
    return datetime.combine(day + timedelta(days=days), clock, tzinfo=tz).timestamp()


def _shift_span(shift: Shift, day: date, tz: tzinfo) -> tuple[float, float]:
    """The shift that starts on local ``day``; an end at or before the start is the next day."""
    start_min, end_min = _clock_minutes(shift.start), _clock_minutes(shift.end)
    if end_min <= start_min:
        end_min += 24 * 60
    return _local_instant(day, start_min, tz), _local_instant(day, end_min, tz)


def shift_window(config: Config, now: float) -> Window:
    """The configured shift that contains ``now`` (local times; a shift may run past
    midnight), else today's local calendar day."""
    tz = config.tz
    today = datetime.fromtimestamp(now, tz).date()
    for shift in config.shifts:
        for day in (today, today - timedelta(days=1)):
            start, end = _shift_span(shift, day, tz)
            if start <= now < end:
                return Window(start, end, f"{shift.name} shift ({shift.start}–{shift.end})")
    return day_window(today, tz)


# -- the snapshot ------------------------------------------------------------------------------


def _disposition(call: CallRow) -> str | None:
    """answered / abandoned / missed, or ``None`` for a call still waiting."""
    if call.disposition in _DISPOSITIONS:
        return call.disposition
    if call.answered_at is not None or call.talk_seconds is not None:
        return "answered"
    return None


def _is_inbound(call: CallRow) -> bool:
    return call.direction != "out"


def _known_caller(caller: str | None) -> str | None:
    if caller is None:
        return None
    text = caller.strip()
    if not text.strip("0") or text.lower() in _UNKNOWN_CALLERS:
        return None
    return text


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _round_half_away(x: float) -> int:
    return int(math.copysign(math.floor(abs(x) + 0.5), x))


def conversion_outcomes(config: Config) -> frozenset[str]:
    """The outcomes that count as a conversion (config, else sale and appointment)."""
    return config.conversion_outcomes if config.outcomes else DEFAULT_CONVERSION_OUTCOMES


@dataclass
class _AgentTally:
    answered: int = 0
    tagged: int = 0
    conversions: int = 0
    talks: list[float] = field(default_factory=list)
    waits: list[float] = field(default_factory=list)


def compute_kpis(
    calls: Sequence[CallRow],
    config: Config,
    *,
    window: Window,
    issues: Sequence[IssueRow] = (),
    missed_rings: Mapping[str, int] | None = None,
    now: float | None = None,
) -> dict[str, Any]:
    """The KPI snapshot of ``window`` (docs/kpis.md; every key in the module docstring).

    ``calls``: the calls that started in the window (others are dropped); ``issues``: at
    least those open at the snapshot time or opened or resolved in the window;
    ``missed_rings``: RINGNOANSWER count per operator in the window; ``now``: the snapshot
    time for open issues (default: the clock), clamped to the window's end.

    One pass over the window's calls and the given issues: the cost depends only on the
    window, never on the length of the history.
    """
    tz = config.tz
    targets = config.targets
    conversions_set = conversion_outcomes(config)
    target = float(targets.talk_seconds)
    sl_seconds = float(targets.service_level_seconds)
    cost_per_second = config.agent_cost_per_hour / 3600.0

    offered = outbound = answered = abandoned = missed = waiting = 0
    in_time = tagged = untagged = conversions = 0
    resolved_yes = resolved_known = 0
    talks: list[float] = []  # inbound, answered, ended
    waits: list[float] = []  # inbound, answered
    talk_total = untagged_talk = 0.0
    csat: list[int] = []
    nps_answers: list[int] = []
    category_counts: Counter[str] = Counter()
    category_talk: Counter[str] = Counter()
    caller_calls: Counter[str] = Counter()
    hours = [{"hour": h, "offered": 0, "answered": 0, "abandoned": 0} for h in range(24)]
    agents: dict[str, _AgentTally] = {}

    for call in calls:
        if not (window.start <= call.started_at < window.end):
            continue
        disposition = _disposition(call)
        category = call.category or None

        # every direction: category mix, resolution, ratings
        if category is not None:
            tagged += 1
            category_counts[category] += 1
        if call.resolved is not None:
            resolved_known += 1
            resolved_yes += bool(call.resolved)
        if call.csat is not None and 1 <= call.csat <= 5:
            csat.append(call.csat)
        if call.nps is not None and 0 <= call.nps <= 10:
            nps_answers.append(call.nps)
        if not _is_inbound(call):
            outbound += 1
            continue

        # inbound only: volume, speed, talk time and cost, conversion, callers, operators
        offered += 1
        bucket = hours[local_hour(call.started_at, tz)]
        bucket["offered"] += 1
        caller = _known_caller(call.caller)
        if caller is not None:
            caller_calls[caller] += 1
        tally = agents.setdefault(call.agent, _AgentTally()) if call.agent else None
        if disposition == "answered":
            answered += 1
            bucket["answered"] += 1
            untagged += category is None
            converted = call.outcome in conversions_set
            conversions += converted
            if call.wait_seconds is not None:
                waits.append(call.wait_seconds)
                in_time += call.wait_seconds <= sl_seconds
            talk = call.talk_seconds
            if talk is not None:
                talks.append(talk)
                talk_total += talk
                if category is not None:
                    category_talk[category] += talk
                else:
                    untagged_talk += talk
            if tally is not None:
                tally.answered += 1
                tally.tagged += category is not None
                tally.conversions += converted
                if talk is not None:
                    tally.talks.append(talk)
                if call.wait_seconds is not None:
                    tally.waits.append(call.wait_seconds)
        elif disposition == "abandoned":
            abandoned += 1
            bucket["abandoned"] += 1
        elif disposition == "missed":
            missed += 1
        elif call.ended_at is None:
            waiting += 1

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

    # operators: everyone with an inbound call in the window or a missed ring
    rings = dict(missed_rings or {})
    by_agent: dict[str, dict[str, Any]] = {}
    for name in sorted(set(agents) | {a for a, n in rings.items() if n}):
        t = agents.get(name, _AgentTally())
        by_agent[name] = {
            "answered": t.answered,
            "avg_talk_seconds": _mean(t.talks),
            "total_talk_seconds": float(sum(t.talks)),
            "avg_wait_seconds": _mean(t.waits),
            "tagged_share": _ratio(t.tagged, t.answered),
            "conversions": t.conversions,
            "missed_rings": int(rings.get(name, 0)),
        }

    promoters = sum(1 for r in nps_answers if r >= 9)
    detractors = sum(1 for r in nps_answers if r <= 6)
    cost_by_category = {n: category_talk[n] * cost_per_second for n in names}
    cost_by_category["untagged"] = untagged_talk * cost_per_second
    return {
        "offered": offered,
        "outbound": outbound,
        "answered": answered,
        "abandoned": abandoned,
        "missed": missed,
        "waiting": waiting,
        "abandon_rate": _ratio(abandoned, offered),
        "avg_talk_seconds": _mean(talks),
        "talk_target_seconds": target,
        "over_target_share": _ratio(sum(1 for t in talks if t > target), len(talks)),
        "avg_wait_seconds": _mean(waits),
        "service_level": _ratio(in_time, answered + abandoned + missed),
        "service_level_seconds": sl_seconds,
        "category_mix": category_mix,
        "untagged": untagged,
        "category_alerts": alerts,
        "fcr_rate": _ratio(resolved_yes, resolved_known),
        "conversion_rate": _ratio(conversions, answered),
        "csat_score": _ratio(sum(1 for r in csat if r >= 4), len(csat)),
        "csat_avg": _mean(csat),
        "csat_responses": len(csat),
        "nps": (
            _round_half_away(100 * (promoters - detractors) / len(nps_answers))
            if nps_answers
            else None
        ),
        "nps_responses": len(nps_answers),
        "repeat_caller_share": _ratio(
            sum(1 for n in caller_calls.values() if n >= 2), len(caller_calls)
        ),
        "open_issues": len(open_ages),
        "oldest_open_issue_seconds": max(open_ages) if open_ages else None,
        "issues_opened": issues_opened,
        "issues_resolved": len(resolutions),
        "avg_resolution_seconds": _mean(resolutions),
        "talk_cost": {"total": talk_total * cost_per_second, "by_category": cost_by_category},
        "by_hour": hours,
        "by_agent": by_agent,
        # additions to docs/kpis.md, used by the report and the screen
        "tagged": tagged,
        "conversions": conversions,
        "talk_seconds_total": talk_total,
        "talk_seconds_by_category": {n: float(category_talk[n]) for n in names},
    }


def kpis_for_window(
    store: Store,
    config: Config,
    window: Window,
    *,
    queue: str | None = None,
    agent: str | None = None,
    now: float | None = None,
) -> dict[str, Any]:
    """Read the window's calls, issues and missed rings from ``store`` and compute the
    snapshot (:func:`compute_kpis`). ``queue``/``agent`` narrow the calls and the missed
    rings; issues are never narrowed."""
    calls = store.calls_between(window.start, window.end, queue=queue, agent=agent)
    issues = store.issues_relevant(window.start, window.end)
    rings = store.missed_rings_between(window.start, window.end, queue=queue)
    if agent is not None:
        rings = {agent: rings[agent]} if agent in rings else {}
    return compute_kpis(calls, config, window=window, issues=issues, missed_rings=rings, now=now)


# -- now: the wallboard ------------------------------------------------------------------------

#: Operator states shown on the wallboard.
AGENT_STATES = ("talking", "paused", "logged_off", "idle")

_LOGIN_EVENTS = frozenset({"AGENTLOGIN", "AGENTCALLBACKLOGIN", "ADDMEMBER"})
_LOGOFF_EVENTS = frozenset({"AGENTLOGOFF", "AGENTCALLBACKLOGOFF"})
_PAUSE_EVENTS = frozenset({"PAUSE", "PAUSEALL"})
_UNPAUSE_EVENTS = frozenset({"UNPAUSE", "UNPAUSEALL"})


@dataclass(frozen=True)
class AgentNow:
    """One operator's state now.

    ``state``: "talking" (a call answered and not ended), "paused" (a PAUSE without a later
    UNPAUSE; ``reason`` as logged), "logged_off" (logged off or removed from every queue),
    or "idle". ``since``: when that state began, when known; ``call_id``: the call being
    talked.
    """

    agent: str
    state: str
    since: float | None = None
    reason: str | None = None
    call_id: str | None = None


@dataclass(frozen=True)
class NowState:
    """The centre at one instant: calls waiting and being talked, and every operator."""

    at: float
    #: Inbound calls waiting in a queue now, longest waiting first.
    waiting_calls: tuple[CallRow, ...]
    #: Calls answered and not ended, oldest answer first.
    talking_calls: tuple[CallRow, ...]
    #: Operator -> state now, operators sorted by name.
    agents: Mapping[str, AgentNow]

    @property
    def waiting(self) -> int:
        """How many calls are waiting in a queue now."""
        return len(self.waiting_calls)

    @property
    def talking(self) -> int:
        """How many calls are being talked now."""
        return len(self.talking_calls)

    @property
    def longest_wait_seconds(self) -> float | None:
        """How long the caller waiting longest has waited, ``None`` when nobody waits."""
        if not self.waiting_calls:
            return None
        return max(0.0, self.at - self.waiting_calls[0].started_at)


@dataclass
class _AgentTrack:
    queues: set[str] | None = None  # None: membership not seen in the events
    paused: bool = False
    reason: str | None = None
    paused_at: float | None = None
    logged_off_at: float | None = None
    last_event_at: float | None = None


def _track_agents(agent_events: Iterable[Mapping[str, Any]], now: float) -> dict[str, _AgentTrack]:
    tracks: dict[str, _AgentTrack] = {}
    events = sorted(
        (e for e in agent_events if e.get("agent") and e.get("at") is not None and e["at"] <= now),
        key=lambda e: e["at"],
    )
    for e in events:
        name = str(e.get("event") or "").upper()
        t = tracks.setdefault(e["agent"], _AgentTrack())
        queue = e.get("queue") or "*"
        if queue.upper() == "NONE":
            queue = "*"
        if name in _LOGIN_EVENTS:
            t.queues = (t.queues or set()) | {queue}
        elif name == "REMOVEMEMBER":
            t.queues = (t.queues or set()) - {queue}
            if not t.queues:
                t.logged_off_at, t.paused = e["at"], False
        elif name in _LOGOFF_EVENTS:
            t.queues, t.logged_off_at, t.paused = set(), e["at"], False
        elif name in _PAUSE_EVENTS:
            t.paused, t.reason, t.paused_at = True, e.get("reason") or None, e["at"]
        elif name in _UNPAUSE_EVENTS:
            t.paused, t.reason, t.paused_at = False, None, None
        else:
            continue  # RINGNOANSWER and the like do not change the state
        t.last_event_at = e["at"]
    return tracks


def _call_end(call: CallRow) -> float | None:
    if call.ended_at is not None:
        return call.ended_at
    if call.answered_at is not None and call.talk_seconds is not None:
        return call.answered_at + call.talk_seconds
    return None


def now_state(calls: Sequence[CallRow], agent_events: Sequence[dict], now: float) -> NowState:
    """What the wallboard shows at ``now``.

    ``calls``: the recent calls (at least those started in the last
    :data:`STALE_CALL_SECONDS`); ``agent_events``: the store's agent events (dicts with
    ``at``, ``agent``, ``event``, ``queue``, ``reason``), oldest first or not, enough back
    to see each operator's last login and pause. Calls "waiting" or "being talked" for
    longer than :data:`STALE_CALL_SECONDS` are ignored (their end line was lost), as is
    anything after ``now``.
    """
    waiting: list[CallRow] = []
    talking: list[CallRow] = []
    last_end: dict[str, float] = {}
    seen: set[str] = set()
    for call in calls:
        if call.started_at > now:
            continue
        if call.agent:
            seen.add(call.agent)
        disposition = _disposition(call)
        end = _call_end(call)
        fresh = now - call.started_at <= STALE_CALL_SECONDS
        if disposition is None and end is None:
            if fresh and _is_inbound(call):
                waiting.append(call)
        elif disposition == "answered" and end is None and call.talk_seconds is None:
            if fresh and (call.answered_at is None or call.answered_at <= now):
                talking.append(call)
        elif end is not None and call.agent and end <= now:
            last_end[call.agent] = max(end, last_end.get(call.agent, end))
    waiting.sort(key=lambda c: c.started_at)
    talking.sort(key=lambda c: c.answered_at or c.started_at)

    tracks = _track_agents(agent_events, now)
    talking_by_agent = {c.agent: c for c in talking if c.agent}  # newest answer wins
    names = sorted(set(tracks) | seen)
    agents: dict[str, AgentNow] = {}
    for name in names:
        t = tracks.get(name, _AgentTrack())
        call = talking_by_agent.get(name)
        if call is not None:
            state = AgentNow(
                name, "talking", call.answered_at or call.started_at, None, call.call_id
            )
        elif t.queues is not None and not t.queues:
            state = AgentNow(name, "logged_off", t.logged_off_at)
        elif t.paused:
            state = AgentNow(name, "paused", t.paused_at, t.reason)
        else:
            marks = [m for m in (t.last_event_at, last_end.get(name)) if m is not None]
            state = AgentNow(name, "idle", max(marks) if marks else None)
        agents[name] = state
    return NowState(now, tuple(waiting), tuple(talking), agents)


# -- insights ----------------------------------------------------------------------------------

#: How much a KPI must move to be news: ("points", p) — an absolute change of p (rates,
#: scores); ("relative", r, floor) — a change of r × the earlier value, at least ``floor``.
_MOVE_SCALE: dict[str, tuple[Any, ...]] = {
    "offered": ("relative", 0.2, 10),
    "abandon_rate": ("points", 0.05),
    "service_level": ("points", 0.05),
    "avg_wait_seconds": ("relative", 0.2, 10),
    "avg_talk_seconds": ("relative", 0.2, 10),
    "over_target_share": ("points", 0.05),
    "fcr_rate": ("points", 0.05),
    "conversion_rate": ("points", 0.05),
    "csat_score": ("points", 0.05),
    "csat_avg": ("points", 0.3),
    "nps": ("points", 10),
    "repeat_caller_share": ("points", 0.05),
    "open_issues": ("relative", 0.2, 3),
    "avg_resolution_seconds": ("relative", 0.2, 600),
}


def _percent(share: float) -> str:
    """A share as a manager writes it: "60%", "62.5%"."""
    text = f"{share * 100:.1f}"
    return f"{text.removesuffix('.0')}%"


def _age(seconds: float) -> str:
    days, rest = divmod(max(0, round(seconds)), 86400)
    if days:
        return f"{days} d {format_duration(rest)}" if rest >= 60 else f"{days} d"
    return format_duration(rest)


def _plain(text: str) -> str:
    return " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())


def biggest_move(kpis: Mapping[str, Any], before: Mapping[str, Any]) -> tuple[str, float] | None:
    """The KPI that moved most from ``before`` to ``kpis``, each change measured against a
    scale that makes it news (5 points for a rate, 20% for a volume or a time, 10 for NPS…),
    with the size of the move in those scales; KPIs with ``None`` on either side are skipped.
    ``None`` when nothing moved."""
    best: tuple[str, float] | None = None
    for key, scale in _MOVE_SCALE.items():
        new, old = kpis.get(key), before.get(key)
        if new is None or old is None:
            continue
        if scale[0] == "points":
            size = abs(new - old) / scale[1]
        else:
            size = abs(new - old) / max(abs(old) * scale[1], scale[2])
        if size > 0 and (best is None or size > best[1]):
            best = (key, size)
    return best


def _move_sentence(key: str, new: Any, old: Any, when: str) -> str:
    label = KPI_LABELS[key]
    verb = "rose" if new > old else "fell"
    text = f"{label} {verb} to {format_value(key, new)} from {format_value(key, old)} {when}"
    better = HIGHER_IS_BETTER.get(key)
    if better is not None:
        text += " (better)" if (new > old) == better else " (worse)"
    return text + "."


def insights(
    kpis: dict,
    *,
    config: Config,
    previous_day: dict | None = None,
    last_week: dict | None = None,
    open_issues: Sequence[IssueRow] = (),
    now: float | None = None,
) -> list[str]:
    """What stands out in a snapshot, as plain sentences, most important first.

    1. each category over its alert share: its share, talk time and what the talk cost;
    2. abandon rate over ``targets.abandon_rate_max``, service level under its goal;
    3. the share of answered calls over the talk target;
    4. the KPI that moved most against the same weekday last week (or, without that
       snapshot, the previous day), when it moved at least one "news" scale (see
       :func:`biggest_move`);
    5. the oldest of ``open_issues``, its age at ``now`` (default: the clock) and title.
    """
    out: list[str] = []
    talk_by_cat = kpis.get("talk_seconds_by_category") or {}
    cost_by_cat = (kpis.get("talk_cost") or {}).get("by_category") or {}
    for alert in kpis.get("category_alerts") or ():
        name = alert["category"]
        cost = format_value("talk_cost", cost_by_cat.get(name, 0.0), currency=config.currency)
        out.append(
            f"{_plain(name)}: {_percent(alert['share'])} of tagged calls, "
            f"{format_duration(talk_by_cat.get(name, 0.0))} of talk, {cost}."
        )

    targets = config.targets
    abandon_rate = kpis.get("abandon_rate")
    if abandon_rate is not None and abandon_rate > targets.abandon_rate_max:
        out.append(
            f"Abandon rate {format_value('abandon_rate', abandon_rate)} is over the "
            f"{_percent(targets.abandon_rate_max)} maximum "
            f"({kpis.get('abandoned', 0):,} of {kpis.get('offered', 0):,} calls)."
        )
    service_level = kpis.get("service_level")
    if service_level is not None and service_level < targets.service_level_goal:
        threshold = kpis.get("service_level_seconds", targets.service_level_seconds)
        out.append(
            f"Service level {format_value('service_level', service_level)} is under the "
            f"{_percent(targets.service_level_goal)} goal "
            f"(answered within {format_duration(threshold)})."
        )

    over = kpis.get("over_target_share")
    if over is not None:
        target = kpis.get("talk_target_seconds", targets.talk_seconds)
        average = format_value("avg_talk_seconds", kpis.get("avg_talk_seconds"))
        out.append(
            f"{_percent(over)} of answered calls went over the {format_duration(target)} "
            f"talk target (average talk {average})."
        )

    before, when = (
        (last_week, "on the same weekday last week")
        if last_week is not None
        else (previous_day, "on the previous day")
    )
    move = biggest_move(kpis, before) if before is not None else None
    if before is not None and move is not None and move[1] >= 1.0:
        out.append(_move_sentence(move[0], kpis[move[0]], before[move[0]], when))

    still_open = [i for i in open_issues if i.resolved_at is None]
    if still_open:
        oldest = min(still_open, key=lambda i: i.opened_at)
        age = (time.time() if now is None else now) - oldest.opened_at
        if len(still_open) == 1:
            lead = "Oldest open issue"
        else:
            lead = f"Oldest of {len(still_open)} open issues"
        out.append(f'{lead}: "{_plain(oldest.title)}", open {_age(age)}.')
    return out
