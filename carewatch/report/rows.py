"""What the formats show, worked out once: the header's phrases, the category, hour,
operator, issue and call rows. Each format lays these out and escapes them its own way."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from carewatch.callstate import disposition
from carewatch.kpi.windows import day_window
from carewatch.present import duration, kpi_value, percent
from carewatch.records import CallRow
from carewatch.report.model import OpenIssue, Report

# -- the header ---------------------------------------------------------------------------------


def day_title(day: date) -> str:
    """ "Tuesday 14 May 2024"."""
    return f"{day:%A} {day.day} {day:%B %Y}"


def short_day(day: date) -> str:
    """ "Tue 14 May"."""
    return f"{day:%a} {day.day} {day:%b}"


def local_time(report: Report, epoch: float, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """An instant as local time of the report's zone."""
    return datetime.fromtimestamp(epoch, report.tz).strftime(fmt)


def as_of_text(report: Report) -> str:
    """ "Figures for the whole day" or "Day not over: figures up to 14:05"."""
    if report.as_of >= day_window(report.day, report.tz).end:
        return "Figures for the whole day"
    return f"Day not over: figures up to {local_time(report, report.as_of, '%H:%M')}"


def compared_days(report: Report) -> str:
    """ "the day before (Mon 13 May) and the same weekday a week earlier (Tue 7 May)"."""
    return (
        f"the day before ({short_day(report.previous_date)}) and the same weekday a week "
        f"earlier ({short_day(report.last_week_date)})"
    )


def vs_headings(report: Report) -> tuple[str, str]:
    """The headings of the two change columns: "vs Mon 13 May", "vs Tue 7 May"."""
    return f"vs {short_day(report.previous_date)}", f"vs {short_day(report.last_week_date)}"


def targets_text(report: Report) -> str:
    """The targets the figures are read against, as one sentence."""
    return (
        f"Targets: talk time {duration(report.talk_target_seconds)} per call; service level "
        f"= answered within {duration(report.service_level_seconds)}."
    )


# -- hours ---------------------------------------------------------------------------------------


def hour_rows(kpis: Mapping[str, Any]) -> list[dict[str, int]]:
    """The 24 hourly buckets (always 24, hour 0–23)."""
    buckets = {h: {"hour": h, "offered": 0, "answered": 0, "abandoned": 0} for h in range(24)}
    for entry in kpis.get("by_hour") or ():
        hour = int(entry.get("hour", -1))
        if hour in buckets:
            for key in ("offered", "answered", "abandoned"):
                buckets[hour][key] = int(entry.get(key) or 0)
    return [buckets[h] for h in range(24)]


def chart_hours(hours: Sequence[Mapping[str, int]], min_span: int = 12) -> list[Mapping[str, int]]:
    """The hours a chart shows: from the first to the last hour with calls, widened to at
    least ``min_span`` hours (the quiet night hours of a day-time centre are left out)."""
    busy = [h["hour"] for h in hours if h["offered"]]
    if not busy:
        return list(hours)
    first, last = min(busy), max(busy)
    while last - first + 1 < min_span:
        if first > 0:
            first -= 1
        if last - first + 1 < min_span and last < 23:
            last += 1
    return [h for h in hours if first <= h["hour"] <= last]


# -- categories ----------------------------------------------------------------------------------


def category_rows(report: Report) -> list[dict[str, Any]]:
    """The category mix as rows, most calls first (then config order): name, count, share,
    talk seconds, cost, threshold, alert; plus a last row for the untagged calls."""
    k = report.kpis
    mix = k.get("category_mix") or {}
    talk = k.get("talk_seconds_by_category") or {}
    cost = (k.get("talk_cost") or {}).get("by_category") or {}
    alerts = {a["category"] for a in k.get("category_alerts") or ()}
    order = {name: i for i, name in enumerate(mix)}
    rows = [
        {
            "name": name,
            "count": int(entry.get("count") or 0),
            "share": entry.get("share"),
            "talk_seconds": talk.get(name),
            "cost": cost.get(name),
            "threshold": report.category_alert_shares.get(name),
            "alert": name in alerts,
        }
        for name, entry in mix.items()
    ]
    rows.sort(key=lambda r: (-r["count"], order[r["name"]]))
    rows.append(
        {
            "name": "untagged",
            "count": int(k.get("untagged") or 0),
            "share": None,
            "talk_seconds": untagged_talk_seconds(k),
            "cost": cost.get("untagged"),
            "threshold": None,
            "alert": False,
            "untagged": True,
        }
    )
    return rows


def untagged_talk_seconds(kpis: Mapping[str, Any]) -> float | None:
    """Talk time of the calls without a category: the total less the categories' talk."""
    total = kpis.get("talk_seconds_total")
    if total is None:
        return None
    by_category = kpis.get("talk_seconds_by_category") or {}
    return max(0.0, float(total) - sum(float(v or 0) for v in by_category.values()))


# -- operators -----------------------------------------------------------------------------------

#: The headings of the operator table in Markdown and HTML: the operator, then
#: :func:`agent_cells`.
AGENT_HEADINGS = (
    "Operator",
    "Answered",
    "Avg talk",
    "Talk time",
    "Avg wait",
    "Tagged",
    "Conversions",
    "Missed rings",
)
#: Their alignment, a letter a column as in a Markdown table: the operator left, figures right.
AGENT_ALIGN = "lrrrrrrr"


def agent_rows(kpis: Mapping[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Operators, most answered calls first, then by name."""
    agents = kpis.get("by_agent") or {}
    return sorted(agents.items(), key=lambda kv: (-int(kv[1].get("answered") or 0), kv[0]))


def agent_cells(figures: Mapping[str, Any]) -> tuple[str, ...]:
    """One operator's figures as shown: answered, average talk, talk time, average wait,
    tagged share, conversions, missed rings."""
    return (
        f"{int(figures.get('answered') or 0):,}",
        duration(figures.get("avg_talk_seconds")),
        duration(figures.get("total_talk_seconds")),
        duration(figures.get("avg_wait_seconds")),
        percent(figures.get("tagged_share"), 0),
        f"{int(figures.get('conversions') or 0):,}",
        f"{int(figures.get('missed_rings') or 0):,}",
    )


# -- issues and calls ----------------------------------------------------------------------------


def issues_by_age(report: Report) -> list[OpenIssue]:
    """The open issues, oldest first (then by number)."""
    return sorted(report.open_issues, key=lambda i: (-i.age_seconds, i.id))


def issues_summary(kpis: Mapping[str, Any]) -> str:
    """ "Opened this day: 3; resolved: 1, in 2 h 05 min on average."."""
    return (
        f"Opened this day: {int(kpis.get('issues_opened') or 0):,}; resolved: "
        f"{int(kpis.get('issues_resolved') or 0):,}, in "
        f"{kpi_value('avg_resolution_seconds', kpis.get('avg_resolution_seconds'))} on average."
    )


def call_result(call: CallRow) -> str:
    """ "answered", "abandoned", "missed" or "waiting", with " (out)" for an outbound call."""
    return (disposition(call) or "waiting") + (" (out)" if call.direction == "out" else "")
