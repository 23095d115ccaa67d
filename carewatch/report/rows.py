"""What the formats show, worked out once: the header's phrases, the category, hour,
operator, issue and call rows. Each format lays these out and escapes them its own way.

Every phrase is a whole sentence of the catalog (:mod:`carewatch.i18n`); the words that
depend on the kind of period are in :mod:`carewatch.report.words`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from carewatch.callstate import disposition
from carewatch.i18n import N_, _
from carewatch.kpi.windows import Period
from carewatch.present import (
    clean_text,
    count,
    date_text,
    duration,
    kpi_value,
    name_order,
    percent,
    time_text,
)
from carewatch.records import UNTAGGED, CallRow
from carewatch.report.model import Compared, OpenIssue, Report
from carewatch.report.values import had_calls, left_out
from carewatch.report.words import (
    NOT_OVER,
    NOT_STARTED,
    OPENED_SUMMARY,
    SUMMARY_TITLES,
    VALUE_HEADINGS,
    WHOLE_PERIOD,
    and_text,
    by_kind,
    over_in_progress,
    result_word,
)

# -- the header ---------------------------------------------------------------------------------


def day_title(day: date) -> str:
    """ "Tuesday 14 May 2024" ("martedì 14 maggio 2024")."""
    return date_text(day, "full")


def short_day(day: date, *, year: bool = False) -> str:
    """ "Tue 14 May"; with ``year`` "Tue 14 May 2024" (:func:`years_shown`)."""
    return date_text(day, "short_weekday_year" if year else "short_weekday")


def years_shown(report: Report, period: Period | None = None) -> bool:
    """Whether the short labels of the days of ``period`` (default: the report's own) carry
    their year ("Mon 28 Dec 2026"): the report's period spans two calendar years, or
    ``period``, one compared with it, does or lies in another year than the report's. A report
    of days of one year, compared with days of that year, labels them without it."""
    own = report.period
    if own.first.year != own.last.year:
        return True
    return period is not None and {period.first.year, period.last.year} != {own.first.year}


def compared_short(report: Report, period: Period) -> str:
    """:func:`period_short` of a period compared with the report's, with its year when
    :func:`years_shown` says so ("Thu 31 Dec 2026" beside a report of 1 Jan 2027)."""
    return period_short(period, year=years_shown(report, period))


def span_text(first: date, last: date, *, year: bool = True) -> str:
    """ "13–19 May 2024", "29 Apr – 5 May 2024", "30 Dec 2024 – 5 Jan 2025"; one day is
    "19 Nov 2026"; without ``year`` (days of one period), "1–19 Nov", "28 Oct – 3 Nov"."""
    end = "day_month_year" if year else "day_month"
    if first == last:
        return date_text(last, end)
    if first.year != last.year:
        return f"{date_text(first, end)} – {date_text(last, end)}"
    if first.month != last.month:
        return f"{date_text(first, 'day_month')} – {date_text(last, end)}"
    return f"{first.day}–{date_text(last, end)}"


def period_title(period: Period) -> str:
    """ "Tuesday 14 May 2024", "Week 20 of 2024 (13–19 May 2024)", "May 2024", "1–10 May 2024"."""
    if period.kind == "day":
        return day_title(period.first)
    if period.kind == "week":
        year, week, _day = period.first.isocalendar()
        return _("Week {week} of {year} ({span})").format(
            week=week, year=year, span=span_text(period.first, period.last)
        )
    if period.kind == "month":
        return date_text(period.first, "month_year")
    return span_text(period.first, period.last)


def period_short(period: Period, *, year: bool = False) -> str:
    """A compared period in a column heading: "Mon 13 May" (with ``year`` "Mon 13 May 2024"),
    "W19 2024", "Apr 2024", or the first day of a range."""
    if period.kind == "day":
        return short_day(period.first, year=year)
    if period.kind == "week":
        iso_year, week, _day = period.first.isocalendar()
        return _("W{week} {year}").format(week=week, year=iso_year)
    if period.kind == "month":
        return date_text(period.first, "short_month_year")
    return date_text(period.first, "day_month_year")


def summary_title(report: Report) -> str:
    """ "End-of-day summary" for a day, else "Weekly summary", "Monthly summary" or
    "Summary"; with the queue or the operator it is narrowed to."""
    return by_kind(report.period.kind, SUMMARY_TITLES) + filter_text(report)


def filter_text(report: Report) -> str:
    """ " of queue support", " of operator desk-1" (cleaned), or ""."""
    parts = []
    if report.queue is not None:
        parts.append(_("queue {queue}").format(queue=clean_text(report.queue)))
    if report.agent is not None:
        parts.append(_("operator {agent}").format(agent=clean_text(report.agent)))
    if not parts:
        return ""
    what = parts[0] if len(parts) == 1 else and_text(parts[0], parts[1])
    return _(" of {what}").format(what=what)


def local_time(report: Report, epoch: float, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """An instant as local time of the report's zone: ``fmt`` a ``strftime`` pattern (a
    machine-like form: "2024-05-14 12:00", "09:30"), or the name of one of
    :data:`carewatch.present.DATE_FORMS` (a form people read, in their language)."""
    return time_text(datetime.fromtimestamp(epoch, report.tz), fmt)


def call_time_form(report: Report, clock: str = "%H:%M") -> str:
    """How a call of the report is timed: ``clock`` in a day report (a ``strftime`` pattern or
    a form of :data:`carewatch.present.DATE_FORMS`), else "14 May 09:30", or "28 Dec 2026
    09:30" across two years (:func:`years_shown`)."""
    if report.is_day:
        return clock
    return "day_month_year_time" if years_shown(report) else "day_month_time"


def _point(report: Report, epoch: float) -> str:
    """A cut in the text: "12:30" in a day report, "15 May 11:00" in longer ones."""
    stamp = datetime.fromtimestamp(epoch, report.tz)
    if report.is_day:
        return f"{stamp:%H:%M}"
    form = "day_month_year_time" if years_shown(report) else "short_day_month_time"
    return date_text(stamp, form)


def as_of_text(report: Report) -> str:
    """ "Figures for the whole day" ("Day over; 2 calls that began in it are still in
    progress: their figures are not final" while some are: :attr:`Report.in_progress_calls`);
    "Day not over: figures up to 14:05; the days compared are
    taken up to 14:05 too"; "Month not over: figures up to 15 May 11:00, compared with the
    other months up to the same point (15 Apr 2024 11:00 and 15 May 2023 11:00)"."""
    if report.complete:
        if report.in_progress_calls:  # a period just over: calls of it still open
            return over_in_progress(report.period.kind, report.in_progress_calls)
        return by_kind(report.period.kind, WHOLE_PERIOD)
    if report.not_started:
        start = date_text(report.period.first, "day_month_year")
        return by_kind(report.period.kind, NOT_STARTED).format(start=start)
    point = _point(report, report.as_of)
    if report.is_day:
        return _(
            "Day not over: figures up to {point}; the days compared are taken up to {point} too"
        ).format(point=point)
    cuts = and_text(*(_compared_cut(report, c) for c in (report.previous, report.earlier)))
    return by_kind(report.period.kind, NOT_OVER).format(point=point, cuts=cuts)


def _compared_cut(report: Report, compared: Compared) -> str:
    """Up to where a compared period is taken: "15 Apr 2024 11:00", or "all of February
    2024" for a month too short to reach the same point (its end, 1 March 00:00, would read
    as a day of the month after)."""
    if compared.complete:
        return _("all of {period}").format(period=period_title(compared.period))
    return _cut_text(report, compared.up_to)


def _cut_text(report: Report, epoch: float) -> str:
    return date_text(datetime.fromtimestamp(epoch, report.tz), "day_month_year_time")


def compared_days(report: Report) -> str:
    """ "the day before (Mon 13 May) and the same weekday a week earlier (Tue 7 May)", and
    for longer periods "the month before (April 2024) and the same month a year earlier
    (May 2023)"."""
    prev, earl = report.previous.period, report.earlier.period
    if report.is_day:
        return _(
            "the day before ({before}) and the same weekday a week earlier ({earlier})"
        ).format(before=compared_short(report, prev), earlier=compared_short(report, earl))
    if report.period.kind == "month":
        return _(
            "the month before ({before}) and the same month a year earlier ({earlier})"
        ).format(before=period_title(prev), earlier=period_title(earl))
    before, earlier = span_text(prev.first, prev.last), span_text(earl.first, earl.last)
    if report.period.kind == "week":
        return _("the week before ({before}) and the same week a year earlier ({earlier})").format(
            before=before, earlier=earlier
        )
    if report.period.days == 1:  # a range of one day
        return _("the day before ({before}) and the same day a year earlier ({earlier})").format(
            before=before, earlier=earlier
        )
    return _(
        "the {days} days before ({before}) and the same days a year earlier ({earlier})"
    ).format(days=report.period.days, before=before, earlier=earlier)


def vs_headings(report: Report) -> tuple[str, str]:
    """The headings of the two change columns: "vs Mon 13 May", "vs Tue 7 May"; a day of
    another year "vs 31 Dec 2026" (:func:`years_shown`; with its weekday too it would not fit
    the text's column)."""
    vs = _("vs {period}")
    return (
        vs.format(period=_heading_short(report, report.previous.period)),
        vs.format(period=_heading_short(report, report.earlier.period)),
    )


def _heading_short(report: Report, period: Period) -> str:
    if period.kind == "day" and years_shown(report, period):
        return date_text(period.first, "day_month_year")
    return period_short(period)


def value_heading(report: Report) -> str:
    """The heading of the value column: "today" for a day (the report's own day), else "this
    week", "this month" or "period"."""
    return by_kind(report.period.kind, VALUE_HEADINGS)


def empty_notice(report: Report) -> str | None:
    """For a period without a call: "No calls between 1 Jun 2024 and 30 Jun 2024; the database
    holds calls from 7 May 2024 to 14 May 2024."; for one day "No calls on 14 May 2024 up to
    03:00 (now); …". ``None`` when the period had calls."""
    k = report.kpis
    if k.get("offered") or k.get("outbound"):
        return None
    where = filter_text(report)
    held: dict[str, str] = {}
    if report.data_span is not None:
        a, b = (datetime.fromtimestamp(t, report.tz).date() for t in report.data_span)
        held = {"start": date_text(a, "day_month_year"), "end": date_text(b, "day_month_year")}
    if report.not_started:  # as_of_text says when it begins
        if not held:
            return _("No calls{filter} yet; the database holds none.").format(filter=where)
        text = _("No calls{filter} yet; the database holds calls from {start} to {end}.")
        return text.format(filter=where, **held)
    first = date_text(report.period.first, "day_month_year")
    if report.is_day:  # one day: "on 14 May 2024", "on 14 May 2024 up to 03:00 (now)"
        day = first
        if not report.complete:
            clock = datetime.fromtimestamp(report.as_of, report.tz).strftime("%H:%M")
            day = _("{day} up to {time} (now)").format(day=first, time=clock)
        if not held:
            text = _("No calls{filter} on {day}; the database holds none.")
            return text.format(filter=where, day=day)
        text = _("No calls{filter} on {day}; the database holds calls from {start} to {end}.")
        return text.format(filter=where, day=day, **held)
    if report.complete:
        until = date_text(report.period.last, "day_month_year")
    else:
        until = _("{time} (now)").format(time=_cut_text(report, report.as_of))
    if not held:
        return _("No calls{filter} between {first} and {until}; the database holds none.").format(
            filter=where, first=first, until=until
        )
    return _(
        "No calls{filter} between {first} and {until}; the database holds calls from {start} "
        "to {end}."
    ).format(filter=where, first=first, until=until, **held)


def operator_notice(report: Report) -> str | None:
    """Why an operator's report has no abandoned, missed or answer-rate rows
    (:func:`carewatch.report.values.left_out`); ``None`` when it has them."""
    if not left_out(report) or not had_calls(report.kpis):
        return None
    return _(
        "The calls of an operator are the calls they took: abandoned and missed calls reach "
        "no operator and are left out; the rings they let go are under Operators."
    )


def targets_text(report: Report) -> str:
    """The targets the figures are read against, as one sentence."""
    return _(
        "Targets: talk time {talk} per call; service level = answered within {threshold}."
    ).format(
        talk=duration(report.talk_target_seconds),
        threshold=duration(report.service_level_seconds),
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
            "name": UNTAGGED,
            "count": int(k.get("untagged") or 0),
            "share": None,
            "talk_seconds": untagged_talk_seconds(k),
            "cost": cost.get(UNTAGGED),
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
    N_("Operator"),
    N_("Answered"),
    N_("Avg talk"),
    N_("Talk time"),
    N_("Avg wait"),
    N_("Tagged"),
    N_("Conversions"),
    N_("Missed rings"),
)
#: Their alignment, a letter a column as in a Markdown table: the operator left, figures right.
AGENT_ALIGN = "lrrrrrrr"


def agent_rows(kpis: Mapping[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Operators, most answered calls first, then by name."""
    agents = kpis.get("by_agent") or {}
    return sorted(
        agents.items(), key=lambda kv: (-int(kv[1].get("answered") or 0), name_order(kv[0]))
    )


def agent_cells(figures: Mapping[str, Any]) -> tuple[str, ...]:
    """One operator's figures as shown: answered, average talk, talk time, average wait,
    tagged share, conversions, missed rings."""
    return (
        count(int(figures.get("answered") or 0)),
        duration(figures.get("avg_talk_seconds")),
        duration(figures.get("total_talk_seconds")),
        duration(figures.get("avg_wait_seconds")),
        percent(figures.get("tagged_share"), 0),
        count(int(figures.get("conversions") or 0)),
        count(int(figures.get("missed_rings") or 0)),
    )


# -- issues and calls ----------------------------------------------------------------------------


def issues_by_age(report: Report) -> list[OpenIssue]:
    """The open issues, oldest first (then by number)."""
    return sorted(report.open_issues, key=lambda i: (-i.age_seconds, i.id))


def issues_summary(kpis: Mapping[str, Any], kind: str = "day") -> str:
    """ "Opened this day: 3; resolved: 1, in 2 h 05 min on average." (``kind``: the kind of
    period)."""
    return by_kind(kind, OPENED_SUMMARY).format(
        opened=count(int(kpis.get("issues_opened") or 0)),
        resolved=count(int(kpis.get("issues_resolved") or 0)),
        average=kpi_value("avg_resolution_seconds", kpis.get("avg_resolution_seconds")),
    )


def call_result(call: CallRow) -> str:
    """ "answered", "abandoned", "missed" or "waiting", with " (out)" for an outbound call."""
    word = result_word(disposition(call))
    return _("{result} (out)").format(result=word) if call.direction == "out" else word
