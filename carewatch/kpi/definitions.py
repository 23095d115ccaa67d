"""The one table of KPI definitions: what each key of a snapshot is and how people read it.

One row per key of the snapshot :func:`carewatch.kpi.engine.compute_kpis` returns (the JSON
contract of docs/kpis.md), in snapshot order: its label, its kind, whether a rise is good
news, where the end-of-day report prints it, how much it must move to be news, and the
shorter labels the screen's tiles use. Labels, groups and tiles are marked with ``N_``
(English here, and in the docs table) and translated where they are shown
(:func:`carewatch.present.kpi_label`). The engine computes the values; the report, the
screen, the insights, the docs table and the tests read everything else from here.

Adding a KPI: compute it in the engine, add one row here, test the value.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from carewatch.i18n import N_

#: How a value is shown. ``breakdown`` keys are structured (a mapping or a list) and have
#: their own section in the report and the screen.
Kind = Literal["count", "rate", "seconds", "score", "money", "breakdown"]

#: The report's groups of scalar KPIs, in the order they are printed. ``Targets`` are
#: printed in the report's header, not in a group of their own.
GROUPS: tuple[str, ...] = (
    N_("Calls"),
    N_("Speed"),
    N_("Results"),
    N_("Satisfaction"),
    N_("Issues"),
    N_("Time and cost"),
)
TARGETS = "Targets"


@dataclass(frozen=True, slots=True)
class News:
    """How far a KPI must move to be news: ``points`` (an absolute change of ``size``, for
    rates and scores) or ``relative`` (``size`` × the earlier value, at least ``floor``)."""

    scale: Literal["points", "relative"]
    size: float
    floor: float = 0.0


@dataclass(frozen=True, slots=True)
class KpiDef:
    """One KPI of the snapshot."""

    key: str
    label: str
    kind: Kind
    #: ``True``: a rise is good news; ``False``: a rise is bad news; ``None``: neutral
    #: (volumes, targets, numbers of responses).
    higher_is_better: bool | None = None
    #: Where the report prints it: (group, position in the group); ``None`` for keys the
    #: report shows in a section of their own.
    report: tuple[str, int] | None = None
    #: Decimals of a score ("4.26", "35").
    decimals: int = 1
    news: News | None = None
    #: The tile's label on the screen, longest form first, shorter forms after ``|``.
    tile: str | None = None
    #: Seconds read as an age, in days from one day on ("2 d 4 h"); other seconds are
    #: durations in hours ("635 h 31 min": operators' time reads best in hours).
    age: bool = False
    #: Its Prometheus name after ``carewatch_`` (``carewatch metrics``); ``None``: not exported.
    metric: str | None = None


def _points(size: float) -> News:
    return News("points", size)


def _relative(size: float, floor: float) -> News:
    return News("relative", size, floor)


#: Every key of the snapshot, in snapshot order.
# fmt: off
KPIS: tuple[KpiDef, ...] = (
    KpiDef("offered", N_("Calls offered"), "count", None, ("Calls", 1), news=_relative(0.2, 10),
           tile=N_("Offered"), metric="calls_offered"),
    KpiDef("outbound", N_("Outbound calls"), "count", None, ("Calls", 6)),
    KpiDef("answered", N_("Answered"), "count", True, ("Calls", 2), tile=N_("Answered"),
           metric="calls_answered"),
    KpiDef("abandoned", N_("Abandoned"), "count", False, ("Calls", 3), metric="calls_abandoned"),
    KpiDef("missed", N_("Missed"), "count", False, ("Calls", 4), metric="calls_missed"),
    KpiDef("waiting", N_("Still waiting (no outcome)"), "count", None, ("Calls", 5)),
    KpiDef("abandon_rate", N_("Abandon rate"), "rate", False, ("Calls", 7), news=_points(0.05),
           tile=N_("Abandoned|Aband."), metric="abandon_ratio"),
    KpiDef("answer_rate", N_("Answer rate"), "rate", True, ("Calls", 8), metric="answer_ratio"),
    KpiDef("avg_talk_seconds", N_("Average talk time"), "seconds", False, ("Speed", 3),
           news=_relative(0.2, 10), tile=N_("Avg talk"), metric="average_talk_seconds"),
    KpiDef("talk_target_seconds", N_("Talk time target"), "seconds", None, (TARGETS, 1)),
    KpiDef("over_target_share", N_("Calls over talk target"), "rate", False, ("Speed", 4),
           news=_points(0.05), metric="over_talk_target_ratio"),
    KpiDef("avg_wait_seconds", N_("Average wait (first response)"), "seconds", False, ("Speed", 1),
           news=_relative(0.2, 10), tile=N_("Avg wait"), metric="average_wait_seconds"),
    KpiDef("service_level", N_("Service level"), "rate", True, ("Speed", 2), news=_points(0.05),
           tile=N_("Service level|Service lvl|SL"), metric="service_level_ratio"),
    KpiDef("service_level_seconds", N_("Service level threshold"), "seconds", None, (TARGETS, 2)),
    KpiDef("category_mix", N_("Category mix"), "breakdown"),
    KpiDef("untagged", N_("Untagged calls"), "count", False, ("Results", 2), tile=N_("To tag"),
           metric="calls_untagged"),
    KpiDef("category_alerts", N_("Category alerts"), "breakdown"),
    KpiDef("fcr_rate", N_("First-contact resolution"), "rate", True, ("Results", 3),
           news=_points(0.05), tile=N_("FCR"), metric="first_contact_resolution_ratio"),
    KpiDef("conversion_rate", N_("Conversion rate"), "rate", True, ("Results", 5),
           news=_points(0.05), tile=N_("Conversion|Conv."), metric="conversion_ratio"),
    KpiDef("csat_score", N_("CSAT (rated 4–5)"), "rate", True, ("Satisfaction", 1),
           news=_points(0.05), tile=N_("CSAT"), metric="csat_ratio"),
    KpiDef("csat_avg", N_("CSAT average"), "score", True, ("Satisfaction", 2), decimals=2,
           news=_points(0.3)),
    KpiDef("csat_responses", N_("CSAT responses"), "count", None, ("Satisfaction", 3)),
    KpiDef("nps", N_("NPS"), "score", True, ("Satisfaction", 4), decimals=0, news=_points(10),
           tile=N_("NPS"), metric="nps"),
    KpiDef("nps_responses", N_("NPS responses"), "count", None, ("Satisfaction", 5)),
    KpiDef("repeat_caller_share", N_("Repeat callers"), "rate", False, ("Satisfaction", 6),
           news=_points(0.05)),
    KpiDef("open_issues", N_("Open issues"), "count", False, ("Issues", 1), news=_relative(0.2, 3),
           tile=N_("Open issues|Issues"), metric="open_issues"),
    KpiDef("oldest_open_issue_seconds", N_("Oldest open issue"), "seconds", False, ("Issues", 2),
           age=True),
    KpiDef("issues_opened", N_("Issues opened"), "count", False, ("Issues", 3)),
    KpiDef("issues_resolved", N_("Issues resolved"), "count", True, ("Issues", 4)),
    KpiDef("avg_resolution_seconds", N_("Average resolution time"), "seconds", False, ("Issues", 5),
           news=_relative(0.2, 600), age=True),
    KpiDef("talk_cost", N_("Cost of talk time"), "money", None, ("Time and cost", 2)),
    KpiDef("by_hour", N_("Calls per hour"), "breakdown"),
    KpiDef("by_agent", N_("Operators"), "breakdown"),
    KpiDef("by_queue", N_("Queues"), "breakdown"),
    KpiDef("complaint_rate", N_("Complaint rate"), "rate", False, ("Results", 6),
           news=_points(0.05)),
    KpiDef("tagged", N_("Tagged calls"), "count", None, ("Results", 1)),
    KpiDef("conversions", N_("Conversions"), "count", True, ("Results", 4)),
    KpiDef("talk_seconds_total", N_("Talk time"), "seconds", None, ("Time and cost", 1),
           metric="talk_seconds"),
    KpiDef("talk_seconds_by_category", N_("Talk time by category"), "breakdown"),
)
# fmt: on

#: The figures of one operator (``by_agent``), in order.
AGENT_KPIS: tuple[KpiDef, ...] = (
    KpiDef("answered", N_("Answered"), "count", True),
    KpiDef("avg_talk_seconds", N_("Average talk time"), "seconds", False),
    KpiDef("total_talk_seconds", N_("Talk time"), "seconds", None),
    KpiDef("avg_wait_seconds", N_("Average wait"), "seconds", False),
    KpiDef("tagged_share", N_("Tagged"), "rate", True),
    KpiDef("conversions", N_("Conversions"), "count", True),
    KpiDef("missed_rings", N_("Missed rings"), "count", False),
    KpiDef("unreachable_rings", N_("Rings to a busy or unreachable phone"), "count", False),
    KpiDef("logged_in_seconds", N_("Logged in"), "seconds", None),
    KpiDef("paused_seconds", N_("Paused"), "seconds", None),
    KpiDef("paused_by_reason", N_("Paused by reason"), "breakdown"),
    KpiDef("occupancy", N_("Occupancy (talk / logged in)"), "rate", None),
)

#: The figures of one queue (``by_queue``), in order.
QUEUE_KPIS: tuple[KpiDef, ...] = (
    KpiDef("offered", N_("Offered"), "count", None),
    KpiDef("answered", N_("Answered"), "count", True),
    KpiDef("abandoned", N_("Abandoned"), "count", False),
    KpiDef("missed", N_("Missed"), "count", False),
    KpiDef("abandon_rate", N_("Abandon rate"), "rate", False),
    KpiDef("avg_wait_seconds", N_("Average wait"), "seconds", False),
    KpiDef("service_level", N_("Service level"), "rate", True),
    KpiDef("avg_talk_seconds", N_("Average talk time"), "seconds", False),
)

#: The KPIs of the trend table, in order: the main ones, comparable from period to period.
TREND_KEYS: tuple[str, ...] = (
    "offered",
    "answered",
    "abandon_rate",
    "service_level",
    "avg_wait_seconds",
    "avg_talk_seconds",
    "fcr_rate",
    "conversion_rate",
    "csat_score",
)

BY_KEY: dict[str, KpiDef] = {d.key: d for d in KPIS}


def definition(key: str) -> KpiDef | None:
    """The definition of a snapshot key, ``None`` for a key the table does not know."""
    return BY_KEY.get(key)


def label(key: str) -> str:
    """The label people read for ``key`` (an unknown key is spelled out: "Calls_x" -> "Calls x")."""
    found = BY_KEY.get(key)
    return found.label if found else key.replace("_", " ").capitalize()


def kind(key: str) -> Kind | None:
    """count / rate / seconds / score / money / breakdown, ``None`` for an unknown key."""
    found = BY_KEY.get(key)
    return found.kind if found else None


def higher_is_better(key: str) -> bool | None:
    """Whether a rise of ``key`` is good news (``None``: neutral or unknown)."""
    found = BY_KEY.get(key)
    return found.higher_is_better if found else None


def scalar_keys() -> list[str]:
    """The keys with one value (every kind but ``breakdown``), in snapshot order."""
    return [d.key for d in KPIS if d.kind != "breakdown"]


def report_groups() -> list[tuple[str, list[str]]]:
    """The report's groups of scalar KPIs with their keys, in print order."""
    placed = [d for d in KPIS if d.report is not None and d.report[0] in GROUPS]
    ordered = sorted(placed, key=lambda d: d.report or ("", 0))
    return [
        (group, [d.key for d in ordered if d.report is not None and d.report[0] == group])
        for group in GROUPS
    ]


def target_keys() -> list[str]:
    """The targets copied from the config into the snapshot (printed in the report's header)."""
    targets = [d for d in KPIS if d.report is not None and d.report[0] == TARGETS]
    return [d.key for d in sorted(targets, key=lambda d: d.report or ("", 0))]


def metric_kpis() -> list[KpiDef]:
    """The KPIs ``carewatch metrics`` exports, in snapshot order."""
    return [d for d in KPIS if d.metric is not None]


def markdown_table() -> str:
    """The table of docs/kpis.md: every key of the snapshot with its label, kind, which way is
    better and where the report prints it (a test keeps the docs equal to this)."""
    better = {True: "higher", False: "lower", None: ""}
    lines = ["| key | label | kind | better | in the report |", "|---|---|---|---|---|"]
    for d in KPIS:
        where = d.report[0] if d.report else "its own section"
        lines.append(
            f"| `{d.key}` | {d.label} | {d.kind} | {better[d.higher_is_better]} | {where} |"
        )
    return "\n".join(lines)
