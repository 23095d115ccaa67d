"""What the formats show, worked out once: the header's phrases, the category, hour,
operator, issue and call rows. Each format lays these out and escapes them its own way."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from carewatch.callstate import disposition
from carewatch.kpi.windows import Period
from carewatch.present import clean_text, duration, kpi_value, percent
from carewatch.records import CallRow
from carewatch.report.model import OpenIssue, Report

# -- the header ---------------------------------------------------------------------------------


def day_title(day: date) -> str:
    """ "Tuesday 14 May 2024"."""
    return f"{day:%A} {day.day} {day:%B %Y}"


def short_day(day: date) -> str:
    """ "Tue 14 May"."""
    return f"{day:%a} {day.day} {day:%b}"


def span_text(first: date, last: date) -> str:
    """ "13–19 May 2024", "29 Apr – 5 May 2024", "30 Dec 2024 – 5 Jan 2025"."""
    if first.year != last.year:
        return f"{first.day} {first:%b %Y} – {last.day} {last:%b %Y}"
    if first.month != last.month:
        return f"{first.day} {first:%b} – {last.day} {last:%b %Y}"
    return f"{first.day}–{last.day} {last:%b %Y}"


def period_title(period: Period) -> str:
    """ "Tuesday 14 May 2024", "Week 20 of 2024, 13–19 May", "May 2024", "1–10 May 2024"."""
    if period.kind == "day":
        return day_title(period.first)
    if period.kind == "week":
        year, week, _ = period.first.isocalendar()
        return f"Week {week} of {year} ({span_text(period.first, period.last)})"
    if period.kind == "month":
        return f"{period.first:%B %Y}"
    return span_text(period.first, period.last)


def period_short(period: Period) -> str:
    """A compared period in a column heading: "Mon 13 May", "W19 2024", "Apr 2024", or the
    first day of a range."""
    if period.kind == "day":
        return short_day(period.first)
    if period.kind == "week":
        year, week, _ = period.first.isocalendar()
        return f"W{week} {year}"
    if period.kind == "month":
        return f"{period.first:%b %Y}"
    return f"{period.first.day} {period.first:%b %Y}"


#: A period's kind as the report names it.
PERIOD_NOUN = {"day": "day", "week": "week", "month": "month", "range": "period"}


def summary_title(report: Report) -> str:
    """ "End-of-day summary" for a day, else "Weekly summary", "Monthly summary" or
    "Summary"; with the queue or the operator it is narrowed to."""
    title = {"day": "End-of-day summary", "week": "Weekly summary", "month": "Monthly summary"}
    text = title.get(report.period.kind, "Summary")
    return text + filter_text(report)


def filter_text(report: Report) -> str:
    """ " of queue support", " of operator desk-1" (cleaned), or ""."""
    parts = []
    if report.queue is not None:
        parts.append(f"queue {clean_text(report.queue)}")
    if report.agent is not None:
        parts.append(f"operator {clean_text(report.agent)}")
    return " of " + " and ".join(parts) if parts else ""


def local_time(report: Report, epoch: float, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """An instant as local time of the report's zone."""
    return datetime.fromtimestamp(epoch, report.tz).strftime(fmt)


def _point(report: Report, epoch: float) -> str:
    """A cut in the text: "12:30" in a day report, "15 May 11:00" in longer ones."""
    stamp = datetime.fromtimestamp(epoch, report.tz)
    return f"{stamp:%H:%M}" if report.is_day else f"{stamp.day} {stamp:%b %H:%M}"


def as_of_text(report: Report) -> str:
    """ "Figures for the whole day"; "Day not over: figures up to 14:05; the days compared are
    taken up to 14:05 too"; "Month not over: figures up to 15 May 11:00, compared with the
    other months up to the same point (15 Apr 2024 11:00 and 15 May 2023 11:00)"."""
    noun = PERIOD_NOUN[report.period.kind]
    if report.complete:
        return f"Figures for the whole {noun}"
    point = _point(report, report.as_of)
    if report.is_day:
        return f"Day not over: figures up to {point}; the days compared are taken up to {point} too"
    cuts = " and ".join(_cut_text(report, c.up_to) for c in (report.previous, report.earlier))
    return (
        f"{noun.capitalize()} not over: figures up to {point}, compared with the other "
        f"{noun}s up to the same point ({cuts})"
    )


def _cut_text(report: Report, epoch: float) -> str:
    stamp = datetime.fromtimestamp(epoch, report.tz)
    return f"{stamp.day} {stamp:%b %Y %H:%M}"


def compared_days(report: Report) -> str:
    """ "the day before (Mon 13 May) and the same weekday a week earlier (Tue 7 May)", and
    for longer periods "the month before (April 2024) and the same month a year earlier
    (May 2023)"."""
    prev, earl = report.previous.period, report.earlier.period
    if report.is_day:
        return (
            f"the day before ({short_day(prev.first)}) and the same weekday a week "
            f"earlier ({short_day(earl.first)})"
        )
    if report.period.kind == "month":
        return (
            f"the month before ({period_title(prev)}) and the same month a year earlier "
            f"({period_title(earl)})"
        )
    noun, same = (
        ("week", "the same week")
        if report.period.kind == "week"
        else (
            f"{report.period.days} days",
            "the same days",
        )
    )
    return (
        f"the {noun} before ({span_text(prev.first, prev.last)}) and {same} a year earlier "
        f"({span_text(earl.first, earl.last)})"
    )


def vs_headings(report: Report) -> tuple[str, str]:
    """The headings of the two change columns: "vs Mon 13 May", "vs Tue 7 May"."""
    return (
        f"vs {period_short(report.previous.period)}",
        f"vs {period_short(report.earlier.period)}",
    )


def value_heading(report: Report) -> str:
    """The heading of the value column: "today" for a day (the report's own day), else "this
    week", "this month" or "period"."""
    return {"day": "today", "week": "this week", "month": "this month"}.get(
        report.period.kind, "period"
    )


def empty_notice(report: Report) -> str | None:
    """For a period without a call: "No calls between 1 Jun 2024 and 30 Jun 2024; the database
    holds calls from 7 May 2024 to 14 May 2024." ``None`` when the period had calls."""
    k = report.kpis
    if k.get("offered") or k.get("outbound"):
        return None
    last = report.period.last if report.complete else None
    until = f"{last.day} {last:%b %Y}" if last else f"{_cut_text(report, report.as_of)} (now)"
    first = report.period.first
    text = f"No calls{filter_text(report)} between {first.day} {first:%b %Y} and {until}; "
    if report.data_span is None:
        return text + "the database holds none."
    a, b = (datetime.fromtimestamp(t, report.tz).date() for t in report.data_span)
    return text + f"the database holds calls from {a.day} {a:%b %Y} to {b.day} {b:%b %Y}."


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


def issues_summary(kpis: Mapping[str, Any], noun: str = "day") -> str:
    """ "Opened this day: 3; resolved: 1, in 2 h 05 min on average."."""
    return (
        f"Opened this {noun}: {int(kpis.get('issues_opened') or 0):,}; resolved: "
        f"{int(kpis.get('issues_resolved') or 0):,}, in "
        f"{kpi_value('avg_resolution_seconds', kpis.get('avg_resolution_seconds'))} on average."
    )


def call_result(call: CallRow) -> str:
    """ "answered", "abandoned", "missed" or "waiting", with " (out)" for an outbound call."""
    return (disposition(call) or "waiting") + (" (out)" if call.direction == "out" else "")
