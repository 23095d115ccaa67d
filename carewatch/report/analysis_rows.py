"""The rows of the manager's sections, worked out once for every format: queues, the trend,
operators' time, what callers wanted, what a cut would save, callers to call back. Each
format lays these cells out and escapes text from logs its own way (the cells here are
formatted by :mod:`carewatch.present` but not escaped)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, tzinfo
from typing import Any, NamedTuple, TypeVar

from carewatch.config import Privacy
from carewatch.i18n import N_, _, ngettext
from carewatch.kpi.callbacks import Callback
from carewatch.kpi.definitions import QUEUE_KPIS, TREND_KEYS
from carewatch.kpi.windows import Period
from carewatch.present import (
    DASH,
    count,
    date_text,
    duration,
    kpi_label,
    mask_caller,
    money,
    name_order,
    percent,
    time_text,
)
from carewatch.report.model import DayRow, Report, Request, TrendRow
from carewatch.report.rows import short_day, span_text, years_shown
from carewatch.report.values import left_out
from carewatch.report.words import result_word

T = TypeVar("T")

# -- queues ----------------------------------------------------------------------------------

#: The queue table's headings (the queue, then :data:`QUEUE_KPIS`) and alignment.
QUEUE_HEADINGS = (
    N_("Queue"),
    N_("Offered"),
    N_("Answered"),
    N_("Abandoned"),
    N_("Missed"),
    N_("Abandon rate"),
    N_("Avg wait"),
    N_("Service level"),
    N_("Avg talk"),
)
QUEUE_ALIGN = "lrrrrrrrr"


def shown_columns(report: Report) -> tuple[int, ...]:
    """The figures of the queue and day tables a report shows (indexes into
    :data:`QUEUE_KPIS`): all, but for an operator's report those that read 0 for any operator
    (:func:`carewatch.report.values.left_out`: abandoned, missed, abandon rate)."""
    hidden = left_out(report)
    return tuple(i for i, d in enumerate(QUEUE_KPIS) if d.key not in hidden)


def shown(report: Report, cells: Sequence[T]) -> tuple[T, ...]:
    """The cells of a queue or day table's figures (:data:`QUEUE_KPIS` order) the report
    shows (:func:`shown_columns`)."""
    return tuple(cells[i] for i in shown_columns(report))


def queue_rows(kpis: Mapping[str, Any]) -> list[tuple[str, tuple[str, ...]]]:
    """Each queue with its figures as shown, most calls offered first, then by name."""
    queues = kpis.get("by_queue") or {}
    ordered = sorted(queues.items(), key=lambda kv: (-int(kv[1].get("offered") or 0), kv[0]))
    return [(name, queue_cells(figures)) for name, figures in ordered]


def queue_cells(figures: Mapping[str, Any]) -> tuple[str, ...]:
    """One queue's figures as shown, in :data:`QUEUE_KPIS` order."""
    cells = []
    for d in QUEUE_KPIS:
        value = figures.get(d.key)
        if d.kind == "rate":
            cells.append(percent(value))
        elif d.kind == "seconds":
            cells.append(duration(value))
        else:
            cells.append(count(int(value or 0)))
    return tuple(cells)


# -- days ------------------------------------------------------------------------------------

#: What a day before the logs begin shows in place of its figures.
BEFORE_LOGS = N_("before the logs begin")
#: What a closed day (the config's ``closed_days``) with no call shows in place of its figures.
CLOSED = N_("closed")


def day_label(row: DayRow, *, year: bool = False, weekend: bool = False) -> str:
    """A day of the period with its weekday: "Mon 5 Oct" ("*" after it while not over), with
    ``year`` "Mon 5 Oct 2026" (:func:`~carewatch.report.rows.years_shown`); a day of the
    config's ``closed_days`` with calls logged is "Sat 26 Dec, closed"; with ``weekend`` a
    Saturday or a Sunday says so: "Sat 10 Oct, weekend", "Sat 26 Dec, closed, weekend"."""
    name = short_day(row.day, year=year)
    if row.closed and row.figures is not None and row.figures.get("offered"):
        name = _("{day}, closed").format(day=name)
    if weekend and row.weekend:
        name = _("{day}, weekend").format(day=name)
    return name + (" *" if row.partial else "")


def day_cells(row: DayRow) -> tuple[str, ...] | None:
    """A day's figures as shown, in :data:`QUEUE_KPIS` order; ``None`` before the logs."""
    return None if row.figures is None else queue_cells(row.figures)


class DayLine(NamedTuple):
    """A row of the days table: the day's label, and its figures as shown or the words in
    their place (:data:`BEFORE_LOGS`, :data:`CLOSED`), translated; ``day`` is ``None`` for
    the row of the days before the logs begin, ``weekend`` true for a Saturday or a Sunday."""

    label: str
    cells: tuple[str, ...] | str
    day: date | None = None
    weekend: bool = False


def day_table(report: Report, *, year: bool | None = None, weekend: bool = False) -> list[DayLine]:
    """The days table of a report for reading: each day from where the logs begin, labelled
    (:func:`day_label`) with its figures as shown, a closed day with no call with "closed" in
    their place (:data:`CLOSED`); the days before it in one row of their span ("1–19 Nov",
    "before the logs begin"): a month whose logs begin on the 20th reads one line there, not
    nineteen. The JSON and the CSV keep a record per day. ``year``: whether the labels carry
    the year (default: :func:`~carewatch.report.rows.years_shown`); ``weekend``: whether a
    weekend day's label says so (the text format parts the weeks by a line instead)."""
    if year is None:
        year = years_shown(report)
    before = [r.day for r in report.days if r.figures is None]
    out: list[DayLine] = []
    if before:
        first, last = before[0], before[-1]
        # one row, with no year line of the text before it: with its year across two years
        whole = years_shown(report)
        span = short_day(first, year=whole) if first == last else span_text(first, last, year=whole)
        out.append(DayLine(span, _(BEFORE_LOGS)))
    for row in report.days:
        cells = day_cells(row)
        if cells is None:
            continue
        label = day_label(row, year=year, weekend=weekend)
        if row.closed and not (row.figures or {}).get("offered"):
            out.append(DayLine(label, _(CLOSED), row.day, row.weekend))
        else:
            out.append(DayLine(label, shown(report, cells), row.day, row.weekend))
    return out


def days_note(report: Report, *, shaded: bool = False) -> str:
    """What the days' table says beyond its columns: the day in progress, the days before the
    logs begin; with ``shaded`` (the HTML's), that a shaded row is a weekend day."""
    notes = [_("A day without a call logged shows 0 calls.")]
    if shaded and any(r.weekend for r in report.days):
        notes.append(_("Shaded: Saturday and Sunday."))
    if any(r.closed for r in report.days):
        notes.append(
            _(
                "Closed: a day the config lists in closed_days; no call is expected, and the "
                "calls logged on it count."
            )
        )
    if any(r.figures is None for r in report.days) and report.logged_from is not None:
        notes.append(
            _("The logs begin on {day}: nothing was logged before it.").format(
                day=date_text(report.logged_from, "day_month_year")
            )
        )
    if any(r.partial for r in report.days):
        notes.append(_("* = so far (the day is not over)."))
    return " ".join(notes)


# -- trend -----------------------------------------------------------------------------------

#: Short headings of the trend's KPIs (the full labels are in the definitions).
TREND_HEADINGS = {
    "offered": N_("Offered"),
    "answered": N_("Answered"),
    "abandon_rate": N_("Aband."),
    "service_level": N_("SL"),
    "avg_wait_seconds": N_("Avg wait"),
    "avg_talk_seconds": N_("Avg talk"),
    "fcr_rate": N_("FCR"),
    "conversion_rate": N_("Conv."),
    "csat_score": N_("CSAT"),
}


def trend_label(report: Report, row: TrendRow, mark: str = " *") -> str:
    """A period of the trend: "Tue 14 May", "2024-W20", "May 2024", or a range's first day,
    with ``mark`` after it while in progress; a day of another year than the report's "25 Dec
    2026" (with its weekday too it would not fit the text's column)."""
    return _trend_period(row.period, report.period.last.year) + (mark if row.partial else "")


def _trend_period(period: Period, year: int) -> str:
    if period.kind == "day":
        if period.first.year != year:
            return date_text(period.first, "day_month_year")
        return date_text(period.first, "short_weekday")
    if period.kind == "month":
        return date_text(period.first, "short_month_year")
    if period.kind == "week":
        return period.label
    return date_text(period.first, "day_month_year")


def trend_cells(figures: Mapping[str, Any]) -> tuple[str, ...]:
    """One period's trend figures as shown, in :data:`TREND_KEYS` order (rates in whole
    percent, to fit a printed line)."""
    cells = []
    for key in TREND_KEYS:
        value = figures.get(key)
        if key in ("offered", "answered"):
            cells.append(count(int(value or 0)))
        elif key.endswith("_seconds"):
            cells.append(duration(value))
        else:
            cells.append(percent(value, 0))
    return tuple(cells)


def _lower(text: str) -> str:
    """ "Abandon rate" -> "abandon rate", but "CSAT (rated 4–5)" stays."""
    return text[0].lower() + text[1:] if text[1:2].islower() else text


def trend_note(report: Report) -> str:
    """What the trend's columns are, and which row is not over."""
    names = "; ".join(f"{_(TREND_HEADINGS[k])} = {_lower(kpi_label(k))}" for k in TREND_KEYS[2:])
    partial = (
        " " + _("* = so far (the period is not over).")
        if any(r.partial for r in report.trend)
        else ""
    )
    return f"{names}.{partial}"


# -- operators' time -------------------------------------------------------------------------

TIME_HEADINGS = (
    N_("Operator"),
    N_("Logged in"),
    N_("Paused"),
    N_("Talk time"),
    N_("Occupancy"),
    N_("Missed rings"),
    N_("Unreachable"),
)
TIME_ALIGN = "lrrrrrr"


def time_rows(kpis: Mapping[str, Any]) -> list[tuple[str, tuple[str, ...], str]]:
    """Each operator's time: the cells of :data:`TIME_HEADINGS` (after the name) and their
    pauses by reason ("lunch 45 min, break 10 min"), longest logged in first."""
    agents = kpis.get("by_agent") or {}
    ordered = sorted(
        agents.items(),
        key=lambda kv: (-float(kv[1].get("logged_in_seconds") or 0), name_order(kv[0])),
    )
    out: list[tuple[str, tuple[str, ...], str]] = []
    for name, a in ordered:
        unreachable = a.get("unreachable_rings")
        cells = (
            duration(a.get("logged_in_seconds")),
            duration(a.get("paused_seconds")),
            duration(a.get("total_talk_seconds")),
            percent(a.get("occupancy"), 0),
            count(int(a.get("missed_rings") or 0)),
            DASH if unreachable is None else count(int(unreachable)),
        )
        out.append((name, cells, pauses_text(a.get("paused_by_reason") or {})))
    return out


def pauses_text(by_reason: Mapping[str, float]) -> str:
    """ "lunch 45 min 00 s, break 10 min 00 s" (longest first; "no reason" for none)."""
    ordered = sorted(by_reason.items(), key=lambda kv: (-kv[1], kv[0]))
    none = _("no reason")
    return ", ".join(f"{reason or none} {duration(secs)}" for reason, secs in ordered)


TIME_NOTE = N_(
    "Logged in = a member of a queue (from the phone system's login and logoff events); "
    "occupancy = talk time / logged in; missed rings = rings the operator let ring out; "
    "unreachable = rings to a phone that could not ring at all."
)


# -- what callers wanted, what it would save ---------------------------------------------------


def request_counts(request: Request) -> str:
    """ "3 calls, 75.0% of tagged calls" (the category's name is the format's to escape)."""
    return ngettext(
        "{count} call, {share} of tagged calls",
        "{count} calls, {share} of tagged calls",
        request.count,
    ).format(count=count(request.count), share=percent(request.share))


def complaint_text(report: Report) -> str:
    """ "Complaints: 12.5% of tagged calls (complaint)." or why there is no figure."""
    rate = report.kpis.get("complaint_rate")
    if not report.complaint_categories:
        return _("Complaint rate: – (no category is marked as a complaint in the config).")
    listed = ", ".join(report.complaint_categories)
    if rate is None:
        return _("Complaint rate: – (no call is tagged; complaint categories: {listed}).").format(
            listed=listed
        )
    return _("Complaint rate: {rate} of tagged calls (complaint categories: {listed}).").format(
        rate=percent(rate), listed=listed
    )


def saving_text(report: Report, saving: Mapping[str, Any]) -> str:
    """One category's saving as a sentence."""
    return _(
        "{category}: {share} of tagged calls (alert share {threshold}), {talk} of talk. "
        "Cutting it by {cut} would free {hours} of operator time a month, {money} at "
        "{rate} an hour."
    ).format(
        category=saving["category"],
        share=percent(saving["share"]),
        threshold=percent(saving["threshold"], 0),
        talk=duration(saving["talk_seconds"]),
        cut=percent(saving["cut"], 0),
        hours=duration(saving["hours_per_month"] * 3600),
        money=money(saving["money_per_month"], report.currency),
        rate=money(report.agent_cost_per_hour, report.currency),
    )


SAVINGS_NOTE = N_(
    "At this period's rate, scaled to an average month (30.4 days); talk time only. "
    "The cut is the config's targets.savings_cut."
)


# -- callbacks --------------------------------------------------------------------------------

CALLBACK_HEADINGS = (
    N_("Last call"),
    N_("Caller"),
    N_("Queue"),
    N_("Result"),
    N_("Last wait"),
    N_("Calls"),
    N_("Call id"),
)
CALLBACK_ALIGN = "llllrrl"


def callback_rows(
    found: Sequence[Callback], tz: tzinfo, privacy: Privacy, fmt: str = "day_month_time"
) -> list[tuple[str, ...]]:
    """The callers to call back as shown, in :data:`CALLBACK_HEADINGS` order (callers masked
    as ``privacy`` says); ``fmt`` a ``strftime`` pattern or a form of
    :data:`carewatch.present.DATE_FORMS`."""
    return [
        (
            time_text(datetime.fromtimestamp(c.last_at, tz), fmt),
            mask_caller(c.caller, privacy),
            c.queue or DASH,
            result_word(c.result),
            duration(c.last_wait_seconds),
            count(c.attempts),
            c.call_id,
        )
        for c in found
    ]


#: The callers to call back a report for reading (text, Markdown, HTML) lists at most; its CSV
#: and JSON list every one (a busy day has thousands: a work list, not a summary).
CALLBACKS_SHOWN = 20


def shown_callbacks(found: Sequence[Callback]) -> list[Callback]:
    """The callers a report for reading lists: every one up to :data:`CALLBACKS_SHOWN`, else
    those with the most unanswered calls (the earliest last call first among equals), in the
    order of ``found``."""
    if len(found) <= CALLBACKS_SHOWN:
        return list(found)
    most = sorted(range(len(found)), key=lambda i: (-found[i].attempts, found[i].last_at, i))
    return [found[i] for i in sorted(most[:CALLBACKS_SHOWN])]


def callbacks_cut_note(found: Sequence[Callback]) -> str | None:
    """What says the list is shortened (``None`` when it is whole)."""
    if len(found) <= CALLBACKS_SHOWN:
        return None
    return _(
        "Shown: the {shown} of {count} callers with the most unanswered calls. The report's "
        "CSV and JSON formats list every one."
    ).format(shown=count(CALLBACKS_SHOWN), count=count(len(found)))


CALLBACK_NOTE = N_(
    "Callers whose last call of the period was abandoned or missed and who were neither "
    "called back (an outbound call to their number) nor got through on a later call, up to "
    "the report time. Calls = their unanswered calls since they were last reached."
)
